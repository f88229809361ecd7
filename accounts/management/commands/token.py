"""`manage.py token create|list|revoke`: API tokens from the command line, for scripts and setup.

    token create USERNAME [--name N] [--read-only]    prints the key, and nothing else
    token list USERNAME                               one line per token, newest first
    token revoke USERNAME NAME                        revokes the active token of that name

`create` writes only the key to stdout, so that a script can keep it: `KEY=$(manage.py token create
demo)`. Without --name the token is named "cli", or "cli-2", "cli-3"... when that name is taken.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import KEY_START
from accounts.selectors import tokens_of
from accounts.services import token_create, token_revoke
from mlwa.errors import InvalidInput

DEFAULT_NAME = "cli"


def _free_name(user, base: str) -> str:
    """`base`, or `base-2`, `base-3`... : the first that none of the user's active tokens has."""
    taken = set(tokens_of(user=user).filter(revoked_at__isnull=True).values_list("name", flat=True))
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    return name


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


class Command(BaseCommand):
    help = "Create, list and revoke a user's API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        creating = actions.add_parser("create", help="create a token and print its key (only the key)")
        creating.add_argument("username")
        creating.add_argument("--name", help=f'what the key is for (default: "{DEFAULT_NAME}", made unique)')
        creating.add_argument("--read-only", action="store_true", help="a key that may only read")

        listing = actions.add_parser("list", help="the user's tokens, newest first (never their keys)")
        listing.add_argument("username")

        revoking = actions.add_parser("revoke", help="revoke the user's active token of that name")
        revoking.add_argument("username")
        revoking.add_argument("name")

    def handle(self, *args, action, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_create(self, *, username: str, name: str | None, read_only: bool, **options):
        user = self._user(username)
        try:
            _token, key = token_create(
                user=user, name=_free_name(user, DEFAULT_NAME) if name is None else name, read_only=read_only
            )
        except InvalidInput as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(key)

    def handle_list(self, *, username: str, **options):
        header = ("NAME", "KEY", "ACCESS", "CREATED", "LAST USED", "REVOKED")
        rows = [
            (
                token.name,
                f"{KEY_START}{token.prefix}…",
                "read-only" if token.read_only else "read-write",
                _when(token.created_at),
                _when(token.last_used_at),
                _when(token.revoked_at),
            )
            for token in tokens_of(user=self._user(username))
        ]
        widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
        for row in [header, *rows]:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())

    def handle_revoke(self, *, username: str, name: str, **options):
        user = self._user(username)
        token = tokens_of(user=user).filter(name=name, revoked_at__isnull=True).first()
        if token is None:
            raise CommandError(f"{username} has no active token named {name!r} (see: manage.py token list)")
        token_revoke(token=token)
        self.stdout.write(f"Revoked {name!r} ({KEY_START}{token.prefix}…) of {username}.")

    @staticmethod
    def _user(username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        return user
