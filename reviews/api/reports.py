"""/api/v1/reports/: ask for a report, follow it, download it, list and delete one's own.

A report is rendered in the background (DESIGN.md, "Reports in the background"): `POST` answers 202
at once with the report's URL, where `status` and `progress` show how it goes; its file is at
`download_url` once it is DONE (404 before). Anyone who may see a workload may ask for its reports
(outsiders get a 404 for the workload); the consolidated report covers every workload the caller
may see, narrowed by the dashboard's filters. A report is its requester's alone, and readable only
while they may still see its workload (reviews.reports.selectors.report_for, checked at every
request, downloads included). With the queue down, asking is answered 503 (`queue_unavailable`):
the report is kept, FAILED, with that reason. A read-only token reads and downloads, and may not
ask or delete (mlwa.api.permissions).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mlwa.api.conditional import if_match
from mlwa.api.params import BIGINT_MAX, INT_MAX, IdFilter
from mlwa.api.renames import RenamedFieldsMixin, RenamedFiltersMixin
from mlwa.api.schema import error_response
from mlwa.api.strict import StrictSerializer
from mlwa.api.views import ApiViewSet
from mlwa.errors import InvalidInput
from reviews.access import workload_or_404
from reviews.filters import filters_from_json, filters_schema, shown_filters
from reviews.models import Report
from reviews.reports.selectors import report_file, report_for, reports_of
from reviews.reports.services import report_delete, report_request


class ReportSerializer(RenamedFieldsMixin, serializers.ModelSerializer):
    """A report request and how its rendering goes."""

    renamed = {"workload": "workload_id"}

    url = serializers.SerializerMethodField(help_text="This report: poll it for `status` and `progress`.")
    workload_id = serializers.IntegerField(
        allow_null=True, help_text="The workload's id; null for a consolidated report."
    )
    lens = serializers.CharField(source="lens_alias", help_text="The lens's alias (a lens review); or empty.")
    milestone = serializers.IntegerField(
        source="milestone_number",
        allow_null=True,
        help_text="The milestone reported on; null: the current state.",
    )
    filters = serializers.SerializerMethodField(
        help_text="A consolidated report's workload filters, every one (`q` and `sort`, deprecated, "
        "repeat `search` and `ordering`); {} for other reports."
    )
    progress = serializers.IntegerField(help_text="Percent done, 0-100.")
    error = serializers.CharField(help_text="Why it failed; empty unless FAILED.")
    download_url = serializers.SerializerMethodField(help_text="The file, once DONE; null before.")

    class Meta:
        model = Report
        fields = [
            "id",
            "url",
            "kind",
            "format",
            "workload_id",
            "workload",
            "lens",
            "milestone",
            "filters",
            "status",
            "progress",
            "error",
            "file_name",
            "file_size",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields
        ref_name = "Report"

    def _absolute(self, route: str, report: Report) -> str:
        return self.context["request"].build_absolute_uri(reverse(route, args=[report.pk]))

    @extend_schema_field(serializers.URLField())
    def get_url(self, report: Report) -> str:
        return self._absolute("api:report-detail", report)

    @extend_schema_field(filters_schema())
    def get_filters(self, report: Report) -> dict:
        return shown_filters(report.filters)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, report: Report) -> str | None:
        return self._absolute("api:report-download", report) if report.status == Report.Status.DONE else None


@extend_schema_field(filters_schema(request=True))
class ReportFiltersField(serializers.DictField):
    """A consolidated report's filters, checked here by the filter set (reviews.filters), as
    report_request checks them again for every caller: each refused filter is named with the other
    fields at fault, `filters.<name>`."""

    def to_internal_value(self, data: Any) -> dict:
        filters = super().to_internal_value(data)
        try:
            filters_from_json(filters)
        except InvalidInput as error:
            raise serializers.ValidationError(
                {name.removeprefix("filters."): messages for name, messages in error.errors.items()}
            ) from None
        return filters


class ReportCreateSerializer(RenamedFieldsMixin, StrictSerializer):
    """What to report on. reviews.reports.services.report_request checks the rest (which kind comes
    in which format, the lens applied, the milestone, the filters) and names the field at fault."""

    renamed = {"workload": "workload_id"}

    kind = serializers.ChoiceField(choices=Report.Kind.choices)
    format = serializers.ChoiceField(
        choices=Report.Format.choices,
        default=Report.Format.PDF,
        help_text="LENS_REVIEW: PDF; IMPROVEMENT_PLAN: PDF or CSV; CONSOLIDATED: PDF or JSON.",
    )
    workload_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=BIGINT_MAX,
        help_text="The workload's id: required but for a consolidated report.",
    )
    lens = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="A lens review: the alias of a lens applied (in the milestone, if one is named); "
        "optional when the workload has one lens.",
    )
    milestone = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=INT_MAX,
        help_text="A lens review or plan as of this milestone; null or absent: the current state.",
    )
    filters = ReportFiltersField(
        required=False,
        help_text="A consolidated report: the workload filters, named and valued as the workload list's "
        "query parameters (has_high: true, false, or null for any). `q` and `sort` are deprecated names "
        "of `search` and `ordering`; giving both names of one filter is a 400.",
    )

    class Meta:
        ref_name = "ReportCreate"


class ReportFilterSet(RenamedFiltersMixin, filters.FilterSet):
    """?workload_id= (or its deprecated name ?workload=) &status="""

    renamed = {"workload": "workload_id"}

    workload_id = IdFilter(field_name="workload_id", help_text="Reports about this workload (its id).")
    status = filters.ChoiceFilter(choices=Report.Status.choices, help_text="Only reports in this status.")

    class Meta:
        model = Report
        fields: list[str] = []


#: The services' field names, as the API spells them.
_RENAMES = {"lens_alias": "lens", "milestone_number": "milestone"}

_FILE = "The report's file: PDF, CSV (an improvement plan) or JSON (a consolidated report), as asked."
_DOWNLOAD_TYPES = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=_FILE),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=_FILE),
    (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT, description=_FILE),
}
REPORT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The report's id.")
_EXAMPLES = [
    OpenApiExample(
        "A lens review at milestone 2",
        {"kind": "LENS_REVIEW", "workload_id": 1, "lens": "ml-lens-2021", "milestone": 2},
        request_only=True,
    ),
    OpenApiExample(
        "The improvement plan as CSV",
        {"kind": "IMPROVEMENT_PLAN", "format": "CSV", "workload_id": 1},
        request_only=True,
    ),
    OpenApiExample(
        "Production workloads with high risks",
        {
            "kind": "CONSOLIDATED",
            "format": "JSON",
            "filters": {"environment": "PRODUCTION", "has_high": True},
        },
        request_only=True,
    ),
]


def _renamed(error: InvalidInput, sent: Any) -> InvalidInput:
    """The service's refusal with its fields named as the API names them (`filters.search` stays);
    the workload by the name the request gave it (`workload_id`, or its deprecated name `workload`)."""
    renames = {**_RENAMES, "workload": "workload" if "workload" in sent else "workload_id"}
    renamed = {renames.get(field, field): messages for field, messages in error.errors.items()}
    return InvalidInput(renamed, code=error.code)


@extend_schema_view(
    list=extend_schema(
        summary="Your reports, newest first",
        description="The reports you asked for, while you may still see their workload (and your "
        "consolidated reports), filtered by workload and status.",
    ),
    create=extend_schema(
        summary="Ask for a report (rendered in the background)",
        description="Answers 202 at once, with the report (QUEUED) and its URL in `Location`: poll it "
        "for `status` and `progress`, then fetch `download_url`. Anyone who may see the workload may "
        "ask; a workload one may not see is a 404. 400 names the field at fault; 503 "
        "(`queue_unavailable`) when the report queue is down (the report is kept, FAILED).",
        request=ReportCreateSerializer,
        responses={
            202: ReportSerializer,
            503: error_response("The report queue is unavailable: try again later."),
        },
        examples=_EXAMPLES,
    ),
    retrieve=extend_schema(
        summary="A report: its status and progress",
        description="Poll it until `status` is DONE (then fetch `download_url`) or FAILED (`error` "
        "says why). 404 for anyone but its requester, or once they may no longer see its workload.",
        parameters=[REPORT_ID],
    ),
    destroy=extend_schema(
        summary="Delete a report and its file",
        description="Also while it is being rendered (the worker's file is then removed when it "
        "ends). 204; 404 for anyone but its requester.",
        parameters=[REPORT_ID],
    ),
)
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ApiViewSet):
    serializer_class = ReportSerializer
    queryset = Report.objects.none()  # every read goes through reviews.reports.selectors
    filterset_class = ReportFilterSet
    http_method_names = ["get", "post", "delete", "head", "options"]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        return reports_of(user=self.request.user)

    def get_object(self) -> Report:
        return report_for(user=self.request.user, pk=self.kwargs["pk"])

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        # A download is the file whatever the client accepts (its errors are JSON).
        return super().perform_content_negotiation(request, force=force or self.action == "download")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not isinstance(request.data, dict):
            raise ParseError("The body must be a JSON object.")
        if unknown := sorted(set(request.data) - set(ReportCreateSerializer().fields)):
            raise InvalidInput(dict.fromkeys(unknown, "Not a field of a report request."))
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        asked = data.validated_data
        workload = None
        if asked.get("workload_id") is not None:
            workload, _role = workload_or_404(request, asked["workload_id"])
        try:
            report = report_request(
                actor=request.user,
                kind=asked["kind"],
                format=asked["format"],
                workload=workload,
                lens_alias=asked.get("lens") or "",
                milestone_number=asked.get("milestone"),
                filters=asked.get("filters"),
            )
        except InvalidInput as error:
            raise _renamed(error, request.data) from None
        location = request.build_absolute_uri(reverse("api:report-detail", args=[report.pk]))
        return Response(
            self.get_serializer(report).data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )

    def perform_destroy(self, instance: Report) -> None:
        with if_match(self, lock=Report.objects.filter(pk=instance.pk)):
            report_delete(report=instance, actor=self.request.user)

    @extend_schema(
        summary="A report's file",
        description="The file, as an attachment, once the report is DONE; 404 before, and for anyone "
        "but its requester, or once they may no longer see its workload.",
        parameters=[
            REPORT_ID,
            OpenApiParameter(
                "Content-Disposition",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description='`attachment; filename="<file_name>"`.',
            ),
        ],
        responses=_DOWNLOAD_TYPES,
        filters=False,
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None, etag=False)
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        report = self.get_object()
        if report.status != Report.Status.DONE:
            raise Http404("This report is not ready.")
        try:
            handle = report_file(report).open("rb")
        except OSError:  # deleted meanwhile
            raise Http404("This report's file is gone.") from None
        response = FileResponse(handle, as_attachment=True, filename=report.file_name)
        patch_cache_control(response, private=True, no_store=True)
        return response


router = SimpleRouter()
router.register("reports", ReportViewSet, basename="report")
urlpatterns = router.urls
