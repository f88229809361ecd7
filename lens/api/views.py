"""/api/v1/lenses/: the lens library (list, read, import, compare, export, delete) for REST clients.

Each view mirrors its page in lens/views.py: it finds the lens with `lens.access` (404 for what the
caller may not see, 403 for what they may see but not manage), reads through the selectors, writes
through the services, and raises what they refuse for the error handler to answer.
"""

from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from lens import services
from lens.access import managed_lens, requested_version, visible_lens
from lens.api.lens_file import LensFileSerializer
from lens.api.serializers import (
    DiffSerializer,
    ImportedSerializer,
    LensDetailSerializer,
    LensSerializer,
    RefusalSerializer,
    UploadSerializer,
)
from lens.diff import version_diff
from lens.format import write_lens, write_lens_for_aws
from lens.models import Lens
from lens.permissions import can_manage
from lens.selectors import (
    lens_summaries,
    lens_versions,
    previous_published_version,
    version_content,
    version_document,
)
from lens.services import LensActionRefused, LensInUse
from mlwa.api.conditional import if_match
from mlwa.api.errors import Conflict
from mlwa.api.params import ALIAS_PATTERN, VERSION_PARAMETER
from mlwa.api.parsers import JSONParser
from mlwa.api.schema import error_response
from mlwa.api.throttling import HEAVY_THROTTLES
from mlwa.api.views import ApiViewSet
from mlwa.types import signed_in


class ExportQuerySerializer(serializers.Serializer):
    aws = serializers.BooleanField(default=False)


EXAMPLE_LENS = {
    "schemaVersion": "2021-11-01",
    "name": "Data platform lens",
    "description": "What our data platform reviews ask.",
    "pillars": [
        {
            "id": "operations",
            "name": "Operational excellence",
            "questions": [
                {
                    "id": "ops_backfills",
                    "title": "How do you rerun a failed pipeline?",
                    "description": "Backfills without duplicates.",
                    "choices": [
                        {
                            "id": "ops_backfills_idempotent",
                            "title": "Every step is idempotent",
                            "helpfulResource": {"displayText": "A rerun then writes each row once."},
                            "improvementPlan": {
                                "displayText": "Write each step as an overwrite of its partition.",
                                "url": "https://example.com/idempotent-pipelines",
                            },
                        },
                        {
                            "id": "ops_backfills_runbook",
                            "title": "A runbook says how",
                            "helpfulResource": {"displayText": "Whoever is on call can rerun it."},
                            "improvementPlan": {"displayText": "Write the rerun steps down and try them."},
                        },
                        {"id": "ops_backfills_no", "title": "None of these"},
                    ],
                    "riskRules": [
                        {
                            "condition": "ops_backfills_idempotent && ops_backfills_runbook",
                            "risk": "NO_RISK",
                        },
                        {"condition": "ops_backfills_idempotent", "risk": "MEDIUM_RISK"},
                        {"condition": "default", "risk": "HIGH_RISK"},
                    ],
                }
            ],
        }
    ],
}

IMPORT_DESCRIPTION = """Import a lens file as a draft: send the file itself as the body
(`application/json`), or upload it as a form (`multipart/form-data`, field `file`).

Without an alias, a new lens of yours is made, with an alias derived from its name. With the alias of
one of your lenses (`alias` form field, or `?alias=`), its draft is replaced; an alias that any other
lens holds is refused as not available (`alias_taken`), the same way whoever holds it. With a new
alias, a new lens of yours is made under it. Publish the draft with
`POST /api/v1/lenses/{alias}/versions/`.

A file that breaks a rule of the format is refused with 400: `fields` names each JSON path at fault
(`$.pillars[0].questions[1].riskRules[0].condition`) and `problems` lists every problem, in the
file's order. Nothing is stored then."""


@extend_schema_view(
    list=extend_schema(
        summary="Lenses you may see",
        description="The instance's lenses, yours, and those shared with you, your groups or everyone; "
        "by name.",
    ),
    retrieve=extend_schema(
        summary="A lens with one version's content",
        description="Pillars, questions, choices (with their resources) and risk rules of the version "
        "asked for, and the warnings of its import.",
        parameters=[VERSION_PARAMETER],
        responses=LensDetailSerializer,
    ),
    destroy=extend_schema(
        summary="Delete a lens and all its versions (manager)",
        description="Refused with 409 while a review or milestone uses a version (`in_use`), and for "
        "the built-in lens (`builtin`).",
        responses={
            204: None,
            409: error_response("A review uses the lens (`in_use`), or it is the built-in lens (`builtin`)."),
        },
    ),
)
class LensViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ApiViewSet):
    serializer_class = LensSerializer
    queryset = Lens.objects.none()  # every read goes through Lens.objects.visible_to
    filter_backends = []
    lookup_field = "alias"
    lookup_value_regex = ALIAS_PATTERN

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(Lens.objects.visible_to(request.user).select_related("owner"))
        return self.get_paginated_response(
            LensSerializer(lens_summaries(list(page or []), user=request.user), many=True).data
        )

    def retrieve(self, request: Request, alias: str = "", *args: Any, **kwargs: Any) -> Response:
        lens = visible_lens(request, alias)
        manager = can_manage(request.user, lens)
        lens.version = requested_version(lens, request.query_params.get("version"), manager=manager)
        lens.pillars = version_content(lens.version) if lens.version else []
        lens_summaries([lens], user=request.user)
        return Response(LensDetailSerializer(lens).data)

    def destroy(self, request: Request, alias: str = "", *args: Any, **kwargs: Any) -> Response:
        lens = managed_lens(request, alias)
        try:
            with if_match(self, lock=Lens.objects.filter(pk=lens.pk)):
                services.lens_delete(lens=lens)
        except LensInUse:
            raise
        except LensActionRefused as refusal:
            # The built-in lens: its state, not the request, is why (the browser answers 409 too).
            raise Conflict(refusal.message, code=refusal.code) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Import a lens file as a draft",
        description=IMPORT_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "alias",
                OpenApiTypes.STR,
                description="The alias of one of your lenses, to replace its draft (for a JSON body; "
                "a form upload may give it as the `alias` field instead).",
            ),
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[201],
                description="The new draft.",
            ),
        ],
        request={"application/json": LensFileSerializer, "multipart/form-data": UploadSerializer},
        responses={
            201: ImportedSerializer,
            400: OpenApiResponse(
                RefusalSerializer,
                description="The file breaks a rule of the format (`lens_refused`: every problem at its "
                "JSON path), or the alias is reserved, malformed or not available (`fields.alias`; "
                "`alias_taken` whoever holds it: aliases are one public namespace). Nothing was stored.",
            ),
            415: error_response("The body is neither `application/json` nor `multipart/form-data`."),
        },
        examples=[
            OpenApiExample("A lens file", EXAMPLE_LENS, request_only=True, media_type="application/json"),
            OpenApiExample(
                "Replace the draft of your lens `data-platform`",
                {"alias": "data-platform"},
                request_only=True,
                media_type="multipart/form-data",
                description="With the file in the `file` field.",
            ),
        ],
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[JSONParser, MultiPartParser],
        throttle_classes=HEAVY_THROTTLES,  # MLWA_API_RATE_HEAVY, with the browser's imports
        check_body_text=False,  # the lens reader judges the bytes, and names where a NUL is
        creates=True,  # takes an Idempotency-Key
    )
    def import_lens(self, request: Request) -> Response:
        source, alias = self._import_source(request)
        result = services.lens_import(
            source=source,
            owner=signed_in(request.user),
            alias=alias or None,
            created_by=signed_in(request.user),
        )
        lens_summaries([result.lens], user=request.user)
        body = ImportedSerializer(
            {"lens": result.lens, "version": result.version, "warnings": result.version.warnings}
        ).data
        location = request.build_absolute_uri(reverse("api:lens-detail", args=[result.lens.alias]))
        location += "?version=draft"
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})

    @staticmethod
    def _import_source(request: Request) -> tuple[bytes, str | None]:
        """The lens file and alias of an import. A JSON body is read as the bytes sent, not as DRF
        parses it: the lens reader then judges it as it judges an upload (size, BOM, UTF-8, NaN),
        with every problem at its JSON path."""
        parser = request.negotiator.select_parser(request, request.parsers)  # type: ignore[union-attr, arg-type]  # DRF sets both
        if parser is None:
            raise exceptions.UnsupportedMediaType(request.content_type)
        if isinstance(parser, MultiPartParser):
            upload = UploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            alias = upload.validated_data.get("alias") or request.query_params.get("alias")
            return upload.validated_data["file"].read(), alias
        return request.body, request.query_params.get("alias")

    @extend_schema(
        summary="What changed between two versions",
        description="Pillars, questions and choices NEW, UPDATED or DELETED, matched by their ids. By "
        "default from the version before `to` to the newest version (the draft, for a manager).",
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.STR,
                description="A published label, or `draft` (manager). Default: the published version "
                "before `to`.",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.STR,
                description="A published label, or `draft` (manager). Default: the draft for a "
                "manager, else the newest published version.",
            ),
        ],
        responses=DiffSerializer,
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, alias: str = "") -> Response:
        lens = visible_lens(request, alias)
        manager = can_manage(request.user, lens)
        to_label, from_label = request.query_params.get("to"), request.query_params.get("from")
        if to_label:
            new = requested_version(lens, to_label, manager=manager)
        else:
            new = next(iter(lens_versions(lens, include_draft=manager)), None)
        if from_label:
            old = requested_version(lens, from_label, manager=manager)
        else:
            old = previous_published_version(new) if new else None
        changes = version_diff(version_document(old), version_document(new)) if old and new else []
        body = {"from_version": old, "to_version": new, "changes": [change.as_dict() for change in changes]}
        return Response(DiffSerializer(body).data)

    @extend_schema(
        summary="Export a version as a lens file",
        description="Written from the stored rows: what was imported, undocumented keys included. With "
        "`aws=true`, as the AWS Well-Architected Tool accepts it (undocumented keys dropped); a lens "
        "over the tool's limits is refused with 409, each value at fault in `fields` by JSON path.",
        parameters=[
            VERSION_PARAMETER,
            OpenApiParameter("aws", OpenApiTypes.BOOL, default=False, description="Export for the AWS tool."),
            OpenApiParameter(
                "Content-Disposition",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[200],
                description='`attachment; filename="<alias>-<label>[-aws].json"`.',
            ),
        ],
        responses={
            200: OpenApiResponse(LensFileSerializer, description="The lens file."),
            409: error_response("Values over the AWS tool's limits, each in `fields` by JSON path."),
        },
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, alias: str = "") -> Response:
        lens = visible_lens(request, alias)
        query = ExportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        for_aws = query.validated_data["aws"]
        version = requested_version(
            lens, request.query_params.get("version"), manager=can_manage(request.user, lens)
        )
        if version is None:
            raise Http404("This lens has no published version yet.")
        document = version_document(version)
        # AwsLimitsExceeded becomes a 409 naming each value at fault (mlwa.api.errors).
        content = write_lens_for_aws(document) if for_aws else write_lens(document)
        filename = f"{lens.alias}-{version.label or 'draft'}{'-aws' if for_aws else ''}.json"
        disposition = content_disposition_header(as_attachment=True, filename=filename)
        return Response(content, headers={"Content-Disposition": disposition})  # type: ignore[dict-item]  # never None for an attachment
