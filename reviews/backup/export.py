"""Export: one workload as the backup document (reviews.backup describes it), recorded as an event.

The caller has checked that the user may see the workload (everyone who sees it may export it,
DESIGN.md "Who may do what"). The queries do not grow with the workload: one a table, and five for
the content of every lens version its reviews and milestones use (reviews.backup.lens_files).
"""

import datetime
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from lens.models import LensVersion
from reviews.backup.document import COUNTS, FORMAT, SCHEMA_VERSION
from reviews.backup.lens_files import lens_files
from reviews.models import (
    Answer,
    AnswerChange,
    ImprovementItem,
    LensReview,
    Milestone,
    MilestoneAnswer,
    MilestoneLensReview,
    MilestonePillarRiskCounts,
    Share,
    Workload,
    WorkloadEvent,
    person_name,
)
from reviews.services.events import event_record
from reviews.services.workloads import WORKLOAD_FIELDS


def _time(value: datetime.datetime | datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _answer(row) -> dict[str, Any]:
    """An answer, live or frozen, as the document holds it."""
    return {
        "question_id": row.question.question_id,
        "selected_choices": row.selected_choices,
        "not_applicable_choices": row.not_applicable_choices,
        "is_applicable": row.is_applicable,
        "reason": row.reason,
        "notes": row.notes,
        "risk": row.risk,
        "version": row.version,
        "updated_by": person_name(row.updated_by, row.updated_by_name),
        "updated_at": _time(row.updated_at),
    }


def _review(review, answers: list) -> dict[str, Any]:
    return {
        "lens_alias": review.lens.alias,
        "content_hash": review.lens_version.content_hash,
        "notes": review.notes,
        "pillar_notes": review.pillar_notes,
        "applied_at": _time(review.applied_at),
        "answers": [_answer(row) for row in answers],
    }


def _lens_version(version: LensVersion, file: dict[str, Any]) -> dict[str, Any]:
    return {
        "lens_alias": version.lens.alias,
        "lens_name": version.lens.name,
        "label": version.label,
        "kind": version.kind,
        "published_at": _time(version.published_at),
        "content_hash": version.content_hash,
        "file": file,  # the same file as `manage.py lens export` writes
    }


def _milestones(workload: Workload) -> tuple[list[dict[str, Any]], list[LensVersion]]:
    """Every milestone with its frozen reviews, answers and counts (four queries), and the lens
    versions they use."""
    milestones = list(
        Milestone.objects.filter(workload=workload).select_related("created_by").order_by("number")
    )
    reviews = list(
        MilestoneLensReview.objects.filter(milestone__workload=workload)
        .select_related("lens", "lens_version__lens")
        .defer("lens_version__source")
        .order_by("milestone_id", "applied_at", "pk")
    )
    answers_of: dict[int, list] = {}
    frozen_answers = (
        MilestoneAnswer.objects.filter(milestone__workload=workload)
        .select_related("question", "updated_by")
        .order_by("lens_review_id", "question__pillar__position", "question__position")
    )
    for row in frozen_answers:
        answers_of.setdefault(row.lens_review_id, []).append(row)
    counts_of: dict[int, list] = {}
    frozen_counts = (
        MilestonePillarRiskCounts.objects.filter(milestone__workload=workload)
        .select_related("pillar")
        .order_by("lens_review_id", "pillar__position")
    )
    for counts in frozen_counts:
        counts_of.setdefault(counts.lens_review_id, []).append(
            {"pillar_id": counts.pillar.pillar_id, **{column: getattr(counts, column) for column in COUNTS}}
        )
    reviews_of: dict[int, list] = {}
    for review in reviews:
        frozen = _review(review, answers_of.get(review.pk, []))
        frozen["pillar_counts"] = counts_of.get(review.pk, [])
        reviews_of.setdefault(review.milestone_id, []).append(frozen)
    return [
        {
            "number": milestone.number,
            "name": milestone.name,
            "workload_fields": milestone.workload_fields,
            "created_by": milestone.created_by_username,
            "created_at": _time(milestone.created_at),
            "totals": {column: getattr(milestone, column) for column in COUNTS},
            "lens_reviews": reviews_of.get(milestone.pk, []),
        }
        for milestone in milestones
    ], [review.lens_version for review in reviews]


def _live(workload: Workload) -> tuple[list, list, list]:
    """The lens reviews with their answers, and the audit trail: three queries."""
    reviews = list(
        LensReview.objects.filter(workload=workload)
        .select_related("lens", "lens_version__lens")
        .defer("lens_version__source")
        .order_by("applied_at", "pk")
    )
    answers_of: dict[int, list] = {}
    answers = (
        Answer.objects.filter(lens_review__workload=workload)
        .select_related("question", "updated_by")
        .order_by("lens_review_id", "question__pillar__position", "question__position")
    )
    for row in answers:
        answers_of.setdefault(row.lens_review_id, []).append(row)
    changes = (
        AnswerChange.objects.filter(answer__lens_review__workload=workload)
        .select_related("changed_by", "answer__question", "answer__lens_review__lens")
        .order_by("changed_at", "pk")
    )
    trail = [
        {
            "lens_alias": change.answer.lens_review.lens.alias,
            "question_id": change.answer.question.question_id,
            "kind": change.kind,
            "version": change.version,
            "changed_by": change.changed_by_username,
            "changed_at": _time(change.changed_at),
            "before": change.before,
            "after": change.after,
            "note": change.note,
        }
        for change in changes
    ]
    return [_review(review, answers_of.get(review.pk, [])) for review in reviews], trail, reviews


def _others(workload: Workload, aliases: set[str]) -> tuple[list, list, list]:
    """Events, improvement items and shares: three queries. Only the items of the lenses reviewed
    (`aliases`): one of a lens removed since waits unseen for its alias, and a restore refuses it."""
    events = [
        {
            "kind": event.kind,
            "workload_name": event.workload_name,
            "actor": event.actor_username,
            "at": _time(event.at),
            "summary": event.summary,
            "data": event.data,
        }
        for event in WorkloadEvent.objects.filter(workload=workload)
        .select_related("actor")
        .order_by("at", "pk")
    ]
    items = [
        {
            "lens_alias": item.lens_alias,
            "question_id": item.question_id,
            "status": item.status,
            "owner": item.owner_username,
            "due_date": _time(item.due_date),
            "note": item.note,
            "version": item.version,
            "updated_by": item.updated_by_username,
            "updated_at": _time(item.updated_at),
        }
        for item in ImprovementItem.objects.filter(workload=workload, lens_alias__in=aliases).select_related(
            "owner", "updated_by"
        )
    ]
    shares = [
        {
            "user": share.user.get_username() if share.user else None,
            "group": share.group.name if share.group else None,
            "role": share.role,
            "created_at": _time(share.created_at),
        }
        for share in Share.objects.filter(workload=workload).select_related("user", "group").order_by("pk")
    ]
    return events, items, shares


@transaction.atomic
def workload_export(*, workload: Workload, actor, source: str | None = None) -> dict[str, Any]:
    """The backup document of `workload` (loaded with its owner), exported by `actor` (None: the
    instance's operators, `manage.py workload export`), and an EXPORTED event recorded after it (so
    that the document holds the workload as it was)."""
    reviews, trail, live_reviews = _live(workload)
    milestones, frozen_versions = _milestones(workload)
    events, items, shares = _others(workload, {review.lens.alias for review in live_reviews})
    versions = {v.pk: v for v in [review.lens_version for review in live_reviews] + frozen_versions}
    files = lens_files(list(versions.values()))
    document_id = uuid.uuid4()
    document = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "document_id": str(document_id),
        "exported_at": _time(timezone.now()),
        "exported_by": actor.get_username() if actor else None,
        "source": source,
        "workload": {
            **{field: getattr(workload, field) for field in WORKLOAD_FIELDS},
            "owner": workload.owner.get_username(),
            "created_at": _time(workload.created_at),
            "updated_at": _time(workload.updated_at),
        },
        "lens_versions": [_lens_version(version, files[pk]) for pk, version in sorted(versions.items())],
        "lens_reviews": reviews,
        "audit_trail": trail,
        "events": events,
        "milestones": milestones,
        "improvement_items": items,
        "shares": shares,
    }
    event_record(
        workload=workload,
        actor=actor,
        kind=WorkloadEvent.Kind.EXPORTED,
        summary="Backed up." if actor else "Backed up with manage.py workload export.",
        document_id=str(document_id),
    )
    return document


def backup_filename(workload: Workload, *, on: datetime.date | None = None) -> str:
    """`<slug of the name>-backup-<date>.json`."""
    day = on or timezone.localdate()
    return f"{slugify(workload.name) or 'workload'}-backup-{day.isoformat()}.json"
