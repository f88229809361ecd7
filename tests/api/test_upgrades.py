"""POST /api/v1/workloads/{id}/lens-reviews/{alias}/upgrade/: the owner upgrades a lens review to a
newer version after a milestone; anything but a newer published version is a 400 naming `version`;
other callers are refused; and nothing changes on any refusal. (The lens is
tests/reviews/upgrade_lens.py's.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lens.services import lens_import
from reviews.models import LensReview, Milestone
from reviews.services import lens_review_apply
from tests import factories
from tests.reviews.stored import database_state
from tests.reviews.upgrade_lens import CARRIED, SUMMARY, answer_all, answers_of, new_version, version_1

pytestmark = pytest.mark.django_db


def upgrade_url(workload, alias: str) -> str:
    return f"/api/v1/workloads/{workload.pk}/lens-reviews/{alias}/upgrade/"


@pytest.fixture
def upgradable(shared_workload):
    """The shared workload with the test lens at version 1, answered, and version 2 published."""
    owner = shared_workload.owner
    lens = factories.imported_lens(owner=owner, document=version_1())
    review = lens_review_apply(
        workload=shared_workload.workload, lens_version=lens.versions.get(), actor=owner
    )
    answer_all(review, owner)
    new_version(lens)
    return shared_workload, lens, review


def test_the_owner_upgrades_to_the_newest_version(api_for, upgradable):
    shared, lens, review = upgradable

    response = api_for(shared.owner).post(upgrade_url(shared.workload, lens.alias), {}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["milestone"], body["milestone_name"]) == (1, "Before upgrade to 2")
    assert (body["lens"], body["from_version"], body["version"], body["kind"]) == (
        lens.alias,
        "1",
        "2",
        "MAJOR",
    )
    assert body["changes"] == SUMMARY
    assert body["message"].startswith("5 questions carried over, 2 added, 2 removed")
    assert answers_of(review) == CARRIED
    milestone = Milestone.objects.get(workload=shared.workload)
    assert milestone.lens_reviews.get(lens=lens).lens_version.label == "1"


def test_the_owner_upgrades_to_a_named_version(api_for, upgradable):
    shared, lens, review = upgradable
    new_version(lens, label="3", source=version_1())

    response = api_for(shared.owner).post(
        upgrade_url(shared.workload, lens.alias), {"version": "2"}, format="json"
    )

    assert (response.status_code, response.json()["version"]) == (200, "2")
    assert LensReview.objects.get(pk=review.pk).lens_version.label == "2"


@pytest.mark.parametrize(
    ("version", "code"),
    [
        ("1", "refused"),
        ("9", "unknown_reference"),
        ("draft", "unknown_reference"),
        (" ", "unknown_reference"),
    ],
)
def test_a_version_that_is_not_newer_and_published_is_a_400_naming_it(api_for, upgradable, version, code):
    shared, lens, _review = upgradable
    client = api_for(shared.owner)
    client.post(upgrade_url(shared.workload, lens.alias), {}, format="json")  # now on 2, the newest
    lens_import(source=version_1(), owner=shared.owner, alias=lens.alias)  # a draft, which is no version
    before = database_state()

    response = client.post(upgrade_url(shared.workload, lens.alias), {"version": version}, format="json")

    assert response.status_code == 400, response.content
    assert (response.json()["code"], list(response.json()["fields"])) == (code, ["version"])
    assert database_state() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [({"versions": "2"}, "versions"), ({"version": ["2"]}, "version"), ({"version": "x" * 33}, "version")],
)
def test_a_body_that_is_not_an_upgrade_is_a_400_naming_the_field(api_for, upgradable, body, field):
    shared, lens, _review = upgradable
    client = api_for(shared.owner)
    before = database_state()

    response = client.post(upgrade_url(shared.workload, lens.alias), body, format="json")

    assert (response.status_code, list(response.json()["fields"])) == (400, [field])
    assert database_state() == before


def test_a_body_that_is_not_an_object_is_a_400(api_for, upgradable):
    shared, lens, _review = upgradable
    client = api_for(shared.owner)
    before = database_state()
    response = client.post(upgrade_url(shared.workload, lens.alias), ["2"], format="json")
    assert response.status_code == 400
    assert database_state() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("contributor", 403),
        ("reader", 403),
        ("auditor", 403),
        ("outsider", 404),
        ("read_only", 403),
        ("anonymous", 401),
    ],
)
def test_only_the_owner_upgrades(api_for, upgradable, who, status):
    shared, lens, _review = upgradable
    if who == "read_only":
        client = api_for(shared.owner, read_only=True)
    else:
        client = api_for(None if who == "anonymous" else getattr(shared, who))
    before = database_state()

    response = client.post(upgrade_url(shared.workload, lens.alias), {}, format="json")

    assert response.status_code == status
    assert database_state() == before


def test_a_lens_that_is_not_applied_is_404(api_for, upgradable):
    shared, _lens, _review = upgradable
    other = factories.imported_lens(owner=shared.owner, document=factories.lens_document("Not applied"))
    response = api_for(shared.owner).post(upgrade_url(shared.workload, other.alias), {}, format="json")
    assert response.status_code == 404


def upgrade_queries(api_for, owner, questions: int) -> int:
    """The queries of one upgrade of a review of `questions` answered questions, to a version that
    drops one and adds a pillar of as many."""
    lens = factories.imported_lens(
        owner=owner, document=factories.lens_document(f"Size {questions}", questions=questions)
    )
    workload = factories.workload(owner, f"Size {questions}", lenses=[lens])
    for answer in workload.lens_reviews.get().answers.select_related("question"):
        factories.answered(answer, actor=owner, selected_choices=[f"{answer.question.question_id}_BP1"])
    lens_import(
        source=factories.lens_document(f"Size {questions}", pillars=2, questions=questions - 1),
        owner=owner,
        alias=lens.alias,
    )
    new_version(lens, source=factories.lens_document(f"Size {questions}", pillars=2, questions=questions - 1))
    client = api_for(owner)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(upgrade_url(workload, lens.alias), {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["changes"]["carried"] == questions - 1
    return len(queries)


def test_an_upgrade_costs_the_same_queries_for_any_number_of_answers(api_for, shared_workload):
    # The token; the workload (with the role), the review; in the transaction: the workload and the
    # review locked, the version, the milestone names taken; the milestone (workload locked, name,
    # number, reviews, answers, four inserts, seal, event); the version's questions, choices, rules
    # and pillars; the answers locked; the answers gone (read, their history and them deleted); one
    # update of those carried; one insert of the new ones (and one of the history, when some answer
    # changed); the review; the old pillars' count rows; the event; two savepoints and their
    # releases: 35 here.
    owner = shared_workload.owner
    api_for(owner).get("/api/v1/workloads/")  # the token's first use is recorded once, here
    small = upgrade_queries(api_for, owner, 3)
    large = upgrade_queries(api_for, owner, 12)
    assert small == large


# The preview: GET .../upgrade/


def test_the_owner_previews_the_upgrade_and_nothing_changes(api_for, upgradable):
    shared, lens, review = upgradable
    client = api_for(shared.owner)
    client.get("/api/v1/workloads/")  # the token's first use is recorded once, here
    before = database_state()

    response = client.get(upgrade_url(shared.workload, lens.alias))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["lens"], body["from_version"], body["version"], body["kind"]) == (
        lens.alias,
        "1",
        "2",
        "MAJOR",
    )
    assert body["milestone_name"] == "Before upgrade to 2"
    assert (body["questions_added"], body["questions_removed"]) == (2, 2)
    assert [(c["question_id"], c["before"], c["after"]) for c in body["risk_changes"]] == [
        ("P1Q2", "NONE", "MEDIUM"),
        ("P1Q3", "MEDIUM", "NONE"),
        ("P1Q6", "HIGH", "UNANSWERED"),
    ]
    assert [lost["question_id"] for lost in body["lost_answers"]] == ["P1Q4", "P2Q1"]
    assert [(d["question_id"], d["choice_id"]) for d in body["dropped_practices"]] == [
        ("P1Q2", "P1Q2_BP3"),
        ("P1Q6", "P1Q6_OLD"),
    ]
    assert body["dropped_pillar_notes"] == ["pillar2"]
    rules = next(c for c in body["changes"] if c["question_id"] == "P1Q3" and c["kind"] == "question")
    assert rules["details"][0]["after"] == ["No risk when P1Q3_BP1 is selected", "High risk otherwise"]
    assert database_state() == before
    # The preview says what the upgrade then does.
    done = client.post(upgrade_url(shared.workload, lens.alias), {}, format="json").json()
    assert done["changes"]["risk_changed"] == len(body["risk_changes"])


def test_on_the_newest_version_the_preview_offers_nothing(api_for, shared_workload):
    alias = shared_workload.review.lens.alias
    body = api_for(shared_workload.owner).get(upgrade_url(shared_workload.workload, alias)).json()
    assert (body["version"], body["kind"], body["milestone_name"]) == (None, None, None)
    assert body["risk_changes"] == body["changes"] == []


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("contributor", 403),
        ("reader", 403),
        ("outsider", 404),
        ("read_only", 200),
        ("anonymous", 401),
    ],
)
def test_only_the_owner_previews(api_for, upgradable, who, status):
    shared, lens, _review = upgradable
    if who == "read_only":
        client = api_for(shared.owner, read_only=True)
    else:
        client = api_for(None if who == "anonymous" else getattr(shared, who))
    response = client.get(upgrade_url(shared.workload, lens.alias))
    assert response.status_code == status
    if status != 200:
        assert "risk_changes" not in response.json()


def preview_queries(api_for, owner, questions: int) -> int:
    lens = factories.imported_lens(
        owner=owner, document=factories.lens_document(f"Preview {questions}", questions=questions)
    )
    workload = factories.workload(owner, f"Preview {questions}", lenses=[lens])
    for answer in workload.lens_reviews.get().answers.select_related("question"):
        factories.answered(answer, actor=owner, selected_choices=[f"{answer.question.question_id}_BP1"])
    bigger = factories.lens_document(f"Preview {questions}", pillars=2, questions=questions - 1)
    bigger["pillars"][0]["questions"][0]["riskRules"][1]["risk"] = "HIGH_RISK"  # BP1 alone: high now
    bigger["pillars"][0]["questions"][0]["riskRules"][2]["risk"] = "MEDIUM_RISK"
    new_version(lens, source=bigger)
    client = api_for(owner)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(upgrade_url(workload, lens.alias))
    assert response.status_code == 200, response.content
    assert [c["question_id"] for c in response.json()["risk_changes"]] == ["P1Q1"]
    return len(queries)


def test_the_preview_costs_the_same_queries_for_any_lens_size(api_for, shared_workload):
    # The token; the workload (with the role), the review; the newest version; both versions'
    # content (five each); the new version's questions, choices, rules and pillars; the answers; the
    # milestone names.
    owner = shared_workload.owner
    api_for(owner).get("/api/v1/workloads/")  # the token's first use is recorded once, here
    assert preview_queries(api_for, owner, 3) == preview_queries(api_for, owner, 15)
