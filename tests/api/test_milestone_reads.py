"""`?milestone=N` on every read of a review (lens reviews, answers, an answer's history, both risk
summaries): each answers from milestone N's frozen copy after the live review moved on, a missing
milestone is 404 and a bad number 400, and writes ignore it. Saving and reading milestones
themselves: test_milestones.py.

Risks follow the built-in lens's rules: MLSEC01: BP01 && BP02 -> none; BP01 -> medium; else high."""

import pytest

from lens.models import BUILTIN_ALIAS
from reviews.services import answer_keep_theirs, lens_review_apply, workload_create
from reviews.services.milestones import milestone_create
from tests import factories
from tests.api.test_answers import answer_url, answers_url, history_url
from tests.api.test_lens_reviews import review_url, reviews_url
from tests.api.test_milestones import save
from tests.api.test_risk_summaries import ORG, one_url
from tests.expected import counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def moved_on(shared_workload):
    """Milestone 1 with MLSEC01 at medium risk (version 1, noted), then the live answer moved on to
    no risk (version 2) and MLOPS01 answered."""
    owner = shared_workload.owner
    answer = factories.answered(
        shared_workload.answer("MLSEC01"), actor=owner, selected_choices=["MLSEC01_BP01"], notes="Half."
    )
    save(shared_workload)
    factories.answered(
        answer, actor=shared_workload.contributor, selected_choices=["MLSEC01_BP01", "MLSEC01_BP02"]
    )
    factories.answered(shared_workload.answer("MLOPS01"), actor=owner, selected_choices=["MLOPS01_no"])
    return shared_workload


def test_an_answer_read_in_a_milestone_is_as_it_was(api_for, moved_on):
    client = api_for(moved_on.reader)
    url = answer_url(moved_on.workload)

    now, then = client.get(url), client.get(url, {"milestone": 1})

    assert (now.json()["risk"], now["ETag"]) == ("NONE", '"2"')
    assert then.status_code == 200
    body = then.json()
    assert (body["risk"], body["version"], body["notes"], body["updated_by"], then["ETag"]) == (
        "MEDIUM",
        1,
        "Half.",
        "owner",
        '"1"',
    )
    statuses = {choice["id"]: choice["status"] for choice in body["question"]["choices"]}
    assert (statuses["MLSEC01_BP01"], statuses["MLSEC01_BP02"]) == ("SELECTED", "UNSELECTED")


def test_the_answers_read_in_a_milestone_are_as_they_were_with_their_filters(api_for, moved_on):
    client = api_for(moved_on.reader)
    url = answers_url(moved_on.workload)

    then = client.get(url, {"milestone": 1, "page_size": 100}).json()
    risky = client.get(url, {"milestone": 1, "risk": "MEDIUM"}).json()
    security = client.get(url, {"milestone": 1, "pillar": "security"}).json()

    by_question = {answer["question_id"]: answer for answer in then["results"]}
    assert then["count"] == 14
    assert (by_question["MLSEC01"]["risk"], by_question["MLOPS01"]["risk"]) == ("MEDIUM", "UNANSWERED")
    assert [answer["question_id"] for answer in risky["results"]] == ["MLSEC01"]
    assert {answer["pillar"] for answer in security["results"]} == {"security"}
    assert "MLSEC01" in {answer["question_id"] for answer in security["results"]}


def test_an_answers_history_in_a_milestone_ends_at_its_frozen_version(api_for, moved_on):
    client = api_for(moved_on.reader)
    # A conflict settled after the milestone, at the frozen version's number: not in the milestone.
    answer = moved_on.answer("MLSEC01")
    answer_keep_theirs(answer=answer, actor=moved_on.owner, discarded={"notes": "Mine."}, seen_version=1)

    now = client.get(history_url(moved_on.workload)).json()
    then = client.get(history_url(moved_on.workload), {"milestone": 1}).json()
    never_answered = client.get(history_url(moved_on.workload, "MLOPS01"), {"milestone": 1}).json()

    assert [(change["kind"], change["version"]) for change in now["results"]] == [
        ("KEPT_THEIRS", 2),
        ("CHANGED", 2),
        ("CHANGED", 1),
    ]
    assert [(change["kind"], change["version"], change["changed_by"]) for change in then["results"]] == [
        ("CHANGED", 1, "owner")
    ]
    assert then["results"][0]["after"]["risk"] == "MEDIUM"
    assert never_answered["count"] == 0


def test_a_lens_applied_again_since_a_milestone_has_no_history_in_it(api_for, moved_on):
    client = api_for(moved_on.owner)
    assert client.delete(review_url(moved_on.workload)).status_code == 204
    client.post(reviews_url(moved_on.workload), {"lens": BUILTIN_ALIAS}, format="json")
    factories.answered(moved_on.answer("MLSEC01"), actor=moved_on.owner, selected_choices=["MLSEC01_BP01"])

    then = client.get(history_url(moved_on.workload), {"milestone": 1})

    assert then.status_code == 200
    assert then.json()["count"] == 0
    assert client.get(answer_url(moved_on.workload), {"milestone": 1}).json()["notes"] == "Half."


def test_the_lens_reviews_read_in_a_milestone_are_as_they_were(api_for, moved_on):
    client = api_for(moved_on.reader)
    lens = factories.imported_lens(owner=None, document=factories.lens_document("Data lens", questions=2))
    lens_review_apply(workload=moved_on.workload, lens_version=lens.versions.get(), actor=moved_on.owner)
    client_owner = api_for(moved_on.owner)
    client_owner.patch(review_url(moved_on.workload), {"notes": "Now."}, format="json")

    listed = client.get(reviews_url(moved_on.workload), {"milestone": 1}).json()
    one = client.get(review_url(moved_on.workload), {"milestone": 1}).json()
    added_since = client.get(review_url(moved_on.workload, lens.alias), {"milestone": 1})

    assert [
        (review["lens"], review["counts"]["medium"], review["notes"]) for review in listed["results"]
    ] == [(BUILTIN_ALIAS, 1, "")]
    assert (one["counts"]["medium"], one["counts"]["none"], one["counts"]["unanswered"]) == (1, 0, 13)
    security = next(pillar for pillar in one["pillars"] if pillar["pillar_id"] == "security")
    assert security["counts"]["medium"] == 1
    assert added_since.status_code == 404
    assert client.get(review_url(moved_on.workload, lens.alias)).status_code == 200


def test_the_risk_summaries_read_in_a_milestone_are_as_they_were(api_for, moved_on):
    client = api_for(moved_on.auditor)
    other = workload_create(owner=moved_on.owner, fields={"name": "Without milestones"})

    one = client.get(one_url(moved_on.workload), {"milestone": 1}).json()
    org = client.get(ORG, {"milestone": 1}).json()
    org_now = client.get(ORG).json()

    assert one["totals"] == counts(medium=1, unanswered=13)
    assert one["lenses"][0]["totals"] == one["totals"]
    assert (org["count"], [w["id"] for w in org["workloads"]]) == (1, [moved_on.workload.pk])
    assert org["workloads"][0]["totals"] == one["totals"]
    assert org["totals"] == one["totals"]
    assert {w["id"] for w in org_now["workloads"]} == {moved_on.workload.pk, other.pk}
    assert client.get(ORG, {"milestone": 2}).json()["count"] == 0


def test_the_organisation_summary_of_a_milestone_respects_filters_and_visibility(api_for, moved_on):
    stranger = workload_create(owner=moved_on.outsider, fields={"name": "Stranger's"})
    milestone_create(workload=stranger, actor=moved_on.outsider, name="Theirs")

    def names(who, **query):
        body = api_for(getattr(moved_on, who)).get(ORG, {"milestone": 1, **query}).json()
        return [w["name"] for w in body["workloads"]]

    assert names("owner") == ["Fraud detection"]
    assert names("outsider") == ["Stranger's"]
    assert names("auditor") == ["Fraud detection", "Stranger's"]
    assert names("auditor", search="stranger") == ["Stranger's"]


@pytest.mark.parametrize(
    "url",
    [
        reviews_url,
        review_url,
        answers_url,
        answer_url,
        history_url,
        one_url,
    ],
)
def test_a_missing_milestone_is_404_and_a_bad_one_400_on_every_read(api_for, shared_workload, url):
    save(shared_workload)
    client = api_for(shared_workload.reader)
    target = url(shared_workload.workload)

    assert client.get(target, {"milestone": 1}).status_code == 200
    for missing in ("2", "999999999"):
        assert client.get(target, {"milestone": missing}).status_code == 404, missing
    for bad in ("0", "-1", "first", "1.5", "²", "１", str(2**31), "1" * 11):
        response = client.get(target, {"milestone": bad})
        assert response.status_code == 400, bad
        assert list(response.json()["fields"]) == ["milestone"]


def test_a_write_ignores_the_milestone_parameter_and_changes_the_live_answer(api_for, moved_on):
    response = api_for(moved_on.owner).patch(
        f"{answer_url(moved_on.workload)}?milestone=1", {"notes": "Live."}, format="json"
    )

    assert response.status_code == 200, response.content
    assert moved_on.answer("MLSEC01").notes == "Live."
    assert (
        api_for(moved_on.owner).get(answer_url(moved_on.workload), {"milestone": 1}).json()["notes"]
        == "Half."
    )
