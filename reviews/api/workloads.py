"""/api/v1/workloads/: workloads (list with filters, create, read, change, delete, hand over). Their
shares are in reviews.api.shares, their event log in reviews.api.events."""

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from lens.models import Lens, LensVersion
from lens.selectors import latest_published_version
from mlwa import error_codes
from mlwa.api.conditional import if_match
from mlwa.api.strict import StrictCharField, StrictChoiceField, StrictSlugField
from mlwa.api.views import ApiViewSet
from mlwa.errors import InvalidInput
from mlwa.types import Reader, signed_in
from reviews import services
from reviews.access import workload_or_404
from reviews.api.counts import RiskCountsSerializer
from reviews.api.filters import requested_filters
from reviews.filters import WorkloadFilterSet
from reviews.models import Workload
from reviews.permissions import Action, Role
from reviews.properties import ACCOUNT_IDS_MAX, AWS_REGIONS_MAX, INDUSTRY_TYPES, NON_AWS_REGIONS_MAX
from reviews.selectors.dashboard import matching_workloads, with_roles, workload_rows
from reviews.services.workloads import WORKLOAD_FIELDS

User = get_user_model()


class WorkloadSerializer(serializers.ModelSerializer):
    """A workload as its readers see it, with the caller's role, its lenses and its risk counts."""

    owner = serializers.CharField(source="owner.username", read_only=True)
    role = serializers.ChoiceField(choices=[r.value for r in Role], read_only=True, help_text="The caller's.")
    lenses = serializers.SerializerMethodField(help_text="The aliases of the lenses applied, in order.")
    counts = RiskCountsSerializer(source="*", read_only=True, help_text="Over every lens of the workload.")
    last_change = serializers.DateTimeField(read_only=True, help_text="Its latest change, answers included.")
    # A URL or empty: not `format: uri`, which an empty string would break.
    architectural_design_url = serializers.CharField(read_only=True)
    regions = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Every region: `aws_regions` then `non_aws_regions` (one list, as before they were split).",
    )
    aws_regions = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="AWS codes.")
    non_aws_regions = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="Other regions, by name."
    )
    account_ids = serializers.ListField(child=serializers.CharField(), read_only=True)
    applications = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="AWS application ARNs (at most one)."
    )

    class Meta:
        model = Workload
        fields = [
            "id",
            *WORKLOAD_FIELDS,
            "regions",
            "owner",
            "role",
            "lenses",
            "counts",
            "created_at",
            "updated_at",
            "last_change",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_lenses(self, workload: Workload) -> list[str]:
        return [review.lens.alias for review in workload.applied]  # type: ignore[attr-defined]  # prefetched


class WorkloadWriteSerializer(serializers.Serializer):
    """The fields a workload's owner sets; a PATCH names only those it changes. The services check
    every rule (lengths, unique name, URLs) and name the field at fault."""

    name = StrictCharField(
        max_length=100, trim_whitespace=True, help_text="Unique among the owner's workloads (any case)."
    )
    description = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)
    environment = StrictChoiceField(choices=Workload.Environment.choices, required=False)
    review_owner = StrictCharField(required=False, allow_blank=True, trim_whitespace=True)
    industry = StrictCharField(
        required=False, allow_blank=True, trim_whitespace=True, help_text="Free text, beside `industry_type`."
    )
    industry_type = StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        help_text="Empty, or one of AWS's industry types (botocore's WorkloadIndustryType): "
        + ", ".join(f"“{name}”" for name in INDUSTRY_TYPES)
        + ".",
    )
    regions = serializers.ListField(
        child=StrictCharField(allow_blank=True, trim_whitespace=True),
        required=False,
        help_text="Every region in one list: known AWS region codes are kept as `aws_regions`, the rest "
        "as `non_aws_regions`. Not together with either of those.",
    )
    aws_regions = serializers.ListField(
        child=StrictCharField(allow_blank=True, trim_whitespace=True),
        required=False,
        help_text=f"AWS region codes (`eu-west-1`), at most {AWS_REGIONS_MAX}.",
    )
    non_aws_regions = serializers.ListField(
        child=StrictCharField(allow_blank=True, trim_whitespace=True),
        required=False,
        help_text=f"Other regions by name (on premises, another cloud): at most {NON_AWS_REGIONS_MAX}, "
        "each 1 to 128 characters.",
    )
    account_ids = serializers.ListField(
        child=StrictCharField(allow_blank=True, trim_whitespace=True),
        required=False,
        help_text=f"AWS account ids, 12 digits each, at most {ACCOUNT_IDS_MAX}.",
    )
    applications = serializers.ListField(
        child=StrictCharField(allow_blank=True, trim_whitespace=True),
        required=False,
        help_text="The ARN of the workload's AWS application (AppRegistry), at most one: "
        "arn:aws:servicecatalog:<region>:<account>:/applications/<id>.",
    )
    architectural_design_url = StrictCharField(
        required=False, allow_blank=True, trim_whitespace=True, help_text="An http:// or https:// link."
    )
    tags = serializers.ListField(
        child=StrictCharField(allow_blank=True, trim_whitespace=True), required=False
    )
    notes = StrictCharField(required=False, allow_blank=True, trim_whitespace=False)
    pillar_priorities = serializers.ListField(
        child=StrictCharField(allow_blank=True, trim_whitespace=True),
        required=False,
        help_text="Pillar ids of the workload's lenses, most important first.",
    )


class WorkloadCreateSerializer(WorkloadWriteSerializer):
    lenses = serializers.ListField(
        child=StrictSlugField(),
        required=False,
        help_text="Aliases of the lenses to apply, each at its newest published version. Without it: "
        "the built-in Machine Learning Lens.",
    )


class TransferSerializer(serializers.Serializer):
    owner = StrictCharField(
        help_text="The username of the new owner; the previous one stays as a contributor.",
        trim_whitespace=True,
    )


def _lens_versions(user: Reader, aliases: list[str]) -> list[LensVersion]:
    """The newest published version of each lens named, if the user may see it (else a 400)."""
    visible = {lens.alias: lens for lens in Lens.objects.visible_to(user).filter(alias__in=aliases)}
    versions = []
    for index, alias in enumerate(aliases):
        version = latest_published_version(visible[alias]) if alias in visible else None
        if version is None:
            raise InvalidInput(
                {f"lenses.{index}": f"No published lens {alias!r} that you may use."},
                code=error_codes.UNKNOWN_REFERENCE,
            )
        versions.append(version)
    return versions


@extend_schema_view(
    list=extend_schema(
        summary="Workloads you may see", description="With their risk counts; filtered and sorted."
    ),
    create=extend_schema(
        summary="Create a workload",
        description="Yours, with the lenses named in `lenses` applied at their newest published "
        "version (without `lenses`, the built-in Machine Learning Lens). Answers 201 with the workload "
        "and its URL in `Location`; 400 names the field at fault (a name you already use, a lens you "
        "may not use).",
        request=WorkloadCreateSerializer,
        examples=[
            OpenApiExample(
                "A production workload with the built-in lens",
                {"name": "Fraud scoring", "environment": "PRODUCTION", "tags": ["payments"]},
                request_only=True,
            )
        ],
    ),
    retrieve=extend_schema(
        summary="A workload",
        description="Its fields, owner, lenses, your role on it and its risk counts; 404 for a "
        "workload you may not see.",
    ),
    partial_update=extend_schema(
        summary="Change a workload's fields (owner)",
        description="Only the fields named change; each change is logged in the workload's events.",
        request=WorkloadWriteSerializer,
        examples=[
            OpenApiExample(
                "Set the industry and regions",
                {
                    "industry_type": "Financial Services",
                    "industry": "Banking",
                    "aws_regions": ["eu-west-1"],
                    "non_aws_regions": ["On-premises DC"],
                    "account_ids": ["123456789012"],
                    "tags": ["payments", "b2c"],
                },
                request_only=True,
            )
        ],
    ),
    destroy=extend_schema(
        summary="Delete a workload with its reviews (owner)",
        description="Its lens reviews, answers, milestones, shares and reports go with it; the "
        "deletion is recorded as an event that keeps the workload's name. 204.",
    ),
)
class WorkloadViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ApiViewSet,
):
    serializer_class = WorkloadSerializer
    filter_backends = [DjangoFilterBackend]  # for the schema: requested_filters applies WorkloadFilterSet
    filterset_class = WorkloadFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = Workload.objects.none()  # every read goes through the selectors
    lookup_value_regex = r"\d+"

    def _row(self, pk: int | str | None) -> Workload:
        """The workload with its counts, lenses and the caller's role: three queries, or a 404."""
        workload, _role = workload_or_404(self.request, pk)
        rows = with_roles(
            workload_rows(matching_workloads(user=self.request.user).filter(pk=workload.pk)),
            user=self.request.user,
        )
        return rows[0]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        filters = requested_filters(request)
        rows = workload_rows(matching_workloads(user=request.user, filters=filters), sort=filters.ordering)
        page = with_roles(self.paginate_queryset(rows) or [], user=request.user)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str | None = None, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self._row(pk)).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = WorkloadCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        aliases = fields.pop("lenses", None)
        versions = None if aliases is None else _lens_versions(request.user, aliases)
        workload = services.workload_create(
            owner=signed_in(request.user), fields=fields, lens_versions=versions
        )
        location = request.build_absolute_uri(reverse("api:workload-detail", args=[workload.pk]))
        return Response(
            self.get_serializer(self._row(workload.pk)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )

    def partial_update(self, request: Request, pk: str | None = None, *args: Any, **kwargs: Any) -> Response:
        workload, _role = workload_or_404(request, pk, Action.EDIT)
        # The precondition before the body (RFC 9110 §13.2.1): a stale or broken If-Match is told
        # first; the body is checked with the row held.
        with if_match(self, lock=Workload.objects.filter(pk=workload.pk)):
            data = WorkloadWriteSerializer(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            services.workload_update(
                workload=workload, actor=signed_in(request.user), fields=data.validated_data
            )
        return Response(self.get_serializer(self._row(workload.pk)).data)

    def destroy(self, request: Request, pk: str | None = None, *args: Any, **kwargs: Any) -> Response:
        workload, _role = workload_or_404(request, pk, Action.ADMINISTER)
        with if_match(self, lock=Workload.objects.filter(pk=workload.pk)):
            services.workload_delete(workload=workload, actor=signed_in(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Hand a workload to another user (owner)",
        description="The previous owner stays on as a contributor. If the new owner already has a "
        "workload of that name, this one is renamed “<name> (from <previous owner>)” (then “... 2”, "
        "“... 3”), and the rename is in the workload's events.",
        request=TransferSerializer,
        responses=WorkloadSerializer,
        examples=[OpenApiExample("To a colleague", {"owner": "maria"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request: Request, pk: str | None = None) -> Response:
        workload, _role = workload_or_404(request, pk, Action.ADMINISTER)
        data = TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new_owner = User.objects.filter(username=data.validated_data["owner"], is_active=True).first()
        if new_owner is None:
            raise InvalidInput(
                {"owner": "No active user with this username."}, code=error_codes.UNKNOWN_REFERENCE
            )
        services.workload_transfer(workload=workload, actor=signed_in(request.user), new_owner=new_owner)
        return Response(self.get_serializer(self._row(workload.pk)).data)


router = SimpleRouter()
router.register("workloads", WorkloadViewSet, basename="workload")
urlpatterns = router.urls
