"""What a workload holds, read straight from the database and free of ids and of who owns it: what a
backup restored must give back (reviews.backup lists the differences a restore makes)."""

import json

from django.db.models import Count, Q

from lens.models import Lens
from lens.services import lens_import, lens_publish
from reviews.backup import workload_export
from reviews.models import (
    Answer,
    AnswerChange,
    ImprovementItem,
    LensReview,
    Milestone,
    MilestoneAnswer,
    MilestonePillarRiskCounts,
    PillarRiskCounts,
    Workload,
    WorkloadEvent,
    person_name,
)
from reviews.services import lens_review_upgrade
from reviews.services.milestones import milestone_create
from reviews.services.workloads import WORKLOAD_FIELDS
from tests import factories

COUNTS = ("high", "medium", "none", "not_applicable", "unanswered")
#: The events a backup adds: exporting it and restoring it.
BACKUP_EVENTS = {WorkloadEvent.Kind.EXPORTED, WorkloadEvent.Kind.RESTORED}


def _answer(row) -> tuple:
    return (
        row.question.question_id,
        row.selected_choices,
        row.not_applicable_choices,
        row.is_applicable,
        row.reason,
        row.notes,
        row.risk,
        row.version,
        person_name(row.updated_by, row.updated_by_name),
        row.updated_at,
    )


def _counts(rows) -> dict:
    return {
        (row.lens_review_id, row.pillar.pillar_id): tuple(getattr(row, c) for c in COUNTS) for row in rows
    }


def normalised(workload: Workload, *, lens_aliases: dict[str, str] | None = None) -> dict:
    """Everything of `workload` but ids and its owner; lenses by content hash, people by name.
    `lens_aliases` maps this instance's aliases to the other's (for improvement items)."""
    aliases = lens_aliases or {}
    reviews = (
        LensReview.objects.filter(workload=workload).select_related("lens_version").order_by("applied_at")
    )
    hash_of = {review.pk: review.lens_version.content_hash for review in reviews}
    answers = Answer.objects.filter(lens_review__workload=workload).select_related("question", "updated_by")
    pillar_counts = PillarRiskCounts.objects.filter(lens_review__workload=workload).select_related("pillar")
    milestones = Milestone.objects.filter(workload=workload).select_related("created_by").order_by("number")
    frozen_answers = MilestoneAnswer.objects.filter(milestone__workload=workload).select_related(
        "question", "updated_by", "lens_review__lens_version", "milestone"
    )
    frozen_counts = MilestonePillarRiskCounts.objects.filter(milestone__workload=workload).select_related(
        "pillar", "lens_review__lens_version", "milestone"
    )
    changes = AnswerChange.objects.filter(answer__lens_review__workload=workload).select_related(
        "changed_by", "answer__question"
    )
    events = (
        WorkloadEvent.objects.filter(workload=workload)
        .exclude(kind__in=BACKUP_EVENTS)
        .select_related("actor")
    )
    items = ImprovementItem.objects.filter(workload=workload).select_related("owner", "updated_by")
    return {
        "workload": {
            **{field: getattr(workload, field) for field in WORKLOAD_FIELDS if field != "name"},
            "created_at": workload.created_at,
            "updated_at": workload.updated_at,
        },
        "reviews": [
            (r.lens_version.content_hash, r.lens_version.label, r.notes, r.pillar_notes, r.applied_at)
            for r in reviews
        ],
        "answers": sorted((hash_of[a.lens_review_id], *_answer(a)) for a in answers),
        "pillar_counts": sorted(
            (hash_of[key[0]], key[1], value) for key, value in _counts(pillar_counts).items()
        ),
        "audit_trail": sorted(
            (
                c.answer.question.question_id,
                c.kind,
                c.version,
                c.changed_by_username,
                c.changed_at,
                json.dumps(c.before, sort_keys=True),
                json.dumps(c.after, sort_keys=True),
                c.note,
            )
            for c in changes
        ),
        "events": sorted(
            (e.at, e.kind, e.workload_name, e.actor_username, e.summary, json.dumps(e.data, sort_keys=True))
            for e in events
        ),
        "milestones": [
            (
                m.number,
                m.name,
                m.workload_fields,
                m.created_by_username,
                m.created_at,
                tuple(getattr(m, c) for c in COUNTS),
                m.sealed,
            )
            for m in milestones
        ],
        "frozen_answers": sorted(
            (a.milestone.number, a.lens_review.lens_version.content_hash, a.lens_review.notes, *_answer(a))
            for a in frozen_answers
        ),
        "frozen_counts": sorted(
            (
                c.milestone.number,
                c.lens_review.lens_version.content_hash,
                c.pillar.pillar_id,
                tuple(getattr(c, n) for n in COUNTS),
            )
            for c in frozen_counts
        ),
        "improvement_items": sorted(
            (
                aliases.get(i.lens_alias, i.lens_alias),
                i.question_id,
                i.status,
                i.owner_username,
                i.due_date,
                i.note,
                i.version,
                i.updated_by_username,
                i.updated_at,
            )
            for i in items
        ),
    }


def custom_lens_workload(owner):
    """A workload reviewing a custom lens at version 1 (in milestone 1), then upgraded to 2."""
    lens = factories.imported_lens(owner=owner, document=factories.lens_document("Team lens"))
    workload = factories.workload(owner, lenses=[lens])
    answer = workload.lens_reviews.get().answers.select_related("question").first()
    factories.answered(answer, actor=owner, selected_choices=[f"{answer.question.question_id}_BP1"])
    milestone_create(workload=workload, actor=owner, name="Baseline")
    lens_import(source=factories.lens_document("Team lens", questions=3), owner=owner, alias=lens.alias)
    lens_publish(lens=lens, label="2", major=True)
    lens_review_upgrade(lens_review=workload.lens_reviews.get(), actor=owner)
    return workload, lens


def recounted(workload: Workload) -> list[tuple]:
    """The pillar risk counts of the workload's reviews, counted from the answers."""
    rows = (
        Answer.objects.filter(lens_review__workload=workload)
        .values("lens_review_id", "question__pillar_id")
        .annotate(**{c: Count("pk", filter=Q(risk=c.upper())) for c in COUNTS})
    )
    return sorted((r["lens_review_id"], r["question__pillar_id"], *(r[c] for c in COUNTS)) for r in rows)


def stored_counts(workload: Workload) -> list[tuple]:
    """The pillar risk counts that the database's triggers keep."""
    rows = PillarRiskCounts.objects.filter(lens_review__workload=workload).values_list(
        "lens_review_id", "pillar_id", *COUNTS
    )
    return sorted(tuple(row) for row in rows if sum(row[2:]))


def backup_of(workload: Workload, actor) -> dict:
    """The workload's backup document, through JSON text as a file would carry it."""
    workload = Workload.objects.select_related("owner").get(pk=workload.pk)
    return json.loads(json.dumps(workload_export(workload=workload, actor=actor)))


def lens_count() -> int:
    return Lens.objects.count()
