"""Structured logs: every record carries the request id (and, in a worker, the task id) it was written for.

The ids live in context variables: mlwa.request_id.RequestIdMiddleware sets the request's for the
length of a request; a report task carries it to the worker in its message headers (sent by
`carry_request_id`, before publishing) and `enter_task` sets it again around the task's run.
`ContextFilter`, on the console handler (settings.LOGGING), copies both onto each record, and the
formatters write them: `JsonFormatter` one JSON object a line (production), `TextFormatter` a readable
line (DEBUG). Celery's worker logs through the same configuration (`configure_worker_logging`).

This module imports nothing of Django at load: settings.LOGGING names its classes.
"""

import logging
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

#: The id of the request being answered, or whose task is running; None outside of both.
current_request_id: ContextVar[str | None] = ContextVar("mlwa_request_id", default=None)
#: The id of the Celery task running in this process, or None.
current_task_id: ContextVar[str | None] = ContextVar("mlwa_task_id", default=None)

#: The message header a task's request id travels in.
HEADER = "mlwa_request_id"


class ContextFilter(logging.Filter):
    """Adds `request_id` and `task_id` (None when there is none) to every record it sees. On the
    handler, not a logger, so that records of every logger (Django's, Celery's) get them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        record.task_id = current_task_id.get()
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: timestamp, level, logger, message, request_id, task_id, and any
    `extra=` fields of the call (the access log's method, path, status...)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(levelname)s %(name)s %(message)s")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        super().__init__(*args, **kwargs)


class TextFormatter(logging.Formatter):
    """A readable line for development: time, level, logger, message, then the ids when set."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        super().__init__(*args, **kwargs)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [
            f"{name}={value}" for name in ("request_id", "task_id") if (value := getattr(record, name, None))
        ]
        return f"{line} [{' '.join(ids)}]" if ids else line


# --- Celery: the worker's logging, and the request id carried with a task ---------------------------


def configure_worker_logging(**kwargs) -> None:
    """celery.signals.setup_logging: the worker logs through settings.LOGGING (JSON in production)
    instead of its own format. Connected, it replaces Celery's set-up, whose --loglevel is then
    MLWA_LOG_LEVEL's."""
    import logging.config

    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def carry_request_id(headers=None, **kwargs) -> None:
    """celery.signals.before_task_publish: a task sent while answering a request carries its id
    in the message's headers (the task's arguments stay as they are)."""
    current = current_request_id.get()
    if current and headers is not None:
        headers[HEADER] = current


#: Per running task (by task id): the tokens that restore the context variables after it.
_tokens: dict[str, tuple] = {}


def enter_task(task_id=None, task=None, **kwargs) -> None:
    """celery.signals.task_prerun: the task's records carry its id and the request id it was sent
    with (none: whatever the caller's context holds, as when a task runs eagerly in a request)."""
    carried = _header(task)
    request_token = current_request_id.set(carried) if carried else None
    _tokens[task_id] = (request_token, current_task_id.set(task_id))


def leave_task(task_id=None, **kwargs) -> None:
    """celery.signals.task_postrun: back to the context from before the task."""
    request_token, task_token = _tokens.pop(task_id, (None, None))
    if task_token is not None:
        current_task_id.reset(task_token)
    if request_token is not None:
        current_request_id.reset(request_token)


def _header(task) -> str | None:
    """The request id a task's message carried: Celery copies a message's headers onto the task's
    request (and, for some protocols, keeps them under `headers`)."""
    request = getattr(task, "request", None)
    if request is None:
        return None
    value = getattr(request, HEADER, None) or (getattr(request, "headers", None) or {}).get(HEADER)
    return value if isinstance(value, str) else None
