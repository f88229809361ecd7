"""/api/v1/workloads/{id}/lens-reviews/{alias}/answers/...: a review's answers and their history."""

urlpatterns = []
