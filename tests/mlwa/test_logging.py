"""Request ids and structured logs (mlwa.request_id, mlwa.logs): an id for every answer, the client's
when it is sane; one access line per request; JSON lines carrying the request and task ids; a task's
message carries the request id it was sent under. (A real worker writing it into its log:
tests/reviews/reports/test_heartbeat.py and .ci/reports-e2e.)"""

import io
import json
import logging
import re

import pytest

from mlwa import logs
from mlwa.request_id import request_id_from

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_lines():
    """Records of every logger, formatted as production formats them, one JSON object a line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.ContextFilter())
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)

    def lines() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_an_id_is_made_when_the_client_sends_none(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert HEX32.fullmatch(first)
    assert HEX32.fullmatch(second)
    assert first != second


@pytest.mark.parametrize("sent", ["e2e-1234", "a.b_c-D", "x" * 64, "0af7651916cd43dd8448eb211c80319c"])
def test_a_sane_client_id_is_echoed(client, sent):
    assert client.get("/healthz", HTTP_X_REQUEST_ID=sent)["X-Request-ID"] == sent


@pytest.mark.parametrize(
    "sent", ["", "x" * 65, "has space", "new\nline", "<script>", "a/b", "id;drop", "é-accent"]
)
def test_an_insane_client_id_is_replaced(client, sent):
    answered = client.get("/healthz", HTTP_X_REQUEST_ID=sent)["X-Request-ID"]
    assert HEX32.fullmatch(answered)
    assert request_id_from(sent) != sent


def test_a_413_carries_the_request_id(client, settings):
    settings.MLWA_MAX_REQUEST_BYTES = 100
    response = client.post(
        "/api/v1/tokens/", data="x" * 500, content_type="application/json", HTTP_X_REQUEST_ID="big-1"
    )
    assert response.status_code == 413
    assert response["X-Request-ID"] == "big-1"


@pytest.mark.django_db
def test_one_access_line_per_request_with_the_request_id_and_user(client, alice, json_lines):
    client.force_login(alice)
    response = client.get("/accounts/profile/", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 200
    access = [line for line in json_lines() if line["logger"] == "mlwa.access"]
    assert len(access) == 1, access
    line = access[0]
    assert line["level"] == "INFO"
    assert line["request_id"] == "req-42"
    assert line["task_id"] is None
    assert (line["method"], line["path"], line["status"], line["user_id"]) == (
        "GET",
        "/accounts/profile/",
        200,
        alice.pk,
    )
    assert line["duration_ms"] >= 0
    assert line["timestamp"]
    assert line["message"].startswith("GET /accounts/profile/ 200 ")


def test_every_record_written_while_answering_carries_the_id(client, json_lines):
    # Django logs a 404 (django.request, WARNING), from deep inside the request.
    client.get("/no/such/page/", HTTP_X_REQUEST_ID="req-404")
    lines = json_lines()
    by_logger = {line["logger"]: line for line in lines}
    assert by_logger["django.request"]["request_id"] == "req-404"
    assert by_logger["mlwa.access"]["request_id"] == "req-404"
    assert by_logger["mlwa.access"]["user_id"] is None
    # Outside a request, there is no id.
    logging.getLogger("mlwa.test").warning("after the request")
    assert json_lines()[-1]["request_id"] is None


def test_probes_are_logged_at_debug(client, json_lines):
    client.get("/healthz")
    (line,) = [line for line in json_lines() if line["logger"] == "mlwa.access"]
    assert line["level"] == "DEBUG"


def test_json_and_text_formatters_write_the_ids():
    record = logging.LogRecord("mlwa.x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    request_token = logs.current_request_id.set("rid-1")
    task_token = logs.current_task_id.set("tid-1")
    try:
        logs.ContextFilter().filter(record)
    finally:
        logs.current_task_id.reset(task_token)
        logs.current_request_id.reset(request_token)
    data = json.loads(logs.JsonFormatter().format(record))
    assert data["message"] == "hello world"
    assert (data["level"], data["logger"], data["request_id"], data["task_id"]) == (
        "INFO",
        "mlwa.x",
        "rid-1",
        "tid-1",
    )
    assert (
        logs.TextFormatter()
        .format(record)
        .endswith("INFO mlwa.x hello world [request_id=rid-1 task_id=tid-1]")
    )


def test_the_logging_settings_choose_json_in_production(settings):
    handler = settings.LOGGING["handlers"]["console"]
    assert handler["filters"] == ["context"]
    assert handler["formatter"] == settings.MLWA_LOG_FORMAT
    assert settings.LOGGING["formatters"]["json"]["()"] == "mlwa.logs.JsonFormatter"


def test_a_task_sent_during_a_request_carries_its_id_in_the_headers():
    """before_task_publish adds the header; task_prerun sets the id from it, task_postrun puts back
    what was there."""
    headers: dict = {}
    token = logs.current_request_id.set("req-7")
    try:
        logs.carry_request_id(headers=headers)
    finally:
        logs.current_request_id.reset(token)
    assert headers == {logs.HEADER: "req-7"}

    class Task:
        class request:  # noqa: N801 - Celery's attribute name
            mlwa_request_id = "req-7"

    logs.enter_task(task_id="t-1", task=Task())
    assert (logs.current_request_id.get(), logs.current_task_id.get()) == ("req-7", "t-1")
    logs.leave_task(task_id="t-1")
    assert (logs.current_request_id.get(), logs.current_task_id.get()) == (None, None)


def test_a_task_run_eagerly_inside_a_request_keeps_the_requests_id():
    class Task:
        class request:  # noqa: N801
            pass

    token = logs.current_request_id.set("req-eager")
    try:
        logs.enter_task(task_id="t-2", task=Task())
        assert logs.current_request_id.get() == "req-eager"
        logs.leave_task(task_id="t-2")
        assert logs.current_request_id.get() == "req-eager"
    finally:
        logs.current_request_id.reset(token)
