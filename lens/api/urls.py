"""/api/v1/lenses/...: the lens library for REST clients. The router puts `lenses/import/` before
`lenses/{alias}/`; `import` is a reserved alias besides (lens.services.RESERVED_ALIASES)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from lens.api.versions import LensSharesView, LensVersionViewSet
from lens.api.views import LensViewSet
from mlwa.api.params import ALIAS_PATTERN

router = SimpleRouter()
router.register("lenses", LensViewSet, basename="lens")
router.register(rf"lenses/(?P<alias>{ALIAS_PATTERN})/versions", LensVersionViewSet, basename="lens-version")

urlpatterns = [
    *router.urls,
    re_path(rf"^lenses/(?P<alias>{ALIAS_PATTERN})/shares/$", LensSharesView.as_view(), name="lens-shares"),
]
