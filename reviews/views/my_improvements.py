"""'My improvement items' (/improvements/mine/): every improvement item assigned to the person
signed in, across the workloads they may see, overdue first, then by due date; PER_PAGE a page.
Linked from the header's menu and from each workload's plan."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from reviews.selectors.my_improvements import my_improvement_items, with_questions

PER_PAGE = 50


@login_required
@require_safe
def my_improvements(request):
    """The person's items, a page at a time. Queries: session, user, the count, the page's items
    with their workloads, their questions' titles and risks: five, however many."""
    page = Paginator(my_improvement_items(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reviews/improvements/mine.html", {"page": page, "items": with_questions(page)})
