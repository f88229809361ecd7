"""/api/v1/...: workloads, their shares and events, lens reviews, answers and risk summaries. Each
module of reviews.api declares its own URLs; they are mounted here in that order."""

from reviews.api import answers, lens_reviews, summaries, workloads

urlpatterns = [
    *workloads.urlpatterns,
    *lens_reviews.urlpatterns,
    *answers.urlpatterns,
    *summaries.urlpatterns,
]
