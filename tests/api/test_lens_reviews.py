"""/api/v1/workloads/{id}/lens-reviews/: the lenses applied to a workload, for every role (DESIGN.md,
"Who may do what": lenses are the owner's to apply and remove, notes the owner's and contributors'),
with per-pillar risk counts, and refusals that change nothing."""

import pytest
from django.contrib.auth.models import Group

from lens.models import BUILTIN_ALIAS, Lens, LensVersion
from lens.services import lens_import, lens_publish
from reviews.models import Answer, AnswerChange, LensReview, WorkloadEvent
from reviews.services import lens_review_apply
from tests import factories
from tests.api.conftest import revoked_token_client

pytestmark = pytest.mark.django_db

TEST_LENS = "test-lens"  # the alias factories.lens_document()'s name gives


def reviews_url(workload) -> str:
    return f"/api/v1/workloads/{workload.pk}/lens-reviews/"


def review_url(workload, alias: str = BUILTIN_ALIAS) -> str:
    return f"{reviews_url(workload)}{alias}/"


def review_state() -> tuple:
    """Every stored answer, change, lens review and workload event: to compare around a refusal."""
    return tuple(
        list(model.objects.order_by("pk").values())
        for model in (Answer, AnswerChange, LensReview, WorkloadEvent)
    )


def caller(api_for, shared, who: str):
    """The API client of `who`: a role on the shared workload, a read-only or revoked token of the
    owner, or nobody."""
    if who == "anonymous":
        return api_for(None)
    if who == "read_only":
        return api_for(shared.owner, read_only=True)
    if who == "revoked":
        return revoked_token_client(shared.owner)
    return api_for(getattr(shared, who))


ROLES = ["owner", "contributor", "reader", "auditor", "outsider", "anonymous", "read_only", "revoked"]
READ = dict(zip(ROLES, [200, 200, 200, 200, 404, 401, 200, 401], strict=True))
#: Applying and removing a lens: the owner's (Action.EDIT).
EDIT = dict(zip(ROLES, ["ok", 403, 403, 403, 404, 401, 403, 401], strict=True))
#: A review's notes: the owner's and contributors' (Action.ANSWER).
ANSWER = dict(zip(ROLES, ["ok", "ok", 403, 403, 404, 401, 403, 401], strict=True))


# --- who may do what --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_who_reads_the_list_and_a_review(api_for, shared_workload, who):
    client = caller(api_for, shared_workload, who)
    workload = shared_workload.workload

    for url in (reviews_url(workload), review_url(workload)):
        response = client.get(url)
        assert response.status_code == READ[who], (url, response.content)
        if response.status_code == 404:
            assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("who", ROLES)
def test_who_applies_a_lens(api_for, shared_workload, who):
    factories.imported_lens(owner=None)  # the instance's: every user sees it
    before = review_state()

    response = caller(api_for, shared_workload, who).post(
        reviews_url(shared_workload.workload), {"lens": TEST_LENS}, format="json"
    )

    if EDIT[who] == "ok":
        assert response.status_code == 201, response.content
        assert response.json()["lens"] == TEST_LENS
        assert response["Location"] == "http://testserver" + review_url(shared_workload.workload, TEST_LENS)
    else:
        assert response.status_code == EDIT[who], response.content
        assert review_state() == before


@pytest.mark.parametrize("who", ROLES)
def test_who_removes_a_lens(api_for, shared_workload, who):
    before = review_state()

    response = caller(api_for, shared_workload, who).delete(review_url(shared_workload.workload))

    if EDIT[who] == "ok":
        assert response.status_code == 204, response.content
        assert not shared_workload.workload.lens_reviews.exists()
        event = WorkloadEvent.objects.filter(workload=shared_workload.workload).first()
        assert (event.kind, event.actor) == (WorkloadEvent.Kind.LENS_REMOVED, shared_workload.owner)
    else:
        assert response.status_code == EDIT[who], response.content
        assert review_state() == before


@pytest.mark.parametrize("who", ROLES)
def test_who_changes_a_reviews_notes(api_for, shared_workload, who):
    before = review_state()

    response = caller(api_for, shared_workload, who).patch(
        review_url(shared_workload.workload),
        {"notes": "Reviewed.", "pillar_notes": {"security": "Keys rotate."}},
        format="json",
    )

    if ANSWER[who] == "ok":
        assert response.status_code == 200, response.content
        review = shared_workload.review
        assert (review.notes, review.pillar_notes) == ("Reviewed.", {"security": "Keys rotate."})
    else:
        assert response.status_code == ANSWER[who], response.content
        assert review_state() == before


def test_another_workloads_lens_is_404_even_for_its_owner(api_for, shared_workload):
    mine = factories.workload(shared_workload.outsider, "Mine")
    client = api_for(shared_workload.outsider)

    assert client.get(review_url(mine)).status_code == 200
    assert client.get(review_url(shared_workload.workload)).status_code == 404
    assert client.get(review_url(mine, "no-such-lens")).status_code == 404


# --- reading ----------------------------------------------------------------------------------------


def test_the_list_shows_each_lens_with_its_version_and_counts(api_for, shared_workload):
    owner = shared_workload.owner
    lens = factories.imported_lens(owner=owner)
    factories.answered(shared_workload.answer("MLSEC01"), actor=owner, selected_choices=["MLSEC01_no"])
    factories.answered(shared_workload.answer("MLSEC02"), actor=owner, selected_choices=["MLSEC02_BP01"])
    factories.answered(shared_workload.answer("MLOPS01"), actor=owner, is_applicable=False)
    api_for(owner).post(reviews_url(shared_workload.workload), {"lens": lens.alias}, format="json")

    response = api_for(shared_workload.reader).get(reviews_url(shared_workload.workload))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    builtin, test_lens = body["results"]
    assert builtin["lens"] == BUILTIN_ALIAS
    assert builtin["name"] == "Machine Learning Lens (2021 slides)"
    assert builtin["version"] == builtin["newest_version"]
    assert builtin["upgrade_available"] is False
    assert builtin["counts"] == {
        "high": 1,
        "medium": 1,
        "none": 0,
        "not_applicable": 1,
        "unanswered": 11,
        "answered": 3,
        "questions": 14,
    }
    assert (test_lens["lens"], test_lens["version"], test_lens["kind"]) == (TEST_LENS, "1", "MAJOR")
    assert test_lens["counts"]["questions"] == test_lens["counts"]["unanswered"] == 2


def test_the_list_says_when_a_newer_version_is_published(api_for, shared_workload):
    owner = shared_workload.owner
    lens = factories.imported_lens(owner=owner)
    workload = factories.workload(owner, "On version 1", lenses=[lens])
    lens_import(source=factories.lens_document(questions=3), owner=owner, alias=lens.alias, created_by=owner)
    lens_publish(lens=lens, label="2", major=True)  # a minor version would take the review with it

    row = api_for(owner).get(reviews_url(workload)).json()["results"][0]

    assert (row["version"], row["newest_version"], row["upgrade_available"]) == ("1", "2", True)


def test_a_review_has_each_pillars_counts_and_notes_in_the_lens_order(api_for, shared_workload):
    owner = shared_workload.owner
    factories.answered(
        shared_workload.answer("MLSEC01"), actor=owner, selected_choices=["MLSEC01_BP01", "MLSEC01_BP02"]
    )
    factories.answered(shared_workload.answer("MLSEC03"), actor=owner, selected_choices=["MLSEC03_BP04"])
    factories.answered(shared_workload.answer("MLCOST01"), actor=owner, selected_choices=["MLCOST01_BP01"])
    api_for(owner).patch(
        review_url(shared_workload.workload), {"pillar_notes": {"security": "Keys rotate."}}, format="json"
    )

    body = api_for(shared_workload.auditor).get(review_url(shared_workload.workload)).json()

    assert [p["pillar_id"] for p in body["pillars"]] == [
        "operationalExcellence",
        "security",
        "reliability",
        "performance",
        "costOptimization",
    ]
    security = body["pillars"][1]
    assert (security["name"], security["notes"]) == ("Security", "Keys rotate.")
    assert security["counts"] == {
        "high": 0,
        "medium": 1,
        "none": 1,
        "not_applicable": 0,
        "unanswered": 1,
        "answered": 2,
        "questions": 3,
    }
    assert body["pillars"][4]["counts"]["high"] == 1  # MLCOST01: BP01 alone -> the default rule
    assert body["pillar_notes"] == {"security": "Keys rotate."}
    assert body["counts"] == {
        "high": 1,
        "medium": 1,
        "none": 1,
        "not_applicable": 0,
        "unanswered": 11,
        "answered": 3,
        "questions": 14,
    }


@pytest.mark.parametrize("milestone", ["1", "7"])
def test_a_milestone_that_does_not_exist_is_404_on_every_read(api_for, shared_workload, milestone):
    client = api_for(shared_workload.owner)
    for url in (reviews_url(shared_workload.workload), review_url(shared_workload.workload)):
        response = client.get(f"{url}?milestone={milestone}")
        assert response.status_code == 404, url


def test_a_milestone_that_is_not_a_number_is_400_naming_it(api_for, shared_workload):
    response = api_for(shared_workload.owner).get(f"{review_url(shared_workload.workload)}?milestone=first")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["milestone"]


# --- applying ---------------------------------------------------------------------------------------


def test_applying_a_lens_gives_it_at_its_newest_version_with_every_question_unanswered(
    api_for, shared_workload
):
    owner = shared_workload.owner
    lens = factories.imported_lens(owner=owner, document=factories.lens_document(pillars=2))
    lens_import(source=factories.lens_document(pillars=2), owner=owner, alias=lens.alias, created_by=owner)
    lens_publish(lens=lens, label="1.1", major=False)

    response = api_for(owner).post(reviews_url(shared_workload.workload), {"lens": lens.alias}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["version"], body["upgrade_available"]) == ("1.1", False)
    assert [p["pillar_id"] for p in body["pillars"]] == ["pillar1", "pillar2"]
    assert body["counts"]["unanswered"] == body["counts"]["questions"] == 4
    event = WorkloadEvent.objects.filter(workload=shared_workload.workload).first()
    assert (event.kind, event.data["lens"], event.data["version"]) == ("LENS_APPLIED", lens.alias, "1.1")


def test_applying_a_given_version(api_for, shared_workload):
    owner = shared_workload.owner
    lens = factories.imported_lens(owner=owner)
    lens_import(source=factories.lens_document(questions=3), owner=owner, alias=lens.alias, created_by=owner)
    lens_publish(lens=lens, label="2", major=True)

    response = api_for(owner).post(
        reviews_url(shared_workload.workload), {"lens": lens.alias, "version": "1"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert (response.json()["version"], response.json()["newest_version"]) == ("1", "2")
    assert response.json()["upgrade_available"] is True
    assert response.json()["counts"]["questions"] == 2


def refused(response, field: str, code: str = "invalid") -> str:
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], list(body["fields"])) == (code, [field])
    return body["fields"][field][0]


def test_a_lens_the_owner_may_not_see_is_refused_as_if_it_did_not_exist(api_for, shared_workload):
    hidden = factories.imported_lens(owner=shared_workload.outsider)
    client = api_for(shared_workload.owner)
    before = review_state()

    hidden_message = refused(
        client.post(reviews_url(shared_workload.workload), {"lens": hidden.alias}),
        "lens",
        "unknown_reference",
    )
    missing_message = refused(
        client.post(reviews_url(shared_workload.workload), {"lens": "nowhere"}), "lens", "unknown_reference"
    )

    assert hidden_message.replace(hidden.alias, "?") == missing_message.replace("nowhere", "?")
    assert review_state() == before


def test_a_lens_shared_with_the_owners_group_may_be_applied(api_for, shared_workload):
    lens = factories.imported_lens(owner=shared_workload.outsider)
    team = Group.objects.create(name="owners")
    shared_workload.owner.groups.add(team)
    lens.shared_with_groups.add(team)

    response = api_for(shared_workload.owner).post(
        reviews_url(shared_workload.workload), {"lens": lens.alias}
    )

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"lens": BUILTIN_ALIAS}, "lens", "refused"),  # applied already
        ({"lens": TEST_LENS, "version": "9"}, "version", "unknown_reference"),
        ({"lens": TEST_LENS, "version": "draft"}, "version", "unknown_reference"),
        ({"lens": "unpublished"}, "lens", "refused"),
        ({}, "lens", "invalid"),
        ({"lens": "not a slug"}, "lens", "invalid"),
        ({"lens": ["test-lens"]}, "lens", "invalid"),
        ({"lens": 7}, "lens", "invalid"),
        ({"lens": TEST_LENS, "colour": "red"}, "colour", "invalid"),
    ],
)
def test_an_apply_that_cannot_be_done_is_400_naming_the_field_and_changes_nothing(
    api_for, shared_workload, body, field, code
):
    factories.imported_lens(owner=None)
    lens_import(
        source=factories.lens_document("Unpublished"), owner=shared_workload.owner, alias="unpublished"
    )
    before = review_state()

    refused(
        api_for(shared_workload.owner).post(reviews_url(shared_workload.workload), body, format="json"),
        field,
        code,
    )

    assert review_state() == before
    assert LensVersion.objects.filter(lens__alias="unpublished", status="PUBLISHED").count() == 0


# --- queries ----------------------------------------------------------------------------------------


def more_lenses(owner, count: int) -> list[Lens]:
    return [
        factories.imported_lens(owner=owner, document=factories.lens_document(f"Lens {n}", pillars=2))
        for n in range(count)
    ]


@pytest.mark.parametrize("extra_lenses", [0, 4])
def test_the_list_costs_the_same_queries_for_one_lens_or_five(
    api_for, shared_workload, django_assert_num_queries, extra_lenses
):
    owner = shared_workload.owner
    for lens in more_lenses(owner, extra_lenses):
        lens_review_apply(workload=shared_workload.workload, lens_version=lens.versions.get(), actor=owner)
    client = api_for(shared_workload.reader)
    client.get(reviews_url(shared_workload.workload))  # the token's first use is recorded once

    # token, workload and role, the count, the page of reviews (lens, version, newest version), their counts
    with django_assert_num_queries(5):
        response = client.get(reviews_url(shared_workload.workload))

    assert response.json()["count"] == 1 + extra_lenses


@pytest.mark.parametrize("pillars", [1, 6])
def test_a_review_costs_the_same_queries_for_any_lens_size(
    api_for, shared_workload, django_assert_num_queries, pillars
):
    owner = shared_workload.owner
    lens = factories.imported_lens(
        owner=owner, document=factories.lens_document(pillars=pillars, questions=5)
    )
    workload = factories.workload(owner, "Sized", lenses=[lens])
    client = api_for(owner)
    client.get(review_url(workload, lens.alias))

    # token, workload and role, the review (lens, version, newest version), its pillars, their counts
    with django_assert_num_queries(5):
        response = client.get(review_url(workload, lens.alias))

    assert len(response.json()["pillars"]) == pillars
