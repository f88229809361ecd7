"""`manage.py workload export|import`: a workload's backup document, for operators and automation.

    workload export ID [-o FILE]                      the backup document (reviews.backup)
    workload import FILE --user USERNAME [--as-copy]  restore it as a new workload of USERNAME

`import` prints the new workload's id and name, and the shares it did not restore; a refused
document exits with an error naming the JSON path at fault, and nothing is written.
"""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from mlwa.errors import InvalidInput, ReviewRefused
from reviews.backup import workload_export, workload_restore
from reviews.backup.document import parse
from reviews.models import Workload


class Command(BaseCommand):
    help = "Back a workload up as one JSON document, or restore one."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        exporting = actions.add_parser("export", help="write a workload's backup document")
        exporting.add_argument("workload_id", type=int, metavar="ID")
        exporting.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
        importing = actions.add_parser("import", help="restore a backup document as a new workload")
        importing.add_argument("file", type=Path)
        importing.add_argument("--user", required=True, metavar="USERNAME", help="who will own it")
        importing.add_argument(
            "--as-copy", action="store_true", help="restore it again, as one more workload"
        )

    def handle(self, *args, action, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_export(self, *, workload_id: int, output: Path | None, **options):
        workload = Workload.objects.select_related("owner").filter(pk=workload_id).first()
        if workload is None:
            raise CommandError(f"no workload with the id {workload_id}")
        text = json.dumps(workload_export(workload=workload, actor=None), indent=1, ensure_ascii=False) + "\n"
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")

    def handle_import(self, *, file: Path, user: str, as_copy: bool, **options):
        owner = get_user_model().objects.filter(username=user, is_active=True).first()
        if owner is None:
            raise CommandError(f"no active user {user!r}")
        try:
            document = parse(file.read_bytes())
        except (OSError, ValueError) as error:
            raise CommandError(f"cannot read {file}: {error}") from None
        try:
            result = workload_restore(document=document, user=owner, as_copy=as_copy)
        except InvalidInput as error:
            raise CommandError(f"refused, nothing written: {error}") from None
        except ReviewRefused as error:
            raise CommandError(f"refused, nothing written: {error}") from None
        self.stdout.write(f"Restored workload {result.workload.pk}: {result.workload.name}")
        for share in result.dropped_shares:
            grantee = share.get("user") or f"group {share.get('group')}"
            self.stdout.write(f"Not restored: the share with {grantee} ({share['role'].lower()})")
        for alias in result.lenses_created:
            self.stdout.write(f"Imported the lens {alias} as {owner.get_username()}'s own")
        for warning in result.warnings:
            self.stdout.write(f"Warning: {warning}")
