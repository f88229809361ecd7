"""Fixtures of the notification tests: people, a workload, and the consumer run as the sweep runs it."""

import pytest

from notifications.consumer import NOTIFICATIONS
from notifications.models import Notification
from notifications.outbox import outbox_sweep


@pytest.fixture
def sweep(settings):
    """Run the notifications consumer over every event written so far (no grace: each is old enough
    to pass the cursor), as the periodic sweep does; returns the notifications of `user` then."""
    settings.MLWA_OUTBOX_GRACE = 0

    def run() -> int:
        return outbox_sweep(consumer=NOTIFICATIONS)

    return run


def texts(user) -> list[str]:
    """`user`'s notifications' texts, newest first."""
    return list(Notification.objects.filter(recipient=user).values_list("text", flat=True))
