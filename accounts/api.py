"""`/api/v1/tokens/`: a user's API tokens. Creating one takes the password (HTTP Basic) or the
browser's session, never another token, so that a leaked key cannot mint more; the key is in the
response once and never again. `POST /api/v1/tokens/revoke-all/` revokes every one at once."""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.authentication import PasswordAuthentication, TokenAuthentication
from accounts.models import ApiToken
from accounts.selectors import tokens_of
from mlwa.api.conditional import if_match
from mlwa.api.strict import NameField, StrictBooleanField, StrictSerializer
from mlwa.api.throttling import AnonThrottle, PasswordThrottle, UserThrottle
from mlwa.api.views import ApiViewSet


class TokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it: never the key, which is not stored."""

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "read_only", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = fields


class TokenCreateSerializer(StrictSerializer):
    """A token's name and kind, checked here; token_create refuses a name taken (`name_taken`)."""

    unknown_field_message = "Not a field of a token (name, read_only)."

    name = NameField(max_length=100, help_text="What the key is for; unique among your tokens.")
    read_only = StrictBooleanField(  # type: ignore[assignment]  # a field named as DRF's attribute
        default=False, help_text="A read-only key may only read."
    )


class TokensRevokedSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(
        help_text="How many tokens were revoked: those that were active (the one sent included)."
    )


class TokenCreatedSerializer(TokenSerializer):
    key = serializers.CharField(
        help_text="The key, shown this once: send it as `Authorization: Token <key>`."
    )

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="Your API tokens", description="Newest first; revoked ones say when."),
    create=extend_schema(
        summary="Create an API token",
        description="Authenticate with your username and password (HTTP Basic) or the browser's "
        "session; a token cannot create tokens. The key is in this response only.",
        request=TokenCreateSerializer,
        responses={201: TokenCreatedSerializer},
        examples=[
            OpenApiExample(
                "A read-only key for a dashboard", {"name": "dashboard", "read_only": True}, request_only=True
            )
        ],
    ),
    retrieve=extend_schema(
        summary="One of your API tokens",
        description="An active one (a revoked one is 404); its ETag is what If-Match takes to revoke it.",
    ),
    destroy=extend_schema(
        summary="Revoke an API token", description="Requests with its key get 401 from now on."
    ),
    revoke_all=extend_schema(
        summary="Revoke all your API tokens",
        description="Every active token of yours, the one this request sends included: requests with "
        "any of their keys get 401 from now on. Later kinds of credential will be revoked here too.",
        request=None,
        responses={200: TokensRevokedSerializer},
    ),
)
class TokenViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ApiViewSet,
):
    authentication_classes = [PasswordAuthentication, TokenAuthentication, SessionAuthentication]
    throttle_classes = [UserThrottle, AnonThrottle, PasswordThrottle]
    serializer_class = TokenSerializer

    queryset = ApiToken.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):  # the schema is made without a user
            return ApiToken.objects.none()
        return tokens_of(user=self.request.user)

    def get_object(self) -> ApiToken:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"], revoked_at__isnull=True)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if isinstance(request.auth, ApiToken):
            raise PermissionDenied("Create tokens with your password (HTTP Basic) or in the browser.")
        data = TokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.token_create(user=request.user, **data.validated_data)
        token.key = key
        return Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        with if_match(self, lock=ApiToken.objects.filter(pk=instance.pk)):
            services.token_revoke(token=instance)

    @action(detail=False, methods=["post"], url_path="revoke-all")
    def revoke_all(self, request: Request) -> Response:
        revoked = services.tokens_revoke_all(user=request.user)
        return Response(TokensRevokedSerializer({"revoked": revoked}).data)
