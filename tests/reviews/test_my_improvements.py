"""'My improvement items' (issue 17): reviews.selectors.my_improvements and its page
(reviews:my-improvements): every item assigned to me in the workloads I may see, overdue first, then
by due date, in queries that do not grow with the items."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import ImprovementItem
from reviews.selectors.my_improvements import my_improvement_items, with_questions
from tests.reviews.test_improvements import answer_as, plan_lens, track, with_lens

pytestmark = pytest.mark.django_db

S = ImprovementItem.Status
URL = "/improvements/mine/"


def days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def assigned(shared_workload):
    """Items of the plan lens assigned to the contributor: due in 5 days, overdue by 2, done and
    overdue by 9 (not overdue: done), none due; one the owner's."""
    shared = shared_workload
    shared.alias = with_lens(shared, plan_lens())
    mine = {"owner": shared.contributor.pk}
    answer_as(shared.workload, shared.alias, "P1Q1", "HIGH", shared.owner)
    track(shared, shared.alias, "P1Q1", status=S.IN_PROGRESS, due_date=days(5), **mine)
    track(shared, shared.alias, "P1Q2", status=S.NOT_STARTED, due_date=days(-2), **mine)
    track(shared, shared.alias, "P2Q1", status=S.DONE, due_date=days(-9), **mine)
    track(shared, shared.alias, "P2Q2", note="Some day.", **mine)
    track(shared, shared.alias, "P3Q1", owner=shared.owner.pk, due_date=days(-3))
    return shared


def test_my_items_are_overdue_first_then_by_due_date(assigned):
    items = with_questions(my_improvement_items(user=assigned.contributor))
    assert [(item.question_id, item.overdue) for item in items] == [
        ("P1Q2", True),
        ("P2Q1", False),
        ("P1Q1", False),
        ("P2Q2", False),
    ]
    first = items[2]
    assert (first.question_title, first.risk, first.workload.name) == (
        "How do you handle P1Q1?",
        "HIGH",
        "Fraud detection",
    )


def test_items_of_a_workload_i_no_longer_see_are_left_out(assigned):
    assigned.contributor.groups.clear()  # the workload was shared with their team
    assert not my_improvement_items(user=assigned.contributor).exists()
    assert [item.question_id for item in my_improvement_items(user=assigned.owner)] == ["P3Q1"]


def test_the_page_lists_my_items_with_the_overdue_badge(client_for, assigned):
    html = client_for(assigned.contributor).get(URL).content.decode()
    assert "<h1>My improvement items</h1>" in html
    positions = [html.index(f"<code>{question}</code>") for question in ("P1Q2", "P2Q1", "P1Q1", "P2Q2")]
    assert positions == sorted(positions)
    assert html.count('class="overdue-badge">Overdue</span>') == 1
    assert "P3Q1" not in html
    item = reverse("reviews:improvement-item", args=[assigned.workload.pk, assigned.alias, "P1Q2"])
    assert f'href="{item}"' in html
    assert 'href="/improvements/mine/" aria-current="page">My items</a>' in html
    empty = client_for(assigned.reader).get(URL).content.decode()
    assert "No improvement item is assigned to you." in empty


def test_the_page_costs_the_same_queries_for_few_or_many(
    client_for, shared_workload, django_assert_num_queries
):
    alias = with_lens(shared_workload, plan_lens(pillars=10, questions=10))
    client = client_for(shared_workload.owner)
    questions = [f"P{p}Q{q}" for p in range(1, 11) for q in range(1, 11)]

    def assign(some):
        for index, question in enumerate(some):
            track(shared_workload, alias, question, owner=shared_workload.owner.pk, due_date=days(index - 50))

    assign(questions[:2])
    # session, user, the count, the page's items with their workloads, their questions
    with django_assert_num_queries(5):
        assert client.get(URL).status_code == 200
    assign(questions[2:])
    with django_assert_num_queries(5):
        response = client.get(URL)
    assert response.content.decode().count('<li class="plan-item plan-row') == 50  # a page
    assert "Page 1 of 2 · 100 items" in response.content.decode()


def test_an_item_of_a_lens_no_longer_applied_is_listed_without_a_link(client_for, assigned):
    from reviews.models import LensReview
    from reviews.services import lens_review_remove

    review = LensReview.objects.get(workload=assigned.workload, lens__alias=assigned.alias)
    lens_review_remove(lens_review=review, actor=assigned.owner)
    [first, *_rest] = with_questions(my_improvement_items(user=assigned.contributor))
    assert (first.question_id, first.question_title, first.risk) == ("P1Q2", None, None)
    html = client_for(assigned.contributor).get(URL).content.decode()
    assert '<code>P1Q2</code> <span class="muted">(not in the lenses applied now)</span>' in html
