"""Reads for one workload's pages: its lenses with their progress, its people, its event log, and the
lenses that could still be applied. Each is one query, whatever the number of lenses, answers,
shares or events."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, QuerySet, Subquery

from lens.models import Lens, LensVersion, Pillar
from mlwa.types import Reader
from reviews.models import LensReview, Share, Workload, WorkloadEvent
from reviews.selectors.lens_overview import PillarRow, workload_pillar_rows
from reviews.selectors.risk import RiskCounts
from reviews.selectors.upgrades import with_newest_version

#: Events on the workload page; the rest are on the event log's pages.
LATEST_EVENTS = 20


@dataclass(frozen=True)
class AppliedLens:
    """A lens review on the workload page, with its risk counts (answered of total, high, medium),
    the lens's newest published version if it is newer than the review's (`upgrade_to`: its
    label, else None), and its pillars with theirs, in lens order."""

    review: LensReview
    counts: RiskCounts
    upgrade_to: str | None = None
    pillars: list[PillarRow] = field(default_factory=list)


def applied_lenses(workload: Workload) -> list[AppliedLens]:
    """The workload's lens reviews, with their lens and version, the newest published version of
    each lens (while the workload's owner may see it), and their counts per pillar (the review's
    counts are its pillars' added up): two queries."""
    # Publication order, as everywhere; a minor version takes its line's reviews with it, so a newer
    # version than a review's is, in practice, a newer major version (or a later one of its line).
    # Only while the workload's owner may see the lens (reviews.selectors.upgrades).
    reviews = list(
        with_newest_version(
            workload.lens_reviews.select_related("lens", "lens_version").defer("lens_version__source"),
            owner=workload.owner_id,
        )
    )
    pillars = workload_pillar_rows(workload) if reviews else {}
    return [
        AppliedLens(
            review,
            sum((pillar.counts for pillar in pillars.get(review.pk, [])), RiskCounts()),
            upgrade_to=review.newest_label
            if review.newest_pk not in (None, review.lens_version_id)
            else None,
            pillars=pillars.get(review.pk, []),
        )
        for review in reviews
    ]


def workload_shares(workload: Workload) -> QuerySet[Share]:
    """Who else the workload is shared with: users first, then groups, by name. One query."""
    # NULLs first on every database (PostgreSQL sorts them last): users have no group name.
    users_first = F("group__name").asc(nulls_first=True)
    return workload.shares.select_related("user", "group").order_by(users_first, "user__username", "pk")


def workload_events(workload: Workload) -> QuerySet[WorkloadEvent]:
    """The workload's event log, newest first, with who did each thing."""
    return (
        WorkloadEvent.objects.filter(workload=workload)
        .select_related("actor", "restored_by")
        .order_by("-at", "-pk")
    )


def newest_versions(*, user: Reader, not_on: Workload | None = None) -> list[LensVersion]:
    """The newest published version of every lens `user` may see (without those applied to
    `not_on`), with its lens, by lens name: what a new workload or the apply form offers. One query."""
    lenses = Lens.objects.visible_to(user)
    if not_on is not None:
        lenses = lenses.exclude(pk__in=LensReview.objects.filter(workload=not_on).values("lens_id"))
    newest = (
        LensVersion.objects.filter(lens=OuterRef("pk"), status=LensVersion.Status.PUBLISHED)
        .order_by("-published_at", "-pk")
        .values("pk")[:1]
    )
    return list(
        LensVersion.objects.filter(pk__in=lenses.annotate(newest=Subquery(newest)).values("newest"))
        .select_related("lens")
        .defer("source", "extra", "warnings", "description", "lens__description")
        .order_by("lens__name", "lens__alias")
    )


def pillar_choices(versions: Iterable[LensVersion] | QuerySet) -> list[tuple[str, str]]:
    """(pillar id, name) of the pillars of `versions` (lens versions, or a queryset of their ids),
    each id once (a standard id such as `security` adds up across lenses), in the lenses' and the
    pillars' order: what pillar priorities may name. One query."""
    rows = (
        Pillar.objects.filter(version__in=versions)
        .order_by("version__lens__name", "version_id", "position")
        .values_list("pillar_id", "name")
    )
    names: dict[str, str] = {}
    for pillar, name in rows:
        names.setdefault(pillar, name)
    return list(names.items())


def workload_pillar_choices(workload: Workload) -> list[tuple[str, str]]:
    """The pillars of the lenses applied to `workload` (pillar_choices). One query."""
    return pillar_choices(LensReview.objects.filter(workload=workload).values("lens_version"))


def published_labels(lens_ids: list[int]) -> dict[int, list[str]]:
    """The published versions' labels of each lens, newest first, by lens pk: the versions the
    apply form offers. One query (none without lenses)."""
    labels: dict[int, list[str]] = {}
    if not lens_ids:
        return labels
    rows = (
        LensVersion.objects.filter(lens_id__in=lens_ids, status=LensVersion.Status.PUBLISHED)
        .order_by("-published_at", "-pk")
        .values_list("lens_id", "label")
    )
    for lens_id, label in rows:
        labels.setdefault(lens_id, []).append(label)
    return labels
