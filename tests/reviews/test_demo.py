"""`manage.py demo`: the demo login and an answered demo workload, made once however often it runs."""

from django.core.management import call_command

from reviews.models import Answer, Workload
from reviews.selectors.states import ReviewState


def test_the_demo_workload_shows_every_kind_of_risk_and_is_made_once(db, settings):
    settings.DEBUG = True
    call_command("demo", stdout=None)
    call_command("demo", stdout=None)

    workload = Workload.objects.get(owner__username="demo")
    risks = set(Answer.objects.filter(lens_review__workload=workload).values_list("risk", flat=True))
    assert risks == {"HIGH", "MEDIUM", "NONE", "NOT_APPLICABLE", "UNANSWERED"}
    assert workload.lens_reviews.get().lens.is_builtin


def test_the_demo_workload_has_two_milestones_with_changes_between_them(db, settings):
    settings.DEBUG = True
    call_command("demo", stdout=None)
    workload = Workload.objects.get(owner__username="demo")
    first, second = workload.milestones.order_by("number")
    assert (first.number, second.number) == (1, 2)
    # Two high risks fixed and one regressed; two more questions answered.
    assert second.high == first.high - 1
    assert second.unanswered == first.unanswered - 2
    now = ReviewState(workload).answers()
    assert now.filter(risk="HIGH").count() == second.high - 1  # one more fixed since
