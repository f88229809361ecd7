"""The Celery app. Workers start with `celery -A mlwa worker`; settings come from CELERY_* in Django's.

Workers log as the web does (settings.LOGGING: JSON lines in production), and a task sent while
answering a request carries its request id into the worker's log records (mlwa.logs).
"""

import os

from celery import Celery, signals

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


signals.setup_logging.connect(logs.configure_worker_logging, weak=False)
signals.before_task_publish.connect(logs.carry_request_id, weak=False)
signals.task_prerun.connect(logs.enter_task, weak=False)
signals.task_postrun.connect(logs.leave_task, weak=False)
