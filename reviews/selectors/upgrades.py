"""What upgrading a lens review would do, for the page that asks the owner to confirm it: the
difference between the review's version and the newest, and what happens to the review's answers
(reviews.services.upgrades says how they are carried over).

Newer versions of a lens are offered to a review only while the workload's owner may see the lens
(lens.selectors.lens_visibility): once its owner stops sharing it with them, the review keeps the
version it has, and no page or API response shows, offers or names a newer one. Every read of "the
newest version" for a review goes through `newest_version`, `with_newest_version` or
`lens_offered`, which say so."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Case, CharField, F, IntegerField, OuterRef, QuerySet, Subquery, When

from lens.diff import Change, Status, version_diff
from lens.models import Lens, LensVersion
from lens.selectors import lens_visibility, version_document
from reviews.carry_over import UpgradeTarget, carried_state, upgrade_target
from reviews.models import Answer, LensReview
from reviews.selectors.milestones import milestone_free_name


@dataclass(frozen=True)
class LostAnswer:
    """An answered question that the new version no longer has: its answer goes (the milestone
    saved first keeps it)."""

    question_id: str
    title: str
    risk: str


@dataclass(frozen=True)
class DroppedPractice:
    """A practice the review selected or marked not applicable that the new version's question no
    longer offers: it is dropped from the answer, whose risk is then evaluated again."""

    question_id: str
    choice_id: str
    title: str


@dataclass(frozen=True)
class RiskChange:
    """An answered question in both versions whose risk the upgrade changes, as the carry-over
    will evaluate it (reviews.carry_over.carried_state): the risks before and after
    (Answer.Risk values)."""

    question_id: str
    title: str
    before: str
    after: str

    @property
    def before_label(self) -> str:
        return str(Answer.Risk(self.before).label)

    @property
    def after_label(self) -> str:
        return str(Answer.Risk(self.after).label)

    def as_dict(self) -> dict:
        return {
            "question_id": self.question_id,
            "title": self.title,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True)
class UpgradePreview:
    """The review, the version it would be upgraded to (None: it is on the newest), the version
    difference, the milestone name that would be used, and what happens to the answers."""

    review: LensReview
    target: LensVersion | None
    changes: tuple[Change, ...] = ()
    milestone_name: str = ""
    questions_added: int = 0
    questions_removed: int = 0
    lost_answers: tuple[LostAnswer, ...] = ()
    dropped_practices: tuple[DroppedPractice, ...] = ()
    dropped_pillar_notes: tuple[str, ...] = ()
    risk_changes: tuple[RiskChange, ...] = ()


def lens_offered(review: LensReview) -> bool:
    """Whether the review's workload owner may see its lens, so that its newer versions are offered
    to the review. One query (the review's workload loaded)."""
    return Lens.objects.filter(lens_visibility(review.workload.owner_id), pk=review.lens_id).exists()


def newest_version(review: LensReview) -> LensVersion | None:
    """The lens's newest published version if it is newer than the review's and the workload's
    owner may see the lens, else None. One query (the review's workload loaded)."""
    newest = (
        LensVersion.objects.filter(lens_id=review.lens_id, status=LensVersion.Status.PUBLISHED)
        .filter(lens_visibility(review.workload.owner_id, lens="lens"))
        .defer("source", "warnings")  # its content is read from its rows (lens.rows.load_document)
        .order_by("-published_at", "-pk")
        .first()
    )
    return newest if newest is not None and newest.pk != review.lens_version_id else None


def with_newest_version(reviews: QuerySet, *, owner: User | int | str) -> QuerySet:
    """`reviews` (LensReview rows, or a milestone's MilestoneLensReview rows) with `newest_pk` and
    `newest_label`: the lens's newest published version while the workload's owner `owner` (a user
    or a pk; as a str, the path to each row's owner) may see the lens, else the review's own version,
    so that nothing newer shows. In the rows' own query: subqueries, no query more."""
    newest = LensVersion.objects.filter(
        lens=OuterRef("lens_id"), status=LensVersion.Status.PUBLISHED
    ).order_by("-published_at", "-pk")
    offered = lens_visibility(owner, lens="lens")
    return reviews.annotate(
        newest_pk=Case(
            When(offered, then=Subquery(newest.values("pk")[:1])),
            default=F("lens_version_id"),
            output_field=IntegerField(),
        ),
        newest_label=Case(
            When(offered, then=Subquery(newest.values("label")[:1])),
            default=F("lens_version__label"),
            output_field=CharField(),
        ),
    )


def upgrade_preview(review: LensReview) -> UpgradePreview:
    """What upgrading `review` (with its lens and version loaded) to the newest version would do.
    Nothing to upgrade to (target None) when the workload's owner may not see the lens.
    A fixed number of queries: the newest version (1); then both versions' content (5 each), the
    new version's questions, choices, rules and pillars as the carry-over reads them (4), the
    review's answers (1) and the milestone names taken (1)."""
    target = newest_version(review)
    if target is None:
        return UpgradePreview(review=review, target=None)
    changes = tuple(version_diff(version_document(review.lens_version), version_document(target)))
    rows = review.answers.order_by("question__pillar__position", "question__position").values_list(
        "question__question_id",
        "selected_choices",
        "not_applicable_choices",
        "risk",
        "question__title",
        "is_applicable",
    )
    answers = {
        question_id: (selected, not_applicable, risk, title)
        for question_id, selected, not_applicable, risk, title, _applicable in rows
    }
    removed = {c.question_id for c in changes if c.kind == "question" and c.status == Status.DELETED}
    lost = tuple(
        LostAnswer(question_id, title, risk)
        for question_id, (_selected, _na, risk, title) in answers.items()
        if question_id in removed and risk != "UNANSWERED"
    )
    dropped = []
    for change in changes:
        if change.kind != "choice" or change.status != Status.DELETED or change.question_id in removed:
            continue
        assert change.question_id is not None  # a choice's change names its question and choice
        assert change.choice_id is not None
        selected, not_applicable, _risk, _title = answers.get(change.question_id, ((), {}, "", ""))
        if change.choice_id in selected or change.choice_id in not_applicable:
            dropped.append(DroppedPractice(change.question_id, change.choice_id, change.title))
    gone_pillars = {c.pillar_id for c in changes if c.kind == "pillar" and c.status == Status.DELETED}
    return UpgradePreview(
        review=review,
        target=target,
        changes=changes,
        milestone_name=milestone_free_name(
            workload=review.workload, name=f"Before upgrade to {target.label}"
        ),
        questions_added=sum(c.kind == "question" and c.status == Status.NEW for c in changes),
        questions_removed=len(removed),
        lost_answers=lost,
        dropped_practices=tuple(dropped),
        dropped_pillar_notes=tuple(sorted(p for p in review.pillar_notes if p in gone_pillars)),
        risk_changes=_risk_changes(rows, upgrade_target(target)),
    )


def _risk_changes(rows: Iterable[tuple], target: UpgradeTarget) -> tuple[RiskChange, ...]:
    """The answered questions in both versions whose risk the carry-over changes, in the lens's
    order: each answer's state carried over by the function the carry-over itself uses, so that
    the page says what the upgrade will do, rule for rule. No query."""
    found = []
    for question_id, selected, not_applicable, risk, title, applicable in rows:
        if risk == Answer.Risk.UNANSWERED or question_id not in target.facts:
            continue  # unanswered stays unanswered; a question that goes is a lost answer
        before = {"selected_choices": selected, "not_applicable_choices": not_applicable, "risk": risk}
        after = carried_state(before | {"is_applicable": applicable}, target.facts[question_id])
        if after["risk"] != risk:
            found.append(RiskChange(question_id, title, risk, after["risk"]))
    return tuple(found)
