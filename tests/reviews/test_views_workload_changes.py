"""Changing a workload from its pages: edit, delete, hand over, the event log, applying and removing
lenses, and the admin; each logged, each refusal a 400 that changes nothing."""

import pytest

from lens.models import BUILTIN_ALIAS
from reviews.models import Answer, LensReview, Share, Workload, WorkloadEvent
from reviews.services import workload_create
from reviews.views.workloads import edit_form_seen
from tests.factories import imported_lens, lens_document
from tests.reviews.pages import snapshot, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance_lens():
    """A second lens that everyone sees (the instance's), published as "1"."""
    return imported_lens(owner=None, document=lens_document(name="Data lens", pillars=2, questions=2))


# Edit


def test_editing_logs_each_changed_field_before_and_after(client_for, shared_workload):
    workload = shared_workload.workload
    response = client_for(shared_workload.owner).post(
        url("workload-edit", workload),
        {
            "name": "Fraud scoring",
            "environment": "PRODUCTION",
            "tags": "fraud, payments",
            "seen": edit_form_seen(workload),
        },
    )
    assert response.status_code == 302
    workload.refresh_from_db()
    assert (workload.name, workload.tags) == ("Fraud scoring", ["fraud", "payments"])
    event = workload.events.first()
    assert event.kind == WorkloadEvent.Kind.UPDATED
    assert event.data["changes"] == {
        "name": {"before": "Fraud detection", "after": "Fraud scoring"},
        "environment": {"before": "PREPRODUCTION", "after": "PRODUCTION"},
        "tags": {"before": [], "after": ["fraud", "payments"]},
    }
    content = client_for(shared_workload.reader).get(url("workload-events", workload)).content.decode()
    assert "Fraud detection" in content
    assert "Fraud scoring" in content
    assert "fraud, payments" in content


def test_the_edit_form_shows_the_stored_values(client_for, alice):
    workload = workload_create(owner=alice, fields={"name": "W", "regions": ["eu-west-1", "us-east-1"]})
    form = client_for(alice).get(url("workload-edit", workload)).context["form"]
    assert form["name"].value() == "W"
    assert form["aws_regions"].value() == ["eu-west-1", "us-east-1"]
    assert 'value="us-east-1" id="id_aws_regions_30" checked' in form.as_p()


def test_an_edit_that_takes_another_of_ones_names_is_refused_and_changes_nothing(client_for, alice):
    workload_create(owner=alice, fields={"name": "Taken"})
    workload = workload_create(owner=alice, fields={"name": "Mine"})
    before = snapshot()
    response = client_for(alice).post(
        url("workload-edit", workload),
        {"name": "taken", "environment": "PRODUCTION", "seen": edit_form_seen(workload)},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert response.context["name"] == "Mine"
    assert snapshot() == before


# Delete


def test_deleting_asks_first_then_removes_the_reviews_and_answers_and_logs_it(client_for, shared_workload):
    workload = shared_workload.workload
    answers = Answer.objects.filter(lens_review__workload=workload).order_by("pk")
    Answer.objects.filter(pk__in=list(answers.values_list("pk", flat=True)[:2])).update(risk=Answer.Risk.HIGH)
    client = client_for(shared_workload.owner)
    confirm = client.get(url("workload-delete", workload))
    assert confirm.status_code == 200
    assert b"Machine Learning Lens (2021 slides) (version 1): 2 of 14 questions answered" in confirm.content
    assert b"In all, 2 of 14 questions answered go." in confirm.content
    assert Workload.objects.filter(pk=workload.pk).exists()  # the GET deletes nothing

    response = client.post(url("workload-delete", workload))
    assert response.status_code == 302
    assert response["Location"] == url("dashboard")
    assert not Workload.objects.filter(pk=workload.pk).exists()
    assert not LensReview.objects.exists()
    assert not Answer.objects.exists()
    assert not Share.objects.exists()
    event = WorkloadEvent.objects.get(kind=WorkloadEvent.Kind.DELETED)
    assert (event.workload, event.workload_name, event.actor) == (
        None,
        "Fraud detection",
        shared_workload.owner,
    )


# Hand over


def test_handing_over_makes_the_former_owner_a_contributor(client_for, shared_workload):
    workload = shared_workload.workload
    client = client_for(shared_workload.owner)
    form_page = client.get(url("workload-transfer", workload))
    assert b"contributor" in form_page.content
    response = client.post(url("workload-transfer", workload), {"username": "reader"})
    assert response.status_code == 302
    workload.refresh_from_db()
    assert workload.owner == shared_workload.reader
    share = Share.objects.get(workload=workload, user=shared_workload.owner)
    assert share.role == Share.Role.CONTRIBUTOR
    assert not Share.objects.filter(workload=workload, user=shared_workload.reader).exists()
    assert workload.events.first().kind == WorkloadEvent.Kind.OWNER_CHANGED
    # The former owner still sees it, and can no longer change it.
    assert client.get(url("workload", workload)).status_code == 200
    assert client.get(url("workload-edit", workload)).status_code == 403


@pytest.mark.parametrize(
    ("username", "message"),
    [("nobody", "No active user is named"), ("owner", "already owns the workload")],
)
def test_handing_over_to_an_unknown_user_or_oneself_is_refused_on_the_username(
    client_for, shared_workload, username, message
):
    before = snapshot()
    response = client_for(shared_workload.owner).post(
        url("workload-transfer", shared_workload.workload), {"username": username}
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["username"])
    assert snapshot() == before


# The event log


def test_the_event_log_is_paginated_by_50(client_for, shared_workload):
    WorkloadEvent.objects.bulk_create(
        WorkloadEvent(workload=shared_workload.workload, workload_name="x", kind="UPDATED", summary=f"E{n}.")
        for n in range(60)
    )
    total = shared_workload.workload.events.count()
    client = client_for(shared_workload.auditor)
    first = client.get(url("workload-events", shared_workload.workload))
    assert len(first.context["events"]) == 50
    second = client.get(url("workload-events", shared_workload.workload, page=2))
    assert len(second.context["events"]) == total - 50


# Lenses on a workload


def test_the_owner_applies_a_visible_lens_at_its_newest_version(client_for, shared_workload, instance_lens):
    response = client_for(shared_workload.owner).post(
        url("lens-apply", shared_workload.workload), {"lens": instance_lens.alias}
    )
    assert response.status_code == 302
    review = LensReview.objects.get(workload=shared_workload.workload, lens=instance_lens)
    assert review.lens_version.label == "1"
    assert review.answers.count() == 4
    assert shared_workload.workload.events.first().kind == WorkloadEvent.Kind.LENS_APPLIED


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("invisible", "lens", "No lens you can see has the alias"),
        ("unknown-version", "version", "has no published version “9”"),
        ("draft-only", "lens", "has no published version yet"),
        ("applied", "lens", "applied to the workload already"),
    ],
)
def test_applying_a_lens_one_may_not_see_or_an_unpublished_version_is_a_400(
    client_for, shared_workload, case, field, message
):
    outsider_lens = imported_lens(owner=shared_workload.outsider, document=lens_document(name="Private"))
    draft = imported_lens(owner=shared_workload.owner, document=lens_document(name="Draft"), publish=None)
    data = {
        "invisible": {"lens": outsider_lens.alias},
        "unknown-version": {"lens": BUILTIN_ALIAS, "version": "9"},
        "draft-only": {"lens": draft.alias},
        "applied": {"lens": BUILTIN_ALIAS},
    }[case]
    before = snapshot()
    response = client_for(shared_workload.owner).post(url("lens-apply", shared_workload.workload), data)
    assert response.status_code == 400
    assert message in " ".join(response.context["apply_form"].errors[field])
    assert message.encode() in response.content
    assert snapshot() == before


def test_removing_a_lens_asks_first_then_removes_its_answers(client_for, shared_workload):
    client = client_for(shared_workload.owner)
    path = url("lens-remove", shared_workload.workload, BUILTIN_ALIAS)
    confirm = client.get(path)
    assert confirm.status_code == 200
    assert b"14 answers" in confirm.content
    assert LensReview.objects.exists()
    response = client.post(path)
    assert response.status_code == 302
    assert not LensReview.objects.exists()
    assert not Answer.objects.exists()
    assert shared_workload.workload.events.first().kind == WorkloadEvent.Kind.LENS_REMOVED


def test_removing_a_lens_that_is_not_applied_is_a_404(client_for, shared_workload, instance_lens):
    response = client_for(shared_workload.owner).get(
        url("lens-remove", shared_workload.workload, instance_lens.alias)
    )
    assert response.status_code == 404


# The admin


def test_the_admin_lists_workloads_with_their_shares_and_shows_the_log_read_only(
    client_for, admin_user, shared_workload
):
    client = client_for(admin_user)
    assert b"Fraud detection" in client.get("/admin/reviews/workload/?q=fraud").content
    change = client.get(f"/admin/reviews/workload/{shared_workload.workload.pk}/change/")
    assert change.status_code == 200
    assert b"ml-team" in change.content  # the shares inline
    assert client.get("/admin/reviews/workloadevent/").status_code == 200
    assert client.get("/admin/reviews/workloadevent/add/").status_code == 403
    assert client.get("/admin/reviews/answer/").status_code == 200
    assert client.get("/admin/reviews/answerchange/").status_code == 200
    assert client.get("/admin/reviews/lensreview/").status_code == 200
    assert client.get("/admin/auth/group/add/").status_code == 200
    assert b"Can see every workload" in client.get("/admin/auth/group/add/").content
