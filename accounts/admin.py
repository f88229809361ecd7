from django.contrib import admin

from accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see who holds which token and may revoke one; keys are never shown (only
    their digests are stored)."""

    list_display = ["name", "user", "prefix", "read_only", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["read_only", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "prefix"]
    readonly_fields = ["user", "name", "prefix", "digest", "read_only", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False  # a key is shown once to its owner: tokens are made on the profile page
