"""The reviews in Django's admin, for administrators: workloads with their shares, and read-only views
of what the application writes itself (the event log, answers and their audit trail).

Edits made here bypass reviews.services, so they leave no event: the admin is for repairs and
inspection, the application for day-to-day work. Users, groups and the "Can see every workload"
permission stay in Django's own User and Group admin.
"""

from django.contrib import admin
from django.db import models

from reviews.models import Answer, AnswerChange, LensReview, Share, Workload, WorkloadEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the application writes and nobody edits: the audit trail and the event log."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ShareInline(admin.TabularInline):
    model = Share
    extra = 0
    fields = ["user", "group", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user", "group"]


@admin.register(Workload)
class WorkloadAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "environment", "updated_at"]
    list_filter = ["environment"]
    list_select_related = ["owner"]
    search_fields = ["name", "description", "owner__username", "industry", "review_owner"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ShareInline]
    # A design URL typed without a scheme is taken as https (Django 6's default; silences 5.x's warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(LensReview)
class LensReviewAdmin(admin.ModelAdmin):
    """A lens on a workload. Applying one creates its answers, which only the application does, so
    reviews are not added here, and their lens and version do not change here."""

    list_display = ["workload", "lens", "lens_version", "applied_at"]
    list_select_related = ["workload", "lens", "lens_version__lens"]
    list_filter = ["lens"]
    search_fields = ["workload__name", "lens__alias", "lens__name"]
    readonly_fields = ["workload", "lens", "lens_version", "applied_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ["lens_review", "question", "risk", "version", "updated_by", "updated_at"]
    # Answer's and LensReview's __str__ name the workload, the version and its lens.
    list_select_related = [
        "lens_review__workload",
        "lens_review__lens_version__lens",
        "question",
        "updated_by",
    ]
    list_filter = ["risk"]
    search_fields = ["lens_review__workload__name", "question__question_id"]


@admin.register(AnswerChange)
class AnswerChangeAdmin(ReadOnlyAdmin):
    list_display = ["answer", "version", "changed_by", "changed_at", "note"]
    list_select_related = [
        "answer__lens_review__workload",
        "answer__lens_review__lens_version__lens",
        "answer__question",
        "changed_by",
    ]
    search_fields = ["answer__lens_review__workload__name", "answer__question__question_id"]
    date_hierarchy = "changed_at"


@admin.register(WorkloadEvent)
class WorkloadEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "workload_name", "kind", "actor", "summary"]
    list_select_related = ["actor"]
    list_filter = ["kind"]
    search_fields = ["workload_name", "summary", "actor__username"]
    date_hierarchy = "at"
