"""The site's URLs: the reviews (home), the lens library, the account pages, the REST API and the admin.

Under /api/, a server error is answered in the API's JSON shape."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from mlwa import health

urlpatterns = [
    path("", include("reviews.urls")),
    path("lenses/", include("lens.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/profile/tokens/", include("accounts.urls")),
    path("api/", include("mlwa.api.urls")),
    path("admin/", admin.site.urls),
    # Probes (mlwa.health): no login, no session, never cached; /healthz also before Host validation.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler500 = "mlwa.views.server_error"
