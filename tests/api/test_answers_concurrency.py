"""Two API clients answering the same question (DESIGN.md, "Writing answers without losing any"): with
ETags a stale write is refused (412) and can be retried; without If-Match, choice updates of
different choices both survive, also when the writes wait on each other's row lock (PostgreSQL)."""

import threading
import time

import pytest
from django.db import connection, transaction

from reviews.models import Answer, AnswerChange, Share
from reviews.services import share_grant
from tests import factories
from tests.api.conftest import token_client
from tests.api.test_answers import answer_url, patch
from tests.api.test_lens_reviews import review_state
from tests.reviews.test_services_answer_versions import closing_connection, in_threads, on_postgres

pytestmark = pytest.mark.django_db  # on_postgres makes its tests transactional


def test_a_client_with_an_old_etag_gets_412_with_the_current_answer_then_retries(api_for, shared_workload):
    workload = shared_workload.workload
    alice, bob = api_for(shared_workload.owner), api_for(shared_workload.contributor)
    etag = alice.get(answer_url(workload)).headers["ETag"]
    assert etag == '"0"'

    bobs = patch(bob, workload, {"selected_choices": ["MLSEC01_BP01"]}, if_match=etag)
    assert (bobs.status_code, bobs["ETag"]) == (200, '"1"')
    before = review_state()

    stale = patch(alice, workload, {"selected_choices": ["MLSEC01_BP02"], "notes": "Mine."}, if_match=etag)

    assert stale.status_code == 412
    current = stale.json()["current"]
    assert (current["selected_choices"], current["updated_by"], current["version"]) == (
        ["MLSEC01_BP01"],
        "contributor",
        1,
    )
    assert review_state() == before

    retried = patch(
        alice,
        workload,
        {"selected_choices": ["MLSEC01_BP01", "MLSEC01_BP02"], "notes": "Mine."},
        if_match=stale["ETag"],
    )

    assert (retried.status_code, retried["ETag"]) == (200, '"2"')
    stored = shared_workload.answer("MLSEC01")
    assert (stored.selected_choices, stored.notes, stored.risk) == (
        ["MLSEC01_BP01", "MLSEC01_BP02"],
        "Mine.",
        "NONE",
    )
    assert list(
        AnswerChange.objects.filter(answer=stored).values_list("version", "changed_by__username")
    ) == [
        (2, "owner"),
        (1, "contributor"),
    ]


def test_choice_updates_of_two_clients_without_if_match_both_survive(api_for, shared_workload):
    workload = shared_workload.workload
    alice, bob = api_for(shared_workload.owner), api_for(shared_workload.contributor)
    factories.answered(shared_workload.answer("MLOPS01"), actor=shared_workload.owner, notes="Started.")
    # Both read version 1, then write the choice each of them is about, without If-Match.
    assert (
        alice.get(answer_url(workload, "MLOPS01"))["ETag"] == bob.get(answer_url(workload, "MLOPS01"))["ETag"]
    )

    first = patch(
        alice, workload, {"choice_updates": {"MLOPS01_BP01": {"status": "SELECTED"}}}, question_id="MLOPS01"
    )
    second = patch(
        bob,
        workload,
        {"choice_updates": {"MLOPS01_BP02": {"status": "NOT_APPLICABLE", "reason": "OTHER"}}},
        question_id="MLOPS01",
    )

    assert (first.status_code, second.status_code) == (200, 200)
    stored = shared_workload.answer("MLOPS01")
    assert stored.selected_choices == ["MLOPS01_BP01"]
    assert stored.not_applicable_choices == {"MLOPS01_BP02": {"reason": "OTHER", "notes": ""}}
    assert (stored.notes, stored.version, stored.risk) == ("Started.", 3, "MEDIUM")
    assert (second.json()["selected_choices"], second.json()["version"]) == (["MLOPS01_BP01"], 3)


# --- at the same moment, on PostgreSQL ----------------------------------------------------------------


def lock_waiters() -> int:
    """How many other sessions of this database wait for a lock (here: writers blocked on a row)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def while_the_answer_is_locked(answer: Answer, writers: list) -> None:
    """Run `writers` in threads while another transaction holds the answer's row lock, until every
    one of them waits for it; then let them through, one after the other as the lock allows. So
    each writer has read everything it reads before the lock while the others had not written yet."""
    locked, release = threading.Event(), threading.Event()
    all_waited = []

    @closing_connection
    def hold():
        with transaction.atomic():
            Answer.objects.select_for_update().get(pk=answer.pk)
            locked.set()
            release.wait(timeout=30)

    @closing_connection
    def release_once_all_wait():
        try:
            deadline = time.monotonic() + 30
            while lock_waiters() < len(writers) and time.monotonic() < deadline:
                time.sleep(0.01)
            all_waited.append(lock_waiters() >= len(writers))
        finally:
            release.set()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(timeout=30)
        in_threads(*writers, release_once_all_wait)
    finally:
        release.set()
        holder.join(timeout=30)
    assert all_waited == [True], "the writers never all waited for the answer's lock"


@on_postgres
def test_choice_updates_that_wait_on_each_other_both_survive(people):
    owner, contributor = people["owner"], people["contributor"]
    workload = factories.workload(owner)
    share_grant(workload=workload, actor=owner, user=contributor, role=Share.Role.CONTRIBUTOR)
    answer = workload.lens_reviews.get().answers.get(question__question_id="MLOPS01")
    clients = {owner: token_client(owner), contributor: token_client(contributor)}
    statuses = []

    def write(actor, choice_id, status):
        def run():
            response = patch(
                clients[actor],
                workload,
                {"choice_updates": {choice_id: {"status": status}}},
                question_id="MLOPS01",
            )
            statuses.append(response.status_code)

        return closing_connection(run)

    while_the_answer_is_locked(
        answer,
        [write(owner, "MLOPS01_BP01", "SELECTED"), write(contributor, "MLOPS01_BP03", "NOT_APPLICABLE")],
    )

    assert sorted(statuses) == [200, 200]
    stored = Answer.objects.get(pk=answer.pk)
    assert stored.selected_choices == ["MLOPS01_BP01"]
    assert stored.not_applicable_choices == {"MLOPS01_BP03": {"reason": "NONE", "notes": ""}}
    assert (stored.version, stored.risk) == (2, "MEDIUM")
    assert AnswerChange.objects.filter(answer=answer).count() == 2


@on_postgres
def test_two_writes_from_the_same_etag_at_once_give_one_answer_and_one_412(people):
    owner, contributor = people["owner"], people["contributor"]
    workload = factories.workload(owner)
    share_grant(workload=workload, actor=owner, user=contributor, role=Share.Role.CONTRIBUTOR)
    answer = workload.lens_reviews.get().answers.get(question__question_id="MLSEC01")
    clients = {owner: token_client(owner), contributor: token_client(contributor)}
    responses = []

    def write(actor, choice_id):
        def run():
            responses.append(
                patch(clients[actor], workload, {"selected_choices": [choice_id]}, if_match='"0"')
            )

        return closing_connection(run)

    while_the_answer_is_locked(answer, [write(owner, "MLSEC01_BP01"), write(contributor, "MLSEC01_BP02")])

    assert sorted(response.status_code for response in responses) == [200, 412]
    saved = next(r for r in responses if r.status_code == 200).json()
    refused = next(r for r in responses if r.status_code == 412).json()
    assert (refused["current"]["version"], refused["current"]["selected_choices"]) == (
        1,
        saved["selected_choices"],
    )
    assert Answer.objects.get(pk=answer.pk).version == 1
