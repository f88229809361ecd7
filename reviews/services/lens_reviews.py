"""Lenses on a workload: apply a published version (with an unanswered answer per question), remove
it, and the lens's and pillars' notes."""

from collections.abc import Mapping

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from lens.models import LensVersion
from mlwa import error_codes
from mlwa.errors import InvalidInput
from reviews.models import Answer, LensReview, Workload, WorkloadEvent
from reviews.services.events import event_record


@transaction.atomic
def lens_review_apply(*, workload: Workload, lens_version: LensVersion, actor: User) -> LensReview:
    """Apply a published lens version to the workload, with one unanswered Answer per question, so
    that every count is a plain aggregate. The caller has checked that `actor` may see the lens."""
    if lens_version.status != LensVersion.Status.PUBLISHED:
        raise InvalidInput(
            {"lens": "Only a published lens version can be applied."}, code=error_codes.REFUSED
        )
    try:
        with transaction.atomic():
            review = LensReview.objects.create(
                workload=workload, lens_id=lens_version.lens_id, lens_version=lens_version
            )
    except IntegrityError:
        raise InvalidInput(
            {"lens": "This lens is applied to the workload already."}, code=error_codes.REFUSED
        ) from None
    question_ids = lens_version.questions.values_list("pk", flat=True)
    Answer.objects.bulk_create(Answer(lens_review=review, question_id=pk) for pk in question_ids)
    event_record(
        workload=workload,
        actor=actor,
        kind=WorkloadEvent.Kind.LENS_APPLIED,
        summary=f"Applied {lens_version.name} (version {lens_version.label}).",
        lens=lens_version.lens.alias,
        version=lens_version.label,
    )
    return review


@transaction.atomic
def lens_review_remove(*, lens_review: LensReview, actor: User) -> None:
    """Remove a lens from the workload, with its answers and their history."""
    version = lens_review.lens_version
    event_record(
        workload=lens_review.workload,
        actor=actor,
        kind=WorkloadEvent.Kind.LENS_REMOVED,
        summary=f"Removed {version.name} (version {version.label}).",
        lens=lens_review.lens.alias,
        version=version.label,
    )
    lens_review.delete()


@transaction.atomic
def lens_review_notes(
    *,
    lens_review: LensReview,
    actor: User,
    notes: str | None = None,
    pillar_notes: Mapping[str, str] | None = None,
) -> LensReview:
    """Set the lens's notes and, for the pillars named in `pillar_notes`, their notes (empty text
    clears one). Fields left None stay as they are. The values are validated (text of at most
    NOTES_MAX characters); a pillar id the lens does not have is refused (`unknown_reference`)."""
    changed = []
    if notes is not None and notes != lens_review.notes:
        lens_review.notes = notes
        changed.append("notes")
    if pillar_notes is not None:
        known = set(lens_review.lens_version.pillars.values_list("pillar_id", flat=True))
        merged = dict(lens_review.pillar_notes)
        for pillar_id, text in pillar_notes.items():
            field = f"pillar_notes.{pillar_id}"
            if pillar_id not in known:
                raise InvalidInput({field: "Not a pillar of this lens."}, code=error_codes.UNKNOWN_REFERENCE)
            if text.strip():
                merged[pillar_id] = text
            else:
                merged.pop(pillar_id, None)
        if merged != lens_review.pillar_notes:
            lens_review.pillar_notes = merged
            changed.append("pillar_notes")
    if changed:
        lens_review.save(update_fields=changed)
        event_record(
            workload=lens_review.workload,
            actor=actor,
            kind=WorkloadEvent.Kind.LENS_NOTES,
            summary=f"Changed the notes of {lens_review.lens_version.name}.",
            lens=lens_review.lens.alias,
        )
    return lens_review
