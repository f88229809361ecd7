"""/api/v1/workloads/{id}/shares/: who a workload is shared with, and as what; the owner shares it
with a user or a group, changes a share's role and revokes it."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mlwa import error_codes
from mlwa.api.conditional import if_match
from mlwa.api.strict import DomainRefusal, StrictBooleanField, StrictCharField, StrictChoiceField
from mlwa.api.views import ApiViewSet
from mlwa.errors import InvalidInput
from mlwa.types import signed_in
from reviews import services
from reviews.access import workload_or_404
from reviews.models import Share, Workload
from reviews.permissions import Action
from reviews.selectors.sharing import lenses_hidden_from
from reviews.selectors.workload_page import workload_shares

User = get_user_model()


class ShareSerializer(serializers.ModelSerializer):
    """One user or one group the workload is shared with, and as what."""

    user = serializers.CharField(source="user.username", allow_null=True, default=None, read_only=True)
    group = serializers.CharField(source="group.name", allow_null=True, default=None, read_only=True)

    class Meta:
        model = Share
        fields = ["id", "user", "group", "role", "created_at"]
        read_only_fields = fields


class ShareCreatedSerializer(ShareSerializer):
    """The share just made, and the workload's lenses the user or group still cannot open."""

    lenses_not_visible = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Aliases of the workload's lenses that the user or group cannot open (their "
        "questions stay hidden from them): empty unless `share_lenses` was left out or false.",
    )

    class Meta(ShareSerializer.Meta):
        fields = [*ShareSerializer.Meta.fields, "lenses_not_visible"]
        read_only_fields = fields


class ShareCreateSerializer(serializers.Serializer):
    user = StrictCharField(
        required=False, help_text="A username; give this or `group`.", trim_whitespace=True
    )
    group = StrictCharField(
        required=False, help_text="A group's name; give this or `user`.", trim_whitespace=True
    )
    role = StrictChoiceField(choices=Share.Role.choices)
    share_lenses = StrictBooleanField(
        required=False,
        help_text="When the workload uses lenses the user or group cannot open: true shares those "
        "lenses with them too (they may read and apply them; only a lens's owner may); false, or "
        "left out, shares the workload without them, and the answer's `lenses_not_visible` names them.",
    )


class ShareRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Share.Role.choices)


@extend_schema_view(
    list=extend_schema(
        summary="Who a workload is shared with",
        description="Each user or group the workload is shared with, and their role (CONTRIBUTOR "
        "answers, READER reads); anyone who may see the workload may read them.",
    ),
    retrieve=extend_schema(
        summary="One share of a workload",
        description="As the list shows it, to anyone who sees the workload; its ETag is what If-Match "
        "takes to change or revoke it.",
    ),
    create=extend_schema(
        summary="Share a workload with a user or a group (owner)",
        description="Give one of `user` (an active user's username) or `group` (a group's name), and "
        "a role. 400 names the field at fault: both or neither given, no such user or group, the "
        "owner, or someone the workload is shared with already (change their role instead). If the "
        "workload uses lenses they cannot open, `share_lenses` true shares those lenses too; without "
        "it (or false) the answer's `lenses_not_visible` names them, as the page's warning does.",
        request=ShareCreateSerializer,
        responses={201: ShareCreatedSerializer},
        examples=[
            OpenApiExample(
                "A team as readers", {"group": "Data science", "role": "READER"}, request_only=True
            ),
            OpenApiExample(
                "A user, and the lenses they cannot open yet",
                {"user": "alice", "role": "CONTRIBUTOR", "share_lenses": True},
                request_only=True,
            ),
        ],
    ),
    partial_update=extend_schema(
        summary="Change a share's role (owner)",
        description="The user or group keeps the share with the new role; recorded in the workload's events.",
        request=ShareRoleSerializer,
        examples=[OpenApiExample("Let them answer", {"role": "CONTRIBUTOR"}, request_only=True)],
    ),
    destroy=extend_schema(
        summary="Revoke a share (owner)",
        description="The user or group no longer sees the workload (unless another share or a "
        "permission to see all workloads lets them); recorded in the workload's events. 204.",
    ),
)
class ShareViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ShareSerializer
    queryset = Share.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema is made without a workload
            return Share.objects.none()
        workload, _role = workload_or_404(self.request, self.kwargs["workload_id"])
        return workload_shares(workload)

    def _share(self) -> tuple[Workload, Share]:
        workload, _role = workload_or_404(self.request, self.kwargs["workload_id"], Action.ADMINISTER)
        share = get_object_or_404(
            Share.objects.select_related("user", "group"), pk=self.kwargs["pk"], workload=workload
        )
        share.workload = workload
        return workload, share

    def retrieve(self, request: Request, workload_id: str | None = None, pk: str | None = None) -> Response:
        """One share, to anyone who sees the workload (as the list), with its ETag."""
        return Response(ShareSerializer(get_object_or_404(self.get_queryset(), pk=pk)).data)

    def create(self, request: Request, workload_id: str | None = None) -> Response:
        workload, _role = workload_or_404(request, workload_id, Action.ADMINISTER)
        data = ShareCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if ("user" in data.validated_data) == ("group" in data.validated_data):
            # Each field is optional in the schema, which cannot say "exactly one of": a rule's refusal.
            raise DomainRefusal({"user": ["Give one user or one group."]}, error_codes.REFUSED)
        user = group = None
        if "user" in data.validated_data:
            user = User.objects.filter(username=data.validated_data["user"], is_active=True).first()
            if user is None:
                raise InvalidInput(
                    {"user": "No active user with this username."}, code=error_codes.UNKNOWN_REFERENCE
                )
        else:
            group = Group.objects.filter(name=data.validated_data["group"]).first()
            if group is None:
                raise InvalidInput({"group": "No group with this name."}, code=error_codes.UNKNOWN_REFERENCE)
        # The page warns before sharing; an API client was never asked, so v1's request without
        # `share_lenses` keeps its meaning (share the workload alone) and the answer names the
        # lenses left hidden, for the caller to act on.
        hidden = list(lenses_hidden_from(workload=workload, user=user, group=group))
        shared_too = bool(data.validated_data.get("share_lenses"))
        share = services.share_grant(
            workload=workload,
            actor=signed_in(request.user),
            role=data.validated_data["role"],
            user=user,
            group=group,
            lenses_seen={lens.pk for lens in hidden},
            lenses_to_share={lens.pk for lens in hidden} if shared_too else (),
        )
        hidden_still = [] if shared_too else [lens.alias for lens in hidden]
        body = {**ShareSerializer(share).data, "lenses_not_visible": hidden_still}  # ShareCreatedSerializer
        return Response(body, status=status.HTTP_201_CREATED)

    def partial_update(
        self, request: Request, workload_id: str | None = None, pk: str | None = None
    ) -> Response:
        _workload, share = self._share()
        with if_match(self, lock=Share.objects.filter(pk=share.pk)):  # the precondition first
            data = ShareRoleSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            role = data.validated_data["role"]
            share = services.share_change_role(share=share, actor=signed_in(request.user), role=role)
        return Response(ShareSerializer(share).data)

    def destroy(self, request: Request, workload_id: str | None = None, pk: str | None = None) -> Response:
        _workload, share = self._share()
        with if_match(self, lock=Share.objects.filter(pk=share.pk)):
            services.share_revoke(share=share, actor=signed_in(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


router = SimpleRouter()
router.register(r"workloads/(?P<workload_id>\d+)/shares", ShareViewSet, basename="workload-share")
urlpatterns = router.urls
