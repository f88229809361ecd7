from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """People's own settings beyond Django's auth: the profile page and API tokens."""

    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"
