"""A repeat of a keyed request while the first still runs is 409 `idempotency_key_in_flight`, at once,
across connections (issue 15): two real requests to a live server on PostgreSQL, the first held
inside its transaction after it has written its workload.

(On SQLite write transactions take turns, so the repeat waits for the first to commit and then
replays its answer; mlwa.api.idempotency says why.)"""

import threading

import requests

from accounts.services import token_create
from mlwa.models import IdempotencyKey
from reviews import services
from reviews.models import Workload
from tests.reviews.test_services_answer_versions import on_postgres

KEY = "in-flight-1"


@on_postgres
def test_a_repeat_while_the_first_runs_is_a_409_and_the_first_still_lands_once(
    live_server, alice, monkeypatch, retire_published_lens_versions
):
    _token, token = token_create(user=alice, name="ci")
    headers = {"Authorization": f"Token {token}", "Idempotency-Key": KEY}
    url = f"{live_server.url}/api/v1/workloads/"
    body = {"name": "Fraud model"}
    written, release = threading.Event(), threading.Event()
    create = services.workload_create

    def create_and_hold(**kwargs):
        workload = create(**kwargs)
        written.set()  # the workload is written, its transaction open
        assert release.wait(20)
        return workload

    monkeypatch.setattr(services, "workload_create", create_and_hold)
    answers = {}
    first = threading.Thread(
        target=lambda: answers.setdefault("first", requests.post(url, json=body, headers=headers, timeout=30))
    )
    first.start()
    try:
        assert written.wait(20)
        repeat = requests.post(url, json=body, headers=headers, timeout=10)
        held = first.is_alive()
    finally:
        release.set()
        first.join(30)

    assert held  # the repeat was answered while the first still ran
    assert repeat.status_code == 409
    assert repeat.json()["code"] == "idempotency_key_in_flight"
    assert "Idempotent-Replayed" not in repeat.headers
    assert answers["first"].status_code == 201
    # Once the first has answered, the repeat is its replay; one workload, one key.
    monkeypatch.setattr(services, "workload_create", create)
    replay = requests.post(url, json=body, headers=headers, timeout=10)
    assert (replay.status_code, replay.content) == (201, answers["first"].content)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert Workload.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1


@on_postgres
def test_a_503_from_after_the_commit_is_not_kept_and_a_retry_runs_again(
    alice, settings, retire_published_lens_versions
):
    # The report queue down: the report commits with the request's transaction, then its
    # enqueueing (an on_commit step) fails; the answer is a 503, and the key is not kept.
    from mlwa.celery import app
    from reviews.models import Report
    from tests.api.conftest import token_client

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    settings.CELERY_BROKER_CONNECTION_TIMEOUT = 1
    client = token_client(alice)
    asked = {"kind": "CONSOLIDATED", "format": "JSON"}
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        first = client.post("/api/v1/reports/", asked, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
        again = client.post("/api/v1/reports/", asked, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    finally:
        app.conf.task_always_eager = eager

    assert (first.status_code, first.json()["code"]) == (503, "queue_unavailable")
    assert (again.status_code, again.json()["code"]) == (503, "queue_unavailable")
    assert "Idempotent-Replayed" not in again
    assert list(Report.objects.values_list("status", flat=True)) == ["FAILED", "FAILED"]
    assert not IdempotencyKey.objects.exists()
