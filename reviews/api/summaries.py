"""Risk summaries: one workload's, and every workload the caller may see at once."""

urlpatterns = []
