"""reviews.selectors.risk: risk counts per pillar of a review, per review, per workload, and per
pillar across workloads and lenses; each right with several lenses and workloads, and each one query
however many there are."""

import pytest
from django.db.models import Count

from lens.models import BUILTIN_ALIAS, Lens, Pillar
from reviews.models import Answer, LensReview, Workload
from reviews.selectors.risk import (
    RiskCounts,
    pillar_risk_rows,
    review_counts,
    review_pillar_counts,
    with_risk_counts,
)
from tests.factories import answered, imported_lens, lens_document, workload

R = Answer.Risk
BUILTIN_PILLARS = ["operationalExcellence", "security", "reliability", "performance", "costOptimization"]
BUILTIN_QUESTIONS = 14


def mixed_document(name: str) -> dict:
    """A lens of two pillars of two questions: the standard "security", then its own "pillar2"."""
    document = lens_document(name, pillars=2, questions=2)
    document["pillars"][0].update(id="security", name="Security")
    document["pillars"][1]["name"] = f"{name}'s own"
    return document


def set_risks(workload: Workload, lens: Lens, risks: dict[str, str]) -> None:
    """Store risks directly, by question id: the selectors read stored risks and nothing else."""
    for question_id, risk in risks.items():
        Answer.objects.filter(
            lens_review__workload=workload, lens_review__lens=lens, question__question_id=question_id
        ).update(risk=risk)


@pytest.fixture
def builtin():
    return Lens.objects.get(alias=BUILTIN_ALIAS)


@pytest.fixture
def lenses(alice):
    """Two lenses with a "security" pillar and a pillar of their own of the same id ("pillar2")."""
    return {name: imported_lens(owner=alice, document=mixed_document(name)) for name in ("Lens A", "Lens B")}


@pytest.fixture
def estate(alice, builtin, lenses):
    """Three workloads: "One" on the built-in lens and lens A, "Two" on lenses A and B, "Bare" on none."""
    a, b = lenses["Lens A"], lenses["Lens B"]
    one = workload(alice, "One", lenses=[builtin, a])
    two = workload(alice, "Two", lenses=[a, b])
    bare = workload(alice, "Bare", lenses=[])
    set_risks(one, builtin, {"MLSEC01": R.HIGH, "MLSEC02": R.HIGH, "MLOPS01": R.MEDIUM, "MLREL01": R.NONE})
    set_risks(one, a, {"P1Q1": R.HIGH, "P2Q1": R.NOT_APPLICABLE})
    set_risks(two, a, {"P1Q1": R.MEDIUM, "P1Q2": R.MEDIUM, "P2Q2": R.HIGH})
    set_risks(two, b, {"P1Q1": R.NONE, "P2Q1": R.HIGH, "P2Q2": R.HIGH})
    return {"one": one, "two": two, "bare": bare}


# --- one review, by pillar ----------------------------------------------------------------------------


def test_a_reviews_counts_by_pillar_come_from_its_answers(shared_workload, django_assert_num_queries):
    for question_id, selected in {
        "MLSEC01": ["MLSEC01_no"],  # high
        "MLSEC02": ["MLSEC02_BP01"],  # medium
        "MLSEC03": ["MLSEC03_BP01", "MLSEC03_BP02", "MLSEC03_BP03", "MLSEC03_BP04"],  # none
    }.items():
        answered(shared_workload.answer(question_id), actor=shared_workload.owner, selected_choices=selected)
    answered(shared_workload.answer("MLOPS01"), actor=shared_workload.owner, is_applicable=False)
    review = shared_workload.review
    pillars = dict(Pillar.objects.filter(version=review.lens_version).values_list("pillar_id", "pk"))

    with django_assert_num_queries(1):
        counts = review_pillar_counts(review)

    assert counts[pillars["security"]] == RiskCounts(high=1, medium=1, none=1)
    assert counts[pillars["operationalExcellence"]] == RiskCounts(not_applicable=1, unanswered=2)
    assert counts[pillars["reliability"]] == RiskCounts(unanswered=2)
    assert set(counts) == set(pillars.values())
    assert sum((c for c in counts.values()), RiskCounts()).total == BUILTIN_QUESTIONS


def test_a_reviews_counts_by_pillar_leave_out_other_reviews(estate, lenses):
    review = estate["two"].lens_reviews.get(lens=lenses["Lens A"])
    pillars = dict(Pillar.objects.filter(version=review.lens_version).values_list("pillar_id", "pk"))

    counts = review_pillar_counts(review)

    # Lens A on "One" has a high and a not-applicable answer: none of them count here.
    assert counts == {
        pillars["security"]: RiskCounts(medium=2),
        pillars["pillar2"]: RiskCounts(high=1, unanswered=1),
    }


# --- reviews -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_list", [False, True], ids=["queryset", "list"])
def test_each_reviews_counts_are_its_own(estate, builtin, lenses, django_assert_num_queries, as_list):
    reviews = {
        (name, review.lens.name): review
        for name in ("one", "two", "bare")
        for review in estate[name].lens_reviews.select_related("lens")
    }
    queryset = LensReview.objects.filter(workload__in=[estate["one"], estate["two"]])
    argument = list(queryset) if as_list else queryset

    with django_assert_num_queries(1):
        counts = review_counts(argument)

    assert counts == {
        reviews["one", builtin.name].pk: RiskCounts(
            high=2, medium=1, none=1, unanswered=BUILTIN_QUESTIONS - 4
        ),
        reviews["one", "Lens A"].pk: RiskCounts(high=1, not_applicable=1, unanswered=2),
        reviews["two", "Lens A"].pk: RiskCounts(medium=2, high=1, unanswered=1),
        reviews["two", "Lens B"].pk: RiskCounts(none=1, high=2, unanswered=1),
    }


def test_risk_counts_add_up_and_say_how_far_a_review_is():
    counts = RiskCounts(high=1, medium=1, none=1, not_applicable=1, unanswered=4)

    assert (counts.total, counts.answered, counts.percent_answered) == (8, 4, 50)
    assert counts + RiskCounts(high=2) == RiskCounts(high=3, medium=1, none=1, not_applicable=1, unanswered=4)
    assert RiskCounts().percent_answered == 0


# --- workloads ---------------------------------------------------------------------------------------


def counts_by_name(workloads) -> dict[str, tuple[int, int, int, int]]:
    return {w.name: (w.high, w.medium, w.unanswered, w.questions) for w in workloads}


def test_each_workload_counts_the_answers_of_all_its_lenses_once(estate, django_assert_num_queries):
    with django_assert_num_queries(1):
        counted = counts_by_name(with_risk_counts(Workload.objects.all()))

    assert counted == {
        "One": (2 + 1, 1, BUILTIN_QUESTIONS - 4 + 2, BUILTIN_QUESTIONS + 4),
        "Two": (1 + 2, 2, 1 + 1, 8),
        "Bare": (0, 0, 0, 0),
    }


def test_workload_counts_do_not_multiply_beside_other_counted_relations(estate, shared_workload):
    plain = counts_by_name(with_risk_counts(Workload.objects.all()))

    beside = with_risk_counts(Workload.objects.all()).annotate(
        review_count=Count("lens_reviews", distinct=True), share_count=Count("shares", distinct=True)
    )

    assert counts_by_name(beside) == plain
    fraud = beside.get(pk=shared_workload.workload.pk)
    assert (fraud.questions, fraud.unanswered, fraud.review_count, fraud.share_count) == (14, 14, 1, 2)


def test_workload_counts_follow_the_workloads_they_are_given(estate):
    counted = counts_by_name(with_risk_counts(Workload.objects.filter(name="Two")))

    assert counted == {"Two": (3, 2, 2, 8)}


@pytest.mark.parametrize("count", [2, 12])
def test_workload_counts_cost_one_query_for_any_number_of_workloads(alice, django_assert_num_queries, count):
    for n in range(count):
        workload(alice, f"W{n}")

    with django_assert_num_queries(1):
        rows = list(with_risk_counts(Workload.objects.all()))

    assert {(w.questions, w.unanswered) for w in rows} == {(BUILTIN_QUESTIONS, BUILTIN_QUESTIONS)}


# --- by pillar, across workloads and lenses -----------------------------------------------------------


def test_standard_pillars_add_up_across_lenses_and_own_pillars_follow_lens_by_lens(estate, lenses):
    rows = pillar_risk_rows(Workload.objects.all())

    a, b = lenses["Lens A"], lenses["Lens B"]
    assert [(row.pillar_id, row.name) for row in rows] == [
        ("operationalExcellence", "Operational excellence"),
        # Added up across lenses, and named so (issue 16); a lens's own pillars named with their lens.
        ("security", "Security (3 lenses)"),
        ("reliability", "Reliability"),
        ("performance", "Performance efficiency"),
        ("costOptimization", "Cost optimization"),
        ("pillar2", f"{a.name}'s own ({a.name})"),
        ("pillar2", f"{b.name}'s own ({b.name})"),
    ]
    by_name = {row.name: row for row in rows}
    # security: the built-in lens's 3 questions on "One", and 2 from each of lens A twice and lens B
    security = by_name["Security (3 lenses)"]
    assert (security.high, security.medium, security.none, security.unanswered) == (
        2 + 1,
        2,
        1,
        1 + 1 + 0 + 1,
    )
    assert security.total == 3 + 2 + 2 + 2
    own_a, own_b = by_name["Lens A's own (Lens A)"], by_name["Lens B's own (Lens B)"]
    assert (own_a.high, own_a.not_applicable, own_a.unanswered, own_a.total) == (1, 1, 2, 4)
    assert (own_b.high, own_b.unanswered, own_b.total) == (2, 0, 2)
    assert by_name["Operational excellence"].medium == 1
    assert sum(row.total for row in rows) == BUILTIN_QUESTIONS + 4 + 8


def test_pillar_rows_follow_the_workloads_they_are_given(estate, lenses):
    rows = pillar_risk_rows(Workload.objects.filter(name="Two"))

    assert [(row.pillar_id, row.name, row.total) for row in rows] == [
        ("security", "Security (2 lenses)", 4),
        ("pillar2", "Lens A's own (Lens A)", 2),
        ("pillar2", "Lens B's own (Lens B)", 2),
    ]
    assert pillar_risk_rows(Workload.objects.filter(name="Bare")) == []
    assert pillar_risk_rows(Workload.objects.none()) == []


def test_the_builtin_lens_alone_gives_its_pillars_in_its_order(shared_workload):
    rows = pillar_risk_rows(Workload.objects.all())

    assert [row.pillar_id for row in rows] == BUILTIN_PILLARS
    assert [row.total for row in rows] == [3, 3, 2, 3, 3]


@pytest.mark.parametrize("count", [1, 6])
def test_pillar_rows_cost_one_query_for_any_number_of_workloads_and_lenses(
    alice, lenses, builtin, django_assert_num_queries, count
):
    for n in range(count):
        workload(alice, f"W{n}", lenses=[builtin, *lenses.values()])

    with django_assert_num_queries(1):
        rows = pillar_risk_rows(Workload.objects.all())

    assert len(rows) == 5 + 2
    assert sum(row.total for row in rows) == count * (BUILTIN_QUESTIONS + 8)
