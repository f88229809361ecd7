"""Restore: a backup document as a new workload of the person restoring, in one transaction.

The whole document is checked first (reviews.backup.document); then the lenses are found or
imported, and every row is written with bulk inserts. Nothing is written when anything is refused.
The differences from the exported workload are listed in reviews.backup's docstring.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from lens.models import Lens, LensVersion, Pillar, Question
from lens.services import lens_import, lens_publish
from mlwa.errors import InvalidInput
from reviews.backup import document as doc
from reviews.backup import values
from reviews.backup.document import AlreadyRestored, LensFile
from reviews.backup.recompute import RestoreWarning, recompute
from reviews.models import (
    Answer,
    AnswerChange,
    ImprovementItem,
    LensReview,
    Milestone,
    MilestoneAnswer,
    MilestoneLensReview,
    MilestonePillarRiskCounts,
    Workload,
    WorkloadEvent,
)
from reviews.services.events import event_record
from reviews.services.workloads import REGIONS, WORKLOAD_FIELDS, apply_workload_fields

SUFFIX = " (restored)"
ALREADY = "This backup was restored on this instance already; restore it as a copy to have it twice."


@dataclass
class RestoreResult:
    """The new workload, the shares left behind, the lenses imported for it, and the values of the
    document that disagreed with what its answers compute (restored as computed)."""

    workload: Workload
    dropped_shares: list[dict[str, Any]]
    lenses_created: list[str] = field(default_factory=list)
    warnings: list[RestoreWarning] = field(default_factory=list)


def _checked(document: dict) -> dict[str, Any]:
    """Every part of the document, checked and parsed; InvalidInput names the first path at fault."""
    files = doc.lens_files(document)
    reviews: list[Any] = []
    for path, data in values.items(document, "lens_reviews", ""):
        review = doc.review(data, path, files)
        if any(r["lens_file"].alias == review["lens_file"].alias for r in reviews):
            raise InvalidInput({f"{path}.lens_alias": "This lens is reviewed twice."})
        reviews.append(review)
    questions = {(r["lens_file"].alias, q) for r in reviews for q in r["lens_file"].questions}
    trail, versions = [], set()
    for path, data in values.items(document, "audit_trail", ""):
        entry = doc.audit_entry(data, path)
        if (entry["lens_alias"], entry["question_id"]) not in questions:
            raise InvalidInput({f"{path}.question_id": "Not a question of a lens review of the workload."})
        key = (entry["lens_alias"], entry["question_id"], entry["version"])
        if entry["kind"] == AnswerChange.Kind.CHANGED and key in versions:
            raise InvalidInput({f"{path}.version": "This answer has two changes to this version."})
        versions.add(key)
        trail.append(entry)
    milestones, numbers, names = [], set(), set()
    for path, data in values.items(document, "milestones", ""):
        milestone = doc.milestone(data, path, files)
        if milestone["number"] in numbers or milestone["name"].lower() in names:
            raise InvalidInput({f"{path}.number": "Two milestones have this number or this name."})
        numbers.add(milestone["number"])
        names.add(milestone["name"].lower())
        milestones.append(milestone)
    reviewed, items = {r["lens_file"].alias for r in reviews}, []
    for path, data in values.items(document, "improvement_items", ""):
        item = doc.improvement_item(data, path)
        # An item is keyed by its lens's alias: one of a lens not reviewed would wait, unseen, for
        # whichever lens of this instance has that alias (the export leaves such items out).
        if item["lens_alias"] not in reviewed:
            raise InvalidInput({f"{path}.lens_alias": "Not a lens that this backup's workload reviews."})
        items.append(item)
    if len({(i["lens_alias"], i["question_id"]) for i in items}) < len(items):
        raise InvalidInput({"improvement_items": "A question is tracked twice."})
    workload = values.mapping(values.required(document, "workload", ""), "workload")
    return {
        "exported_by": values.person(document, "exported_by", ""),
        "exported_at": values.moment(document, "exported_at", ""),
        "source": document.get("source") if isinstance(document.get("source"), str) else None,
        "workload": workload,
        "created_at": values.moment(workload, "created_at", "workload"),
        "updated_at": values.moment(workload, "updated_at", "workload"),
        "files": files,
        "reviews": reviews,
        "trail": trail,
        "events": [doc.event(data, path) for path, data in values.items(document, "events", "")],
        "milestones": milestones,
        "items": items,
        "shares": [doc.share(data, path) for path, data in values.items(document, "shares", "")],
    }


def _free_name(owner, name: str) -> str:
    """`name`, else `name (restored)`, `name (restored 2)`...: the first the owner has not taken."""
    taken = {n.lower() for n in Workload.objects.filter(owner=owner).values_list("name", flat=True)}
    candidate, n = name, 1
    while candidate.lower() in taken:
        suffix = SUFFIX if n == 1 else f" (restored {n})"
        candidate = name[: 100 - len(suffix)] + suffix
        n += 1
    return candidate


#: A schema_version 1 document's workload fields: all but AWS's properties added in version 2.
V1_WORKLOAD_FIELDS = tuple(
    name
    for name in WORKLOAD_FIELDS
    if name not in ("industry_type", "aws_regions", "non_aws_regions", "account_ids", "applications")
)


def _workload(user, checked: dict, document_id: uuid.UUID | None) -> Workload:
    """The new workload, its fields checked by the same rules as any workload's."""
    data = checked["workload"]
    # A schema_version 1 document has `regions` in one list and none of AWS's other properties.
    names = [*WORKLOAD_FIELDS] if "regions" not in data else [*V1_WORKLOAD_FIELDS, REGIONS]
    fields = {name: values.required(data, name, "workload") for name in names}
    if isinstance(fields["name"], str):
        fields["name"] = _free_name(user, fields["name"].strip())
    workload = Workload(owner=user)
    try:
        apply_workload_fields(workload, fields, check_rules=False)
    except InvalidInput as error:
        raise InvalidInput(
            {f"workload.{name}": messages for name, messages in error.errors.items()}
        ) from None
    workload.restored_from_document = document_id
    return workload


def _lenses(user, files: dict[tuple[str, str], LensFile]) -> tuple[dict, list[str]]:
    """The published version for each (alias, hash) of the document, and the aliases imported.

    Each lens of the document becomes one lens here: one the user may see that has a published
    version of every content hash needed (the same alias first), else a new lens of theirs with
    those versions imported and published. A lens they may not see is never used, even with the
    same content: a copy of their own is the safe choice."""
    by_alias: dict[str, list[LensFile]] = {}
    for lens_file in files.values():
        by_alias.setdefault(lens_file.alias, []).append(lens_file)
    found = (
        LensVersion.objects.filter(
            status=LensVersion.Status.PUBLISHED,
            content_hash__in={f.content_hash for f in files.values()},
            lens__in=Lens.objects.visible_to(user),
        )
        .select_related("lens")
        .defer("source")
        .order_by("published_at", "pk")
    )
    by_lens: dict[Lens, dict[str, LensVersion]] = {}
    for version in found:
        by_lens.setdefault(version.lens, {})[version.content_hash] = version  # the latest wins
    resolved, created, used = {}, [], set()
    for alias, needed in by_alias.items():
        hashes = {f.content_hash for f in needed}
        fits = [lens for lens, versions in by_lens.items() if hashes <= set(versions) and lens.pk not in used]
        fits.sort(key=lambda lens: (lens.alias != alias, lens.owner_id is not None, lens.pk))
        if fits:
            lens = fits[0]
            versions = by_lens[lens]
        else:
            lens, versions = None, {}
            for lens_file in sorted(needed, key=lambda f: f.published_at):
                imported = lens_import(
                    source=lens_file.source,
                    owner=user,
                    alias=lens.alias if lens else None,
                    created_by=user,
                )
                lens = imported.lens
                versions[lens_file.content_hash] = lens_publish(
                    lens=lens,
                    label=lens_file.label,
                    major=lens_file.kind == LensVersion.Kind.MAJOR,
                    actor=user,
                )
            created.append(lens.alias)  # type: ignore[union-attr]  # imported or found above
        used.add(lens.pk)  # type: ignore[union-attr]
        for lens_file in needed:
            resolved[alias, lens_file.content_hash] = versions[lens_file.content_hash]
    return resolved, created


def _rows_of(versions) -> tuple[dict, dict]:
    """(version pk, question id) → Question pk, and (version pk, pillar id) → Pillar pk."""
    pks = {v.pk for v in versions}
    questions = {
        (version, qid): pk
        for pk, version, qid in Question.objects.filter(version__in=pks).values_list(
            "pk", "version_id", "question_id"
        )
    }
    pillars = {
        (version, pid): pk
        for pk, version, pid in Pillar.objects.filter(version__in=pks).values_list(
            "pk", "version_id", "pillar_id"
        )
    }
    return questions, pillars


def _answers_of(review: dict, version: LensVersion, questions: dict, **link) -> list:
    """One answer a question of the version: as the document has it, or unanswered."""
    model = MilestoneAnswer if "milestone" in link else Answer
    rows = []
    for (version_pk, question_id), question_pk in questions.items():
        if version_pk != version.pk:
            continue
        fields = dict(review["answers"].get(question_id) or {"question_id": question_id})
        fields.pop("question_id")
        rows.append(model(question_id=question_pk, **fields, **link))
    return rows


def _write_milestones(workload, checked, resolved, questions, pillars, restored: dict) -> None:
    """The milestones, unsealed while their rows go in, then sealed: what the triggers allow.
    `restored` marks each milestone and frozen answer (restored_by, restored_at) at insert, as
    nothing may change them after."""
    milestones = Milestone.objects.bulk_create(
        Milestone(
            workload=workload,
            number=m["number"],
            name=m["name"],
            workload_fields=m["workload_fields"],
            created_by_name=m["created_by_name"],
            created_at=m["created_at"],
            **m["totals"],
            **restored,
        )
        for m in checked["milestones"]
    )
    answers, counts = [], []
    for milestone, data in zip(milestones, checked["milestones"], strict=True):
        for review in data["lens_reviews"]:
            version = resolved[review["lens_file"].alias, review["lens_file"].content_hash]
            frozen = MilestoneLensReview.objects.create(
                milestone=milestone,
                lens_id=version.lens_id,
                lens_version=version,
                notes=review["notes"],
                pillar_notes=review["pillar_notes"],
                applied_at=review["applied_at"],
            )
            answers += _answers_of(
                review, version, questions, milestone=milestone, lens_review=frozen, **restored
            )
            counts += [
                MilestonePillarRiskCounts(
                    milestone=milestone, lens_review=frozen, pillar_id=pillars[version.pk, pillar_id], **row
                )
                for pillar_id, row in review["pillar_counts"].items()
            ]
    MilestoneAnswer.objects.bulk_create(answers, batch_size=500)
    MilestonePillarRiskCounts.objects.bulk_create(counts, batch_size=500)
    Milestone.objects.filter(pk__in=[m.pk for m in milestones]).update(sealed=True)


def _write(user, workload: Workload, checked: dict, resolved: dict) -> None:
    """Every row of the workload, in the order the database's rules need; each answer, history
    entry, event and milestone marked as restored by `user`, now."""
    restored = {"restored_by": user, "restored_at": timezone.now()}
    questions, pillars = _rows_of(resolved.values())
    aliases = {alias: version.lens.alias for (alias, _hash), version in resolved.items()}
    reviews = []
    for data in checked["reviews"]:
        version = resolved[data["lens_file"].alias, data["lens_file"].content_hash]
        reviews.append(
            LensReview(
                workload=workload,
                lens_id=version.lens_id,
                lens_version=version,
                notes=data["notes"],
                pillar_notes=data["pillar_notes"],
                applied_at=data["applied_at"],
            )
        )
    LensReview.objects.bulk_create(reviews)
    for review, data in zip(reviews, checked["reviews"], strict=True):
        review.applied_at = data["applied_at"]
    LensReview.objects.bulk_update(reviews, ["applied_at"])  # bulk_create stamps auto_now_add
    answers = []
    for review, data in zip(reviews, checked["reviews"], strict=True):
        answers += _answers_of(data, review.lens_version, questions, lens_review=review, **restored)
    Answer.objects.bulk_create(answers, batch_size=500)  # the triggers count them (PillarRiskCounts)
    question_ids = {pk: qid for (_version, qid), pk in questions.items()}
    review_alias = {
        review.pk: data["lens_file"].alias for review, data in zip(reviews, checked["reviews"], strict=True)
    }
    answer_of = {(review_alias[a.lens_review_id], question_ids[a.question_id]): a.pk for a in answers}
    AnswerChange.objects.bulk_create(
        (
            AnswerChange(
                answer_id=answer_of[entry.pop("lens_alias"), entry.pop("question_id")], **entry, **restored
            )
            for entry in (dict(entry) for entry in checked["trail"])
        ),
        batch_size=500,
    )
    events = WorkloadEvent.objects.bulk_create(
        (WorkloadEvent(workload=workload, **event, **restored) for event in checked["events"]),
        batch_size=500,
    )
    for event, data in zip(events, checked["events"], strict=True):
        event.at = data["at"]
    WorkloadEvent.objects.bulk_update(events, ["at"], batch_size=500)  # bulk_create stamps auto_now_add
    _write_milestones(workload, checked, resolved, questions, pillars, restored)
    ImprovementItem.objects.bulk_create(
        ImprovementItem(
            workload=workload, **{**item, "lens_alias": aliases.get(item["lens_alias"], item["lens_alias"])}
        )
        for item in checked["items"]
    )


@transaction.atomic
def workload_restore(*, document, user, as_copy: bool = False) -> RestoreResult:
    """Restore `document` (the parsed JSON) as a new workload of `user`. Refused, with nothing
    written: a newer schema (NewerSchema), a document restored here already unless `as_copy`
    (AlreadyRestored), anything malformed (InvalidInput naming the JSON path). Risks and
    milestone counts are restored as the answers compute them (reviews.backup.recompute), with a
    warning in the result for each the document had otherwise."""
    document_id = doc.check_header(document)
    if not as_copy and Workload.objects.filter(restored_from_document=document_id).exists():
        raise AlreadyRestored(ALREADY)
    checked = _checked(document)
    warnings = recompute(checked)
    workload = _workload(user, checked, None if as_copy else document_id)
    resolved, created = _lenses(user, checked["files"])
    try:
        with transaction.atomic():  # a savepoint: the same document may be restored at the same time
            workload.save()
    except IntegrityError as error:
        if "workload_restored_once_per_document" not in str(error):
            raise InvalidInput({"workload.name": "Taken meanwhile: restore it again."}) from None
        raise AlreadyRestored(ALREADY) from None
    _write(user, workload, checked, resolved)
    dropped = [{k: v for k, v in share.items() if v is not None} for share in checked["shares"]]
    event_record(
        workload=workload,
        actor=user,
        kind=WorkloadEvent.Kind.RESTORED,
        summary=f"Restored from a backup by {checked['exported_by'] or 'someone'}"
        f" of {checked['exported_at'].astimezone(datetime.UTC):%Y-%m-%d %H:%M} UTC."
        + (
            f" {len(warnings)} risks or counts of the file disagreed with its answers: restored as computed."
            if warnings
            else ""
        ),
        document_id=str(document_id),
        as_copy=as_copy,
        source=checked["source"],
        dropped_shares=dropped,
        lenses_created=created,
        warnings=[warning.as_dict() for warning in warnings],
    )
    Workload.objects.filter(pk=workload.pk).update(
        created_at=checked["created_at"], updated_at=checked["updated_at"]
    )
    workload.refresh_from_db()
    return RestoreResult(workload=workload, dropped_shares=dropped, lenses_created=created, warnings=warnings)
