"""The site search: /search/?q= finds the workloads, lenses and questions the person may see
(reviews.selectors.search). A page in the site's layout, which works without JavaScript; for htmx
(the header's box, as it is typed) the few best of each kind, as the options of a listbox that
static/js/site-search.js walks with the arrow keys."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from mlwa.types import Reader
from reviews.selectors.search import EXACT, MAX_LENGTH, MIN_LENGTH, SearchResults, site_search

#: Hits of each kind: on the page, and in the header's list as one types.
PAGE_LIMIT, LIST_LIMIT = 10, 5


@dataclass(frozen=True)
class Hit:
    """One hit as the page and the list show it: a link, its title (after `code`, a question's
    id), and what and where it is."""

    href: str
    title: str
    detail: str
    exact: bool
    code: str = ""


@dataclass(frozen=True)
class Kind:
    """The hits of one kind, and whether more matched than are shown."""

    name: str
    heading: str
    hits: list[Hit]
    more: bool


@login_required
@require_safe
def search(request):
    """The hits for `q`, each kind in its place (a kind with an exact match first). Queries:
    session, user, workloads, lenses, the questions that match, the lens reviews they are in (when
    some match), the questions of the lenses applied to none: seven at most, however many there
    are; two for a text too short to search."""
    listing = request.htmx and not request.htmx.history_restore_request
    results = site_search(
        user=request.user, raw=request.GET.get("q", ""), limit=LIST_LIMIT if listing else PAGE_LIMIT
    )
    context = {
        "results": results,
        "kinds": _kinds(results, user=request.user),
        "min_length": MIN_LENGTH,
        "max_length": MAX_LENGTH,
    }
    template = "reviews/search/_options.html" if listing else "reviews/search/page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _kinds(results: SearchResults, *, user: Reader) -> list[Kind]:
    """The kinds that found something, in the order shown: workloads, lenses, questions, but a
    kind with an exact match (an id, a name, an alias) before those without, so that it comes
    first to hand."""
    workloads = [
        Hit(
            href=reverse("reviews:workload", args=[workload.pk]),
            title=workload.name,
            detail=" · ".join(
                [
                    "Workload",
                    workload.get_environment_display(),
                    "yours" if workload.owner_id == user.pk else f"{workload.owner.get_username()}’s",
                ]
            ),
            exact=workload.rank == EXACT,  # type: ignore[attr-defined]  # annotated by the selector
        )
        for workload in results.workloads
    ]
    lenses = [
        Hit(
            href=reverse("lens:detail", args=[lens.alias]),
            title=lens.name,
            detail=f"Lens · {lens.alias}",
            exact=lens.rank == EXACT,  # type: ignore[attr-defined]  # annotated by the selector
        )
        for lens in results.lenses
    ]
    questions = []
    for question in results.questions:
        if question.workload_id is not None:
            href = reverse(
                "reviews:question", args=[question.workload_id, question.lens_alias, question.question_id]
            )
            detail = f"Question in {question.workload_name} · {question.lens_name}"
        else:
            href = reverse("lens:detail", args=[question.lens_alias]) + f"#question-{question.question_id}"
            detail = f"Question of {question.lens_name}, applied to none of your workloads"
        exact = question.rank == EXACT
        questions.append(
            Hit(href=href, title=question.title, detail=detail, exact=exact, code=question.question_id)
        )
    kinds = [
        Kind("workloads", "Workloads", workloads, "workloads" in results.more),
        Kind("lenses", "Lenses", lenses, "lenses" in results.more),
        Kind("questions", "Questions", questions, "questions" in results.more),
    ]
    return sorted(
        (kind for kind in kinds if kind.hits), key=lambda kind: not any(hit.exact for hit in kind.hits)
    )
