"""/api/v1/lens-catalog/ (list, add) and /api/v1/lenses/import/url/, /api/v1/lenses/{alias}/catalog-update/:
the lens library's other ways in, as the pages in lens/import_views.py offer them. Each counts as an
import for MLWA_API_RATE_HEAVY."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from lens.access import managed_lens
from lens.api.serializers import ImportedSerializer, RefusalSerializer
from lens.catalog import catalog_entries, lens_add_from_catalog, lens_update_from_catalog
from lens.permissions import can_manage_instance_lenses
from lens.selectors import lens_summaries
from lens.services import ALIAS_MAX, ImportResult
from lens.url_import import lens_import_from_url
from mlwa.api.params import ALIAS_PARAMETER
from mlwa.api.schema import error_response
from mlwa.api.throttling import HEAVY_THROTTLES
from mlwa.api.views import ApiView
from mlwa.types import signed_in


class CatalogLensSerializer(serializers.Serializer):
    """A lens added from a catalog file, as the reader may see it."""

    alias = serializers.SlugField()
    name = serializers.CharField()
    owner = serializers.CharField(allow_null=True, help_text="Username; null for the instance's lenses.")
    changed = serializers.BooleanField(
        help_text="The file holds content that the lens's newest version does not: a new version to import "
        "(`POST /api/v1/lenses/{alias}/catalog-update/`) and publish."
    )


class CatalogFileSerializer(serializers.Serializer):
    """A file of the lens catalog (MLWA_LENS_CATALOG)."""

    file = serializers.CharField(help_text="The file's name in the catalog folder.")
    name = serializers.CharField()
    description = serializers.CharField()
    pillar_count = serializers.IntegerField()
    question_count = serializers.IntegerField()
    problem = serializers.CharField(help_text="Why the file cannot be added; empty when it can.")
    lenses = CatalogLensSerializer(many=True, help_text="The lenses you may see that were added from it.")


class CatalogAddSerializer(serializers.Serializer):
    file = serializers.CharField(max_length=255, help_text="A file name from the catalog listing.")
    scope = serializers.ChoiceField(
        choices=["INSTANCE", "MINE"],
        help_text="`INSTANCE`: the instance's lens (administrators); `MINE`: your own lens.",
    )

    class Meta:
        ref_name = "LensCatalogAdd"


class UrlImportSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=2000, help_text="An https:// URL of a lens file, at most 5 MB.")
    alias = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=ALIAS_MAX,
        help_text="The alias of one of your lenses to replace its draft; empty: a new lens.",
    )

    class Meta:
        ref_name = "LensUrlImport"


def _created(request: Request, result: ImportResult) -> Response:
    lens_summaries([result.lens], user=request.user)
    body = ImportedSerializer(
        {"lens": result.lens, "version": result.version, "warnings": result.version.warnings}
    ).data
    location = request.build_absolute_uri(reverse("api:lens-detail", args=[result.lens.alias]))
    location += f"?version={result.version.label or 'draft'}"
    return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class LensCatalogView(ApiView):
    @extend_schema(
        summary="The lens catalog",
        description="The lens files the administrator made available (MLWA_LENS_CATALOG), each with its "
        "counts and the lenses you may see that were added from it. Empty when no catalog is set.",
        responses=CatalogFileSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        rows = [
            {
                "file": entry.file.filename,
                "name": entry.file.name,
                "description": entry.file.description,
                "pillar_count": entry.file.pillar_count,
                "question_count": entry.file.question_count,
                "problem": entry.file.problem,
                "lenses": [
                    {
                        "alias": lens.alias,
                        "name": lens.name,
                        "owner": lens.owner.get_username() if lens.owner else None,
                        "changed": lens in entry.changed,
                    }
                    for lens in entry.lenses
                ],
            }
            for entry in catalog_entries(user=request.user)
        ]
        return Response(CatalogFileSerializer(rows, many=True).data)


class LensCatalogAddView(ApiView):
    throttle_classes = HEAVY_THROTTLES
    creates = True

    @extend_schema(
        summary="Add a catalog lens",
        description="Adds the file as a new lens, published at once (a major version labelled with "
        "today's date): the instance's (`scope: INSTANCE`, administrators, else 403) or yours (`MINE`).",
        request=CatalogAddSerializer,
        responses={
            201: ImportedSerializer,
            400: OpenApiResponse(
                RefusalSerializer,
                description="No such file (`not_in_catalog`), or it breaks the lens format.",
            ),
            403: error_response("`scope: INSTANCE` by someone who does not manage the instance's lenses."),
        },
        examples=[OpenApiExample("The ML lens", {"file": "machine-learning-lens.json", "scope": "MINE"})],
    )
    def post(self, request: Request) -> Response:
        data = CatalogAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = signed_in(request.user)
        instance = data.validated_data["scope"] == "INSTANCE"
        if instance and not can_manage_instance_lenses(user):
            raise PermissionDenied("Only administrators add lenses to the instance.")
        result = lens_add_from_catalog(
            filename=data.validated_data["file"], owner=None if instance else user, actor=user
        )
        return _created(request, result)


class LensCatalogUpdateView(ApiView):
    throttle_classes = HEAVY_THROTTLES
    creates = True

    @extend_schema(
        summary="Import a lens's changed catalog file as its draft (manager)",
        description="The catalog file the lens was added from, imported as the lens's draft, to compare "
        "and publish (`POST .../versions/`). Refused when the lens was not added from the catalog "
        "(`not_from_catalog`).",
        parameters=[ALIAS_PARAMETER],
        request=None,
        responses={201: ImportedSerializer, 400: RefusalSerializer},
    )
    def post(self, request: Request, alias: str = "") -> Response:
        lens = managed_lens(request, alias)
        return _created(request, lens_update_from_catalog(lens=lens, actor=signed_in(request.user)))


class LensUrlImportView(ApiView):
    throttle_classes = HEAVY_THROTTLES
    creates = True

    @extend_schema(
        summary="Import a lens file from a URL as a draft",
        description="Fetched through the guarded outgoing client: https only, public addresses only "
        "(unless on MLWA_OUTGOING_ALLOW), every redirect checked again, at most 5 MB and a few seconds. "
        "A refusal of the fetch is a 400 `url_refused` on `url` saying why; an answer other than 200 is "
        "`url_status`; the file is then judged as an upload is (`lens_refused`).",
        request=UrlImportSerializer,
        responses={201: ImportedSerializer, 400: RefusalSerializer},
        examples=[
            OpenApiExample(
                "A lens on GitHub",
                {
                    "url": "https://raw.githubusercontent.com/aws-samples/sample-well-architected-custom-lens/"
                    "main/machine-learning-lens/machine-learning-lens.json"
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = UrlImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = signed_in(request.user)
        result = lens_import_from_url(
            url=data.validated_data["url"],
            owner=user,
            alias=data.validated_data.get("alias") or None,
            created_by=user,
        )
        return _created(request, result)
