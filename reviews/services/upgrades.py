"""Lens upgrades: a lens review moved to a newer published version of its lens (LENS_FORMAT.md).

The carry-over (`_carry_over`; answer by answer, `reviews.carry_over.carried_state`) moves a review's
answers across by question id and choice id:

- an answer whose question is in the new version keeps its row, its version and its history: its
  `question` is pointed at the new version's Question row (the answer-count trigger of migration
  0005 moves its count from the old pillar row to the new one). Only the selected and
  not-applicable choice ids the new question still has are kept, in its order, and the risk is
  evaluated again with the new question's rules. If a stored field changes, the answer's version
  is bumped and an AnswerChange says "Lens upgraded to <label>", so that an editor who started
  from the old version is refused as stale rather than silently overwriting; otherwise it is only
  moved;
- an answer whose question is gone is deleted, with its history;
- a question new in the version gets an unanswered answer;
- the notes of pillars that are gone are dropped, and so are the (empty) count rows of the old
  version's pillars.

The new version's content is loaded once, however many reviews move to it
(reviews.carry_over).

Two ways in, both logged as LENS_UPGRADED on the workload:

- publishing a MINOR version moves the reviews of its major line to it automatically, except those
  whose workload's owner may no longer see the lens, which keep their version
  (`reviews_follow_minor_version`, a receiver of `lens.signals.version_published`, inside the
  publishing transaction: if a move fails, nothing is published);
- the owner upgrades one review to a newer version (`lens_review_upgrade`), after a milestone
  "Before upgrade to <label>" that keeps the review as it was.

Locks, in the order every writer of the workload takes them (so that none waits for another in a
circle): the workload row, then the lens review rows, then the answers.
"""

from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from lens.models import LensVersion
from lens.selectors import lens_visibility
from mlwa import error_codes
from mlwa.errors import InvalidInput
from reviews.carry_over import UpgradeTarget, carried_state, upgrade_target
from reviews.models import (
    Answer,
    AnswerChange,
    LensReview,
    Milestone,
    PillarRiskCounts,
    Workload,
    WorkloadEvent,
)
from reviews.selectors.milestones import milestone_free_name
from reviews.services.answers import ANSWER_FIELDS, answer_state
from reviews.services.events import event_record
from reviews.services.milestones import milestone_create

#: The fields a carry-over may change (besides the question), and what it writes for those it changes.
_WRITTEN = (
    "question",
    "selected_choices",
    "not_applicable_choices",
    "risk",
    "version",
    "updated_by",
    "updated_by_name",
    "updated_at",
    "restored_by",
    "restored_at",
)
#: What a carry-over reads of an answer (besides its review and question id).
_READ: tuple[str, ...] = (*ANSWER_FIELDS, "risk", "version", "updated_by_id", "updated_by_name", "updated_at")
_READ += ("restored_by_id", "restored_at")  # written back as read unless the carry-over changes it
#: The version's large fields, which nothing here reads.
_LARGE = ("source", "extra", "warnings", "description")


@dataclass(frozen=True)
class UpgradeSummary:
    """What a carry-over changed: questions carried over (in both versions), added (new: an
    unanswered answer each), removed (gone: their answers deleted, `removed_answered` of them
    answered), answers whose stored fields changed (`answers_changed`, versions bumped) and, of
    those, whose risk changed; the pillars whose notes were dropped."""

    lens: str
    from_version: str
    to_version: str
    version_kind: str
    carried: int = 0
    added: int = 0
    removed: int = 0
    removed_answered: int = 0
    answers_changed: int = 0
    risk_changed: int = 0
    dropped_pillar_notes: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return asdict(self) | {"dropped_pillar_notes": list(self.dropped_pillar_notes)}

    def sentence(self) -> str:
        """What changed, in a sentence for people."""
        text = (
            f"{self.carried} question{'s' if self.carried != 1 else ''} carried over, {self.added} added, "
            f"{self.removed} removed ({self.removed_answered} of them answered); "
            f"{self.answers_changed} answer{'s' if self.answers_changed != 1 else ''} changed, "
            f"{self.risk_changed} with a new risk"
        )
        if self.dropped_pillar_notes:
            text += f"; notes dropped for {', '.join(self.dropped_pillar_notes)}"
        return text + "."


def _carry_over(*, review: LensReview, target: UpgradeTarget, actor: User | None) -> UpgradeSummary:
    """Move `review` (locked by the caller, with its version loaded) to `target`'s version, as the
    module's docstring says. A constant number of queries: the answers (read under a row lock),
    one bulk update of those carried, one delete of those gone (and their history), one insert of
    the new ones and one of the audit trail, the review, and the old pillars' count rows."""
    old_version = review.lens_version
    new_version = target.version
    note = f"Lens upgraded to {new_version.label}"
    now = timezone.now()
    answers = list(
        Answer.objects.filter(lens_review=review)
        .select_for_update(of=("self",))
        .select_related("question")
        .only("lens_review_id", "question__question_id", *_READ)
        .order_by("pk")
    )
    carried, gone, changes = [], [], []
    removed_answered = risk_changed = 0
    seen = set()
    for answer in answers:
        question_id = answer.question.question_id
        if question_id not in target.questions:
            gone.append(answer.pk)
            removed_answered += answer.is_answered
            continue
        seen.add(question_id)
        before = answer_state(answer)
        after = carried_state(before, target.facts[question_id])
        answer.question_id = target.questions[question_id][0]
        carried.append(answer)
        if after == before:
            continue  # only moved: same row, same version
        answer.selected_choices = after["selected_choices"]
        answer.not_applicable_choices = after["not_applicable_choices"]
        answer.risk = after["risk"]
        answer.version += 1
        answer.updated_by = actor
        answer.updated_by_name = None  # the name a restored answer kept (reviews.backup) gives way
        answer.restored_by = answer.restored_at = None  # and it is no longer a restored answer
        answer.updated_at = now
        risk_changed += after["risk"] != before["risk"]
        changes.append(
            AnswerChange(
                answer=answer,
                kind=AnswerChange.Kind.CHANGED,
                version=answer.version,
                changed_by=actor,
                changed_at=now,
                before=before,
                after=after,
                note=note,
                lens_version=new_version,  # the answer is on the new version's question now
            )
        )
    if gone:
        Answer.objects.filter(pk__in=gone).delete()
    if carried:
        Answer.objects.bulk_update(carried, list(_WRITTEN))
    new = [pk for question_id, (pk, _pillar) in target.questions.items() if question_id not in seen]
    Answer.objects.bulk_create(Answer(lens_review=review, question_id=pk) for pk in new)
    AnswerChange.objects.bulk_create(changes)

    dropped = tuple(sorted(pillar for pillar in review.pillar_notes if pillar not in target.pillar_ids))
    review.pillar_notes = {p: text for p, text in review.pillar_notes.items() if p in target.pillar_ids}
    review.lens_version = new_version
    LensReview.objects.filter(pk=review.pk).update(lens_version=new_version, pillar_notes=review.pillar_notes)
    # Every answer has left the old version's pillars: their rows count nothing now, and would keep
    # the old version from being deleted (PROTECT).
    PillarRiskCounts.objects.filter(lens_review=review).exclude(pillar__version=new_version).delete()
    return UpgradeSummary(
        lens=review.lens.alias,
        from_version=old_version.label,
        to_version=new_version.label,
        version_kind=new_version.kind,
        carried=len(carried),
        added=len(new),
        removed=len(gone),
        removed_answered=removed_answered,
        answers_changed=len(changes),
        risk_changed=risk_changed,
        dropped_pillar_notes=dropped,
    )


def _log(
    *,
    workload: Workload,
    actor: User | None,
    summary: UpgradeSummary,
    name: str,
    milestone: Milestone | None = None,
) -> None:
    """The LENS_UPGRADED event: automatic (a minor version published) or the owner's (after a
    milestone), from which version to which, and what changed."""
    versions = f"{name} from version {summary.from_version} to {summary.to_version}"
    if milestone is None:
        text = f"Moved {versions}, a minor version of the same line, published: {summary.sentence()}"
    else:
        kind = LensVersion.Kind(summary.version_kind).label.lower()
        text = (
            f"Upgraded {versions} ({kind} version), after saving milestone {milestone.number} "
            f"“{milestone.name}”: {summary.sentence()}"
        )
    event_record(
        workload=workload,
        actor=actor,
        kind=WorkloadEvent.Kind.LENS_UPGRADED,
        summary=text,
        **summary.as_dict(),
        automatic=milestone is None,
        milestone=milestone.number if milestone else None,
    )


# --- minor versions: the reviews of the line follow ---------------------------------------------


def _published_before(version: LensVersion) -> QuerySet[LensVersion]:
    return LensVersion.objects.filter(lens_id=version.lens_id, status=LensVersion.Status.PUBLISHED).filter(
        Q(published_at__lt=version.published_at) | Q(published_at=version.published_at, pk__lt=version.pk)
    )


def minor_line_before(version: LensVersion) -> list[LensVersion]:
    """The versions whose reviews a minor `version` takes over: those of its major line published
    before it. That is the newest MAJOR version published before `version` and every version
    published after that one and before `version` (all minor); if no major version came before, every
    version published before it (a lens whose first version was published as minor starts its line
    there). Publication order is `published_at`, then pk. Two queries."""
    earlier = _published_before(version)
    start = earlier.filter(kind=LensVersion.Kind.MAJOR).order_by("-published_at", "-pk").first()
    if start is not None:
        earlier = earlier.filter(
            Q(published_at__gt=start.published_at) | Q(published_at=start.published_at, pk__gte=start.pk)
        )
    return list(earlier.defer(*_LARGE).order_by("published_at", "pk"))


def reviews_follow_minor_version(
    sender: object, *, version: LensVersion, actor: User | None = None, **kwargs: Any
) -> None:
    """Receiver of `lens.signals.version_published`: a MINOR version moves every review of the
    lens on a version of its line (`minor_line_before`) whose workload's owner may see the lens to
    it, each logged LENS_UPGRADED on its workload. Runs inside the publishing transaction; an error
    here publishes nothing."""
    if version.kind != LensVersion.Kind.MINOR:
        return
    line = minor_line_before(version)
    if not line:
        return
    # Only the reviews whose workload's owner may still see the lens: the others keep their version
    # (reviews.selectors.upgrades). Filtered in SQL, however many workloads and owners there are.
    on_line = LensReview.objects.filter(lens_id=version.lens_id, lens_version__in=line).filter(
        lens_visibility("workload__owner", lens="lens")
    )
    workload_pks = sorted(set(on_line.values_list("workload_id", flat=True)))
    if not workload_pks:
        return
    workloads = {
        w.pk: w for w in Workload.objects.select_for_update().filter(pk__in=workload_pks).order_by("pk")
    }
    reviews = list(
        on_line.filter(workload_id__in=workloads)
        .select_for_update(of=("self",))
        .select_related("lens", "lens_version")
        .defer(*(f"lens_version__{field}" for field in _LARGE))
        .order_by("pk")
    )
    target = upgrade_target(version)
    for review in reviews:
        name = review.lens_version.name
        summary = _carry_over(review=review, target=target, actor=actor)
        _log(workload=workloads[review.workload_id], actor=actor, summary=summary, name=name)


# --- major versions: the owner upgrades, after a milestone ------------------------------------------


def _is_newer(version: LensVersion, than: LensVersion) -> bool:
    return (version.published_at, version.pk) > (than.published_at, than.pk)


def _requested_version(review: LensReview, version: LensVersion | str | None) -> LensVersion:
    """The version to upgrade to: `version` (a LensVersion or a label), else the newest published;
    InvalidInput naming `version` unless it is a published version of the review's lens newer than
    the one the review is on. While the workload's owner may not see the lens, no version of it is
    offered: the refusals are those of a lens without newer versions, and name none."""
    offered = LensVersion.objects.filter(lens_visibility(review.workload.owner_id, lens="lens"))
    published = offered.filter(status=LensVersion.Status.PUBLISHED).defer(*_LARGE)
    if version is None:
        target = published.filter(lens_id=review.lens_id).order_by("-published_at", "-pk").first()
        if target is None or not _is_newer(target, review.lens_version):
            raise InvalidInput(
                {"version": f"The review is on the newest version ({review.lens_version.label})."},
                code=error_codes.REFUSED,
            )
        return target
    if isinstance(version, LensVersion):
        target = offered.defer(*_LARGE).filter(pk=version.pk).first()
        if target is None or target.lens_id != review.lens_id:
            raise InvalidInput(
                {"version": "Not a version of this review's lens."}, code=error_codes.UNKNOWN_REFERENCE
            )
        if target.status != LensVersion.Status.PUBLISHED:
            raise InvalidInput(
                {"version": "Only a published version can be upgraded to."}, code=error_codes.REFUSED
            )
    elif isinstance(version, str):
        target = published.filter(lens_id=review.lens_id, label=version.strip()).first()
        if target is None:
            raise InvalidInput(
                {"version": f"This lens has no published version {version!r}."},
                code=error_codes.UNKNOWN_REFERENCE,
            )
    else:
        raise InvalidInput({"version": "A published version's label."})
    if not _is_newer(target, review.lens_version):
        raise InvalidInput(
            {
                "version": f"Version {target.label} is not newer than version {review.lens_version.label}, "
                "which the review is on."
            },
            code=error_codes.REFUSED,
        )
    return target


@transaction.atomic
def lens_review_upgrade(
    *, lens_review: LensReview, actor: User, version: LensVersion | str | None = None
) -> tuple[Milestone, LensReview, UpgradeSummary]:
    """Upgrade the review to `version` (a LensVersion or a published label; None: the lens's
    newest published version), which must be a newer published version of its lens (else
    InvalidInput naming `version`, and nothing changes), offered while the workload's owner may see
    the lens. The caller has checked that `actor` owns the workload (Action.EDIT).

    First a milestone "Before upgrade to <label>" (made unique in the workload) keeps the workload
    as it was, then the answers are carried over and the upgrade logged. The workload and the review
    are locked first, so that of two upgrades at once the second waits and is then refused (the
    review is on that version already)."""
    workload = Workload.objects.select_for_update().get(pk=lens_review.workload_id)
    review = (
        LensReview.objects.select_for_update(of=("self",))
        .select_related("lens", "lens_version")
        .defer(*(f"lens_version__{field}" for field in _LARGE))
        .get(pk=lens_review.pk)
    )
    review.workload = workload
    target = _requested_version(review, version)
    name = review.lens_version.name
    milestone = milestone_create(
        workload=workload,
        actor=actor,
        name=milestone_free_name(workload=workload, name=f"Before upgrade to {target.label}"),
    )
    summary = _carry_over(review=review, target=upgrade_target(target), actor=actor)
    _log(workload=workload, actor=actor, summary=summary, name=name, milestone=milestone)
    return milestone, review, summary
