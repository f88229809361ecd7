"""/api/v1/workloads/{id}/events/: a workload's event log, newest first."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.routers import SimpleRouter

from mlwa.api.views import ApiViewSet
from reviews.access import workload_or_404
from reviews.api.restored import restored_marks
from reviews.models import WorkloadEvent
from reviews.selectors.workload_page import workload_events


class EventSerializer(serializers.ModelSerializer):
    """One thing that happened to the workload (answers have their own history)."""

    actor = serializers.CharField(source="actor_username", allow_null=True, default=None, read_only=True)
    restored_by, restored_at = restored_marks("actor")

    class Meta:
        model = WorkloadEvent
        fields = ["id", "at", "actor", "kind", "summary", "data", "restored_by", "restored_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="A workload's event log, newest first",
        description="What happened to the workload and who did it: creation, field changes, "
        "shares, hand-overs, lenses applied, removed or upgraded, lens notes, improvement items, "
        "milestones, backups and restores (each answer has its own history). In pages.",
    )
)
class EventViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = EventSerializer
    queryset = WorkloadEvent.objects.none()

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema is made without a workload
            return WorkloadEvent.objects.none()
        workload, _role = workload_or_404(self.request, self.kwargs["workload_id"])
        return workload_events(workload)


router = SimpleRouter()
router.register(r"workloads/(?P<workload_id>\d+)/events", EventViewSet, basename="workload-event")
urlpatterns = router.urls
