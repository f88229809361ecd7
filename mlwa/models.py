"""The API's own records (the idempotency keys of creating requests, mlwa.api.idempotency) and the
outbox's events that belong to no one workload (mlwa.events)."""

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """The first answer to a creating request sent with an `Idempotency-Key`, kept 24 hours so that a
    retry gets that answer again instead of creating a second object.

    Written in the transaction that creates the object (mlwa.api.idempotency), so that there is never
    one without the other. `key_digest` is a keyed hash of the client's key (settings.SECRET_KEY), and
    `body` is sealed with a key derived from the client's key: the table alone tells nobody the keys or
    the answers (an API token's creation answers its secret key, shown once)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    operation = models.CharField(
        max_length=200, help_text="The method and the URL's name, e.g. `POST api:workload-list`."
    )
    key_digest = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status = models.PositiveSmallIntegerField()
    headers = models.JSONField(
        default=dict, help_text="The answer's headers that a replay repeats (Content-Type, Location, ETag)."
    )
    body = models.BinaryField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "operation", "key_digest"], name="idempotency_key_unique_per_user_operation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.operation} by user {self.user_id} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class Event(models.Model):
    """Something that happened outside any one workload (a lens version published, a report ready),
    written in the transaction of the change itself: with `reviews.WorkloadEvent` (a workload's own
    log), the outbox that consumers (notifications in the app; later email and webhooks) read in
    order, each from its own cursor (notifications.outbox). It never changes once written.

    `data` names its subjects by id (this app knows no other app's models): a consumer finds them,
    and passes over an event whose subject is gone since."""

    class Kind(models.TextChoices):
        LENS_VERSION_PUBLISHED = "LENS_VERSION_PUBLISHED", "Lens version published"
        REPORT_READY = "REPORT_READY", "Report ready"

    kind = models.CharField(max_length=32, choices=Kind)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True, help_text="The subjects' ids and what a reader needs.")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
