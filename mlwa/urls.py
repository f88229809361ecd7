"""The site's URLs: the reviews (home), the lens library, the account pages, the REST API and the admin.

Under /api/, a server error is answered in the API's JSON shape."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from mlwa import health
from mlwa.post_only import post_only

urlpatterns = [
    path("", include("reviews.urls")),
    path("lenses/", include("lens.urls")),
    path("notifications/", include("notifications.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    # Logging out is a POST (every page has its button); a GET (an old bookmark) goes to the dashboard.
    path("accounts/logout/", post_only("reviews:dashboard")(auth_views.LogoutView.as_view()), name="logout"),
    path("accounts/profile/", account_views.profile, name="profile"),
    path("accounts/profile/tokens/", include("accounts.urls")),
    path("api/", include("mlwa.api.urls")),
    path("admin/", admin.site.urls),
    # Probes (mlwa.health): no login, no session, never cached; /healthz also before Host validation.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

handler400 = "mlwa.views.bad_request"
handler403 = "mlwa.views.permission_denied"
handler404 = "mlwa.views.page_not_found"
handler500 = "mlwa.views.server_error"
