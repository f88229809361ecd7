"""MLWA: self-hosted Well-Architected reviews. The Celery app loads with Django so tasks find it."""

from .celery import app as celery_app

__all__ = ["celery_app"]
