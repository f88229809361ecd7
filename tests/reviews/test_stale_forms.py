"""The pages' forms of a workload and of a lens review's notes refuse a stale write, as the
questionnaire does an answer's: a form read before someone else's change saves nothing (409), names
what changed and keeps the person's input; saved again from there, it goes through."""

import threading
import time

import pytest
from django.db import transaction
from django.test import Client

from lens.models import BUILTIN_ALIAS
from reviews.models import LensReview, Workload
from reviews.services import lens_review_notes, workload_create, workload_update
from tests.reviews.pages import url
from tests.reviews.stored import database_state
from tests.reviews.test_services_answer_versions import closing_connection, in_threads, on_postgres

pytestmark = pytest.mark.django_db


def form_seen(client, path: str) -> str:
    """The hidden `seen` field of the form the page shows (what a browser posts back)."""
    response = client.get(path)
    assert response.status_code == 200
    return response.context["seen"]


def test_a_workload_edited_meanwhile_is_not_overwritten_and_the_changes_are_named(
    client_for, shared_workload
):
    workload, client = shared_workload.workload, client_for(shared_workload.owner)
    path = url("workload-edit", workload)
    seen = form_seen(client, path)
    workload_update(workload=workload, actor=shared_workload.owner, fields={"name": "Theirs", "tags": ["x"]})
    before = database_state()
    mine = {"name": "Mine", "environment": "PRODUCTION", "description": "My text.", "seen": seen}

    refused = client.post(path, mine)

    assert refused.status_code == 409
    assert database_state() == before
    content = refused.content.decode()
    assert "Someone changed this workload since you opened this page: name, tags." in content
    assert 'value="Mine"' in content  # the person's input, kept
    assert "My text." in content
    again = client.post(path, {**mine, "seen": refused.context["seen"]})
    assert again.status_code == 302
    assert Workload.objects.values_list("name", "description").get(pk=workload.pk) == ("Mine", "My text.")


def test_a_workload_form_without_its_seen_field_saves_nothing(client_for, shared_workload):
    workload = shared_workload.workload
    before = database_state()
    response = client_for(shared_workload.owner).post(
        url("workload-edit", workload), {"name": "Renamed", "environment": "PRODUCTION"}
    )
    assert response.status_code == 409
    assert database_state() == before


def test_a_workload_form_read_before_an_unrelated_change_still_saves(client_for, shared_workload):
    """Only the fields the form edits count: an answer meanwhile does not make it stale."""
    workload, client = shared_workload.workload, client_for(shared_workload.owner)
    path = url("workload-edit", workload)
    seen = form_seen(client, path)
    lens_review_notes(lens_review=shared_workload.review, actor=shared_workload.owner, notes="Unrelated.")
    response = client.post(path, {"name": "Renamed", "environment": "PRODUCTION", "seen": seen})
    assert response.status_code == 302
    assert Workload.objects.get(pk=workload.pk).name == "Renamed"


def test_notes_changed_meanwhile_are_not_overwritten_and_the_pillar_is_named(client_for, shared_workload):
    workload, client = shared_workload.workload, client_for(shared_workload.contributor)
    path = url("lens-notes", workload, BUILTIN_ALIAS)
    seen = form_seen(client, path)
    review = shared_workload.review
    lens_review_notes(lens_review=review, actor=shared_workload.owner, pillar_notes={"security": "Theirs."})
    before = database_state()
    mine = {"notes": "My lens notes.", "pillar_notes.security": "Mine.", "seen": seen}

    refused = client.post(path, mine)

    assert refused.status_code == 409
    assert database_state() == before
    content = refused.content.decode()
    security = review.lens_version.pillars.get(pillar_id="security").name
    assert f"Someone changed the notes on {security} since you opened this page." in content
    assert "My lens notes.</textarea>" in content
    again = client.post(path, {**mine, "seen": refused.context["seen"]})
    assert again.status_code == 302
    stored = LensReview.objects.get(pk=review.pk)
    assert (stored.notes, stored.pillar_notes) == ("My lens notes.", {"security": "Mine."})


@on_postgres
def test_a_form_compares_only_once_it_holds_the_row_lock(people):
    """Another writer holds the workload's row while the form is posted: the post waits, then sees
    the other change, and saves nothing."""
    owner = people["owner"]
    workload = workload_create(owner=owner, fields={"name": "Fraud detection"})
    client = Client()
    client.force_login(owner)
    path = url("workload-edit", workload)
    seen = form_seen(client, path)
    locked, outcome = threading.Event(), []

    def other_writer():
        with transaction.atomic():
            Workload.objects.select_for_update().get(pk=workload.pk)
            locked.set()
            time.sleep(1)  # the post reaches the lock meanwhile, and waits
            Workload.objects.filter(pk=workload.pk).update(name="Theirs")

    def post():
        assert locked.wait(timeout=30)
        outcome.append(client.post(path, {"name": "Mine", "environment": "PRODUCTION", "seen": seen}))

    in_threads(closing_connection(other_writer), closing_connection(post))

    assert outcome[0].status_code == 409
    assert Workload.objects.get(pk=workload.pk).name == "Theirs"
