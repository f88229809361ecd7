"""/api/v1/...: workloads, their shares and events, lens reviews, answers and risk summaries. Each
module of reviews.api declares its own URLs; they are mounted here in that order."""

from reviews.api import (
    answers,
    backup,
    compare,
    events,
    improvements,
    lens_reviews,
    milestones,
    reports,
    shares,
    summaries,
    upgrades,
    workloads,
)

urlpatterns = [
    *backup.urlpatterns,  # before the workloads': `workloads/import/` is not a workload
    *workloads.urlpatterns,
    *shares.urlpatterns,
    *events.urlpatterns,
    *lens_reviews.urlpatterns,
    *upgrades.urlpatterns,
    *answers.urlpatterns,
    *improvements.urlpatterns,
    *summaries.urlpatterns,
    *compare.urlpatterns,  # before the milestones': `milestones/compare/`
    *milestones.urlpatterns,
    *reports.urlpatterns,
]
