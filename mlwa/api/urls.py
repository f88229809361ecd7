"""The REST API's URLs: /api/v1/... from each app, the OpenAPI schema and its interactive docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from accounts.api import TokenViewSet
from accounts.people_api import PeopleViewSet

router = SimpleRouter()
router.register("tokens", TokenViewSet, basename="token")
router.register("people", PeopleViewSet, basename="people")

v1 = [
    *router.urls,
    path("", include("lens.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("notifications.api")),
]

app_name = "api"
urlpatterns = [
    path("v1/", include(v1)),
    # The schema and docs are public, as the code they describe is: they hold no data.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[AllowAny]),
        name="docs",
    ),
]
