"""The improvement plan (reviews.selectors.improvements): order by risk and pillar priorities,
missing practices and their plans, resolved and regressed items, filters, milestones, and queries
that do not grow with the data. The helpers here serve the other improvement tests too."""

import pytest

from lens.models import BUILTIN_ALIAS
from lens.selectors import latest_published_version
from reviews.api.improvement_serializers import ImprovementUpdateSerializer
from reviews.api.validation import validated_input
from reviews.models import Answer, ImprovementItem
from reviews.selectors.improvements import (
    REGRESSED,
    RESOLVED,
    UNASSIGNED,
    PlanFilters,
    improvement_plan,
    improvement_summary,
    with_practices,
)
from reviews.selectors.states import ReviewState
from reviews.services import (
    answer_update,
    improvement_item_update,
    lens_review_apply,
)
from reviews.services.milestones import milestone_create
from tests import factories

pytestmark = pytest.mark.django_db

S = ImprovementItem.Status
#: What to select in a factories.lens_document question for each risk.
SELECTIONS = {
    "HIGH": lambda q: [f"{q}_no"],
    "MEDIUM": lambda q: [f"{q}_BP1"],
    "NONE": lambda q: [f"{q}_BP1", f"{q}_BP2", f"{q}_BP3"],
}


def plan_lens(name="Plan lens", *, pillars=3, questions=2, document=None):
    """A published lens of `pillars` pillars (pillar1...) of `questions` questions (P1Q1...)."""
    return factories.imported_lens(
        owner=None, document=document or factories.lens_document(name, pillars=pillars, questions=questions)
    )


def with_lens(shared, lens):
    """The shared workload with `lens` applied too (after the built-in lens); its alias."""
    lens_review_apply(
        workload=shared.workload, lens_version=latest_published_version(lens), actor=shared.owner
    )
    return lens.alias


def answer_as(workload, alias, question_id, risk, actor, **changes):
    """Answer `question_id` of the lens `alias` so that its risk is `risk` (HIGH, MEDIUM, NONE)."""
    answer = Answer.objects.select_related("question").get(
        lens_review__workload=workload, lens_review__lens__alias=alias, question__question_id=question_id
    )
    changes = {"selected_choices": SELECTIONS[risk](question_id), **changes}
    return answer_update(answer=answer, actor=actor, changes=changes, expected_version=None)


def track(shared, alias, question_id, *, actor=None, expected_version=None, **changes):
    """The item after `changes`, validated as the API and the page validate them, are written."""
    return improvement_item_update(
        workload=shared.workload,
        lens_alias=alias,
        question_id=question_id,
        actor=actor or shared.owner,
        changes=validated_input(ImprovementUpdateSerializer, changes),
        expected_version=expected_version,
    )


def plan_of(shared, **filters):
    plan = improvement_plan(ReviewState(shared.workload), filters=PlanFilters(**filters))
    return with_practices(plan.rows)


def ids(rows):
    return [(row.risk, row.question_id) for row in rows]


def planned_workload(shared):
    """The shared workload with a three-pillar lens at these risks, pillar 3 first, then pillar 1;
    `shared.alias` is the lens's alias."""
    alias = with_lens(shared, plan_lens())
    workload = shared.workload
    workload.pillar_priorities = ["pillar3", "pillar1"]
    workload.save(update_fields=["pillar_priorities"])
    for question_id, risk in [
        ("P1Q1", "HIGH"),
        ("P1Q2", "MEDIUM"),
        ("P2Q1", "HIGH"),
        ("P2Q2", "NONE"),
        ("P3Q1", "MEDIUM"),
        ("P3Q2", "HIGH"),
    ]:
        answer_as(workload, alias, question_id, risk, shared.owner)
    shared.alias = alias
    return shared


@pytest.fixture
def planned(shared_workload):
    return planned_workload(shared_workload)


# --- the plan ---------------------------------------------------------------------------------------


def test_high_then_medium_in_the_order_of_the_pillar_priorities_then_the_lens(planned):
    assert ids(plan_of(planned)) == [
        ("HIGH", "P3Q2"),  # pillar3: first priority
        ("HIGH", "P1Q1"),  # pillar1: second
        ("HIGH", "P2Q1"),  # pillar2: not listed, after
        ("MEDIUM", "P3Q1"),
        ("MEDIUM", "P1Q2"),
    ]


def test_without_priorities_pillars_and_lenses_keep_their_order(planned):
    planned.workload.pillar_priorities = []
    planned.workload.save(update_fields=["pillar_priorities"])
    other = with_lens(planned, plan_lens("Second lens", pillars=2, questions=1))
    answer_as(planned.workload, other, "P1Q1", "HIGH", planned.owner)
    rows = plan_of(planned, risk="HIGH")
    assert [(row.lens_alias, row.question_id) for row in rows] == [
        (planned.alias, "P1Q1"),
        (planned.alias, "P2Q1"),
        (planned.alias, "P3Q2"),
        (other, "P1Q1"),
    ]


def test_unlisted_pillars_come_after_in_lens_order(planned):
    planned.workload.pillar_priorities = ["pillar2"]
    planned.workload.save(update_fields=["pillar_priorities"])
    other = with_lens(planned, plan_lens("Second lens", pillars=2, questions=1))
    answer_as(planned.workload, other, "P1Q1", "HIGH", planned.owner)
    answer_as(planned.workload, other, "P2Q1", "HIGH", planned.owner)
    rows = plan_of(planned, risk="HIGH")
    assert [(row.lens_alias, row.question_id) for row in rows] == [
        (planned.alias, "P2Q1"),  # pillar2 in both lenses, lens by lens
        (other, "P2Q1"),
        (planned.alias, "P1Q1"),  # then the first lens's other pillars
        (planned.alias, "P3Q2"),
        (other, "P1Q1"),  # then the second lens's
    ]


def test_each_row_names_its_lens_pillar_and_question(planned):
    row = plan_of(planned, question_id="P3Q2")[0]
    assert (row.lens_alias, row.lens_name, row.pillar_id, row.pillar_name) == (
        planned.alias,
        "Plan lens",
        "pillar3",
        "Pillar 3",
    )
    assert (row.question_id, row.title, row.risk, row.state) == (
        "P3Q2",
        "How do you handle P3Q2?",
        "HIGH",
        S.NOT_STARTED,
    )
    assert row.item is None
    assert row.version == 0
    assert row.owner is None


def test_missing_practices_leave_out_the_selected_the_not_applicable_and_none_of_these(planned):
    answer_as(
        planned.workload,
        planned.alias,
        "P1Q2",
        "MEDIUM",
        planned.owner,
        not_applicable_choices={"P1Q2_BP2": {"reason": "OUT_OF_SCOPE", "notes": ""}},
    )
    row = plan_of(planned, question_id="P1Q2")[0]
    assert [practice.choice_id for practice in row.missing] == ["P1Q2_BP3"]
    [plan] = row.missing[0].resources
    assert (plan.slot, plan.display_text, plan.link) == (
        "IMPROVEMENT_PLAN",
        "How to start doing P1Q2_BP3.",
        "https://example.com/plan",
    )
    # The question's own resources come along: its helpful resource.
    assert [resource.link for resource in row.question_resources] == ["https://example.com/why"]
    high = plan_of(planned, question_id="P1Q1")[0]
    assert [p.choice_id for p in high.missing] == ["P1Q1_BP1", "P1Q1_BP2", "P1Q1_BP3"]


def test_additional_improvement_plans_come_with_the_practice_and_unsafe_urls_are_no_links(shared_workload):
    document = factories.lens_document("Resources lens", pillars=1, questions=1)
    choice = document["pillars"][0]["questions"][0]["choices"][0]
    choice["improvementPlan"]["url"] = "javascript:alert(1)"
    choice["additionalResources"] = [
        {"type": "IMPROVEMENT_PLAN", "content": [{"displayText": "More", "url": "https://example.com/more"}]},
        {
            "type": "HELPFUL_RESOURCE",
            "content": [{"displayText": "Not a plan", "url": "https://example.com/h"}],
        },
    ]
    alias = with_lens(shared_workload, plan_lens(document=document))
    answer_as(shared_workload.workload, alias, "P1Q1", "HIGH", shared_workload.owner)
    [row] = plan_of(shared_workload)
    first = row.missing[0]
    assert [(r.slot, r.link) for r in first.resources] == [
        ("IMPROVEMENT_PLAN", None),
        ("ADDITIONAL_IMPROVEMENT_PLAN", "https://example.com/more"),
    ]


def test_a_done_item_at_risk_again_is_regressed_and_a_tracked_question_without_risk_resolved(planned):
    track(planned, planned.alias, "P1Q1", status=S.DONE)
    track(planned, planned.alias, "P1Q2", status=S.IN_PROGRESS)
    rows = {row.question_id: row for row in plan_of(planned)}
    assert rows["P1Q1"].state == REGRESSED
    assert rows["P1Q2"].state == S.IN_PROGRESS
    answer_as(planned.workload, planned.alias, "P1Q1", "NONE", planned.owner)
    answer_as(planned.workload, planned.alias, "P1Q2", "NONE", planned.owner)
    rows = plan_of(planned)
    assert ids(rows)[-2:] == [("NONE", "P1Q1"), ("NONE", "P1Q2")]  # resolved rows come last
    assert [row.state for row in rows[-2:]] == [RESOLVED, RESOLVED]
    assert rows[-1].missing == []
    assert "P2Q2" not in [row.question_id for row in rows]  # no risk, never tracked


def test_items_of_a_lens_not_applied_or_of_another_lens_are_left_out(planned):
    other = with_lens(planned, plan_lens("Second lens", pillars=1, questions=1))
    track(planned, other, "P1Q1", status=S.IN_PROGRESS)  # same question id as the first lens's
    ImprovementItem.objects.create(workload=planned.workload, lens_alias="gone", question_id="P1Q1")
    rows = [row for row in plan_of(planned) if row.question_id == "P1Q1"]
    assert [(row.lens_alias, row.state) for row in rows] == [
        (planned.alias, S.NOT_STARTED),  # the first lens's, at risk, not tracked
        (other, RESOLVED),  # the second lens's: tracked, unanswered
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"risk": "MEDIUM"}, ["P3Q1", "P1Q2"]),
        ({"pillar": "pillar1"}, ["P1Q1", "P1Q2"]),
        ({"status": S.IN_PROGRESS}, ["P3Q2"]),
        ({"status": S.NOT_STARTED}, ["P2Q1", "P3Q1", "P1Q2"]),
        ({"status": REGRESSED}, ["P1Q1"]),
        ({"status": RESOLVED}, ["P2Q2"]),
        ({"status": S.DONE}, ["P1Q1", "P2Q2"]),
        ({"status": S.RISK_ACCEPTED}, []),
        ({"owner": UNASSIGNED}, ["P1Q1", "P2Q1", "P3Q1", "P1Q2", "P2Q2"]),
        ({"lens": BUILTIN_ALIAS}, []),
    ],
)
def test_filters(planned, filters, expected):
    track(planned, planned.alias, "P3Q2", status=S.IN_PROGRESS, owner=planned.contributor.pk)
    track(planned, planned.alias, "P1Q1", status=S.DONE)
    track(planned, planned.alias, "P2Q2", status=S.DONE)
    assert [row.question_id for row in plan_of(planned, **filters)] == expected


def test_the_owner_and_lens_filters(planned):
    track(planned, planned.alias, "P3Q2", owner=planned.contributor.pk)
    assert [row.question_id for row in plan_of(planned, owner=planned.contributor.pk)] == ["P3Q2"]
    assert [row.question_id for row in plan_of(planned, owner=planned.owner.pk)] == []
    assert len(plan_of(planned, lens=planned.alias)) == 5


def test_a_milestone_has_its_own_plan_with_todays_tracking(planned):
    milestone = milestone_create(workload=planned.workload, actor=planned.owner, name="Before")
    answer_as(planned.workload, planned.alias, "P3Q2", "NONE", planned.owner)
    track(planned, planned.alias, "P3Q2", status=S.DONE)
    now = improvement_plan(ReviewState(planned.workload)).rows
    then = improvement_plan(ReviewState(planned.workload, milestone)).rows
    assert [(row.question_id, row.state) for row in now if row.question_id == "P3Q2"] == [("P3Q2", RESOLVED)]
    assert [(row.question_id, row.state) for row in then if row.question_id == "P3Q2"] == [
        ("P3Q2", REGRESSED)
    ]


def test_the_summary_counts_open_and_regressed_items(planned):
    track(planned, planned.alias, "P1Q1", status=S.DONE)  # regressed: open
    track(planned, planned.alias, "P2Q1", status=S.IN_PROGRESS)  # open
    track(planned, planned.alias, "P3Q2", status=S.RISK_ACCEPTED)  # accepted: not open
    track(planned, planned.alias, "P2Q2", status=S.IN_PROGRESS)  # resolved: not open
    summary = improvement_summary(planned.workload, high=3, medium=2)
    assert (summary.high, summary.medium, summary.open, summary.regressed) == (3, 2, 2, 1)


def grow(shared, alias, *, many: bool):
    """Risky answers and items: a few, or many."""
    questions = [f"P{p}Q{q}" for p in range(1, 4) for q in range(1, 3)]
    for index, question_id in enumerate(questions if many else questions[:1]):
        answer_as(shared.workload, alias, question_id, "HIGH" if index % 2 else "MEDIUM", shared.owner)
        track(shared, alias, question_id, status=S.IN_PROGRESS, owner=shared.contributor.pk, note="n")


def test_the_plan_costs_the_same_queries_for_few_or_many_answers_and_items(
    shared_workload, django_assert_num_queries
):
    alias = with_lens(shared_workload, plan_lens())
    grow(shared_workload, alias, many=False)
    # lens reviews, items with owners, answers; then choices, resources
    with django_assert_num_queries(5):
        assert len(plan_of(shared_workload)) == 1
    grow(shared_workload, alias, many=True)
    with django_assert_num_queries(5):
        assert len(plan_of(shared_workload)) == 6
    with django_assert_num_queries(1):
        improvement_summary(shared_workload.workload, high=0, medium=0)
