"""Tracking a question's improvement: status, owner, due date and note, in one transaction with its
event. The item is made the first time someone tracks the question; a write names the version it
started from, and a newer stored version refuses it (StaleItem, 409), as answers do.

Callers have checked that the actor may take Action.ANSWER on the workload (owner, contributor).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from mlwa import error_codes
from mlwa.errors import InvalidInput, StaleItem
from reviews.models import Answer, ImprovementItem, LensReview, Workload, WorkloadEvent
from reviews.selectors.improvements import improvement_owner_choices
from reviews.services.events import event_record

#: The fields of an item that a write may change.
ITEM_FIELDS = ("status", "owner", "due_date", "note")
OWNER_REFUSED = "Choose the workload's owner or one of its contributors, or nobody."
_LABELS = {"status": "status", "owner": "owner", "due_date": "due date", "note": "note"}


def _check_question(workload: Workload, lens_alias: str, question_id: str) -> None:
    """The question must be one of the applied lens's: InvalidInput naming the path part at fault.
    One query (two when refused)."""
    exists = Answer.objects.filter(
        lens_review__workload=workload, lens_review__lens__alias=lens_alias, question__question_id=question_id
    ).exists()
    if exists:
        return
    if not LensReview.objects.filter(workload=workload, lens__alias=lens_alias).exists():
        raise InvalidInput(
            {"lens_alias": f"No lens with the alias {lens_alias!r} is applied to this workload."},
            code=error_codes.UNKNOWN_REFERENCE,
        )
    raise InvalidInput(
        {"question_id": f"The lens {lens_alias!r} has no question {question_id!r}."},
        code=error_codes.UNKNOWN_REFERENCE,
    )


def _clean_owner(value: int | None, item: ImprovementItem, workload: Workload) -> User | None:
    """The owner named: None, or a user who may own the item (else `unknown_reference`). The stored
    owner stays acceptable even after losing their share, so that a form posted whole still saves."""
    if value is None:
        return None
    if value == item.owner_id:
        return item.owner
    owner = improvement_owner_choices(workload).filter(pk=value).first()
    if owner is None:
        raise InvalidInput({"owner": OWNER_REFUSED}, code=error_codes.UNKNOWN_REFERENCE)
    return owner


def _cleaned(changes: Mapping[str, Any], item: ImprovementItem, workload: Workload) -> dict[str, Any]:
    """`changes` (validated) as the item's field values: the owner as a user."""
    cleaned = {name: changes[name] for name in ITEM_FIELDS if name in changes}
    if "owner" in cleaned:
        cleaned["owner"] = _clean_owner(cleaned["owner"], item, workload)
    return cleaned


def _shown(name: str, value: Any) -> Any:
    """A field's value as the event keeps it (JSON): the owner's username, the date in ISO form."""
    if name == "owner":
        return value.get_username() if value is not None else None
    if name == "due_date":
        return value.isoformat() if value is not None else None
    return value


def _locked(workload: Workload, lens_alias: str, question_id: str) -> ImprovementItem | None:
    return (
        ImprovementItem.objects.select_for_update(of=("self",))
        .select_related("owner", "updated_by")
        .filter(workload=workload, lens_alias=lens_alias, question_id=question_id)
        .first()
    )


@transaction.atomic
def improvement_item_update(
    *,
    workload: Workload,
    lens_alias: str,
    question_id: str,
    actor: User,
    changes: Mapping[str, Any],
    expected_version: int | None,
) -> ImprovementItem:
    """Write `changes` (validated, as reviews.api.improvement_serializers.ImprovementUpdateSerializer
    gives them: a subset of ITEM_FIELDS, status, owner as a user's pk or None, due_date as a date or
    None, note) to the tracking of `question_id` of the lens `lens_alias`,
    making the item the first time. The question must be one of the applied lens version's
    (InvalidInput naming `lens_alias` or `question_id`); the owner, the workload's owner or a
    contributor (directly or through a group).

    `expected_version` is the item's version the writer started from (0 for an item not made yet):
    if the stored item is at another, StaleItem (409) is raised with it and nothing changes. None
    writes without that check (the API without If-Match or `version`). A write that changes nothing
    is not recorded (and makes no item). Logs IMPROVEMENT_TRACKED with each field before and after."""
    _check_question(workload, lens_alias, question_id)
    item = _locked(workload, lens_alias, question_id) or ImprovementItem(
        workload=workload, lens_alias=lens_alias, question_id=question_id
    )
    if expected_version is not None and item.version != expected_version:
        raise StaleItem(item, expected_version)
    cleaned = _cleaned(changes, item, workload)
    before = {name: getattr(item, name) for name in cleaned}
    changed = {name: value for name, value in cleaned.items() if before[name] != value}
    if not changed:
        return item
    for name, value in changed.items():
        setattr(item, name, value)
    item.version += 1
    item.updated_by = actor
    item.updated_by_name = None  # the names a restored item kept (reviews.backup) give way
    if "owner" in changed:
        item.owner_name = None
    item.updated_at = timezone.now()
    if item.pk is None:
        try:
            with transaction.atomic():  # a savepoint: someone else may make the item at the same time
                item.save()
        except IntegrityError:
            current = _locked(workload, lens_alias, question_id)
            if current is None:
                raise
            if expected_version is not None:
                raise StaleItem(current, expected_version) from None
            # Written without a version check: apply the same changes to the item just made.
            return improvement_item_update(
                workload=workload,
                lens_alias=lens_alias,
                question_id=question_id,
                actor=actor,
                changes=changes,
                expected_version=None,
            )
    else:
        item.save()
    event_record(
        workload=workload,
        actor=actor,
        kind=WorkloadEvent.Kind.IMPROVEMENT_TRACKED,
        summary=f"Improvement of {question_id} ({lens_alias}): "
        + ", ".join(_LABELS[name] for name in changed)
        + " changed.",
        lens=lens_alias,
        question=question_id,
        version=item.version,
        changes={
            name: {"before": _shown(name, before[name]), "after": _shown(name, value)}
            for name, value in changed.items()
        },
    )
    return item


#: The most items one bulk change takes: a page's worth, and a bound on the request's time.
BULK_MAX = 500


@dataclass(frozen=True)
class ItemRef:
    """An item of a bulk change as the person saw it: its question, and the version shown (0 for a
    question nobody tracked yet)."""

    lens_alias: str
    question_id: str
    version: int


@dataclass
class BulkOutcome:
    """What a bulk change did: the items written, those already at the status (left as they
    were), and those that changed since they were shown (left alone, with the stored item)."""

    written: list[ImprovementItem] = field(default_factory=list)
    unchanged: list[ImprovementItem] = field(default_factory=list)
    stale: list[tuple[ItemRef, ImprovementItem]] = field(default_factory=list)


def _check_refs(workload: Workload, refs: list[ItemRef]) -> None:
    """Every ref names a question of an applied lens, each once: else InvalidInput naming `items`,
    before anything is written. One query."""
    if not refs:
        raise InvalidInput({"items": "Select at least one item."}, code=error_codes.INVALID)
    if len(refs) > BULK_MAX:
        raise InvalidInput({"items": f"At most {BULK_MAX} items at once."}, code=error_codes.INVALID)
    keys = [(ref.lens_alias, ref.question_id) for ref in refs]
    if len(set(keys)) != len(keys):
        # A rule the schema cannot write (the same question at two versions): a domain refusal.
        raise InvalidInput({"items": "Each item at most once."}, code=error_codes.REFUSED)
    known = set(
        Answer.objects.filter(
            lens_review__workload=workload,
            lens_review__lens__alias__in={alias for alias, _ in keys},
            question__question_id__in={question for _, question in keys},
        ).values_list("lens_review__lens__alias", "question__question_id")
    )
    unknown = [f"{question} ({alias})" for alias, question in keys if (alias, question) not in known]
    if unknown:
        raise InvalidInput(
            {"items": "No such question in the lenses applied: " + ", ".join(unknown) + "."},
            code=error_codes.UNKNOWN_REFERENCE,
        )


def improvement_items_set_status(
    *, workload: Workload, actor: User, status: str, items: list[ItemRef]
) -> BulkOutcome:
    """Set `status` (validated) on each of `items`, each written at the version it names: an item
    changed since is left alone (BulkOutcome.stale), every other one is written.

    The refs are checked first, all of them, so that a bad one changes nothing (InvalidInput naming
    `items`). Then each item is written by improvement_item_update, in a transaction of its own:
    the items are independent (a stale one must not undo the others, so one transaction for all
    would need a savepoint per item anyway), each row is locked only for its own write (two bulk
    changes crossing the same items cannot deadlock), and each write records its own
    IMPROVEMENT_TRACKED event, as a change through the item's form would."""
    _check_refs(workload, items)
    outcome = BulkOutcome()
    for ref in items:
        try:
            item = improvement_item_update(
                workload=workload,
                lens_alias=ref.lens_alias,
                question_id=ref.question_id,
                actor=actor,
                changes={"status": status},
                expected_version=ref.version,
            )
        except StaleItem as stale:
            outcome.stale.append((ref, stale.current))
            continue
        (outcome.written if item.version > ref.version else outcome.unchanged).append(item)
    return outcome
