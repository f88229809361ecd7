"""The lens library's pages, under /lenses/. `import` and `catalog` come before the lens pages and
are reserved aliases (services.RESERVED_ALIASES), so that no lens hides them."""

from django.urls import path

from lens import import_views, views

app_name = "lens"

urlpatterns = [
    path("", views.library, name="library"),
    path("import/", views.import_lens, name="import"),
    path("import/url/", import_views.import_url, name="import_url"),
    path("catalog/add/", import_views.catalog_add, name="catalog_add"),
    path("<slug:alias>/", views.detail, name="detail"),
    path("<slug:alias>/publish/", views.publish, name="publish"),
    path("<slug:alias>/diff/", views.diff, name="diff"),
    path("<slug:alias>/export/", views.export, name="export"),
    path("<slug:alias>/share/", views.share, name="share"),
    path("<slug:alias>/unshare/", views.unshare, name="unshare"),
    path("<slug:alias>/delete/", views.delete, name="delete"),
    path("<slug:alias>/catalog-update/", import_views.catalog_update, name="catalog_update"),
]
