"""`manage.py demo`: the demo login and an answered demo workload, made once however often it runs."""

from django.core.management import call_command

from reviews.models import Answer, Workload
from reviews.selectors.compare import workload_comparison
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
    # And one item of the improvement plan is tracked.
    item = workload.improvement_items.get()
    assert item.status == "IN_PROGRESS"
    assert now.get(question__question_id=item.question_id).risk == "HIGH"
    # Comparing the two milestones shows fixes and a regression at once.
    comparison = workload_comparison(base=ReviewState(workload, first), target=ReviewState(workload, second))
    statuses = [question.status for lens in comparison.lenses for question in lens.questions]
    assert statuses.count("improved") >= 2
    # The no-risk answer that became high, and a question first answered at medium (unanswered
    # counts as no risk, as in the AWS tool).
    assert statuses.count("regressed") == 2
