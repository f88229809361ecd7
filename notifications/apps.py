from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Notifications in the app: made from the outbox's events (mlwa.events) by a consumer, one per
    recipient, shown behind the header's bell, at /notifications/ and in REST v1."""

    name = "notifications"
    verbose_name = "Notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mlwa.events import event_committed
        from notifications.tasks import deliver_on_commit

        # Each event, once committed, is delivered at once (the sweep catches what this misses).
        event_committed.connect(deliver_on_commit, dispatch_uid="notifications.deliver_on_commit")
