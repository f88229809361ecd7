"""/api/v1/lenses/...: the lens library for REST clients. The router puts `lenses/import/` before
`lenses/{alias}/`; `import` is a reserved alias besides (lens.services.RESERVED_ALIASES)."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from lens.api.catalog import LensCatalogAddView, LensCatalogUpdateView, LensCatalogView, LensUrlImportView
from lens.api.versions import LensSharesView, LensVersionViewSet
from lens.api.views import LensViewSet
from mlwa.api.params import ALIAS_PATTERN

router = SimpleRouter()
router.register("lenses", LensViewSet, basename="lens")
router.register(rf"lenses/(?P<alias>{ALIAS_PATTERN})/versions", LensVersionViewSet, basename="lens-version")

urlpatterns = [
    # Before the router's `lenses/{alias}/`: `import` is a reserved alias, these are not lenses.
    path("lenses/import/url/", LensUrlImportView.as_view(), name="lens-import-url"),
    path("lens-catalog/", LensCatalogView.as_view(), name="lens-catalog"),
    path("lens-catalog/add/", LensCatalogAddView.as_view(), name="lens-catalog-add"),
    re_path(
        rf"^lenses/(?P<alias>{ALIAS_PATTERN})/catalog-update/$",
        LensCatalogUpdateView.as_view(),
        name="lens-catalog-update",
    ),
    *router.urls,
    re_path(rf"^lenses/(?P<alias>{ALIAS_PATTERN})/shares/$", LensSharesView.as_view(), name="lens-shares"),
]
