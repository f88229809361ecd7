"""reviews.selectors.summaries: one workload's risk summary and every visible workload's, per lens
and pillar with their totals; right for several lenses and workloads, within the cap, and a fixed
number of queries however many there are."""

from collections import Counter

import pytest

from lens.models import BUILTIN_ALIAS, Lens, Question
from reviews.models import Answer, Workload
from reviews.selectors.dashboard import WorkloadFilters
from reviews.selectors.states import ReviewState
from reviews.selectors.summaries import risk_summary, workload_risk_summary
from reviews.services import answer_update, question_facts
from tests.expected import counts
from tests.factories import UserFactory, imported_lens, lens_document, workload

pytestmark = pytest.mark.django_db

R = Answer.Risk
BUILTIN_PILLARS = ["operationalExcellence", "security", "reliability", "performance", "costOptimization"]


def answer_with_risk(answer: Answer, risk: str, *, actor) -> Answer:
    """Answer through reviews.services.answer_update with a selection the lens's rules turn into
    `risk` (the whole question marked not applicable for NOT_APPLICABLE)."""
    if risk == R.NOT_APPLICABLE:
        changes = {"is_applicable": False, "reason": Answer.Reason.OUT_OF_SCOPE}
    else:
        facts = question_facts(answer.question)
        practices = [c for c in facts.choice_ids if c != facts.none_of_these]
        candidates = [practices[:n] for n in range(len(practices), 0, -1)] + [[facts.none_of_these]]
        changes = {"selected_choices": next(c for c in candidates if facts.rules.evaluate(c).value == risk)}
    stored = answer_update(answer=answer, actor=actor, changes=changes, expected_version=None)
    assert stored.risk == risk
    return stored


def answer_all(workload: Workload, risks: dict[str, str], *, actor) -> None:
    """Answer the questions named (by question id, on any of the workload's lenses)."""
    answers = Answer.objects.filter(lens_review__workload=workload, question__question_id__in=risks)
    for answer in answers.select_related("question__version"):
        answer_with_risk(answer, risks[answer.question.question_id], actor=actor)


def implied_counts(workload: Workload) -> dict[tuple[str, str], dict]:
    """The counts of each (lens alias, pillar id) as the stored answers imply them, counted here one
    answer at a time: what the selectors must agree with."""
    tally: dict[tuple[str, str], Counter] = {}
    answers = Answer.objects.filter(lens_review__workload=workload).select_related(
        "lens_review__lens", "question__pillar"
    )
    for answer in answers:
        key = (answer.lens_review.lens.alias, answer.question.pillar.pillar_id)
        tally.setdefault(key, Counter())[answer.risk.lower()] += 1
    return {key: counts(**tallied) for key, tallied in tally.items()}


def pillar_counts(summary: dict) -> dict[tuple[str, str], dict]:
    return {
        (lens["alias"], pillar["pillar_id"]): pillar["counts"]
        for lens in summary["lenses"]
        for pillar in lens["pillars"]
    }


@pytest.fixture
def builtin():
    return Lens.objects.get(alias=BUILTIN_ALIAS)


@pytest.fixture
def two_pillar_lens(alice):
    document = lens_document("Two pillars", pillars=2, questions=2)
    document["pillars"][0].update(id="security", name="Security")
    return imported_lens(owner=alice, document=document)


# --- one workload ------------------------------------------------------------------------------------


def test_a_workloads_summary_counts_what_its_answers_say(alice, builtin, django_assert_num_queries):
    fraud = workload(alice, "Fraud")
    answer_all(
        fraud,
        {
            "MLSEC01": R.HIGH,
            "MLSEC02": R.MEDIUM,
            "MLSEC03": R.NONE,
            "MLOPS01": R.NOT_APPLICABLE,
            "MLOPS02": R.HIGH,
            "MLREL01": R.NONE,
        },
        actor=alice,
    )
    fraud = Workload.objects.select_related("owner").get(pk=fraud.pk)

    # its lens reviews, the pillars, their counts by review and pillar
    with django_assert_num_queries(3):
        summary = workload_risk_summary(state=ReviewState(fraud))

    [lens] = summary["lenses"]
    assert (lens["alias"], lens["version"], lens["name"]) == (BUILTIN_ALIAS, "1", builtin.name)
    assert [pillar["pillar_id"] for pillar in lens["pillars"]] == BUILTIN_PILLARS
    by_pillar = {pillar["pillar_id"]: pillar["counts"] for pillar in lens["pillars"]}
    assert by_pillar["security"] == counts(high=1, medium=1, none=1)
    assert by_pillar["operationalExcellence"] == counts(high=1, not_applicable=1, unanswered=1)
    assert by_pillar["reliability"] == counts(none=1, unanswered=1)
    assert by_pillar["security"]["answered"] == 3
    assert lens["totals"] == counts(high=2, medium=1, none=2, not_applicable=1, unanswered=8)
    assert summary["totals"] == lens["totals"]
    assert summary["totals"]["questions"] == Question.objects.filter(version__lens=builtin).count()
    assert (summary["id"], summary["name"], summary["owner"]) == (fraud.pk, "Fraud", "alice")
    assert pillar_counts(summary) == implied_counts(fraud)


def test_lenses_come_in_the_order_they_were_applied_and_add_up(
    alice, builtin, two_pillar_lens, django_assert_num_queries
):
    both = workload(alice, "Both", lenses=[two_pillar_lens, builtin])
    answer_all(both, {"P1Q1": R.HIGH, "P2Q2": R.MEDIUM, "MLSEC01": R.HIGH, "MLCOST01": R.NONE}, actor=alice)
    both = Workload.objects.select_related("owner").get(pk=both.pk)

    with django_assert_num_queries(3):
        summary = workload_risk_summary(state=ReviewState(both))

    assert [lens["alias"] for lens in summary["lenses"]] == [two_pillar_lens.alias, BUILTIN_ALIAS]
    own, ml = summary["lenses"]
    assert [(p["pillar_id"], p["name"]) for p in own["pillars"]] == [
        ("security", "Security"),
        ("pillar2", "Pillar 2"),
    ]
    assert own["totals"] == counts(high=1, medium=1, unanswered=2)
    assert ml["totals"] == counts(high=1, none=1, unanswered=12)
    # The same pillar id in two lenses stays apart: counts are per lens.
    assert pillar_counts(summary)[two_pillar_lens.alias, "security"] == counts(high=1, unanswered=1)
    assert pillar_counts(summary)[BUILTIN_ALIAS, "security"] == counts(high=1, unanswered=2)
    assert summary["totals"] == counts(high=2, medium=1, none=1, unanswered=14)
    assert pillar_counts(summary) == implied_counts(both)


def test_a_workload_without_lenses_has_empty_counts(alice):
    bare = workload(alice, "Bare", lenses=[])

    summary = workload_risk_summary(state=ReviewState(bare))

    assert summary["lenses"] == []
    assert summary["totals"] == counts()
    assert summary["totals"]["questions"] == 0


# --- every visible workload -------------------------------------------------------------------------


def names(summary: dict) -> list[str]:
    return [row["name"] for row in summary["workloads"]]


def test_the_organisation_wide_summary_holds_what_the_user_may_see(shared_workload, alice):
    workload(alice, "Alice's own")
    root = UserFactory(username="root", is_staff=True, is_superuser=True)

    seen = {
        role: names(risk_summary(user=getattr(shared_workload, role), limit=10))
        for role in ("owner", "contributor", "reader", "auditor", "outsider")
    }

    assert seen == {
        "owner": ["Fraud detection"],
        "contributor": ["Fraud detection"],
        "reader": ["Fraud detection"],
        "auditor": ["Alice's own", "Fraud detection"],
        "outsider": [],
    }
    assert names(risk_summary(user=root, limit=10)) == ["Alice's own", "Fraud detection"]
    assert names(risk_summary(user=alice, limit=10)) == ["Alice's own"]


def test_each_workloads_counts_are_its_own_and_the_totals_add_them_up(alice, builtin, two_pillar_lens):
    one = workload(alice, "One", lenses=[builtin, two_pillar_lens])
    two = workload(alice, "Two", lenses=[two_pillar_lens])
    workload(alice, "Three", lenses=[])
    answer_all(one, {"MLSEC01": R.HIGH, "P1Q1": R.NOT_APPLICABLE}, actor=alice)
    answer_all(two, {"P1Q1": R.MEDIUM, "P1Q2": R.MEDIUM, "P2Q1": R.NONE}, actor=alice)

    summary = risk_summary(user=alice, limit=10)

    assert names(summary) == ["One", "Three", "Two"]
    rows = {row["name"]: row for row in summary["workloads"]}
    assert pillar_counts(rows["One"]) == implied_counts(one)
    assert pillar_counts(rows["Two"]) == implied_counts(two)
    assert rows["One"]["totals"] == counts(high=1, not_applicable=1, unanswered=16)
    assert rows["Two"]["totals"] == counts(medium=2, none=1, unanswered=1)
    assert rows["Three"]["lenses"] == []
    assert rows["Three"]["totals"] == counts()
    assert summary["totals"] == counts(high=1, medium=2, none=1, not_applicable=1, unanswered=17)
    assert (summary["count"], summary["truncated"], summary["limit"]) == (3, False, 10)


def test_more_workloads_than_the_cap_give_the_first_ones_and_say_so(alice, builtin):
    for name in ("Gamma", "alpha", "Beta"):
        workload(alice, name)
    answer_all(Workload.objects.get(name="Gamma"), {"MLSEC01": R.HIGH}, actor=alice)

    by_name = risk_summary(user=alice, limit=2)
    by_high = risk_summary(user=alice, limit=2, filters=WorkloadFilters(ordering="high"))

    assert names(by_name) == ["alpha", "Beta"]
    assert (by_name["count"], by_name["truncated"], by_name["limit"]) == (3, True, 2)
    # Only the workloads given are added up.
    assert by_name["totals"]["questions"] == 2 * 14
    assert by_name["totals"]["high"] == 0
    assert names(by_high) == ["Gamma", "alpha"]
    assert by_high["totals"]["high"] == 1


def test_filters_narrow_the_summary_as_they_narrow_the_workload_list(alice, builtin, two_pillar_lens):
    workload(alice, "Risky", environment=Workload.Environment.PRODUCTION, tags=["payments"])
    workload(alice, "Calm", lenses=[two_pillar_lens])
    answer_all(Workload.objects.get(name="Risky"), {"MLSEC01": R.HIGH}, actor=alice)

    def matching(**filters):
        return names(risk_summary(user=alice, limit=10, filters=WorkloadFilters(**filters)))

    assert matching(has_high=True) == ["Risky"]
    assert matching(environment=Workload.Environment.PRODUCTION) == ["Risky"]
    assert matching(lens=two_pillar_lens.alias) == ["Calm"]
    assert matching(tag="PAYMENTS") == ["Risky"]
    assert matching(search="cal") == ["Calm"]
    assert matching(owner="bob") == []


def test_nothing_to_see_is_an_empty_summary(bob):
    summary = risk_summary(user=bob, limit=10)

    assert summary == {
        "count": 0,
        "truncated": False,
        "limit": 10,
        "counts": counts(),
        "totals": counts(),
        "workloads": [],
    }


@pytest.mark.parametrize("count", [1, 6])
@pytest.mark.parametrize("others", [False, True], ids=["sees-every-workload", "sees-some"])
def test_the_summary_costs_the_same_queries_for_1_or_6_workloads(
    alice, bob, builtin, two_pillar_lens, django_assert_num_queries, count, others
):
    for n in range(count):
        made = workload(alice, f"Workload {n}", lenses=[builtin, two_pillar_lens])
        answer_all(made, {"MLSEC01": R.HIGH, "P2Q1": R.MEDIUM}, actor=alice)
    if others:  # then the counts are restricted to alice's workloads
        answer_all(workload(bob, "Bob's"), {"MLSEC01": R.HIGH}, actor=bob)

    # the workloads (with how many match and how many there are), their lens reviews, the pillars,
    # the counts by review and pillar
    with django_assert_num_queries(4):
        summary = risk_summary(user=alice, limit=10)

    assert len(summary["workloads"]) == count
    assert summary["totals"]["high"] == summary["totals"]["medium"] == count
    assert {len(row["lenses"]) for row in summary["workloads"]} == {2}


def test_a_truncated_summary_costs_the_same_queries(alice, builtin, django_assert_num_queries):
    for n in range(3):
        workload(alice, f"Workload {n}")

    with django_assert_num_queries(4):
        summary = risk_summary(user=alice, limit=2, filters=WorkloadFilters(ordering="changed"))

    assert summary["truncated"]
    assert len(summary["workloads"]) == 2


def test_workloads_without_lenses_cost_two_queries(alice, django_assert_num_queries):
    workload(alice, "Bare", lenses=[])

    # the workloads, their lens reviews (none: nothing to count)
    with django_assert_num_queries(2):
        summary = risk_summary(user=alice, limit=10)

    assert summary["totals"] == counts()
