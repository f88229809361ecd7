"""Comparing two states of a workload (reviews.selectors.compare) and which states a request names
(reviews.selectors.compare_states). The comparison page: test_views_compare.py."""

import pytest
from django.http import Http404

from lens.models import BUILTIN_ALIAS
from lens.services import lens_import, lens_publish
from reviews.models import Answer, MilestonePillarRiskCounts
from reviews.selectors.compare import LensStatus, Status, workload_comparison
from reviews.selectors.compare_states import compared_states, state_label
from reviews.selectors.states import ReviewState, milestones_of
from reviews.services import InvalidInput, lens_review_apply, lens_review_remove
from reviews.services.milestones import milestone_create
from tests import factories
from tests.reviews.comparing import answer_all, changed_since_milestone, grow, queries_of, save

pytestmark = pytest.mark.django_db

R = Answer.Risk


def compare(workload, base, target=None):
    return workload_comparison(base=ReviewState(workload, base), target=ReviewState(workload, target))


def lens_of(comparison, alias=BUILTIN_ALIAS):
    (lens,) = [lens for lens in comparison.lenses if lens.alias == alias]
    return lens


def question(comparison, question_id, alias=BUILTIN_ALIAS):
    (found,) = [q for q in lens_of(comparison, alias).questions if q.question_id == question_id]
    return found


@pytest.fixture
def changed(shared_workload):
    """The shared workload answered as BEFORE, saved as milestone 1, then changed as AFTER."""
    return changed_since_milestone(shared_workload)


# --- the comparison ------------------------------------------------------------------------------


def test_a_question_improves_or_regresses_as_its_risk_ranks(changed):
    shared, first = changed
    comparison = compare(shared.workload, first)
    improved = question(comparison, "MLOPS01")
    assert (improved.status, improved.risk_before, improved.risk_after) == (Status.IMPROVED, R.HIGH, R.MEDIUM)
    regressed = question(comparison, "MLOPS02")
    assert (regressed.status, regressed.risk_before, regressed.risk_after) == (
        Status.REGRESSED,
        R.MEDIUM,
        R.HIGH,
    )
    same = question(comparison, "MLOPS03")
    assert (same.status, same.changed) == (Status.UNCHANGED, False)
    assert same.risk_before == same.risk_after == R.NONE


def test_unanswered_and_not_applicable_are_not_risks_but_are_reported(changed):
    shared, first = changed
    comparison = compare(shared.workload, first)
    cleared = question(comparison, "MLSEC02")  # a high risk whose answer was cleared
    assert (cleared.status, cleared.risk_before, cleared.risk_after) == (
        Status.IMPROVED,
        R.HIGH,
        R.UNANSWERED,
    )
    assert cleared.changed
    reapplied = question(comparison, "MLREL02")  # not applicable, then applicable but unanswered
    assert (reapplied.status, reapplied.risk_before, reapplied.risk_after) == (
        Status.UNCHANGED,
        R.NOT_APPLICABLE,
        R.UNANSWERED,
    )
    assert reapplied.changed
    assert reapplied.not_applicable_changed


def test_practices_added_and_removed_come_with_their_titles(changed):
    shared, first = changed
    comparison = compare(shared.workload, first)
    improved = question(comparison, "MLOPS01")
    # "None of these" was selected before: not a practice, so not listed as removed.
    assert [p.choice_id for p in improved.practices_added] == ["MLOPS01_BP01"]
    assert improved.practices_added[0].title.startswith("Data scientists, software engi")
    assert improved.practices_removed == ()
    regressed = question(comparison, "MLOPS02")
    assert [p.choice_id for p in regressed.practices_removed] == ["MLOPS02_BP01"]
    assert regressed.practices_added == ()
    more = question(comparison, "MLCOST01")
    assert (more.status, [p.choice_id for p in more.practices_added]) == (Status.UNCHANGED, ["MLCOST01_BP03"])
    assert more.changed


def test_notes_and_not_applicable_marks_count_as_changes(changed):
    shared, first = changed
    comparison = compare(shared.workload, first)
    noted = question(comparison, "MLSEC01")
    assert (noted.status, noted.notes_changed, noted.changed) == (Status.UNCHANGED, True, True)
    assert (noted.notes_before, noted.notes_after) == ("Reviewed by security.", "Reviewed again.")
    marked = question(comparison, "MLREL01")
    assert (marked.status, marked.not_applicable_changed, marked.notes_changed) == (
        Status.UNCHANGED,
        True,
        False,
    )
    assert marked.changed
    assert lens_of(comparison).changed_count == comparison.changed_count == 7


def test_pillar_counts_before_after_and_change_match_the_frozen_counts(changed):
    shared, first = changed
    second = save(shared, "After")
    comparison = compare(shared.workload, first, second)
    lens = lens_of(comparison)
    pillars = {pillar.pillar_id: pillar for pillar in lens.pillars}
    assert list(pillars) == [
        "operationalExcellence",
        "security",
        "reliability",
        "performance",
        "costOptimization",
    ]
    security = pillars["security"]
    assert (security.name, security.high.before, security.high.after, security.high.change) == (
        "Security",
        1,
        0,
        -1,
    )
    assert (security.high.signed, security.high.direction) == ("-1", "better")
    operations = pillars["operationalExcellence"]
    assert (
        operations.high.before,
        operations.high.after,
        operations.medium.before,
        operations.medium.after,
    ) == (
        1,
        1,
        1,
        1,
    )
    for milestone, side in ((first, "before"), (second, "after")):
        frozen = MilestonePillarRiskCounts.objects.filter(milestone=milestone).select_related("pillar")
        for counts in frozen:
            pillar = pillars[counts.pillar.pillar_id]
            assert (getattr(pillar.high, side), getattr(pillar.medium, side)) == (counts.high, counts.medium)
    assert (comparison.high.before, comparison.high.after) == (2, 1)
    assert (comparison.medium.before, comparison.medium.after, comparison.medium.signed) == (3, 3, "0")


def test_a_milestone_and_now_compare_as_two_milestones_do(changed):
    shared, first = changed
    now = compare(shared.workload, first)
    second = save(shared, "After")
    frozen = compare(shared.workload, first, second)
    assert now.lenses == frozen.lenses
    assert (now.target.is_current, frozen.target.milestone) == (True, second)
    assert compare(shared.workload, second).changed_count == 0


def test_only_changed_keeps_the_changed_questions_and_every_count(changed):
    shared, first = changed
    comparison = compare(shared.workload, first)
    only = comparison.only_changed()
    ids = [q.question_id for q in lens_of(only).questions]
    assert ids == ["MLOPS01", "MLOPS02", "MLSEC01", "MLSEC02", "MLREL01", "MLREL02", "MLCOST01"]
    assert lens_of(only).pillars == lens_of(comparison).pillars
    assert (only.high, only.medium) == (comparison.high, comparison.medium)


def test_a_lens_applied_or_removed_adds_or_removes_its_questions(shared_workload):
    owner = shared_workload.owner
    answer_all(shared_workload, {"MLOPS01": {"selected_choices": ["MLOPS01_no"]}})
    first = save(shared_workload, "Built-in only")
    team = factories.imported_lens(owner=owner, document=factories.lens_document("Team lens", questions=2))
    lens_review_remove(lens_review=shared_workload.review, actor=owner)
    lens_review_apply(workload=shared_workload.workload, lens_version=team.versions.get(), actor=owner)

    comparison = compare(shared_workload.workload, first)
    added, removed = comparison.lenses  # the target's lenses first
    assert (added.alias, added.status, added.version_before, added.version_after) == (
        team.alias,
        LensStatus.ADDED,
        None,
        "1",
    )
    assert {q.status for q in added.questions} == {Status.ADDED}
    assert [q.risk_before for q in added.questions] == [None, None]
    assert (removed.alias, removed.status, removed.version_after) == (BUILTIN_ALIAS, LensStatus.REMOVED, None)
    assert {q.status for q in removed.questions} == {Status.REMOVED}
    assert len(removed.questions) == 14
    assert (removed.high.before, removed.high.after, removed.high.signed) == (1, 0, "-1")
    assert comparison.changed_count == 16


def test_questions_match_by_id_across_lens_versions(people):
    """Version 2 drops P1Q3, adds P1Q4, renames P1Q1 and a pillar: matched by id, not by row."""
    owner = people["owner"]
    lens = factories.imported_lens(owner=owner, document=factories.lens_document("Evolving", questions=3))
    workload = factories.workload(owner, lenses=[lens])
    review = workload.lens_reviews.get()

    def answer(question_id, **changes):
        found = review.answers.get(question__question_id=question_id)
        factories.answered(found, actor=owner, **changes)

    answer("P1Q1", selected_choices=["P1Q1_BP1"])  # MEDIUM
    answer("P1Q2", selected_choices=["P1Q2_BP1", "P1Q2_BP2", "P1Q2_BP3"], notes="All done.")  # NONE
    answer("P1Q3", selected_choices=["P1Q3_no"])  # HIGH
    first = milestone_create(workload=workload, actor=owner, name="On version 1")

    document = factories.lens_document("Evolving", questions=4)
    pillar = document["pillars"][0]
    pillar["name"] = "Pillar one, renamed"
    pillar["questions"] = [q for q in pillar["questions"] if q["id"] != "P1Q3"]
    pillar["questions"][0]["title"] = "How do you handle P1Q1 now?"
    lens_import(source=document, owner=owner, alias=lens.alias)
    version_2 = lens_publish(lens=lens, label="2", major=True)
    lens_review_remove(lens_review=review, actor=owner)
    review = lens_review_apply(workload=workload, lens_version=version_2, actor=owner)
    answer("P1Q1", selected_choices=["P1Q1_BP1", "P1Q1_BP2", "P1Q1_BP3"], notes="")  # NONE
    answer("P1Q4", selected_choices=["P1Q4_no"])  # HIGH
    second = milestone_create(workload=workload, actor=owner, name="On version 2")

    comparison = compare(workload, first, second)
    (compared,) = comparison.lenses
    assert (compared.status, compared.version_before, compared.version_after, compared.upgraded) == (
        LensStatus.KEPT,
        "1",
        "2",
        True,
    )
    by_id = {q.question_id: q for q in compared.questions}
    assert list(by_id) == ["P1Q1", "P1Q2", "P1Q4", "P1Q3"]  # a removed question after its pillar's
    assert (by_id["P1Q1"].status, by_id["P1Q1"].title) == (Status.IMPROVED, "How do you handle P1Q1 now?")
    assert [p.choice_id for p in by_id["P1Q1"].practices_added] == ["P1Q1_BP2", "P1Q1_BP3"]
    assert (by_id["P1Q2"].status, by_id["P1Q2"].risk_after, by_id["P1Q2"].notes_changed) == (
        Status.UNCHANGED,
        R.UNANSWERED,
        True,
    )
    assert (by_id["P1Q3"].status, by_id["P1Q3"].risk_before, by_id["P1Q3"].risk_after) == (
        Status.REMOVED,
        R.HIGH,
        None,
    )
    assert (by_id["P1Q4"].status, by_id["P1Q4"].risk_after) == (Status.ADDED, R.HIGH)
    (pillar,) = compared.pillars
    assert (pillar.name, pillar.high.before, pillar.high.after, pillar.medium.before) == (
        "Pillar one, renamed",
        1,
        1,
        1,
    )


def test_a_comparison_costs_the_same_queries_however_large(changed):
    shared, first = changed
    small = queries_of(lambda: compare(shared.workload, first))
    grow(shared)
    later = save(shared, "Grown")
    answer_all(shared, {"MLOPS03": {"selected_choices": ["MLOPS03_no"]}})
    large = queries_of(lambda: compare(shared.workload, later))
    # lens reviews and answers of each state, the titles of the choices added or removed
    assert small == large == 5
    assert queries_of(lambda: compare(shared.workload, later, later)) == 4  # no practice changed


# --- which states -------------------------------------------------------------------------------


def states(workload, base=None, target=None):
    base_state, target_state = compared_states(
        workload=workload, milestones=list(milestones_of(workload)), base=base, target=target
    )
    number = lambda state: None if state.milestone is None else state.milestone.number  # noqa: E731
    return number(base_state), number(target_state)


def test_the_defaults_are_the_two_newest_milestones_or_the_newest_and_now(shared_workload):
    workload = shared_workload.workload
    with pytest.raises(InvalidInput) as refused:
        states(workload)
    assert list(refused.value.errors) == ["base"]
    save(shared_workload, "One")
    assert states(workload) == (1, None)
    save(shared_workload, "Two")
    save(shared_workload, "Three")
    assert states(workload) == (2, 3)
    assert states(workload, base="1") == (1, None)
    assert states(workload, target="current") == (3, None)
    assert states(workload, target="2") == (1, 2)
    assert states(workload, base="3", target="1") == (3, 1)
    assert states(workload, base=" 2 ", target="") == (2, None)


@pytest.mark.parametrize(
    ("base", "target", "fields"),
    [
        ("x", None, ["base"]),
        ("0", None, ["base"]),
        ("-1", None, ["base"]),
        ("²", None, ["base"]),
        ("2147483648", None, ["base"]),  # past a milestone number's 32 bits
        ("current", None, ["base"]),
        (None, "latest", ["target"]),
        ("1.5", "now", ["base", "target"]),
        (None, "1", ["base"]),  # the first milestone has none before it
    ],
)
def test_a_value_that_is_not_a_milestone_number_names_its_field(shared_workload, base, target, fields):
    save(shared_workload, "One")
    save(shared_workload, "Two")
    with pytest.raises(InvalidInput) as refused:
        states(shared_workload.workload, base, target)
    assert sorted(refused.value.errors) == fields


@pytest.mark.parametrize(("base", "target"), [("9", None), ("1", "9"), ("999999999", "current")])
def test_a_number_without_a_milestone_is_not_found(shared_workload, base, target):
    save(shared_workload, "One")
    with pytest.raises(Http404):
        states(shared_workload.workload, base, target)


def test_states_are_labelled_for_the_pages(shared_workload):
    first = save(shared_workload, "Before launch")
    assert state_label(ReviewState(shared_workload.workload, first)) == "Milestone 1 · Before launch"
    assert state_label(ReviewState(shared_workload.workload)) == "Now"
