"""Backing a workload up and restoring it (reviews.backup): the download, and the upload form.

The download is made at the moment it is asked for, by whoever may see the workload (DESIGN.md:
"sees it, reports, exports"), so access is checked then and nothing is stored. Any signed-in user
may restore a backup: the workload it makes is theirs.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from mlwa.errors import InvalidInput, ReviewRefused
from mlwa.heavy import heavy_refusal
from reviews.access import workload_or_404
from reviews.backup import backup_filename, workload_export, workload_restore
from reviews.backup.document import parse


class RestoreForm(forms.Form):
    """The backup file, and whether to restore it again as a copy."""

    file = forms.FileField(
        label="Backup file", help_text="A workload backup (.json) made by MLWA's “Back up”."
    )
    as_copy = forms.BooleanField(
        required=False,
        label="Restore as a copy",
        help_text="Restore a backup that was restored here already, as one more workload.",
    )

    def document(self):
        """The uploaded file's JSON, or None with the error on the file field: not UTF-8, not JSON,
        NaN or Infinity, or nested too deep (reviews.backup.document.parse)."""
        try:
            return parse(self.cleaned_data["file"].read())
        except ValueError as error:  # UnicodeDecodeError too
            self.add_error("file", f"Not a JSON file: {error}")
            return None


def dropped_shares_text(dropped: list[dict]) -> str:
    """“alice (contributor), team ml (reader)”: the shares a restore left behind."""
    return ", ".join(
        f"{share['user'] if 'user' in share else 'team ' + share['group']} ({share['role'].lower()})"
        for share in dropped
    )


#: Disagreements shown one by one on the page after a restore; the API and the command list all.
WARNINGS_SHOWN = 50


def warn_of_disagreements(request, warnings) -> None:
    """One message per value of the backup restored as computed rather than as the file had it."""
    if not warnings:
        return
    messages.warning(
        request,
        f"This backup disagreed with its own answers in {len(warnings)} "
        f"place{'s' if len(warnings) != 1 else ''}: it was restored with the risks and counts its "
        "answers compute under their lens's rules. A backup made by MLWA always agrees, so the file "
        "was edited.",
    )
    for warning in warnings[:WARNINGS_SHOWN]:
        messages.warning(request, str(warning))
    if len(warnings) > WARNINGS_SHOWN:
        messages.warning(
            request,
            f"… and {len(warnings) - WARNINGS_SHOWN} more (restoring through the API or "
            "manage.py workload import lists every one).",
        )


@login_required
@require_GET
def export(request, pk: int):
    """The workload's backup document, as a file to download."""
    workload, _role = workload_or_404(request, pk)
    document = workload_export(workload=workload, actor=request.user, source=request.get_host())
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{backup_filename(workload)}"'
    return response


@login_required
def restore(request):
    """Upload a backup: it becomes a new workload of the user, shares dropped and listed."""
    if (refused := heavy_refusal(request)) is not None:  # MLWA_API_RATE_HEAVY, with the API's restores
        return refused
    form = RestoreForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid() and (document := form.document()) is not None:
        try:
            result = workload_restore(
                document=document, user=request.user, as_copy=form.cleaned_data["as_copy"]
            )
        except InvalidInput as error:
            for path, problems in error.errors.items():
                form.add_error(None, f"{path}: {' '.join(problems)}")
        except ReviewRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Restored the workload “{result.workload.name}”; you own it.")
            if result.dropped_shares:
                messages.warning(
                    request,
                    "These shares were not restored; share it again if you want: "
                    + dropped_shares_text(result.dropped_shares),
                )
            warn_of_disagreements(request, result.warnings)
            return redirect("reviews:workload", pk=result.workload.pk)
    status = 400 if form.is_bound else 200
    return render(request, "reviews/backup/restore.html", {"form": form}, status=status)
