"""/api/v1/workloads/...: workloads, their shares and events, lens reviews, answers, risk summaries."""

from rest_framework.routers import SimpleRouter

from reviews.api.workloads import EventViewSet, ShareViewSet, WorkloadViewSet

router = SimpleRouter()
router.register("workloads", WorkloadViewSet, basename="workload")
router.register(r"workloads/(?P<workload_id>\d+)/shares", ShareViewSet, basename="workload-share")
router.register(r"workloads/(?P<workload_id>\d+)/events", EventViewSet, basename="workload-event")

urlpatterns = [
    *router.urls,
]
