"""/api/v1/workloads/{id}/lens-reviews/...: the lenses applied to a workload."""

urlpatterns = []
