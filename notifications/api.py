"""/api/v1/notifications/: the caller's notifications, newest first, their unread count, and
marking them read (the page marks those it shows read as it opens; the API's GETs change nothing)."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from mlwa.api.views import ApiViewSet
from mlwa.types import signed_in
from notifications.models import Notification
from notifications.selectors import notifications_for, unread_count
from notifications.services import notifications_mark_read


class NotificationFilterSet(django_filters.FilterSet):
    """`?unread=true` (only the unread) or `false` (only the read)."""

    # A choice rather than a BooleanFilter, which takes any other word for "not given".
    unread = django_filters.ChoiceFilter(
        choices=[("true", "Only the unread"), ("false", "Only the read")],
        method="filter_unread",
        label="Only the unread (true) or only the read (false).",
    )

    class Meta:
        model = Notification
        fields = ["unread"]

    def filter_unread(
        self, queryset: QuerySet[Notification], name: str, value: str
    ) -> QuerySet[Notification]:
        return queryset.filter(read_at__isnull=value == "true")


class NotificationSerializer(serializers.ModelSerializer):
    """One notification: what happened (`text`, plain text), the page it is about (`url`, a path on
    this site), and whether the caller has read it."""

    read = serializers.SerializerMethodField(help_text="Whether it has been read.")
    workload_event = serializers.IntegerField(
        source="workload_event_id",
        allow_null=True,
        read_only=True,
        help_text="The workload event it comes from (/api/v1/workloads/{id}/events/), if one did.",
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "created_at", "read", "read_at", "workload_event"]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text="How many of your notifications are unread.")


class MarkedReadSerializer(serializers.Serializer):
    read = serializers.IntegerField(help_text="How many notifications were unread and are read now.")


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications",
        description="Newest first, in pages: workloads shared with you (or your team), improvement items "
        "assigned to you, new versions of lenses your workloads use, your reports when ready. "
        "`?unread=true` for the unread only. Reading them here does not mark them read.",
    ),
    unread_count=extend_schema(
        summary="How many of your notifications are unread",
        description="What the bell in the header shows.",
        responses={200: UnreadCountSerializer},
        filters=False,
    ),
    read_all=extend_schema(
        summary="Mark all your notifications read",
        description="Every unread notification of yours, on any page; someone else's are never touched.",
        request=None,
        responses={200: MarkedReadSerializer},
        filters=False,
    ),
    read=extend_schema(
        summary="Mark one of your notifications read",
        description="Someone else's notification is a 404.",
        request=None,
        responses={200: NotificationSerializer},
        filters=False,
    ),
)
class NotificationViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    queryset = Notification.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema is made without a user
            return Notification.objects.none()
        return notifications_for(user=self.request.user).only(
            "pk", "kind", "text", "url", "created_at", "read_at", "workload_event_id"
        )

    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request: Request) -> Response:
        return Response(UnreadCountSerializer({"unread": unread_count(user=request.user)}).data)

    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[], pagination_class=None)
    def read_all(self, request: Request) -> Response:
        return Response(
            MarkedReadSerializer({"read": notifications_mark_read(user=signed_in(request.user))}).data
        )

    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = get_object_or_404(self.get_queryset(), pk=pk)
        notifications_mark_read(user=signed_in(request.user), pks=[notification.pk])
        notification.refresh_from_db(fields=["read_at"])
        return Response(NotificationSerializer(notification).data)


router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
urlpatterns = router.urls
