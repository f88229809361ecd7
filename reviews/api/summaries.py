"""Risk summaries: one workload's (/api/v1/workloads/{id}/risk-summary/), and every workload the
caller may see at once (/api/v1/risk-summary/, also as CSV there with `?format=csv` or
`Accept: text/csv`, and at /api/v1/risk-summary.csv, the CSV's own operation in the schema).

The organisation-wide summary answers up to settings.MLWA_RISK_SUMMARY_MAX workloads in one
response, so its rows never go through serializers: reviews.selectors.summaries builds plain dicts
and lists, and the serializers below only describe them in the schema.
"""

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

import orjson
from django.conf import settings
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import encoders

from mlwa.api.params import MILESTONE_PARAMETER, WORKLOAD_PARAMETER
from mlwa.api.renames import RenamedFieldsMixin
from mlwa.api.schema import AutoSchema
from mlwa.api.views import ApiView, GenericApiView
from mlwa.spreadsheets import UTF8_BOM, csv_safe
from reviews.access import workload_or_404
from reviews.api.counts import RiskCountsSerializer
from reviews.api.filters import requested_filters
from reviews.api.milestones import requested_milestone_number, requested_state
from reviews.filters import WorkloadFilterSet
from reviews.models import Workload
from reviews.selectors.summaries import risk_summary, workload_risk_summary

# --- the shape, for the schema ---------------------------------------------------------------------


class PillarSummarySerializer(serializers.Serializer):
    """A pillar of a lens, with its risk counts."""

    pillar_id = serializers.CharField(help_text="The pillar's id in the lens (`security`, ...).")
    name = serializers.CharField()
    counts = RiskCountsSerializer()


class LensSummarySerializer(RenamedFieldsMixin, serializers.Serializer):
    """A lens applied to the workload, with its counts and its pillars'."""

    renamed = {"alias": "lens", "totals": "counts"}

    lens = serializers.CharField(help_text="The lens's alias.")
    name = serializers.CharField(help_text="The lens's name.")
    version = serializers.CharField(help_text="The label of the version the workload is reviewed on.")
    counts = RiskCountsSerializer(help_text="Its pillars' counts added up.")
    pillars = PillarSummarySerializer(many=True, help_text="In the lens's order.")


class WorkloadRiskSummarySerializer(RenamedFieldsMixin, serializers.Serializer):
    """A workload's risk counts per lens and pillar, and in total."""

    renamed = {"totals": "counts"}

    id = serializers.IntegerField()
    name = serializers.CharField()
    owner = serializers.CharField(help_text="The owner's username.")
    environment = serializers.ChoiceField(choices=Workload.Environment.choices)
    counts = RiskCountsSerializer(help_text="Its lenses' counts added up.")
    lenses = LensSummarySerializer(many=True, help_text="In the order they were applied.")

    class Meta:
        ref_name = "WorkloadRiskSummary"


class RiskSummarySerializer(RenamedFieldsMixin, serializers.Serializer):
    """Every workload the caller may see that matches the filters, up to the instance's cap."""

    renamed = {"totals": "counts"}

    count = serializers.IntegerField(help_text="How many workloads match, including any left out.")
    truncated = serializers.BooleanField(
        help_text="True when more workloads match than `limit`: only the first `limit` are given."
    )
    limit = serializers.IntegerField(help_text="The most workloads one response gives (the cap).")
    counts = RiskCountsSerializer(help_text="The counts of the workloads given, added up.")
    workloads = WorkloadRiskSummarySerializer(many=True, help_text="In the order `ordering` names.")

    class Meta:
        ref_name = "RiskSummary"


# --- CSV --------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "workload_id",
    "workload",
    "owner",
    "environment",
    "lens",
    "lens_version",
    "pillar_id",
    "pillar",
    "high",
    "medium",
    "none",
    "not_applicable",
    "unanswered",
    "questions",
    "answered",
)
COUNT_COLUMNS = CSV_COLUMNS[8:]


def summary_csv_rows(summary: dict) -> Iterator[list]:
    """One row per (workload, lens, pillar) of an organisation-wide summary; a workload without
    lenses gets one row with empty lens and pillar columns and zero counts, so that every workload
    of the summary is in the file."""
    for workload in summary["workloads"]:
        head = [
            workload["id"],
            csv_safe(workload["name"]),
            csv_safe(workload["owner"]),
            workload["environment"],
        ]
        if not workload["lenses"]:
            yield [*head, "", "", "", "", *(workload["counts"][name] for name in COUNT_COLUMNS)]
        for lens in workload["lenses"]:
            lens_cells = [csv_safe(lens["lens"]), csv_safe(lens["version"])]
            for pillar in lens["pillars"]:
                counts = pillar["counts"]
                yield [
                    *head,
                    *lens_cells,
                    csv_safe(pillar["pillar_id"]),
                    csv_safe(pillar["name"]),
                    *(counts[name] for name in COUNT_COLUMNS),
                ]


def wants_bom(request: Request) -> bool:
    """`?bom=true`: the CSV starts with a UTF-8 byte order mark (for Excel); `false` or nothing:
    the bytes as ever (REST v1 keeps them). Anything else is a 400 naming `bom`."""
    value = request.query_params.get("bom", "false")
    if value not in ("true", "false"):
        raise ValidationError({"bom": ["true or false."]})
    return value == "true"


BOM_PARAMETER = OpenApiParameter(
    "bom",
    OpenApiTypes.BOOL,
    description="`true`: the CSV starts with a UTF-8 byte order mark, so that Excel reads non-ASCII names "
    "right (Python reads it with encoding `utf-8-sig`). Without it (or `false`), no mark. 400 for any "
    "other value.",
)


class RiskSummaryCsvRenderer(renderers.BaseRenderer):
    """`?format=csv` (or `Accept: text/csv`): the summary as one CSV row per workload, lens and pillar."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        request = (renderer_context or {}).get("request")
        out = io.StringIO()
        if request is not None and wants_bom(request):
            out.write(UTF8_BOM)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(summary_csv_rows(data))
        return out.getvalue().encode(self.charset)


class SummaryJSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, writing with orjson: the organisation-wide summary of 10,000 workloads
    is some 12 MB of JSON, which the standard library takes ten times longer to write (about 250
    ms against 25, measured). Values orjson does not know (lazy translations...) go through DRF's
    encoder, as they would with DRF's renderer; tests/api/test_summary_renderer.py holds the two
    renderers equal."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        # OPT_UTC_Z: a UTC time ends in "Z", as DRF's encoder writes it (orjson's own: "+00:00").
        return orjson.dumps(data, default=_drf_encoder.default, option=orjson.OPT_UTC_Z)


_drf_encoder = encoders.JSONEncoder()


# --- views ------------------------------------------------------------------------------------------

ORG_MILESTONE_PARAMETER = OpenApiParameter(
    MILESTONE_PARAMETER.name,
    OpenApiTypes.INT,
    description="Each workload's lenses and counts as its milestone N keeps them, instead of as they "
    "are now: the workloads without a milestone N are left out (none has one: an empty summary). The "
    "filters and the order apply to the workloads as they are now. 400 for anything but a whole "
    "number from 1.",
)
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=["json", "csv"],
    description="`csv` for one row per workload, lens and pillar, as an attachment, whatever `Accept` "
    "says (so does `Accept: text/csv` without `format`); `json` for JSON, also whatever `Accept` says. "
    "JSON when neither asks for CSV.",
)
COUNT_HEADERS = [
    OpenApiParameter(
        "X-Total-Count",
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        response=[200],
        description="How many workloads match (`count`), for the CSV too.",
    ),
    OpenApiParameter(
        "X-Truncated",
        OpenApiTypes.BOOL,
        OpenApiParameter.HEADER,
        response=[200],
        description="`true` when more workloads match than one response gives (`truncated`).",
    ),
]


@extend_schema(
    summary="A workload's risk counts per lens and pillar",
    description="As they are now, or as milestone N keeps them (`?milestone=N`); the workload's id, "
    "name, owner and environment are always as they are now.",
    parameters=[
        WORKLOAD_PARAMETER,
        MILESTONE_PARAMETER,
    ],
    responses=WorkloadRiskSummarySerializer,
)
class WorkloadRiskSummaryView(ApiView):
    """GET: the workload's counts per lens and pillar, the lens totals and its totals."""

    renderer_classes = [SummaryJSONRenderer]

    def get(self, request: Request, workload_id: int) -> Response:
        workload, _role = workload_or_404(request, workload_id)
        return Response(workload_risk_summary(state=requested_state(request, workload)))


class SummarySchema(AutoSchema):
    """The organisation-wide summary is one object, not a list, yet takes the workload list's
    filters: document them (drf-spectacular documents filters on lists only)."""

    def get_filter_backends(self) -> list[Any]:
        return getattr(self.view, "filter_backends", [])

    def _get_response_bodies(self, direction: Direction = "response") -> dict:
        # Errors are JSON whatever the format asked for (RiskSummaryView.finalize_response), also
        # where CSV is the one format (RiskSummaryCsvView).
        responses = super()._get_response_bodies(direction)
        for code, response in responses.items():
            content = response.get("content", {})
            if not code.startswith("2") and RiskSummaryCsvRenderer.media_type in content:
                error = content.pop(RiskSummaryCsvRenderer.media_type)
                content.setdefault(SummaryJSONRenderer.media_type, error)
        return responses


@extend_schema(
    summary="Risk counts of every workload you may see, per lens and pillar",
    description="Every workload the caller may see (every one, for a user who may see all workloads) "
    "that matches the filters, in one response: no pages. The response holds at most the instance's "
    "cap of workloads (MLWA_RISK_SUMMARY_MAX, 10,000 unless the instance sets it), the first ones in "
    "the `ordering` order; when more match, `truncated` is true and `count` says how many match. "
    "`?format=csv` (whatever `Accept` says), or `Accept: text/csv`, gives one row per workload, lens "
    "and pillar, as an attachment: the same file as `GET /api/v1/risk-summary.csv`, the operation a "
    "generated client should use for it. Text cells that a spreadsheet would run as a formula start "
    "with a quote.",
    parameters=[ORG_MILESTONE_PARAMETER, FORMAT_PARAMETER, BOM_PARAMETER, *COUNT_HEADERS],
    responses={
        (200, "application/json"): RiskSummarySerializer,
        (200, "text/csv"): OpenApiResponse(
            OpenApiTypes.STR, description="Columns: " + ", ".join(CSV_COLUMNS) + "."
        ),
    },
)
class RiskSummaryView(GenericApiView):
    """GET: the organisation-wide risk summary, as JSON or CSV."""

    renderer_classes = [SummaryJSONRenderer, RiskSummaryCsvRenderer]
    filter_backends = [DjangoFilterBackend]  # for the schema: requested_filters applies WorkloadFilterSet
    filterset_class = WorkloadFilterSet
    queryset = Workload.objects.none()  # every read goes through the selectors
    pagination_class = None
    schema = SummarySchema()

    def get(self, request: Request) -> Response:
        wants_bom(request)  # a bad `bom` is told before the work
        summary = risk_summary(
            user=request.user,
            filters=requested_filters(request),
            limit=settings.MLWA_RISK_SUMMARY_MAX,
            milestone=requested_milestone_number(request),
        )
        headers = {"X-Total-Count": str(summary["count"]), "X-Truncated": str(summary["truncated"]).lower()}
        if request.accepted_renderer.format == RiskSummaryCsvRenderer.format:
            headers["Content-Disposition"] = 'attachment; filename="risk-summary.csv"'
        return Response(summary, headers=headers)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        # Only the summary has a CSV form: errors, and OPTIONS's description of the view, are JSON
        # whatever format was asked for.
        if request.method == "OPTIONS" or response.status_code != 200:
            request.accepted_renderer = SummaryJSONRenderer()
            request.accepted_media_type = SummaryJSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class RiskSummaryCsvView(RiskSummaryView):
    """GET: the organisation-wide risk summary as CSV, its own operation with one media type, which
    a client generated from the schema can read (the summary's `?format=csv` stays, for REST v1)."""

    renderer_classes = [RiskSummaryCsvRenderer]

    @extend_schema(
        operation_id="risk_summary_csv_retrieve",
        tags=["risk-summary"],
        summary="Risk counts of every workload you may see, as CSV",
        description="The organisation-wide risk summary (`GET /api/v1/risk-summary/`: the same workloads, "
        "filters, order and cap) as a CSV attachment, whatever `Accept` says: one row per workload, lens "
        "and pillar, with the columns " + ", ".join(f"`{name}`" for name in CSV_COLUMNS) + ". A workload "
        "without lenses has one row, with empty lens and pillar cells and zero counts. Text cells that a "
        "spreadsheet would run as a formula start with a quote. Errors are JSON.",
        parameters=[
            ORG_MILESTONE_PARAMETER,
            BOM_PARAMETER,
            *COUNT_HEADERS,
            OpenApiParameter(FORMAT_PARAMETER.name, exclude=True),  # the path names the format
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="The CSV, UTF-8, with a header row. Columns: " + ", ".join(CSV_COLUMNS) + ".",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        return super().get(request)

    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[BaseRenderer, str]:
        # The path names the format: the CSV whatever `Accept` or `?format=` says (errors are JSON,
        # RiskSummaryView.finalize_response).
        renderer = RiskSummaryCsvRenderer()
        return renderer, renderer.media_type


urlpatterns = [
    path(
        "workloads/<int:workload_id>/risk-summary/",
        WorkloadRiskSummaryView.as_view(),
        name="workload-risk-summary",
    ),
    path("risk-summary/", RiskSummaryView.as_view(), name="risk-summary"),
    path("risk-summary.csv", RiskSummaryCsvView.as_view(), name="risk-summary-csv"),
]
