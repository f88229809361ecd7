"""The lens library's pages, under /lenses/. `import` comes before the lens pages and is a reserved
alias (services.RESERVED_ALIASES), so that no lens hides it."""

from django.urls import path

from lens import views

app_name = "lens"

urlpatterns = [
    path("", views.library, name="library"),
    path("import/", views.import_lens, name="import"),
    path("<slug:alias>/", views.detail, name="detail"),
    path("<slug:alias>/publish/", views.publish, name="publish"),
    path("<slug:alias>/diff/", views.diff, name="diff"),
    path("<slug:alias>/export/", views.export, name="export"),
    path("<slug:alias>/share/", views.share, name="share"),
    path("<slug:alias>/unshare/", views.unshare, name="unshare"),
    path("<slug:alias>/delete/", views.delete, name="delete"),
]
