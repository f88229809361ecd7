"""The site's URLs: the reviews (home), the lens library, the account pages, the REST API and the admin.

Under /api/, a page that does not exist and a server error are answered in the API's JSON shape."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mlwa import views

urlpatterns = [
    path("", include("reviews.urls")),
    path("lenses/", include("lens.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", views.profile, name="profile"),
    path("api/", include("mlwa.api.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "mlwa.views.not_found"
handler500 = "mlwa.views.server_error"
