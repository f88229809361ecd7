"""The site's URLs: the reviews (home), the lens library, the account pages and the admin."""

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
    path("admin/", admin.site.urls),
]
