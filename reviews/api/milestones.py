"""/api/v1/workloads/{id}/milestones/: a workload's milestones, and `?milestone=N` on every read of
a review.

A milestone is a frozen copy of the whole workload (reviews.models.milestones). Anyone who sees the
workload lists and reads its milestones; the owner saves one (DESIGN.md: "workload fields, lenses,
milestones"), through reviews.services.milestones.milestone_create. Nothing changes or deletes a
milestone on its own, so there is no PUT, PATCH or DELETE here (405).

Every other read of a review in the API (lens reviews, answers and their history, risk summaries)
declares mlwa.api.params.MILESTONE_PARAMETER and asks `requested_state` which state of the workload
to read: the current one, or milestone N's frozen copy (reviews.selectors.states.ReviewState).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mlwa.api.params import MILESTONE_PARAMETER, WORKLOAD_PARAMETER
from mlwa.api.renames import RenamedFieldsMixin
from mlwa.api.strict import NameField, StrictSerializer
from mlwa.api.views import ApiViewSet
from mlwa.types import signed_in
from reviews.access import workload_or_404
from reviews.api.counts import PillarCountsSerializer, RiskCountsSerializer
from reviews.api.restored import restored_marks
from reviews.models import MILESTONE_NAME_MAX, Milestone, Workload
from reviews.permissions import Action
from reviews.selectors.milestones import milestone_with_lenses, milestones_with_lenses
from reviews.selectors.states import ReviewState, milestone_number, milestone_of, milestones_of
from reviews.services.milestones import milestone_create


def requested_milestone(request: Request, workload: Workload) -> Milestone | None:
    """The milestone `?milestone=N` names on `workload` (one query), None for the current state.
    Raises a 400 naming `milestone` for a value that is not a positive whole number, and a 404 for
    a number the workload has no milestone for."""
    number = requested_milestone_number(request)
    if number is None:
        return None
    try:
        return milestone_of(workload, number)
    except Http404:
        raise NotFound(f"This workload has no milestone {number}.") from None


def requested_milestone_number(request: Request) -> int | None:
    """`?milestone=N` as a number, None if not given; a 400 naming `milestone` for anything but a
    whole number from 1 (ASCII digits only: `int` would take "１" and choke on "²")."""
    raw = request.query_params.get(MILESTONE_PARAMETER.name)
    if raw is None or raw == "":
        return None
    number = milestone_number(raw)
    if number is None:
        raise ValidationError({MILESTONE_PARAMETER.name: ["A milestone number: 1, 2, 3..."]})
    return number


def requested_state(request: Request, workload: Workload) -> ReviewState:
    """The state of `workload` that a read answers from: milestone N's for `?milestone=N`, else the
    current one (requested_milestone says when it refuses)."""
    return ReviewState(workload, requested_milestone(request, workload))


# --- the shape ----------------------------------------------------------------------------------------


class MilestoneLensSerializer(RenamedFieldsMixin, serializers.Serializer):
    """A lens review as the milestone keeps it, with its counts."""

    renamed = {"totals": "counts"}

    lens = serializers.CharField(source="alias", help_text="The lens's alias.")
    name = serializers.CharField(help_text="The lens's name in the version reviewed.")
    version = serializers.CharField(help_text="The label of the version the workload was reviewed on.")
    counts = RiskCountsSerializer(help_text="Its pillars' counts added up.")

    class Meta:
        ref_name = "MilestoneLens"


class MilestoneSerializer(RenamedFieldsMixin, serializers.Serializer):
    """A milestone: its number and name, who saved it and when, and its risk counts."""

    renamed = {"totals": "counts"}

    number = serializers.IntegerField(help_text="1, 2, 3... in the workload: `?milestone=N` reads it.")
    name = serializers.CharField(help_text="Unique in the workload (any case).")
    created_at = serializers.DateTimeField(help_text="When it was saved.")
    created_by = serializers.CharField(
        source="created_by_username",
        allow_null=True,
        default=None,
        help_text="Who saved it (a name if restored from a backup; null once that user is deleted).",
    )
    restored_by, restored_at = restored_marks("created_by")
    counts = RiskCountsSerializer(help_text="Over every lens of the workload.")
    lenses = MilestoneLensSerializer(many=True, help_text="In the order they were applied.")

    class Meta:
        ref_name = "Milestone"


class MilestoneWorkloadSerializer(serializers.Serializer):
    """The workload's own fields as they were when the milestone was saved."""

    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    environment = serializers.ChoiceField(choices=Workload.Environment.choices)
    review_owner = serializers.CharField(allow_blank=True)
    industry = serializers.CharField(allow_blank=True)
    regions = serializers.ListField(child=serializers.CharField(), help_text="Every region, AWS codes first.")
    # AWS's properties (issue 17): absent from a milestone saved before they existed.
    industry_type = serializers.CharField(allow_blank=True, required=False)
    aws_regions = serializers.ListField(child=serializers.CharField(), required=False)
    non_aws_regions = serializers.ListField(child=serializers.CharField(), required=False)
    account_ids = serializers.ListField(child=serializers.CharField(), required=False)
    applications = serializers.ListField(child=serializers.CharField(), required=False)
    architectural_design_url = serializers.CharField(allow_blank=True)
    tags = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField(allow_blank=True)
    pillar_priorities = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "MilestoneWorkload"


class MilestoneLensDetailSerializer(MilestoneLensSerializer):
    """A frozen lens review with its notes, and each pillar's notes and counts in the lens's order."""

    kind = serializers.CharField(help_text="MAJOR or MINOR: the version's kind.")
    applied_at = serializers.DateTimeField()
    notes = serializers.CharField(allow_blank=True, help_text="The lens's notes.")
    pillars = PillarCountsSerializer(many=True)

    class Meta:
        ref_name = "MilestoneLensDetail"


class MilestoneDetailSerializer(MilestoneSerializer):
    """A milestone with the workload's fields, and each lens review with its pillars, as they were."""

    workload = MilestoneWorkloadSerializer(source="workload_fields")
    lenses = MilestoneLensDetailSerializer(many=True, help_text="In the order they were applied.")

    class Meta:
        ref_name = "MilestoneDetail"


class MilestoneCreateSerializer(StrictSerializer):
    """A new milestone's name: checked here (text, not blank, not too long); milestone_create
    refuses a name the workload has already (`name_taken`)."""

    unknown_field_message = "Not a field of a milestone: only `name` is."

    name = NameField(
        max_length=MILESTONE_NAME_MAX,
        help_text="Unique among the workload's milestones (any case); spaces around it are dropped.",
    )

    class Meta:
        ref_name = "MilestoneCreate"


# --- the views ----------------------------------------------------------------------------------------

PATH_PARAMETERS = [WORKLOAD_PARAMETER]
NUMBER_PARAMETER = OpenApiParameter(
    "number", OpenApiTypes.INT, OpenApiParameter.PATH, description="The milestone's number in the workload."
)


def _detail(milestone: Milestone) -> dict:
    """The milestone as MilestoneDetailSerializer shows it: three queries (milestone_with_lenses)."""
    return MilestoneDetailSerializer(milestone_with_lenses(milestone)).data


@extend_schema_view(
    list=extend_schema(
        summary="A workload's milestones, newest first",
        description="Each with its counts and each lens's; `GET .../milestones/{number}/` has the rest.",
        parameters=PATH_PARAMETERS,
    ),
    create=extend_schema(
        summary="Save the workload as it is now as a milestone (owner)",
        description="A frozen copy of the workload's fields, every lens review with its version, every "
        "answer and the risk counts, numbered after the workload's last milestone. Nothing changes it "
        "afterwards, and it goes only with its workload. 400 naming `name` for an empty, too long or "
        "taken name.",
        parameters=PATH_PARAMETERS,
        request=MilestoneCreateSerializer,
        responses={201: MilestoneDetailSerializer},
        examples=[OpenApiExample("Before the launch", {"name": "Before launch"}, request_only=True)],
    ),
    retrieve=extend_schema(
        summary="A milestone: the workload's fields and lens reviews as they were",
        description="Each lens review with its version and each pillar's counts and notes. Its "
        "answers: `GET .../lens-reviews/{alias}/answers/?milestone={number}`.",
        parameters=[*PATH_PARAMETERS, NUMBER_PARAMETER],
        responses=MilestoneDetailSerializer,
    ),
)
class MilestoneViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = MilestoneSerializer
    queryset = Milestone.objects.none()  # every read goes through the workload's milestones
    lookup_field = "number"
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema is made without a workload
            return Milestone.objects.none()
        workload, _role = workload_or_404(self.request, self.kwargs["workload_id"])
        return milestones_of(workload).select_related("created_by", "restored_by")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The milestones' count, the page of them with who saved each, their lenses with totals.
        page = milestones_with_lenses(self.paginate_queryset(self.get_queryset()) or [])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        workload, _role = workload_or_404(request, self.kwargs["workload_id"])
        number = int(self.kwargs["number"])
        milestone = (  # a number past any column's range is no milestone, not a database error
            Milestone.objects.select_related("created_by", "restored_by")
            .filter(workload=workload, number=number)
            .first()
            if number < 2**31
            else None
        )
        if milestone is None:
            raise NotFound(f"This workload has no milestone {number}.")
        return Response(_detail(milestone))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        workload, _role = workload_or_404(request, self.kwargs["workload_id"], Action.EDIT)
        data = MilestoneCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        milestone = milestone_create(
            workload=workload, actor=signed_in(request.user), name=data.validated_data["name"]
        )
        location = request.build_absolute_uri(
            reverse("api:milestone-detail", args=[workload.pk, milestone.number])
        )
        return Response(_detail(milestone), status=status.HTTP_201_CREATED, headers={"Location": location})


router = SimpleRouter()
router.register(r"workloads/(?P<workload_id>\d+)/milestones", MilestoneViewSet, basename="milestone")
urlpatterns = router.urls
