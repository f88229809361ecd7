"""Conditional requests on every operation of the schema (mlwa.api.conditional).

The operations come from the schema, generated here: every GET has a strong ETag, answers 304 to it
and, after a change to its body, 200 with a new one; every PATCH, PUT and DELETE refuses a stale
If-Match (412, the database read before and after) and succeeds with the current one. A new
operation is covered as soon as it is in the schema: it passes only if it has the mechanism. The
world is the access matrix's (tests/api/test_access_matrix.py); the owner calls.
"""

import json
import re
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import ApiToken
from lens.models import BUILTIN_ALIAS, Lens
from lens.services import lens_import, lens_publish, lens_sharing_set
from notifications.models import Notification
from reviews.models import Answer, ImprovementItem, Report, Share, Workload
from reviews.services import answer_update, improvement_item_update, share_change_role, workload_update
from reviews.services.milestones import milestone_create
from tests.api.test_access_matrix import body_of, build_world, operations, path_of
from tests.factories import lens_document
from tests.reviews.stored import database_state
from tests.reviews.test_services_answer_versions import closing_connection, in_threads, on_postgres

pytestmark = pytest.mark.django_db

#: GETs without an ETag, and why: each must be marked `etag=False` on its view, which the schema shows.
NO_ETAG = {"reports_download_retrieve": "a report's file, streamed as an attachment"}

#: GETs whose body nothing changes, and why (the test checks that their ETag stays the same).
IMMUTABLE = {"workloads_milestones_retrieve": "a milestone is frozen when it is made"}

#: GETs whose body the world's changes cannot reach, and why: the 304s are checked here, the change
#: of the tag where the test that makes the change lives.
BEYOND_THE_WORLD = {
    "lens_catalog_list": "the world has no catalog folder (tests/api/test_lens_catalog_api.py changes one)",
}

#: GETs whose body differs at every read, and why: their ETag differs too, so If-None-Match never
#: matches (the test checks that).
NEW_EACH_READ = {
    "workloads_trend_retrieve": 'its last point, "Now", is dated at the moment of the request',
    "workloads_export_retrieve": "each backup is a new document (its id, its time, an event of its own)",
}

#: Writes whose ETag is the resource's version, "N" (documented before the ETags of every resource):
#: W/"N" is the same version there, and the tag is read from the stored row.
VERSION_TAGGED = {
    "workloads_lens_reviews_answers_partial_update",
    "workloads_improvements_partial_update",
}

NEVER_ISSUED = '"never-issued-by-this-server"'
STRONG_TAG = re.compile(r'"[\x21\x23-\x7e]+"')


def reads() -> list[tuple[str, str]]:
    return [(op, path) for op, method, path, _success in operations() if method == "GET"]


def writes() -> list[tuple[str, str, str, str]]:
    return [operation for operation in operations() if operation[1] in {"PATCH", "PUT", "DELETE"}]


def schema_operation(path: str, method: str) -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)["paths"][path][method.lower()]


def header_parameters(operation: dict) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}


@pytest.mark.parametrize(("operation_id", "path"), reads(), ids=[op for op, _path in reads()])
def test_every_read_declares_its_etag_and_304_in_the_schema(operation_id, path):
    operation = schema_operation(path, "GET")
    if operation_id in NO_ETAG:
        assert "304" not in operation["responses"]
        return
    assert "If-None-Match" in header_parameters(operation)
    assert "ETag" in operation["responses"]["200"].get("headers", {})
    assert "304" in operation["responses"]


@pytest.mark.parametrize(
    ("operation_id", "method", "path"), [w[:3] for w in writes()], ids=[w[0] for w in writes()]
)
def test_every_write_declares_if_match_and_412_in_the_schema(operation_id, method, path):
    operation = schema_operation(path, method)
    assert "If-Match" in header_parameters(operation)
    assert "412" in operation["responses"]


def change_everything(world) -> None:
    """One change to each thing the world's reads show, made through the services or the ORM (not
    through the API under test): an answer, an improvement item, the workload's fields, a share's
    role, a milestone, a token's name, a report's progress, a lens's new version and its sharing, a
    person's name (the people search), a notification read."""
    owner = Workload.objects.get(pk=world.ids["workload"]).owner
    workload = Workload.objects.get(pk=world.ids["workload"])
    answer = Answer.objects.get(lens_review__workload=workload, question__question_id="MLOPS01")
    answer_update(
        answer=answer, actor=owner, changes={"selected_choices": ["MLOPS01_BP01"]}, expected_version=None
    )
    improvement_item_update(
        workload=workload,
        lens_alias=answer.lens_review.lens.alias,
        question_id="MLOPS01",
        actor=owner,
        changes={"note": "Changed.", "owner": owner.pk},  # and now in the owner's own items
        expected_version=None,
    )
    workload_update(workload=workload, actor=owner, fields={"description": "Changed."})
    share_change_role(share=Share.objects.get(pk=world.ids["share"]), actor=owner, role="CONTRIBUTOR")
    milestone_create(workload=workload, actor=owner, name="Changed")
    ApiToken.objects.filter(pk=world.ids["token"]).update(name="changed")
    Report.objects.filter(pk=world.ids["report"]).update(file_name="changed.csv")
    team_lens = Lens.objects.get(alias=world.ids["team_lens"])
    lens_publish(lens=team_lens, label="2", major=False)
    lens_sharing_set(lens=team_lens, everyone=True, users=[], groups=[])
    # A newer major version of the lens to upgrade: the upgrade's preview names it.
    upgradable = Lens.objects.get(alias=world.ids["upgradable_lens"])
    lens_import(source=lens_document("Upgradable", questions=4), owner=owner, alias=upgradable.alias)
    lens_publish(lens=upgradable, label="3", major=True)
    get_user_model().objects.filter(username="reader").update(first_name="Changed")
    Notification.objects.filter(pk=world.ids["notification"]).update(read_at=timezone.now())


def get(client, url, **headers):
    return client.get(url, headers=headers)


@pytest.mark.parametrize(("operation_id", "path"), reads(), ids=[op for op, _path in reads()])
def test_every_read_has_an_etag_answers_304_and_changes_with_its_body(operation_id, path):
    if operation_id in NO_ETAG:
        pytest.skip(NO_ETAG[operation_id])
    world = build_world()
    client, url = world.clients["owner"], path_of(path, world)
    first = get(client, url)
    assert first.status_code == 200, first.content[:300]
    etag = first["ETag"]
    assert STRONG_TAG.fullmatch(etag), f"{url}: {etag!r} is not a strong entity-tag"
    if operation_id in NEW_EACH_READ:
        again = get(client, url, if_none_match=etag)
        assert (again.status_code, again.content != first.content) == (200, True)
        assert again["ETag"] != etag
        return
    assert get(client, url)["ETag"] == etag, "the same body, the same tag"

    for matching in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        not_modified = get(client, url, if_none_match=matching)
        assert (not_modified.status_code, not_modified.content) == (304, b""), matching
        assert not_modified["ETag"] == etag
    assert get(client, url, if_none_match=NEVER_ISSUED).status_code == 200
    if operation_id in BEYOND_THE_WORLD:
        return

    change_everything(world)
    second = get(client, url, if_none_match=etag)
    if operation_id in IMMUTABLE:
        assert second.status_code == 304, f"{operation_id} is listed as immutable, but its body changed"
        return
    assert second.status_code == 200, f"{url}: nothing that the world's changes touch is in its body"
    assert second.content != first.content
    assert second["ETag"] != etag
    assert get(client, url, if_none_match=second["ETag"]).status_code == 304


def test_an_answer_changes_the_etags_of_its_lens_review_and_workload():
    world = build_world()
    client = world.clients["owner"]
    workload = f"/api/v1/workloads/{world.ids['workload']}/"
    review = f"{workload}lens-reviews/{BUILTIN_ALIAS}/"
    urls = [workload, review, "/api/v1/workloads/", f"{workload}lens-reviews/"]
    before = {url: get(client, url) for url in urls}

    written = client.patch(f"{review}answers/MLOPS01/", {"selected_choices": ["MLOPS01_BP01"]}, format="json")

    assert written.status_code == 200
    for url, read in before.items():
        after = get(client, url, if_none_match=read["ETag"])
        assert after.status_code == 200, f"{url} kept its ETag after an answer"
        assert after["ETag"] != read["ETag"]
    for url in (workload, review):  # what changed: one more question answered
        answered = before[url].json()["counts"]["answered"]
        assert get(client, url).json()["counts"]["answered"] == answered + 1


def current_tag(client, operation_id: str, method: str, path: str, world) -> str:
    """The tag a client would send: the ETag a GET of the same URL gives; for an improvement item
    (which has no GET of its own), its stored version, read from the database."""
    if operation_id == "workloads_improvements_partial_update":
        item = ImprovementItem.objects.filter(
            workload_id=world.ids["workload"], question_id="MLOPS01"
        ).first()
        return f'"{item.version if item else 0}"'
    assert ("GET", path) in {(m, p) for _op, m, p, _s in operations()}, (
        f"{method} {path} has no GET at its URL to read its ETag from"
    )
    response = get(client, path_of(path, world))
    assert response.status_code == 200
    return response["ETag"]


def send(client, method, url, body, if_match):
    headers = {} if if_match is None else {"if_match": if_match}
    return client.generic(method, url, json.dumps(body), content_type="application/json", headers=headers)


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "success"), writes(), ids=[w[0] for w in writes()]
)
def test_every_write_refuses_a_stale_if_match_and_takes_the_current_one(operation_id, method, path, success):
    world = build_world()
    client, url, body = world.clients["owner"], path_of(path, world), body_of(operation_id, world)
    etag = current_tag(client, operation_id, method, path, world)
    before = database_state()

    broken = send(client, method, url, body, "not an entity-tag")
    assert broken.status_code == 400, broken.content[:300]
    assert "If-Match" in broken.json()["fields"]
    assert database_state() == before

    stale_tags = [NEVER_ISSUED, f'"{"0" * 32}"', f'{NEVER_ISSUED}, {NEVER_ISSUED[:-1]}2"']
    if operation_id not in VERSION_TAGGED:
        stale_tags.append(f"W/{etag}")  # a weak tag never matches strongly
    for stale in stale_tags:
        refused = send(client, method, url, body, stale)
        assert refused.status_code == 412, (stale, refused.content[:300])
        assert database_state() == before, f"{method} {url} with If-Match {stale} changed the database"
        assert refused.json()["code"] == "precondition_failed"
        assert refused["ETag"] == etag
        if operation_id not in VERSION_TAGGED:
            assert json.dumps(refused.json()["current"], sort_keys=True) == json.dumps(
                get(client, url).json(), sort_keys=True
            )

    done = send(client, method, url, body, etag)
    assert done.status_code == int(success), done.content[:300]
    assert database_state() != before
    if method != "DELETE" and operation_id not in VERSION_TAGGED:
        assert done["ETag"] == get(client, url)["ETag"], "a write answers with the ETag a GET then gives"


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "success"), writes(), ids=[w[0] for w in writes()]
)
def test_every_write_refuses_a_tag_from_before_a_change(operation_id, method, path, success):
    world = build_world()
    client, url, body = world.clients["owner"], path_of(path, world), body_of(operation_id, world)
    old = current_tag(client, operation_id, method, path, world)
    change_everything(world)
    assert current_tag(client, operation_id, method, path, world) != old
    before = database_state()

    refused = send(client, method, url, body, old)

    assert refused.status_code == 412, refused.content[:300]
    assert database_state() == before


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "success"), writes(), ids=[w[0] for w in writes()]
)
def test_every_write_without_if_match_or_with_a_star_goes_through(operation_id, method, path, success):
    world = build_world()
    client, url, body = world.clients["owner"], path_of(path, world), body_of(operation_id, world)
    assert send(client, method, url, body, "*").status_code == int(success)
    if method != "DELETE":
        assert send(client, method, url, body, None).status_code == int(success)


@on_postgres
def test_a_write_compares_only_once_it_holds_the_row_lock():
    """Another writer holds the workload's row while a client sends the ETag it read: the client's
    write waits, then compares with what the other one wrote, and is refused. Compared before
    taking the lock, both writes would succeed."""
    world = build_world()
    pk = world.ids["workload"]
    url = f"/api/v1/workloads/{pk}/"
    etag = get(world.clients["owner"], url)["ETag"]
    locked, outcome = threading.Event(), []

    def other_writer():
        with transaction.atomic():
            Workload.objects.select_for_update().get(pk=pk)
            locked.set()
            time.sleep(1)  # the client's request reaches the lock meanwhile, and waits
            Workload.objects.filter(pk=pk).update(description="Theirs.")

    def client():
        assert locked.wait(timeout=30)
        outcome.append(send(world.clients["owner"], "PATCH", url, {"description": "Mine."}, etag))

    in_threads(closing_connection(other_writer), closing_connection(client))

    assert outcome[0].status_code == 412
    assert outcome[0].json()["current"]["description"] == "Theirs."
    assert Workload.objects.get(pk=pk).description == "Theirs."
    assert connection.vendor == "postgresql"
