"""Notifications, and the outbox's cursors.

A Notification is one recipient's notice of one event: of the workload log (reviews.WorkloadEvent)
or of the instance (mlwa.Event). It is unique per recipient and event, so that a consumer that runs
twice over the same events (a redelivered task, the sweep after the announcement) makes no second
one. Its words and link are written when it is made, so that the list costs the same queries
whatever the events were about.

An OutboxCursor is how far one consumer has read one stream of the outbox (notifications.outbox):
one row per (consumer, stream), so that the later email and webhook consumers read the same events
from cursors of their own.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """What one person is told about one event: shown behind the bell until they have read it."""

    class Kind(models.TextChoices):
        SHARED = "SHARED", _("Workload shared with you")
        ASSIGNED = "ASSIGNED", _("Improvement item assigned to you")
        LENS_VERSION = "LENS_VERSION", _("New lens version")
        REPORT_READY = "REPORT_READY", _("Report ready")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=Kind)
    workload_event = models.ForeignKey(
        "reviews.WorkloadEvent", models.CASCADE, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey("mlwa.Event", models.CASCADE, null=True, blank=True, related_name="+")
    text = models.TextField(help_text=_("What happened, in a sentence (plain text)."))
    url = models.CharField(max_length=500, help_text=_("The page it is about: a path on this site."))
    created_at = models.DateTimeField(help_text=_("When the event happened."))
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_newest"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(workload_event__isnull=False, event__isnull=True)
                | Q(workload_event__isnull=True, event__isnull=False),
                name="notification_one_source",
                violation_error_message="A notification comes from one event.",
            ),
            # NULLs are distinct: each constraint holds for the notifications of its own stream.
            models.UniqueConstraint(
                fields=["recipient", "workload_event"],
                name="notification_once_per_workload_event",
                violation_error_message="This person has this event's notification already.",
            ),
            models.UniqueConstraint(
                fields=["recipient", "event"],
                name="notification_once_per_event",
                violation_error_message="This person has this event's notification already.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.text}"


class OutboxCursor(models.Model):
    """The last event of `stream` that consumer `consumer` is done with (notifications.outbox)."""

    consumer = models.CharField(max_length=64)
    stream = models.CharField(max_length=32)
    position = models.BigIntegerField(default=0, help_text=_("Every event up to this id is delivered."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consumer", "stream"], name="outbox_cursor_one_per_stream"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer} on {self.stream}: {self.position}"
