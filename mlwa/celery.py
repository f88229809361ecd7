"""The Celery app. Workers start with `celery -A mlwa worker`; settings come from CELERY_* in Django's.

Workers log as the web does (settings.LOGGING: JSON lines in production), and a task sent while
answering a request carries its request id into the worker's log records (mlwa.logs).
"""

import os
from contextlib import contextmanager

from celery import Celery, signals
from django.conf import settings

from mlwa import logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlwa.settings")

app = Celery("mlwa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs) -> None:
    """The filesystem transport of the embedded default expects its folders to exist."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


@contextmanager
def broker_connection(*, timeout: float, **transport_options):
    """A connection of its own to the broker (CELERY_BROKER_URL and its transport options, updated
    with `transport_options`), made now with no retries, so `timeout` bounds the wait where the shared
    producer pool would retry for a long while. For asking for a report and for /readyz."""
    options = {**(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}), **transport_options}
    with app.connection_for_write(
        url=settings.CELERY_BROKER_URL, transport_options=options, connect_timeout=timeout
    ) as connection:
        connection.ensure_connection(max_retries=0, timeout=timeout)
        yield connection


signals.setup_logging.connect(logs.configure_worker_logging, weak=False)
signals.before_task_publish.connect(logs.carry_request_id, weak=False)
signals.task_prerun.connect(logs.enter_task, weak=False)
signals.task_postrun.connect(logs.leave_task, weak=False)
