"""The reviews' pages: the dashboard, workloads, their people and lenses, and the questionnaire.

Every view finds its workload through reviews.selectors.workload_for, so an outsider gets a 404 on
every URL here; what a role may do is reviews.permissions.can."""

from django.urls import path

from reviews.views import (
    backup,
    compare,
    dashboard,
    improvement_items,
    improvements,
    lens_notes,
    lens_review,
    milestones,
    my_improvements,
    people,
    question_changes,
    questionnaire,
    reports,
    search,
    upgrades,
    workloads,
)

app_name = "reviews"

workload = "workloads/<int:pk>/"
review = workload + "lenses/<slug:alias>/"
question = review + "questions/<str:question_id>/"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("workloads/", dashboard.workload_list, name="workload-list"),
    path("workloads/new/", workloads.create, name="workload-create"),
    path("workloads/import/", backup.restore, name="workload-import"),
    path(workload, workloads.detail, name="workload"),
    path(workload + "edit/", workloads.edit, name="workload-edit"),
    path(workload + "delete/", workloads.delete, name="workload-delete"),
    path(workload + "owner/", workloads.transfer, name="workload-transfer"),
    path(workload + "events/", workloads.events, name="workload-events"),
    path(workload + "export/", backup.export, name="workload-export"),
    path("people/", people.search, name="people-search"),
    path(workload + "people/", people.people, name="people"),
    path(workload + "people/<int:share_pk>/", people.change_role, name="share-role"),
    path(workload + "people/<int:share_pk>/revoke/", people.revoke, name="share-revoke"),
    path(workload + "lenses/", workloads.apply_lens, name="lens-apply"),
    path(review, lens_review.overview, name="review"),
    path(review + "remove/", workloads.remove_lens, name="lens-remove"),
    path(review + "notes/", lens_notes.notes, name="lens-notes"),
    path(review + "upgrade/", upgrades.upgrade, name="lens-upgrade"),
    path(review + "changes/", question_changes.changes, name="changes"),
    path(question, questionnaire.question, name="question"),
    path(question + "answer/", questionnaire.answer, name="answer"),
    path(question + "history/", question_changes.history, name="history"),
    path(workload + "improvements/", improvements.improvements, name="improvements"),
    path(workload + "improvements/bulk-status/", improvements.improvements_bulk, name="improvements-bulk"),
    path(
        workload + "improvements/<slug:alias>/<str:question_id>/",
        improvement_items.improvement_item,
        name="improvement-item",
    ),
    path("improvements/mine/", my_improvements.my_improvements, name="my-improvements"),
    path(workload + "milestones/", milestones.milestones, name="milestones"),
    path(workload + "milestones/<int:number>/", milestones.milestone, name="milestone"),
    path(
        workload + "milestones/<int:number>/lenses/<slug:alias>/",
        lens_review.milestone_overview,
        name="milestone-review",
    ),
    path(
        workload + "milestones/<int:number>/lenses/<slug:alias>/questions/<str:question_id>/",
        milestones.question,
        name="milestone-question",
    ),
    path(workload + "compare/", compare.compare, name="compare"),
    path(workload + "trend/", compare.trend, name="trend"),
    path(workload + "reports/", reports.reports, name="reports"),
    path("reports/", reports.consolidated, name="consolidated-reports"),
    path("reports/<int:report_pk>/status/", reports.status, name="report-status"),
    path("reports/<int:report_pk>/download/", reports.download, name="report-download"),
    path("reports/<int:report_pk>/delete/", reports.delete, name="report-delete"),
    path("search/", search.search, name="search"),
]
