"""Reads of lenses, always scoped to what the reader may see."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects

from lens.format import LensDocument
from lens.models import Choice, Lens, LensVersion, Pillar, Question, Resource, RiskRule
from lens.permissions import can_manage, can_manage_instance_lenses
from lens.rows import load_document
from mlwa.types import Reader


def lens_visibility(user: Reader | int | str, *, lens: str = "") -> Q:
    """The lens-visibility rule, as a condition to filter on: `user` may see the lens if it is the
    instance's, theirs, or shared with them, one of their groups or everyone. `visible_lenses` applies
    it; other apps filter their own rows with it rather than restate it.

    `lens` is the path from the rows filtered to the lens ("" on Lens itself, "lens" on a row with a
    `lens` foreign key). `user` is a user (or a user's pk), or, as a str, the path from those rows to
    a user: "workload__owner" asks about each row's own workload owner, in SQL, however many rows
    there are. Subqueries rather than joins, so that no row is listed twice."""
    prefix = f"{lens}__" if lens else ""
    lens_pk = OuterRef(lens or "pk")
    user_here: Any
    user_outer: Any
    if isinstance(user, str):
        user_here, user_outer = F(user), OuterRef(user)
    else:
        user_here = user_outer = user
    shared_with_user = Lens.shared_with_users.through.objects.filter(lens=lens_pk, user=user_outer)
    shared_with_group = Lens.shared_with_groups.through.objects.filter(lens=lens_pk, group__user=user_outer)
    return (
        Q(**{f"{prefix}owner__isnull": True})
        | Q(**{f"{prefix}owner": user_here})
        | Q(**{f"{prefix}shared_with_everyone": True})
        | Exists(shared_with_user)
        | Exists(shared_with_group)
    )


def visible_lenses(lenses: QuerySet[Lens], *, user: Reader, action: str = "view") -> QuerySet[Lens]:
    """Those of `lenses` that `user` may see (`lens_visibility`) or, for "manage", manage
    (lens.permissions.can_manage, in SQL); none for an anonymous user. Reached as
    `Lens.objects.visible_to(user, action)`."""
    if not user.is_authenticated:
        return lenses.none()
    if action == "manage":
        return lenses.filter(
            Q(owner=user) | Q(owner__isnull=True) if can_manage_instance_lenses(user) else Q(owner=user)
        )
    return lenses.filter(lens_visibility(user))


def lens_library(*, user: Reader) -> list[Lens]:
    """The lens library page: every visible lens with its published versions and its draft, in
    three queries however many lenses and versions there are."""
    versions = LensVersion.objects.only(
        "pk", "lens_id", "status", "label", "kind", "published_at", "created_at", "warnings"
    ).order_by("-published_at", "-pk")
    return list(
        Lens.objects.visible_to(user)
        .select_related("owner")
        .prefetch_related(Prefetch("versions", queryset=versions))
    )


@dataclass(frozen=True)
class LibraryEntry:
    """One row of the lens library: the lens, its newest published version, and its draft, which
    only a reader who manages the lens gets to see."""

    lens: Lens
    latest: LensVersion | None
    draft: LensVersion | None
    manageable: bool


def library_entries(*, user: Reader) -> list[LibraryEntry]:
    """The lens library as rows to show, from `lens_library`'s three queries (plus, for a user who
    is not a superuser, the two that load their permissions once if an instance lens is listed)."""
    entries = []
    for lens in lens_library(user=user):
        versions = lens.versions.all()  # prefetched
        manageable = can_manage(user, lens)
        entries.append(
            LibraryEntry(
                lens=lens,
                latest=next((v for v in versions if v.status == LensVersion.Status.PUBLISHED), None),
                draft=next((v for v in versions if v.status == LensVersion.Status.DRAFT), None)
                if manageable
                else None,
                manageable=manageable,
            )
        )
    return entries


def lens_versions(lens: Lens, *, include_draft: bool) -> list[LensVersion]:
    """The versions a reader may pick on a lens's pages: the draft first (when `include_draft`),
    then the published versions, newest first. Without the source document, which can be large."""
    statuses = [LensVersion.Status.PUBLISHED] + ([LensVersion.Status.DRAFT] if include_draft else [])
    return list(
        lens.versions.filter(status__in=statuses)
        .defer("source")
        .order_by(F("published_at").desc(nulls_first=True), "-pk")
    )


def published_versions(lens: Lens) -> QuerySet[LensVersion]:
    """The lens's published versions, newest first."""
    return lens.versions.filter(status=LensVersion.Status.PUBLISHED).order_by("-published_at", "-pk")


def latest_published_version(lens: Lens) -> LensVersion | None:
    return published_versions(lens).first()


def version_by_label(lens: Lens, label: str | None, *, include_draft: bool) -> LensVersion | None:
    """The version named by `label`: a published label, "draft" (if the reader may see drafts), or
    None/"" for the newest published version (or the draft when nothing is published yet)."""
    if label == "draft":
        return lens.versions.filter(status=LensVersion.Status.DRAFT).first() if include_draft else None
    if label:
        return published_versions(lens).filter(label=label).first()
    latest = latest_published_version(lens)
    if latest is None and include_draft:
        return lens.versions.filter(status=LensVersion.Status.DRAFT).first()
    return latest


def previous_published_version(version: LensVersion) -> LensVersion | None:
    """The published version just before `version` (for a draft: the newest published one)."""
    earlier = published_versions(version.lens)
    if version.published_at is not None:
        earlier = earlier.filter(
            Q(published_at__lt=version.published_at) | Q(published_at=version.published_at, pk__lt=version.pk)
        )
    return earlier.first()


def version_content(version: LensVersion) -> list[Pillar]:
    """A version's pillars with their questions, choices, rules and resources, in six queries."""
    # A choice's own helpful resource and improvement plan (entry NULL) before its additional
    # resources on every database (PostgreSQL sorts NULLs last), and in the file's order (pk).
    resources = Resource.objects.order_by(F("entry").asc(nulls_first=True), "position", "pk")
    choices = Choice.objects.order_by("position").prefetch_related(Prefetch("resources", queryset=resources))
    questions = Question.objects.order_by("position").prefetch_related(
        Prefetch("choices", queryset=choices),
        Prefetch("risk_rules", queryset=RiskRule.objects.order_by("position")),
        Prefetch("resources", queryset=resources.filter(choice__isnull=True), to_attr="own_resources"),
    )
    return list(
        version.pillars.order_by("position").prefetch_related(Prefetch("questions", queryset=questions))
    )


def version_document(version: LensVersion) -> LensDocument:
    """The version as a lens document, built from its rows (for export, diff and risk)."""
    return load_document(version)


def lens_summaries(lenses: list[Lens], *, user: Reader) -> list[Lens]:
    """The lenses with what a lens row shows: `latest_version` (the newest published one, from one
    query for all of them) and `manageable` (the caller's permissions, loaded once)."""
    published = (
        LensVersion.objects.filter(status=LensVersion.Status.PUBLISHED)
        .defer("source")
        .order_by("-published_at", "-pk")
    )
    prefetch_related_objects(lenses, Prefetch("versions", queryset=published, to_attr="published"))
    for lens in lenses:
        lens.latest_version = lens.published[0] if lens.published else None
        lens.manageable = can_manage(user, lens)
    return lenses
