"""Writes of notifications by their recipient: marking them read. (They are made by the consumer,
notifications.consumer, never by a service of another app.)"""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.utils import timezone

from notifications.models import Notification


def notifications_mark_read(*, user: User, pks: Iterable[int] | None = None) -> int:
    """Mark `user`'s unread notifications `pks` (all of them when None) read, in one update; how many.
    Someone else's notification is never touched, whatever `pks` names."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if pks is not None:
        wanted = list(pks)
        if not wanted:
            return 0
        unread = unread.filter(pk__in=wanted)
    return unread.update(read_at=timezone.now())
