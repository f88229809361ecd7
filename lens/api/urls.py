"""/api/v1/lenses/...: the lens library for REST clients."""

urlpatterns = []
