"""The admin for lenses: owners and sharing, and a read-only look at versions.

Content comes in through an import, never through admin forms: a published version is frozen (model
and database triggers refuse changes). Deleting a lens deletes its versions with it.
"""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from lens.models import BUILTIN_ALIAS, Lens, LensVersion


@admin.register(Lens)
class LensAdmin(admin.ModelAdmin):
    list_display = ["alias", "name", "owner", "shared_with_everyone"]
    list_filter = ["shared_with_everyone"]
    search_fields = ["alias", "name", "owner__username"]
    list_select_related = ["owner"]
    filter_horizontal = ["shared_with_users", "shared_with_groups"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Lens | None = None) -> list[str]:
        # `migrate` finds the built-in lens by its alias.
        return (
            [*self.readonly_fields, "alias"] if obj is not None and obj.is_builtin else self.readonly_fields
        )

    def has_delete_permission(self, request: HttpRequest, obj: Lens | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.is_builtin)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        queryset.exclude(alias=BUILTIN_ALIAS).delete()


@admin.register(LensVersion)
class LensVersionAdmin(admin.ModelAdmin):
    list_display = ["lens", "label", "status", "kind", "published_at", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["lens__alias", "lens__name", "label"]
    list_select_related = ["lens"]
    raw_id_fields = ["lens", "created_by"]
    # Loading a version's source document for the change list would be heavy and pointless.
    exclude = ["source"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a version is made by importing a lens file

    # A draft's content comes from its file; only what the file does not say may be edited here.
    readonly_fields = ["status", "label", "kind", "published_at", "content_hash", "created_at", "warnings"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A published version is shown read-only: it never changes (answers point at it).
        return super().has_change_permission(request, obj) and (obj is None or not obj.is_published)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A draft may go; a published version only with its lens.
        return super().has_delete_permission(request, obj) and (obj is None or not obj.is_published)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        queryset.filter(status=LensVersion.Status.DRAFT).delete()
