"""Helpers for tests of the reviews pages: URLs, the roles of tests/reviews/conftest.py's
`shared_workload`, and a snapshot of everything a refused request must leave as it was."""

import re
from urllib.parse import urlencode

from django.urls import reverse

from reviews.models import Answer, AnswerChange, LensReview, Share, Workload, WorkloadEvent

ROLES = ("owner", "contributor", "reader", "auditor", "outsider", "anonymous")


def url(name: str, *args, **query) -> str:
    """The URL of `reviews:<name>` with `args` (a workload stands for its pk), and a query string."""
    path = reverse(f"reviews:{name}", args=[getattr(arg, "pk", arg) for arg in args])
    if query:
        path += "?" + urlencode(query, doseq=True)
    return path


def client_as(client, shared, role: str):
    """`client`, logged in as the user with `role` on the shared workload (or anonymous)."""
    if role != "anonymous":
        client.force_login(getattr(shared, role))
    return client


def snapshot() -> dict:
    """Every row a reviews page could change, to compare before and after a refused request."""
    return {
        "workloads": list(Workload.objects.order_by("pk").values()),
        "shares": list(Share.objects.order_by("pk").values()),
        "reviews": list(LensReview.objects.order_by("pk").values()),
        "answers": list(Answer.objects.order_by("pk").values()),
        "changes": AnswerChange.objects.count(),
        "events": list(WorkloadEvent.objects.order_by("pk").values("pk", "kind", "workload_id")),
    }


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


SHORTCUTS_BUTTON = '<button type="button" class="button-link" id="show-shortcuts" data-shortcuts-open>'


def without_shortcuts_help(html: str) -> str:
    """A question page's HTML without the keyboard shortcuts' button and dialog (issue 16), which
    every reader gets: what is left must hold no control of an answer."""
    assert html.count(SHORTCUTS_BUTTON) == 1
    html = html.replace(SHORTCUTS_BUTTON, "")
    return re.sub(r'<dialog id="shortcuts-dialog".*?</dialog>', "", html, flags=re.S)
