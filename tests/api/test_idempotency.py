"""Idempotency-Key on the POSTs that create (issue 15): a retry replays the first answer, another
request with the key is 409, keys belong to one user and one operation, a 5xx is not kept, and
expired keys are purged on the next keyed write. The in-flight 409 is in test_idempotency_in_flight.

Expected values are read from the first answer or written out here, never made by
mlwa.api.idempotency."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from mlwa.models import IdempotencyKey
from reviews import services
from reviews.models import Milestone, Workload
from tests.accounts.conftest import TOKENS, basic_client
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db

WORKLOADS = "/api/v1/workloads/"
KEY = "7b0a8c0e-4d6f-4f7e-9a51-2f0c1f1e9d3a"


def keyed(client: APIClient, url: str, body, key: str = KEY, **extra):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key, **extra)


def test_a_retry_replays_the_first_answer_and_creates_nothing_more(alice):
    client = token_client(alice)

    first = keyed(client, WORKLOADS, {"name": "Fraud model"})
    again = keyed(client, WORKLOADS, {"name": "Fraud model"})

    assert first.status_code == 201, first.content
    workload = Workload.objects.get()
    assert first["Location"] == f"http://testserver{WORKLOADS}{workload.pk}/"
    assert "Idempotent-Replayed" not in first
    assert again.status_code == 201
    assert again["Location"] == first["Location"]
    assert again["Content-Type"] == first["Content-Type"] == "application/json"
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Workload.objects.count() == 1


def test_the_same_key_with_another_body_or_path_is_a_409_and_changes_nothing(alice):
    client = token_client(alice)
    assert keyed(client, WORKLOADS, {"name": "Fraud model"}).status_code == 201

    other_body = keyed(client, WORKLOADS, {"name": "Churn model"})
    other_query = client.post(
        f"{WORKLOADS}?x=1", {"name": "Fraud model"}, format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )

    for response in (other_body, other_query):
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "idempotency_key_reused"
        assert body["fields"] == {}
        assert "Idempotent-Replayed" not in response
    assert list(Workload.objects.values_list("name", flat=True)) == ["Fraud model"]


def test_a_key_belongs_to_one_user_and_one_operation(alice, bob):
    alices, bobs = token_client(alice), token_client(bob)
    mine = keyed(alices, WORKLOADS, {"name": "Fraud model"})
    theirs = keyed(bobs, WORKLOADS, {"name": "Fraud model"})
    workload = Workload.objects.get(owner=alice)
    # Another operation, the same key: a milestone of the workload just made.
    milestone = keyed(alices, f"{WORKLOADS}{workload.pk}/milestones/", {"name": "Go-live"})

    assert (mine.status_code, theirs.status_code, milestone.status_code) == (201, 201, 201)
    assert "Idempotent-Replayed" not in theirs
    assert "Idempotent-Replayed" not in milestone
    assert Workload.objects.filter(owner=bob).count() == 1
    assert Milestone.objects.filter(workload=workload).count() == 1


@pytest.mark.parametrize(
    "key",
    ["", " ", "two words", "tab\tin", "caf\u00e9", "x" * 256],
    ids=["empty", "space", "inner-space", "tab", "non-ascii", "too-long"],
)
def test_a_malformed_key_is_a_400_naming_the_header_and_nothing_is_made(alice, key):
    response = keyed(token_client(alice), WORKLOADS, {"name": "Fraud model"}, key=key)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["Idempotency-Key"]
    assert not Workload.objects.exists()


def test_keys_of_1_and_255_visible_characters_are_taken(alice):
    client = token_client(alice)
    assert keyed(client, WORKLOADS, {"name": "One"}, key="!").status_code == 201
    assert keyed(client, WORKLOADS, {"name": "Two"}, key="~" * 255).status_code == 201
    assert Workload.objects.count() == 2


def test_without_a_key_every_post_creates(alice):
    client = token_client(alice)
    for name in ("Fraud model", "Churn model"):
        assert client.post(WORKLOADS, {"name": name}, format="json").status_code == 201
    assert Workload.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


def test_a_refusal_of_the_operation_is_kept_and_replayed(alice):
    # Decided: a 4xx that the operation itself answers is kept (nothing was written, and the same
    # request would be refused the same way); a corrected request is another body, with a new key.
    client = token_client(alice)
    first = keyed(client, WORKLOADS, {"name": ""})
    again = keyed(client, WORKLOADS, {"name": ""})

    assert first.status_code == 400
    assert first.json()["fields"].keys() == {"name"}
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (400, first.content, "true")
    assert not Workload.objects.exists()


def test_an_answer_given_before_the_operation_ran_is_not_kept(alice):
    # A read-only token is refused before the operation runs: the key stays free for the request
    # sent with the right credentials.
    refused = keyed(token_client(alice, read_only=True, name="dashboard"), WORKLOADS, {"name": "Fraud model"})
    made = keyed(token_client(alice), WORKLOADS, {"name": "Fraud model"})

    assert refused.status_code == 403
    assert made.status_code == 201
    assert "Idempotent-Replayed" not in made


def test_a_server_error_is_not_kept_and_leaves_nothing_behind(alice, monkeypatch):
    client = token_client(alice)
    client.raise_request_exception = False
    create = services.workload_create

    def create_then_fail(**kwargs):
        create(**kwargs)  # the workload is written, then the request fails
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "workload_create", create_then_fail)
    failed = keyed(client, WORKLOADS, {"name": "Fraud model"})
    assert failed.status_code == 500
    assert not Workload.objects.exists()  # rolled back with the request's transaction
    assert not IdempotencyKey.objects.exists()

    monkeypatch.setattr(services, "workload_create", create)
    retried = keyed(client, WORKLOADS, {"name": "Fraud model"})
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert Workload.objects.count() == 1


def test_expired_keys_are_purged_by_the_next_keyed_write(alice, bob):
    alices = token_client(alice)
    assert keyed(alices, WORKLOADS, {"name": "Old"}).status_code == 201
    assert keyed(alices, WORKLOADS, {"name": "Recent"}, key="recent").status_code == 201
    IdempotencyKey.objects.filter(created_at__lt=timezone.now()).exclude(
        pk=IdempotencyKey.objects.latest("pk").pk
    ).update(created_at=timezone.now() - timedelta(hours=24, seconds=1))

    # Anyone's keyed write purges what has expired, whatever its operation.
    assert keyed(token_client(bob), WORKLOADS, {"name": "Bob's"}, key="other").status_code == 201
    assert IdempotencyKey.objects.count() == 2  # "recent" and bob's "other"
    # The expired key is free again: the same request runs anew.
    again = keyed(alices, WORKLOADS, {"name": "Old"})
    assert again.status_code == 400  # it ran: the name is now taken, by the first workload
    assert again.json()["fields"].keys() == {"name"}
    assert "Idempotent-Replayed" not in again


def test_a_key_kept_just_under_24_hours_still_replays(alice):
    client = token_client(alice)
    first = keyed(client, WORKLOADS, {"name": "Fraud model"})
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=23, minutes=59))

    again = keyed(client, WORKLOADS, {"name": "Fraud model"})

    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (201, first.content, "true")


def test_a_token_creation_replays_its_key_which_the_database_holds_nowhere_in_clear(alice):
    first = basic_client("alice", "alice-password").post(
        TOKENS, {"name": "ci"}, format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    again = basic_client("alice", "alice-password").post(
        TOKENS, {"name": "ci"}, format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )

    assert first.status_code == 201
    secret = first.json()["key"]
    assert (again.status_code, again.json()["key"], again["Idempotent-Replayed"]) == (201, secret, "true")
    assert ApiToken.objects.count() == 1
    kept = IdempotencyKey.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM mlwa_idempotencykey")
        row = cursor.fetchone()
    stored = b"".join(
        bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode() for value in row
    )
    assert secret.encode() not in stored
    assert KEY.encode() not in stored
    assert kept.status == 201


def test_a_report_request_replays_its_202_and_location(alice, django_capture_on_commit_callbacks):
    client = token_client(alice)
    asked = {"kind": "CONSOLIDATED", "format": "JSON"}
    with django_capture_on_commit_callbacks(execute=False):
        first = keyed(client, "/api/v1/reports/", asked)
        again = keyed(client, "/api/v1/reports/", asked)

    assert first.status_code == 202, first.content
    assert (again.status_code, again["Location"], again.content) == (202, first["Location"], first.content)
    assert json.loads(again.content)["url"] == first["Location"]


def creating_operations() -> list[tuple[str, bool]]:
    """(path, declares Idempotency-Key) for every POST of the schema; it should exactly when it
    answers 201 or 202."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        post = methods.get("post")
        if post is None:
            continue
        creates = bool({"201", "202"} & set(post["responses"]))
        declared = "Idempotency-Key" in {p["name"] for p in post.get("parameters", []) if p["in"] == "header"}
        assert declared == creates, path
        if creates:
            assert "409" in post["responses"], path
            assert (
                "Idempotent-Replayed"
                in post["responses"]["201" if "201" in post["responses"] else "202"]["headers"]
            )
        operations.append((path, creates))
    return operations


def test_every_post_that_creates_declares_the_key_and_refuses_a_malformed_one(alice):
    workload = Workload.objects.create(name="Keyed", owner=alice)
    values = {"workload_id": workload.pk, "id": workload.pk, "alias": "ml-lens-2021"}
    operations = creating_operations()

    assert sum(creates for _path, creates in operations) >= 8  # workloads, lens reviews, milestones...
    for number, (path, creates) in enumerate(operations):
        client = token_client(alice, name=f"t{number}")  # a token of its own: one POST revokes all
        response = client.post(path.format(**values), {}, format="json", HTTP_IDEMPOTENCY_KEY="not valid")
        if creates:
            assert response.status_code == 400, (path, response.content)
            assert list(response.json()["fields"]) == ["Idempotency-Key"], path
        else:  # the header means nothing there
            assert "Idempotency-Key" not in response.json().get("fields", {}), path


def multipart(boundary: str, document: bytes) -> bytes:
    return (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="lens.json"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + document
        + f"\r\n--{boundary}--\r\n".encode()
    )


def test_an_upload_sent_again_with_another_boundary_is_the_same_request(alice):
    # Each send of a form picks a new random boundary: the same file is still the same request.
    from lens.models import Lens
    from tests import factories

    client = token_client(alice)
    document = json.dumps(factories.lens_document("Uploaded")).encode()
    answers = [
        client.generic(
            "POST",
            "/api/v1/lenses/import/",
            multipart(boundary, document),
            content_type=f"multipart/form-data; boundary={boundary}",
            HTTP_IDEMPOTENCY_KEY=KEY,
        )
        for boundary in ("----first7MA4YWxk", "----secondTrZu0gW")
    ]
    other = client.generic(
        "POST",
        "/api/v1/lenses/import/",
        multipart("----third", document.replace(b"Uploaded", b"Another")),
        content_type="multipart/form-data; boundary=----third",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )

    assert answers[0].status_code == 201, answers[0].content
    assert (answers[1].status_code, answers[1].content) == (201, answers[0].content)
    assert answers[1]["Idempotent-Replayed"] == "true"
    assert other.status_code == 409
    assert Lens.objects.filter(owner=alice).count() == 1
