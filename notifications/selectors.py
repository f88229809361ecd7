"""Reads of notifications: always one person's own, newest first."""

from django.db.models import QuerySet

from mlwa.types import Reader
from notifications.models import Notification


def notifications_for(*, user: Reader) -> QuerySet[Notification]:
    """`user`'s notifications, newest first (none for an anonymous user): one query a page."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).only(
        "pk", "kind", "text", "url", "created_at", "read_at"
    )


def unread_count(*, user: Reader) -> int:
    """How many of `user`'s notifications are unread: one query (the partial index of the unread)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
