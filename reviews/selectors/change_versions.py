"""Which lens version each change of an answer was made on, and that version's practice titles, for
the answer's history (issue 16): a practice renamed in a newer version keeps its old title in the
changes made before the review moved to it.

A change records its version (AnswerChange.lens_version) since migration 0010. One without (older,
restored from a backup, or its version deleted since) takes the version the review was on at the
time, read from the workload's upgrade events: the version an upgrade came from, for a change made
before that upgrade; the version it went to, for the change the upgrade itself made; the review's
version now, after the last upgrade. A version not found (deleted since) gives today's titles,
marked as such."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from lens.models import Choice, LensVersion
from reviews.models import AnswerChange, LensReview, WorkloadEvent

#: The note of the changes a lens upgrade makes (reviews.services.upgrades): it names the version.
UPGRADE_NOTE = "Lens upgraded to "


@dataclass(frozen=True, slots=True)
class Upgrade:
    """One LENS_UPGRADED event of a review's lens: when, from which version label to which."""

    at: datetime
    from_label: str
    to_label: str


@dataclass(frozen=True, slots=True)
class ChangeTitles:
    """The practice titles (choice id to title) to describe one change with, and its version."""

    titles: dict[str, str]
    version_label: str  # "" when unknown
    current_titles: bool  # the version is unknown: these are today's titles


def version_label_at(
    *, changed_at: datetime, note: str, upgrades: Sequence[Upgrade], current_label: str
) -> str:
    """The label of the version a review was on when a change was made (`upgrades` oldest first).
    Migration 0010 keeps a copy of this rule: change both together."""
    if note.startswith(UPGRADE_NOTE):
        return note.removeprefix(UPGRADE_NOTE)
    for upgrade in upgrades:
        if upgrade.at > changed_at:
            return upgrade.from_label
    return current_label


def _upgrades(lens_review: LensReview) -> list[Upgrade]:
    """The review's lens's upgrades on its workload, oldest first (one query)."""
    events = WorkloadEvent.objects.filter(
        workload_id=lens_review.workload_id,
        kind=WorkloadEvent.Kind.LENS_UPGRADED,
        data__lens=lens_review.lens.alias,
    ).order_by("at", "pk")
    return [
        Upgrade(at, str(data.get("from_version", "")), str(data.get("to_version", "")))
        for at, data in events.values_list("at", "data")
        if isinstance(data, dict)
    ]


def _derived_versions(changes: Sequence[AnswerChange], lens_review: LensReview) -> dict[int, int | None]:
    """The version (pk) of each change that records none, from the upgrade events (two queries)."""
    upgrades = _upgrades(lens_review)
    by_label = dict(
        LensVersion.objects.filter(lens_id=lens_review.lens_id).exclude(label="").values_list("label", "pk")
    )
    current_label = lens_review.lens_version.label
    return {
        change.pk: by_label.get(
            version_label_at(
                changed_at=change.changed_at, note=change.note, upgrades=upgrades, current_label=current_label
            )
        )
        for change in changes
    }


def change_titles(
    *, changes: Sequence[AnswerChange], lens_review: LensReview, question_id: str
) -> list[ChangeTitles]:
    """For each change, the titles of the practices of question `question_id` in the lens version it
    was made on. Queries, whatever the number of changes and versions: one for the titles of every
    version needed, and two more (upgrade events, the lens's versions) only if a change records no
    version. A practice missing from a change's version takes today's title."""
    recorded = {change.pk: change.lens_version_id for change in changes}
    missing = [change for change in changes if change.lens_version_id is None]
    if missing:
        recorded |= _derived_versions(missing, lens_review)
    current = lens_review.lens_version_id
    needed = {version for version in recorded.values() if version is not None} | {current}
    titles: dict[int, dict[str, str]] = defaultdict(dict)
    labels: dict[int, str] = {}
    rows = Choice.objects.filter(version_id__in=needed, question__question_id=question_id).values_list(
        "version_id", "version__label", "choice_id", "title"
    )
    for version, label, choice_id, title in rows:
        titles[version][choice_id] = title
        labels[version] = label
    today = titles[current]
    result = []
    for change in changes:
        known = recorded[change.pk]
        if known is None:
            result.append(ChangeTitles(today, "", current_titles=True))
        else:
            result.append(ChangeTitles(today | titles[known], labels.get(known, ""), current_titles=False))
    return result
