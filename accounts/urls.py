"""The account page's token actions, under /accounts/profile/tokens/ (the page itself is `profile`)."""

from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.token_create, name="token-create"),
    path("<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("revoke-all/", views.tokens_revoke_all, name="tokens-revoke-all"),
]
