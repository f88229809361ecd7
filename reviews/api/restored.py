"""The two fields that say a row was written by a restore (reviews.backup), on every serializer of
such a row: answers, their history, events and milestones."""

from rest_framework import serializers


def restored_marks(
    author: str, *, cleared_by_a_write: bool = False
) -> tuple[serializers.CharField, serializers.DateTimeField]:
    """`restored_by` and `restored_at`, for a row whose `author` field then holds the backup's name:
    `restored_by, restored_at = restored_marks("updated_by")` in the serializer's body."""
    restored_by = serializers.CharField(
        source="restored_by_username",
        allow_null=True,
        default=None,
        help_text=f"Who restored it from a backup (`{author}` is then the backup's name); null when "
        "it was not restored, or that user is deleted.",
    )
    since = ", or written since" if cleared_by_a_write else ""
    restored_at = serializers.DateTimeField(
        allow_null=True, help_text=f"When it was restored from a backup; null when it was not{since}."
    )
    return restored_by, restored_at
