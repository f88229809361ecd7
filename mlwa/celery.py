"""The Celery app. Workers start with `celery -A mlwa worker`; settings come from CELERY_* in Django's."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlwa.settings")

app = Celery("mlwa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
