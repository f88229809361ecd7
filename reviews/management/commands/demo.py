"""`manage.py demo`: the embedded default's demo login (demo / demo) and demo workload, made once.

Refused unless DEBUG is on: a production instance never gets a known password.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reviews.demo import demo_workload

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo login of the embedded default


class Command(BaseCommand):
    help = (
        "Create the demo login (demo / demo) and its answered demo workload for the embedded default. "
        "Refused unless DEBUG is on."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("the demo login is only for the embedded default (MLWA_DEBUG=true)")
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "demo@example.com", "first_name": "Demo"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            self.stdout.write(f"Created the demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        workload = demo_workload(owner=user)
        if workload is not None:
            self.stdout.write(f"Created the demo workload: {workload.name}")
