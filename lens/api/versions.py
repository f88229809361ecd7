"""/api/v1/lenses/{alias}/versions/ (list, publish the draft) and /api/v1/lenses/{alias}/shares/
(read, replace): a lens's versions and who may see it, as the lens pages show and change them."""

from urllib.parse import urlencode

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from lens import services
from lens.access import managed_lens, visible_lens
from lens.api.serializers import PublishSerializer, SharesSerializer, VersionSerializer, shared_with
from lens.models import Lens, LensVersion
from lens.permissions import can_manage
from lens.selectors import lens_versions
from mlwa.api.conditional import if_match
from mlwa.api.params import ALIAS_PARAMETER
from mlwa.api.views import ApiViewSet, GenericApiView
from mlwa.types import signed_in


@extend_schema_view(
    list=extend_schema(
        summary="A lens's versions",
        description="The draft first (only for those who manage the lens), then the published "
        "versions, newest first.",
        parameters=[ALIAS_PARAMETER],
    ),
    create=extend_schema(
        summary="Publish the draft (manager)",
        description="Freezes the draft as a version with this label. Refused with 400 naming `label` "
        "when there is no draft (`no_draft`), the label is in use (`label_taken`) or not a label "
        "(`bad_label`).",
        parameters=[
            ALIAS_PARAMETER,
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[201],
                description="The lens at this version.",
            ),
        ],
        request=PublishSerializer,
        responses={201: VersionSerializer},
        examples=[OpenApiExample("A major version", {"label": "2", "major": True}, request_only=True)],
    ),
)
class LensVersionViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = VersionSerializer
    queryset = LensVersion.objects.none()  # every read goes through the lens selectors
    filter_backends = []

    def list(self, request: Request, alias: str = "") -> Response:
        lens = visible_lens(request, alias)
        versions = lens_versions(lens, include_draft=can_manage(request.user, lens))
        page: list[LensVersion] | None = self.paginate_queryset(versions)  # type: ignore[arg-type]  # a list paginates too
        return self.get_paginated_response(VersionSerializer(page, many=True).data)

    def create(self, request: Request, alias: str = "") -> Response:
        lens = managed_lens(request, alias)
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.lens_publish(lens=lens, actor=signed_in(request.user), **data.validated_data)
        location = request.build_absolute_uri(reverse("api:lens-detail", args=[lens.alias]))
        location += f"?{urlencode({'version': version.label})}"
        return Response(
            VersionSerializer(version).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


def _shares(lens: Lens) -> dict:
    return {
        "everyone": lens.shared_with_everyone,
        "users": list(lens.shared_with_users.order_by("username").values_list("username", flat=True)),
        "groups": list(lens.shared_with_groups.order_by("name").values_list("name", flat=True)),
    }


@extend_schema_view(
    get=extend_schema(
        summary="Who a lens is shared with (manager)",
        description="Who may see the lens besides its owner: every user of the instance or not, and "
        "the users and groups it is shared with, by name. Only those who manage the lens may read this.",
        parameters=[ALIAS_PARAMETER],
    ),
    put=extend_schema(
        summary="Replace who a lens is shared with (manager)",
        description="Exactly these users and groups, and every user or not. An unknown user or group "
        "is a 400 at `users.N` or `groups.N`, and nothing changes.",
        parameters=[ALIAS_PARAMETER],
        examples=[
            OpenApiExample(
                "A team and one colleague",
                {"everyone": False, "users": ["alice"], "groups": ["ml-team"]},
                request_only=True,
            )
        ],
    ),
)
class LensSharesView(GenericApiView):
    serializer_class = SharesSerializer
    http_method_names = ["get", "put", "head", "options"]

    def get_object(self) -> Lens:
        """The lens, for a manager (DRF's OPTIONS asks, to describe the PUT)."""
        return managed_lens(self.request, self.kwargs["alias"])

    def get(self, request: Request, alias: str = "") -> Response:
        return Response(SharesSerializer(_shares(managed_lens(request, alias))).data)

    def put(self, request: Request, alias: str = "") -> Response:
        lens = managed_lens(request, alias)
        with if_match(self, lock=Lens.objects.filter(pk=lens.pk)):  # the precondition first
            data = SharesSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            shares = shared_with(data.validated_data)
            services.lens_sharing_set(lens=lens, **shares)
        return Response(SharesSerializer(_shares(lens)).data)
