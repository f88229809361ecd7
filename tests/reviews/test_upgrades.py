"""Lens upgrades (reviews.services.upgrades): a minor version takes the reviews of its line with it
when it is published; the owner upgrades to a major version after a milestone. Answers carry over by
question id and choice id, risks follow the new rules, and a comparison across the upgrade shows
what that did. The lens and its answers are tests/reviews/upgrade_lens.py's."""

import pytest

from lens.models import BUILTIN_ALIAS, Lens, LensVersion
from lens.services import lens_import, lens_publish
from reviews.models import Answer, AnswerChange, LensReview, Milestone, WorkloadEvent
from reviews.selectors.compare import Status, workload_comparison
from reviews.selectors.states import ReviewState
from reviews.services import InvalidInput, StaleAnswer, answer_update, lens_review_apply
from reviews.services.milestones import milestone_create
from reviews.services.upgrades import lens_review_upgrade, minor_line_before
from tests import factories
from tests.reviews.stored import database_state
from tests.reviews.test_pillar_risk_counts import counted, kept
from tests.reviews.upgrade_lens import (
    SUMMARY,
    answers_of,
    assert_on_version_2,
    new_version,
    upgradable,
    version_1,
    version_2,
)

pytestmark = pytest.mark.django_db


# --- the carry-over, through a minor version --------------------------------------------------------


def test_a_minor_version_moves_the_review_and_keeps_every_answer_whose_question_is_left(people):
    owner = people["owner"]
    lens, workload, review = upgradable(owner)
    kept_rows = {
        question_id: review.answers.get(question__question_id=question_id).pk
        for question_id in ("P1Q1", "P1Q2", "P1Q3", "P1Q6", "P2Q2")
    }

    minor = new_version(lens, label="1.1", major=False, actor=owner)

    assert_on_version_2(review, minor)
    for question_id, pk in kept_rows.items():  # the same rows, moved, with their history
        assert review.answers.get(question__question_id=question_id).pk == pk
    assert not Milestone.objects.filter(workload=workload).exists()  # a minor move saves none
    event = WorkloadEvent.objects.filter(workload=workload, kind=WorkloadEvent.Kind.LENS_UPGRADED).get()
    assert (event.actor, event.data["from_version"], event.data["to_version"]) == (owner, "1", "1.1")
    assert (event.data["automatic"], event.data["version_kind"]) == (True, "MINOR")
    assert {name: event.data[name] for name in SUMMARY} == SUMMARY
    assert "from version 1 to 1.1, a minor version" in event.summary


def test_a_changed_answer_gets_a_new_version_and_its_change_says_why(people):
    owner = people["owner"]
    lens, _workload, review = upgradable(owner)
    p1q2 = review.answers.get(question__question_id="P1Q2")
    p1q1 = review.answers.get(question__question_id="P1Q1")

    new_version(lens, label="1.1", major=False, actor=owner)

    change = AnswerChange.objects.filter(answer=p1q2).first()
    assert (change.version, change.changed_by, change.note) == (2, owner, "Lens upgraded to 1.1")
    assert change.before["selected_choices"] == ["P1Q2_BP1", "P1Q2_BP3"]
    assert (change.after["selected_choices"], change.before["risk"], change.after["risk"]) == (
        ["P1Q2_BP1"],
        "NONE",
        "MEDIUM",
    )
    assert AnswerChange.objects.filter(answer=p1q1).count() == 1  # only moved: no change recorded
    # An editor who started from the version before the upgrade is refused, not merged...
    with pytest.raises(StaleAnswer):
        answer_update(answer=p1q2, actor=owner, changes={"notes": "Late."}, expected_version=1)
    # ...while an answer that was only moved takes the write it was at.
    moved = answer_update(
        answer=p1q1, actor=owner, changes={"selected_choices": ["P1Q1_BP1"]}, expected_version=1
    )
    assert (moved.version, moved.risk) == (2, "MEDIUM")


def test_a_minor_version_leaves_other_lenses_alone(people):
    owner = people["owner"]
    builtin = Lens.objects.get(alias=BUILTIN_ALIAS)
    lens, workload, review = upgradable(owner, lenses=[builtin])
    other = factories.imported_lens(owner=owner, document=factories.lens_document("Other lens"))
    lens_review_apply(workload=workload, lens_version=other.versions.get(), actor=owner)
    factories.workload(owner, "Built-in only")
    factories.answered(
        workload.lens_reviews.get(lens=builtin).answers.get(question__question_id="MLOPS01"),
        actor=owner,
        selected_choices=["MLOPS01_BP01"],
    )

    def others():
        return set(
            Answer.objects.exclude(lens_review=review).values_list("pk", "question_id", "version", "risk")
        )

    untouched = others()

    new_version(lens, label="1.1", major=False)

    assert others() == untouched
    assert WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.LENS_UPGRADED).count() == 1


def test_every_review_on_the_line_follows_and_older_lines_stay(people):
    owner = people["owner"]
    lens = factories.imported_lens(owner=owner, document=version_1())
    on_1 = factories.workload(owner, "On 1", lenses=[lens]).lens_reviews.get()
    minor_1 = new_version(lens, label="1.1", major=False, source=version_1())
    pinned = factories.workload(owner, "Pinned at 1", lenses=[])
    pinned_review = lens_review_apply(
        workload=pinned, lens_version=LensVersion.objects.get(lens=lens, label="1"), actor=owner
    )
    new_version(lens, label="2")
    on_2 = factories.workload(owner, "On 2", lenses=[lens]).lens_reviews.get()
    also_on_2 = factories.workload(owner, "Also on 2", lenses=[lens]).lens_reviews.get()

    minor_2 = new_version(lens, label="2.1", major=False)

    versions = {
        review.workload.name: review.lens_version.label
        for review in LensReview.objects.filter(lens=lens).select_related("workload", "lens_version")
    }
    assert versions == {"On 1": "1.1", "Pinned at 1": "1", "On 2": "2.1", "Also on 2": "2.1"}
    assert [v.label for v in minor_line_before(minor_2)] == ["2"]
    assert [v.label for v in minor_line_before(minor_1)] == ["1"]
    for review in LensReview.objects.filter(pk__in=[on_1.pk, pinned_review.pk, on_2.pk, also_on_2.pk]):
        assert review.answers.count() == review.answers.filter(question__version=review.lens_version).count()
    assert kept() == counted()


def test_the_line_of_a_minor_version_starts_at_the_newest_major_before_it(people):
    owner = people["owner"]
    lens = factories.imported_lens(owner=owner, document=version_1(), publish=None)
    lens_publish(lens=lens, label="0.1", major=False)  # a lens may start with a minor version
    second = new_version(lens, label="0.2", major=False, source=version_1())
    assert [v.label for v in minor_line_before(second)] == ["0.1"]
    third = new_version(lens, label="0.3", major=False, source=version_1())
    assert [v.label for v in minor_line_before(third)] == ["0.1", "0.2"]
    new_version(lens, label="1", source=version_1())
    new_version(lens, label="1.1", major=False, source=version_1())
    last = new_version(lens, label="1.2", major=False, source=version_1())
    assert [v.label for v in minor_line_before(last)] == ["1", "1.1"]


def test_when_a_move_fails_nothing_is_published(people, monkeypatch):
    owner = people["owner"]
    lens, workload, review = upgradable(owner)
    lens_import(source=version_2(), owner=owner, alias=lens.alias)
    before = database_state()

    def fail(**kwargs):
        raise RuntimeError("the move failed")

    monkeypatch.setattr("reviews.services.upgrades._carry_over", fail)
    with pytest.raises(RuntimeError):
        lens_publish(lens=lens, label="1.1", major=False)

    assert database_state() == before
    assert LensVersion.objects.get(lens=lens, status=LensVersion.Status.DRAFT).label == ""


# --- major versions: the owner upgrades -------------------------------------------------------------


def test_an_upgrade_saves_a_milestone_first_then_carries_the_answers(people):
    owner = people["owner"]
    lens, workload, review = upgradable(owner)
    major = new_version(lens)
    assert LensReview.objects.get(pk=review.pk).lens_version.label == "1"  # a major version waits

    milestone, upgraded, summary = lens_review_upgrade(lens_review=review, actor=owner)

    assert (milestone.number, milestone.name, upgraded.lens_version) == (1, "Before upgrade to 2", major)
    assert_on_version_2(review, major)
    assert summary.as_dict() == {
        "lens": lens.alias,
        "from_version": "1",
        "to_version": "2",
        "version_kind": "MAJOR",
        **SUMMARY,
    }
    # The milestone keeps the review on version 1, with every answer as it was.
    frozen = milestone.lens_reviews.get()
    assert (frozen.lens_version.label, frozen.pillar_notes) == (
        "1",
        {"pillar1": "Kept.", "pillar2": "Dropped."},
    )
    frozen_answers = dict(frozen.answers.values_list("question__question_id", "risk"))
    assert frozen_answers == {
        "P1Q1": "NONE",
        "P1Q2": "NONE",
        "P1Q3": "MEDIUM",
        "P1Q4": "HIGH",
        "P1Q6": "HIGH",
        "P2Q1": "MEDIUM",
        "P2Q2": "NONE",
    }
    assert (milestone.high, milestone.medium) == (2, 2)
    kinds = list(
        WorkloadEvent.objects.filter(workload=workload).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds[-2:] == ["MILESTONE_SAVED", "LENS_UPGRADED"]
    event = WorkloadEvent.objects.filter(workload=workload).order_by("pk").last()
    assert (event.actor, event.data["milestone"], event.data["automatic"]) == (owner, 1, False)
    assert "from version 1 to 2 (major version)" in event.summary


def test_the_milestone_name_is_made_unique(people):
    owner = people["owner"]
    lens, workload, review = upgradable(owner)
    milestone_create(workload=workload, actor=owner, name="before upgrade to 2")
    new_version(lens)

    milestone, _review, _summary = lens_review_upgrade(lens_review=review, actor=owner)

    assert (milestone.number, milestone.name) == (2, "Before upgrade to 2 (2)")


def test_an_upgrade_to_a_named_version(people):
    owner = people["owner"]
    lens, _workload, review = upgradable(owner)
    second = new_version(lens)
    new_version(lens, label="3", source=version_1())

    _milestone, upgraded, _summary = lens_review_upgrade(lens_review=review, actor=owner, version="2")
    assert upgraded.lens_version == second
    _milestone, upgraded, _summary = lens_review_upgrade(
        lens_review=review, actor=owner, version=LensVersion.objects.get(lens=lens, label="3")
    )
    assert upgraded.lens_version.label == "3"
    assert answers_of(review)["P1Q4"] == ([], {}, "UNANSWERED", 0, "")  # back, and unanswered


def refusals(lens, other_lens):
    draft = lens_import(source=version_1(), owner=lens.owner, alias=lens.alias).version
    return [
        None,  # on the newest already
        "1",  # the version it is on
        "0",  # no such version
        "draft",
        draft,
        other_lens.versions.get(),
        LensVersion.objects.get(lens=lens, label="1"),
        7,
    ]


def test_an_upgrade_to_anything_but_a_newer_published_version_is_refused_and_changes_nothing(people):
    owner = people["owner"]
    lens, _workload, review = upgradable(owner)
    other_lens = factories.imported_lens(owner=owner, document=factories.lens_document("Other lens"))
    cases = refusals(lens, other_lens)
    before = database_state()

    for version in cases:
        with pytest.raises(InvalidInput) as refused:
            lens_review_upgrade(lens_review=review, actor=owner, version=version)
        assert list(refused.value.errors) == ["version"], version

    assert database_state() == before


def test_an_upgrade_twice_is_refused_the_second_time(people):
    owner = people["owner"]
    lens, workload, review = upgradable(owner)
    new_version(lens)
    lens_review_upgrade(lens_review=review, actor=owner)
    before = database_state()

    with pytest.raises(InvalidInput):
        lens_review_upgrade(lens_review=LensReview.objects.get(pk=review.pk), actor=owner)

    assert database_state() == before
    assert workload.milestones.count() == 1


# --- comparing across the upgrade ---------------------------------------------------------------------


def test_the_comparison_of_the_milestone_with_now_shows_what_the_upgrade_did(people):
    owner = people["owner"]
    lens, workload, review = upgradable(owner)
    new_version(lens)
    milestone, _review, _summary = lens_review_upgrade(lens_review=review, actor=owner)

    comparison = workload_comparison(base=ReviewState(workload, milestone), target=ReviewState(workload))

    (compared,) = comparison.lenses
    assert (compared.alias, compared.version_before, compared.version_after, compared.upgraded) == (
        lens.alias,
        "1",
        "2",
        True,
    )
    questions = {q.question_id: q for q in compared.questions}
    assert {question_id: q.status for question_id, q in questions.items()} == {
        "P1Q1": Status.UNCHANGED,
        "P1Q2": Status.REGRESSED,  # NONE → MEDIUM: its no-risk rule needs the new BP4
        "P1Q3": Status.IMPROVED,  # MEDIUM → NONE under the new rules
        "P1Q4": Status.REMOVED,
        "P1Q5": Status.ADDED,
        "P1Q6": Status.IMPROVED,  # HIGH → UNANSWERED: its only practice is gone
        "P2Q1": Status.REMOVED,
        "P2Q2": Status.UNCHANGED,
        "P3Q1": Status.ADDED,
    }
    assert [p.choice_id for p in questions["P1Q2"].practices_removed] == ["P1Q2_BP3"]
    assert (questions["P1Q2"].practices_added, questions["P1Q2"].not_applicable_changed) == ((), False)
    assert [(p.choice_id, p.title) for p in questions["P1Q6"].practices_removed] == [
        ("P1Q6_OLD", "Practice P1Q6_OLD")
    ]
    assert (questions["P1Q3"].risk_before, questions["P1Q3"].risk_after) == ("MEDIUM", "NONE")
    assert (questions["P1Q1"].changed, questions["P2Q2"].changed) == (False, False)
    assert questions["P2Q2"].pillar_id == "pillar1"  # where the target has it
    pillars = {
        p.pillar_id: (p.high.before, p.high.after, p.medium.before, p.medium.after) for p in compared.pillars
    }
    assert pillars == {"pillar1": (2, 0, 1, 1), "pillar2": (0, 0, 1, 0), "pillar3": (0, 0, 0, 0)}
    assert (comparison.high.before, comparison.high.after) == (2, 0)
    assert (comparison.medium.before, comparison.medium.after) == (2, 1)
