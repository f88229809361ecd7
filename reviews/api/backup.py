"""/api/v1/workloads/{id}/export/ and /api/v1/workloads/import/: a workload's backup document, and
restoring one (reviews.backup describes the document and what a restore keeps or drops)."""

from typing import Any

from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from lens.format import keep_repeated_keys
from mlwa import error_codes
from mlwa.api.params import WORKLOAD_PARAMETER
from mlwa.api.parsers import JSONParser
from mlwa.api.schema import error_response
from mlwa.api.throttling import HEAVY_THROTTLES
from mlwa.api.views import ApiView
from mlwa.errors import InvalidInput
from reviews.access import workload_or_404
from reviews.backup import workload_export, workload_restore

DOCUMENT = OpenApiTypes.OBJECT
AS_COPY = OpenApiParameter(
    "as_copy",
    OpenApiTypes.BOOL,
    OpenApiParameter.QUERY,
    description="Restore a backup that was restored on this instance already, as one more workload.",
)


_TIME = "2026-01-01T09:00:00+00:00"
EXAMPLE = {
    "format": "mlwa-workload-backup",
    "schema_version": 2,
    "document_id": "6f1c1f3e-8f0e-4f7a-9d55-0e3c0b1d2a11",
    "exported_at": _TIME,
    "exported_by": "alice",
    "source": "mlwa.example.org",
    "workload": {
        "name": "Fraud detection",
        "description": "",
        "environment": "PRODUCTION",
        "review_owner": "",
        "industry_type": "Financial Services",
        "industry": "",
        "aws_regions": ["eu-west-1"],
        "non_aws_regions": [],
        "account_ids": [],
        "applications": [],
        "architectural_design_url": "",
        "tags": [],
        "notes": "",
        "pillar_priorities": [],
        "owner": "alice",
        "created_at": _TIME,
        "updated_at": _TIME,
    },
    "lens_versions": [],
    "lens_reviews": [],
    "audit_trail": [],
    "events": [],
    "milestones": [],
    "improvement_items": [],
    "shares": [{"user": "bob", "group": None, "role": "READER", "created_at": _TIME}],
}


class DroppedShareSerializer(serializers.Serializer):
    """A share of the backed-up workload, not restored: a user or a group, and the role."""

    user = serializers.CharField(required=False)
    group = serializers.CharField(required=False)
    role = serializers.CharField()


class RestoreWarningSerializer(serializers.Serializer):
    """A value of the backup that disagrees with what its answers compute: restored as computed.
    A backup made by MLWA always agrees, so a warning means the file was edited."""

    path = serializers.CharField(help_text="The JSON path, e.g. `lens_reviews[0].answers[3].risk`.")
    stored = serializers.JSONField(allow_null=True, help_text="The value in the backup (null: none).")
    computed = serializers.JSONField(allow_null=True, help_text="The value restored.")
    message = serializers.CharField()

    class Meta:
        ref_name = "RestoreWarning"


class RestoreResultSerializer(serializers.Serializer):
    """The workload made, the shares left behind, the lenses imported for it, and the warnings."""

    id = serializers.IntegerField(source="workload.pk")
    name = serializers.CharField(source="workload.name", help_text="With a suffix if the name was taken.")
    owner = serializers.CharField(source="workload.owner.username")
    url = serializers.SerializerMethodField()
    dropped_shares = DroppedShareSerializer(many=True)
    lenses_created = serializers.ListField(
        child=serializers.CharField(), help_text="Aliases of the lenses imported as the caller's own."
    )
    warnings = RestoreWarningSerializer(
        many=True,
        help_text="Each risk, pillar count or milestone total of the backup that disagrees with what its "
        "answers compute under their lens version's rules: restored as computed.",
    )

    def get_url(self, result: Any) -> str:
        return reverse("api:workload-detail", args=[result.workload.pk])


class WorkloadExportView(ApiView):
    """GET: the workload's backup document."""

    @extend_schema(
        summary="A workload's backup document",
        description="One JSON document (`format` mlwa-workload-backup, `schema_version` 2) with the "
        "workload, its lens reviews and the lens versions they need (each as its custom-lens file), "
        "answers, audit trail, event log, milestones, improvement items and shares. Anyone who may see "
        "the workload may export it; the export is recorded in its event log.",
        parameters=[WORKLOAD_PARAMETER],
        responses={200: OpenApiResponse(DOCUMENT, description="The backup document.")},
    )
    def get(self, request: Request, workload_id: int) -> Response:
        workload, _role = workload_or_404(request, workload_id)
        return Response(workload_export(workload=workload, actor=request.user, source=request.get_host()))


class BackupParser(JSONParser):
    """A backup body keeps the keys named twice, so that a lens file inside is refused at their path
    as importing that file would refuse it (json alone keeps the last value, silently)."""

    object_pairs_hook = staticmethod(keep_repeated_keys)


class WorkloadImportView(ApiView):
    """POST: restore a backup document as a new workload of the caller."""

    throttle_classes = HEAVY_THROTTLES  # MLWA_API_RATE_HEAVY, with the browser's restores
    parser_classes = [BackupParser]
    creates = True  # takes an Idempotency-Key

    @extend_schema(
        summary="Restore a workload from its backup document",
        description="The body is the backup document as GET .../export/ gives it. The caller owns the "
        "new workload; its shares are not restored (`dropped_shares` lists them); people are kept as "
        "names; each lens version is one the caller may see with the same content hash, or is imported "
        "as the caller's own lens; a name the caller has taken gets a suffix “ (restored)”. Every "
        "answer's risk is computed from its choices with its lens version's rules, and every milestone's "
        "counts from its frozen answers: a value of the document that disagrees is restored as computed, "
        "with an entry in `warnings`. What the restore writes carries `restored_by` and `restored_at` "
        "(answers, history, events, milestones). Refusals: "
        "400 `invalid` naming the JSON path at fault; 409 `already_restored` for a document restored on "
        "this instance already (unless `?as_copy=true`); 422 `newer_schema` for a document of a newer "
        "schema_version than this instance reads. Nothing is written when refused. The request body is "
        "capped like every request (MLWA_MAX_REQUEST_BYTES, 413 above it).",
        parameters=[AS_COPY],
        request=DOCUMENT,
        responses={
            201: OpenApiResponse(RestoreResultSerializer, description="Restored; Location is the workload."),
            409: error_response("`already_restored`: this document was restored here already."),
            422: error_response(
                "`newer_schema`: the document's schema_version is newer than this MLWA reads."
            ),
        },
        examples=[OpenApiExample("The smallest backup: a workload with no lens", EXAMPLE, request_only=True)],
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            # The body itself is at fault: the path "" (mlwa.api.errors.flatten_errors).
            raise ValidationError(["The body must be a backup document, a JSON object."])
        as_copy = request.query_params.get("as_copy", "").lower() in {"1", "true", "yes"}
        try:
            result = workload_restore(document=request.data, user=request.user, as_copy=as_copy)
        except InvalidInput as error:
            if error.code != error_codes.INVALID:
                raise
            # A backup is a document with a format of its own, refused at its JSON paths as a lens is.
            raise InvalidInput(error.errors, code=error_codes.BACKUP_REFUSED) from None
        body = RestoreResultSerializer(result).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


urlpatterns = [
    path("workloads/import/", WorkloadImportView.as_view(), name="workload-import"),
    path("workloads/<int:workload_id>/export/", WorkloadExportView.as_view(), name="workload-export"),
]
