"""/api/v1/workloads/{id}/lens-reviews/...: the lenses applied to a workload.

As on the workload page: anyone who sees the workload reads its lens reviews; the owner applies and
removes lenses (Action.EDIT); the owner and contributors change a review's notes (Action.ANSWER).
Writes go through reviews.services (lens_review_apply, lens_review_notes, lens_review_remove).
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from lens.models import Lens, LensVersion, Pillar
from lens.selectors import latest_published_version, published_versions
from mlwa import error_codes
from mlwa.api.conditional import if_match
from mlwa.api.params import (
    APPLIED_ALIAS_PARAMETER,
    APPLIED_ALIAS_PATTERN,
    MILESTONE_PARAMETER,
    WORKLOAD_PARAMETER,
)
from mlwa.api.strict import StrictCharField, StrictSerializer, StrictSlugField
from mlwa.api.views import ApiViewSet
from mlwa.errors import InvalidInput
from mlwa.types import Reader, signed_in
from reviews import services
from reviews.access import workload_or_404
from reviews.api.counts import PillarCountsSerializer, RiskCountsSerializer
from reviews.api.milestones import requested_state
from reviews.models import NOTES_MAX, LensReview, Workload
from reviews.permissions import Action
from reviews.selectors.risk import RiskCounts, review_counts, review_pillar_counts
from reviews.selectors.states import ReviewState
from reviews.selectors.upgrades import with_newest_version

PATH_PARAMETERS = [WORKLOAD_PARAMETER]


class LensReviewSerializer(serializers.Serializer):
    """A lens applied to the workload: which version, its notes and its risk counts."""

    lens = serializers.CharField(source="lens.alias", help_text="The lens's alias.")
    name = serializers.CharField(source="lens_version.name", help_text="The lens's name in this version.")
    version = serializers.CharField(source="lens_version.label", help_text="The version applied.")
    kind = serializers.CharField(source="lens_version.kind", help_text="MAJOR or MINOR: the version's kind.")
    newest_version = serializers.CharField(
        source="newest_label",
        allow_null=True,
        help_text="The lens's newest published version; this review's own while the workload's owner "
        "may not see the lens.",
    )
    upgrade_available = serializers.BooleanField(
        help_text="Whether a newer version than this is published and offered: only while the "
        "workload's owner may see the lens."
    )
    applied_at = serializers.DateTimeField()
    notes = serializers.CharField(allow_blank=True, help_text="The lens's notes.")
    counts = RiskCountsSerializer(help_text="Over every question of the lens.")

    class Meta:
        ref_name = "LensReview"


class LensReviewDetailSerializer(LensReviewSerializer):
    """A lens review with each pillar's notes and risk counts, in the lens's order."""

    pillar_notes = serializers.DictField(
        child=serializers.CharField(), help_text="Pillar id → its notes (pillars without notes left out)."
    )
    pillars = PillarCountsSerializer(many=True)

    class Meta:
        ref_name = "LensReviewDetail"


class LensReviewApplySerializer(StrictSerializer):
    """The lens to apply, and its version: checked here (an alias's form, lengths); `lens` must name
    a lens you may use and `version` one of its published versions (`unknown_reference`)."""

    unknown_field_message = "Not a field of a lens to apply (lens, version)."

    lens = StrictSlugField(max_length=64, help_text="The alias of a lens you may see.")
    version = StrictCharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="A published version's label; left out or empty: the newest.",
    )

    class Meta:
        ref_name = "LensReviewApply"


class LensReviewNotesSerializer(StrictSerializer):
    """The notes to change: checked here (text, lengths, no other field); lens_review_notes refuses
    a pillar id the lens does not have (`unknown_reference`)."""

    unknown_field_message = "Not a field of a lens review's notes."

    notes = StrictCharField(required=False, allow_blank=True, max_length=NOTES_MAX)
    pillar_notes = serializers.DictField(
        child=StrictCharField(allow_blank=True, max_length=NOTES_MAX),
        required=False,
        help_text="Pillar id → its notes, for the pillars named (empty text clears one); the others stay.",
    )

    class Meta:
        ref_name = "LensReviewNotes"


def workload_reviews(state: ReviewState) -> QuerySet[Any]:
    """The workload's lens reviews in `state` (now: LensReview rows; in a milestone: its frozen
    MilestoneLensReview rows) in the order they were applied, with their lens and version (not the
    version's large fields), and the newest published version of each lens, or the review's own
    while the workload's owner may not see the lens: one query."""
    reviews = (
        state.lens_reviews()
        .select_related("lens", "lens_version")
        .defer(
            "lens__description",
            "lens_version__source",
            "lens_version__extra",
            "lens_version__warnings",
            "lens_version__description",
        )
        .order_by("applied_at", "pk")
    )
    # Newer versions only while the workload's owner may see the lens (reviews.selectors.upgrades).
    return with_newest_version(reviews, owner=state.workload.owner_id)


def _with_counts(review: Any, counts: RiskCounts) -> Any:
    review.counts = counts
    review.upgrade_available = review.newest_pk is not None and review.newest_pk != review.lens_version_id
    return review


def _detail(review: Any) -> dict:
    """The review (live or frozen) with each pillar's notes and counts: two queries (the pillars,
    their counts)."""
    # From Pillar, not the version's related manager: that one reads each pillar's version_id to tie
    # it to the version, and with only() that is one more query per pillar.
    pillars = list(
        Pillar.objects.filter(version_id=review.lens_version_id)
        .order_by("position")
        .only("pk", "pillar_id", "name")
    )
    by_pillar = review_pillar_counts(review)
    totals = sum(by_pillar.values(), RiskCounts())
    review.pillars = [
        {
            "pillar_id": pillar.pillar_id,
            "name": pillar.name,
            "notes": review.pillar_notes.get(pillar.pillar_id, ""),
            "counts": by_pillar.get(pillar.pk, RiskCounts()),
        }
        for pillar in pillars
    ]
    return LensReviewDetailSerializer(_with_counts(review, totals)).data


def _lens_version(user: Reader, alias: str, label: str | None) -> LensVersion:
    """The version to apply: the label's, else the newest published; a 400 naming `lens` for a lens
    the user may not see, whether or not it exists, and `version` for a label it lacks."""
    lens = Lens.objects.visible_to(user).filter(alias=alias).first()
    if lens is None:
        raise InvalidInput(
            {"lens": f"No lens that you may use has the alias {alias!r}."}, code=error_codes.UNKNOWN_REFERENCE
        )
    if label:
        version = published_versions(lens).filter(label=label).first()
        if version is None:
            raise InvalidInput(
                {"version": f"{lens.name!r} has no published version {label!r}."},
                code=error_codes.UNKNOWN_REFERENCE,
            )
        return version
    version = latest_published_version(lens)
    if version is None:
        raise InvalidInput({"lens": f"{lens.name!r} has no published version yet."}, code=error_codes.REFUSED)
    return version


READ_PARAMETERS = [*PATH_PARAMETERS, MILESTONE_PARAMETER]


@extend_schema_view(
    list=extend_schema(
        summary="The lenses applied to a workload",
        description="In the order they were applied, each with its risk counts.",
        parameters=READ_PARAMETERS,
    ),
    create=extend_schema(
        summary="Apply a lens to a workload (owner)",
        description="At a published version (by default the newest), with every question unanswered.",
        parameters=PATH_PARAMETERS,
        request=LensReviewApplySerializer,
        responses={201: LensReviewDetailSerializer},
        examples=[
            OpenApiExample("The newest version of a lens", {"lens": "ml-lens-2021"}, request_only=True),
            OpenApiExample("A given version", {"lens": "ml-lens-2021", "version": "1.0"}, request_only=True),
        ],
    ),
    retrieve=extend_schema(
        summary="A lens review, with each pillar's counts and notes",
        description="The lens and version applied (and whether an upgrade is offered), its notes, "
        "and each pillar's risk counts and notes, as they are now or as milestone N keeps them "
        "(`?milestone=N`); 404 when the lens is not applied.",
        parameters=[*READ_PARAMETERS, APPLIED_ALIAS_PARAMETER],
        responses=LensReviewDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="Change a lens review's notes (owner, contributor)",
        description="`notes` replaces the lens's notes; `pillar_notes` sets the notes of the pillars "
        "it names (empty text clears one) and leaves the others. Recorded in the workload's events.",
        parameters=[*PATH_PARAMETERS, APPLIED_ALIAS_PARAMETER],
        request=LensReviewNotesSerializer,
        responses=LensReviewDetailSerializer,
        examples=[
            OpenApiExample(
                "The lens's notes and a pillar's",
                {"notes": "Reviewed with the platform team.", "pillar_notes": {"security": "Keys rotate."}},
                request_only=True,
            )
        ],
    ),
    destroy=extend_schema(
        summary="Remove a lens from a workload, with its answers (owner)",
        description="Its answers and their history go with it; the removal is recorded in the "
        "workload's events. 204.",
        parameters=[*PATH_PARAMETERS, APPLIED_ALIAS_PARAMETER],
    ),
)
class LensReviewViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = LensReviewSerializer
    queryset = LensReview.objects.none()  # every read goes through workload_reviews
    lookup_field = "alias"
    lookup_value_regex = APPLIED_ALIAS_PATTERN
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _workload(self, action: Action) -> Workload:
        workload, _role = workload_or_404(self.request, self.kwargs["workload_id"], action)
        return workload

    def _state(self) -> ReviewState:
        """What a read answers from: the workload now, or `?milestone=N`'s frozen copy."""
        return requested_state(self.request, self._workload(Action.VIEW))

    def _review(self, action: Action) -> Any:
        """The URL's lens review: in the state read for Action.VIEW, else as it is now (writes)."""
        state = self._state() if action == Action.VIEW else ReviewState(self._workload(action))
        review = get_object_or_404(workload_reviews(state), lens__alias=self.kwargs["alias"])
        if state.is_current:
            review.workload = state.workload  # loaded already; the services log events on it
        return review

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema is made without a workload
            return LensReview.objects.none()
        return workload_reviews(self._state())

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset()) or []
        counts = review_counts(page) if page else {}
        rows = [_with_counts(review, counts.get(review.pk, RiskCounts())) for review in page]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        workload = self._workload(Action.EDIT)
        data = LensReviewApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = _lens_version(request.user, data.validated_data["lens"], data.validated_data.get("version"))
        services.lens_review_apply(workload=workload, lens_version=version, actor=signed_in(request.user))
        review = get_object_or_404(workload_reviews(ReviewState(workload)), lens_id=version.lens_id)
        location = request.build_absolute_uri(
            reverse("api:lens-review-detail", args=[workload.pk, version.lens.alias])
        )
        return Response(_detail(review), status=status.HTTP_201_CREATED, headers={"Location": location})

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(_detail(self._review(Action.VIEW)))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        review = self._review(Action.ANSWER)
        with if_match(self, lock=LensReview.objects.filter(pk=review.pk)):  # the precondition first
            data = LensReviewNotesSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.lens_review_notes(
                lens_review=review,
                actor=signed_in(request.user),
                notes=data.validated_data.get("notes"),
                pillar_notes=data.validated_data.get("pillar_notes"),
            )
        return Response(_detail(review))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        review = self._review(Action.EDIT)
        with if_match(self, lock=LensReview.objects.filter(pk=review.pk)):
            services.lens_review_remove(lens_review=review, actor=signed_in(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


router = SimpleRouter()
router.register(r"workloads/(?P<workload_id>\d+)/lens-reviews", LensReviewViewSet, basename="lens-review")
urlpatterns = router.urls
