"""The workload pages: create, the workload page, edit, delete, hand over, the event log, and the
lenses on a workload, for every role (DESIGN.md, "Who may do what")."""

import pytest
from django.contrib.messages import get_messages

from lens.models import BUILTIN_ALIAS, Lens
from reviews.forms.workloads import WorkloadForm
from reviews.models import Answer, LensReview, Workload, WorkloadEvent
from reviews.services import WORKLOAD_FIELDS, workload_create
from reviews.services.milestones import milestone_create
from reviews.views.workloads import edit_form_seen
from tests.factories import imported_lens, lens_document
from tests.reviews.pages import ROLES, client_as, is_login_redirect, snapshot, url

pytestmark = pytest.mark.django_db

SEES = dict(zip(ROLES, (200, 200, 200, 200, 404, "login"), strict=True))
OWNS = dict(zip(ROLES, ("ok", 403, 403, 403, 404, "login"), strict=True))


@pytest.fixture
def instance_lens():
    """A second lens that everyone sees (the instance's), published as "1"."""
    return imported_lens(owner=None, document=lens_document(name="Data lens", pillars=2, questions=2))


def _requests(shared, instance_lens):
    workload = shared.workload
    return {
        "detail": ("get", url("workload", workload), None, SEES),
        "events": ("get", url("workload-events", workload), None, SEES),
        "edit-form": ("get", url("workload-edit", workload), None, OWNS),
        "edit": (
            "post",
            url("workload-edit", workload),
            {"name": "Renamed", "environment": "PRODUCTION", "seen": edit_form_seen(workload)},
            OWNS,
        ),
        "delete-confirm": ("get", url("workload-delete", workload), None, OWNS),
        "delete": ("post", url("workload-delete", workload), {}, OWNS),
        "transfer-form": ("get", url("workload-transfer", workload), None, OWNS),
        "transfer": ("post", url("workload-transfer", workload), {"username": "reader"}, OWNS),
        "apply-lens": ("post", url("lens-apply", workload), {"lens": instance_lens.alias}, OWNS),
        "remove-confirm": ("get", url("lens-remove", workload, BUILTIN_ALIAS), None, OWNS),
        "remove": ("post", url("lens-remove", workload, BUILTIN_ALIAS), {}, OWNS),
    }


REQUESTS = [
    "detail",
    "events",
    "edit-form",
    "edit",
    "delete-confirm",
    "delete",
    "transfer-form",
    "transfer",
    "apply-lens",
    "remove-confirm",
    "remove",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("request_name", REQUESTS)
def test_each_workload_page_answers_each_role_as_the_table_says(
    client, shared_workload, instance_lens, role, request_name
):
    method, path, data, expected = _requests(shared_workload, instance_lens)[request_name]
    before = snapshot()
    response = getattr(client_as(client, shared_workload, role), method)(path, data)
    expected = expected[role]
    if expected == "login":
        assert is_login_redirect(response)
    elif expected == "ok":
        assert response.status_code == (302 if method == "post" else 200)
        assert not is_login_redirect(response)
    else:
        assert response.status_code == expected
    if expected != "ok":
        assert snapshot() == before  # a refusal changes nothing


# Create


def test_the_form_has_every_field_the_services_take():
    assert list(WorkloadForm.declared_fields) == list(WORKLOAD_FIELDS)


def test_the_new_workload_form_ticks_the_builtin_lens(client_for, alice, instance_lens):
    response = client_for(alice).get(url("workload-create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["lenses"].value() == [BUILTIN_ALIAS]
    assert {alias for alias, _label in form.fields["lenses"].choices} == {BUILTIN_ALIAS, instance_lens.alias}


def test_creating_a_workload_applies_the_builtin_lens_by_default(client_for, alice):
    response = client_for(alice).post(
        url("workload-create"),
        {
            "name": "Churn model",
            "environment": "PRODUCTION",
            "aws_regions": ["eu-west-1", "us-east-1", "eu-central-1"],
            "non_aws_regions": "On-premises DC",
            "tags": "churn,  retail",
            # Ranks beside the pillars' names (reviews.forms.properties); empty: no priority.
            "pillar_priorities:reliability": "2",
            "pillar_priorities:security": "1",
            "pillar_priorities:costOptimization": "",
            "lenses": [BUILTIN_ALIAS],
        },
    )
    workload = Workload.objects.get(name="Churn model")
    assert response.status_code == 302
    assert response["Location"] == url("workload", workload)
    assert workload.owner == alice
    assert workload.environment == Workload.Environment.PRODUCTION
    assert workload.aws_regions == ["eu-west-1", "us-east-1", "eu-central-1"]
    assert workload.regions == ["eu-west-1", "us-east-1", "eu-central-1", "On-premises DC"]
    assert workload.tags == ["churn", "retail"]
    assert workload.pillar_priorities == ["security", "reliability"]
    review = workload.lens_reviews.get()
    assert review.lens.alias == BUILTIN_ALIAS
    assert review.answers.count() == 14
    assert list(workload.events.values_list("kind", flat=True)) == ["LENS_APPLIED", "CREATED"]
    assert "Created the workload" in [str(m) for m in get_messages(response.wsgi_request)][0]


def test_a_workload_can_start_with_other_lenses_or_none(client_for, alice, instance_lens):
    client = client_for(alice)
    client.post(
        url("workload-create"), {"name": "Two", "environment": "PRODUCTION", "lenses": [instance_lens.alias]}
    )
    client.post(url("workload-create"), {"name": "None", "environment": "PRODUCTION"})
    assert [r.lens.alias for r in LensReview.objects.filter(workload__name="Two")] == [instance_lens.alias]
    assert not LensReview.objects.filter(workload__name="None").exists()


def test_a_lens_the_creator_may_not_see_cannot_be_ticked(client_for, alice, bob):
    bobs_lens = imported_lens(owner=bob, document=lens_document(name="Bob's lens"))
    response = client_for(alice).post(
        url("workload-create"), {"name": "Sneaky", "environment": "PRODUCTION", "lenses": [bobs_lens.alias]}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["lenses"]
    assert not Workload.objects.exists()


def test_a_name_is_unique_per_owner_whatever_its_case(client_for, alice, bob):
    workload_create(owner=alice, fields={"name": "Fraud detection"})
    workload_create(owner=bob, fields={"name": "Churn"})  # another owner's name is free
    before = snapshot()
    response = client_for(alice).post(
        url("workload-create"), {"name": "FRAUD Detection", "environment": "PRODUCTION"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["You already have a workload with this name."]
    assert b"You already have a workload with this name." in response.content
    assert snapshot() == before
    assert (
        client_for(alice)
        .post(url("workload-create"), {"name": "churn", "environment": "PRODUCTION"})
        .status_code
        == 302
    )


def test_a_design_url_that_is_not_a_url_is_refused_on_its_field(client_for, alice):
    response = client_for(alice).post(
        url("workload-create"),
        {"name": "X", "environment": "PRODUCTION", "architectural_design_url": "javascript:alert(1)"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["architectural_design_url"]
    assert not Workload.objects.exists()


def test_an_anonymous_visitor_cannot_create_a_workload(client):
    response = client.post(url("workload-create"), {"name": "X", "environment": "PRODUCTION"})
    assert is_login_redirect(response)
    assert not Workload.objects.exists()


# The workload page


def test_the_workload_page_shows_lenses_with_progress_people_and_events(client_for, shared_workload):
    review = shared_workload.review
    answers = list(review.answers.order_by("pk"))
    Answer.objects.filter(pk__in=[a.pk for a in answers[:3]]).update(risk=Answer.Risk.HIGH)
    Answer.objects.filter(pk=answers[3].pk).update(risk=Answer.Risk.MEDIUM)
    Answer.objects.filter(pk=answers[4].pk).update(risk=Answer.Risk.NONE)

    response = client_for(shared_workload.reader).get(url("workload", shared_workload.workload))
    assert response.status_code == 200
    [applied] = response.context["lenses"]
    assert (applied.counts.answered, applied.counts.total) == (5, 14)
    assert (applied.counts.high, applied.counts.medium) == (3, 1)
    content = response.content.decode()
    assert url("review", shared_workload.workload, BUILTIN_ALIAS) in content
    assert '<progress max="14" value="5"' in content
    assert "ml-team" in content
    assert "reader" in content
    assert url("people", shared_workload.workload) in content
    assert "Shared with group ml-team as contributor." in content
    assert url("workload-events", shared_workload.workload) in content
    assert url("workload-edit", shared_workload.workload) not in content  # not the reader's to do
    assert f'action="{url("lens-apply", shared_workload.workload)}"' not in content


def test_the_owner_sees_the_actions_and_the_lenses_left_to_apply(client_for, shared_workload, instance_lens):
    response = client_for(shared_workload.owner).get(url("workload", shared_workload.workload))
    content = response.content.decode()
    for name in ("workload-edit", "workload-transfer", "workload-delete", "lens-apply", "people"):
        assert url(name, shared_workload.workload) in content
    assert url("lens-remove", shared_workload.workload, BUILTIN_ALIAS) in content
    choices = [alias for alias, _label in response.context["apply_form"].fields["lens"].widget.choices]
    assert choices == [instance_lens.alias]  # the built-in lens is applied already


def test_the_workload_page_shows_the_latest_20_events(client_for, shared_workload):
    WorkloadEvent.objects.bulk_create(
        WorkloadEvent(
            workload=shared_workload.workload, workload_name="x", kind="UPDATED", summary=f"Event {n}."
        )
        for n in range(30)
    )
    response = client_for(shared_workload.reader).get(url("workload", shared_workload.workload))
    assert len(response.context["events"]) == 20


def test_the_workload_page_costs_the_same_queries_for_any_number_of_lenses_answers_and_events(
    client_for, shared_workload, django_assert_num_queries
):
    client = client_for(shared_workload.owner)
    path = url("workload", shared_workload.workload)
    # session, user, workload + role, lens reviews + lens + version, their counts, shares + user/group,
    # the latest events + actor, the lenses the owner could still apply, the newest milestones + who
    # saved them + how many there are, the improvement items still open
    with django_assert_num_queries(10):
        client.get(path)
    # With a milestone, the trend too: the milestones' pillar counts, and the current ones.
    milestone_create(workload=shared_workload.workload, actor=shared_workload.owner, name="First")
    with django_assert_num_queries(12):
        client.get(path)
    for n in range(3):
        lens = imported_lens(owner=None, document=lens_document(name=f"Lens {n}", pillars=3, questions=5))
        client.post(url("lens-apply", shared_workload.workload), {"lens": lens.alias})
    WorkloadEvent.objects.bulk_create(
        WorkloadEvent(workload=shared_workload.workload, workload_name="x", kind="UPDATED", summary="x")
        for _ in range(40)
    )
    Answer.objects.filter(lens_review__workload=shared_workload.workload).update(risk=Answer.Risk.HIGH)
    for n in range(7):
        milestone_create(workload=shared_workload.workload, actor=shared_workload.owner, name=f"M{n}")
    with django_assert_num_queries(12):
        response = client.get(path)
    assert len(response.context["lenses"]) == 4


@pytest.mark.parametrize("name", ["workload", "workload-list", "dashboard"])
def test_user_text_is_shown_as_text_and_a_javascript_url_is_no_link(client_for, alice, name):
    workload = workload_create(owner=alice, fields={"name": "<script>alert(1)</script>"})
    # As data from elsewhere (an API client, an import) could hold it: the form refuses such a URL.
    Workload.objects.filter(pk=workload.pk).update(architectural_design_url="javascript:alert(1)")
    response = client_for(alice).get(url(name, workload) if name == "workload" else url(name))
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert 'href="javascript:' not in content.lower()
    if name == "workload":
        assert "javascript:alert(1)" in content  # shown, as text


def test_an_http_design_url_is_a_link(client_for, alice):
    workload = workload_create(
        owner=alice, fields={"name": "Linked", "architectural_design_url": "https://example.com/design"}
    )
    content = client_for(alice).get(url("workload", workload)).content.decode()
    assert 'href="https://example.com/design"' in content


def test_a_lens_outside_reach_is_not_offered(client_for, shared_workload):
    imported_lens(owner=shared_workload.outsider, document=lens_document(name="Private"))
    response = client_for(shared_workload.owner).get(url("workload", shared_workload.workload))
    assert response.context["apply_form"].fields["lens"].widget.choices == []
    assert Lens.objects.count() == 2
