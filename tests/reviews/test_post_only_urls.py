"""A POST-only page URL opened by GET (a bookmark, a reload, a login that came back to a form's
action) goes to the page that holds its form, never to an empty 405 (issue 16). Generated from the
URL configuration: a new POST-only page view without a redirect fails here."""

import pytest
from django.urls import resolve, reverse

from lens.models import BUILTIN_ALIAS
from tests.reviews.stored import database_state
from tests.reviews.test_access_by_route import _a_milestone, _a_report, _url, named_routes  # noqa: F401

pytestmark = pytest.mark.django_db

#: POST-only route: where its GET goes, as (route, the keyword arguments it takes of the shared workload's).
REDIRECTS = {
    "reviews:answer": ("reviews:question", ("pk", "alias", "question_id")),
    "reviews:share-role": ("reviews:people", ("pk",)),
    "reviews:lens-apply": ("reviews:workload", ("pk",)),
    "reviews:improvements-bulk": ("reviews:improvements", ("pk",)),
    "reviews:report-delete": ("reviews:reports", ("pk",)),  # the report's workload's list
    "lens:unshare": ("lens:share", ("alias",)),
    "lens:catalog_add": ("lens:library", ()),
    "lens:catalog_update": ("lens:library", ()),
    "logout": ("reviews:dashboard", ()),
    "notifications:read-all": ("notifications:list", ()),
}


def _post_only_routes(s) -> set[str]:
    return {route for route in named_routes() if hasattr(resolve(_url(route, s)).func, "post_only_to")}


def _expected(route: str, s) -> str:
    target, names = REDIRECTS[route]
    question_id = s.review.answers.order_by("pk").first().question.question_id
    values = {"pk": s.workload.pk, "alias": BUILTIN_ALIAS, "question_id": question_id}
    return reverse(target, kwargs={name: values[name] for name in names})


def test_every_post_only_page_url_has_its_redirect_here(shared_workload):
    assert _post_only_routes(shared_workload) == set(REDIRECTS)


@pytest.mark.parametrize("route", sorted(named_routes()))
def test_no_page_url_answers_a_get_with_405(client, shared_workload, route):
    client.force_login(shared_workload.owner)
    response = client.get(_url(route, shared_workload))
    assert response.status_code != 405, f"{route} refuses GET: give it post_only(...)"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize("route", sorted(REDIRECTS))
def test_a_post_only_url_opened_by_get_goes_to_its_page_and_changes_nothing(
    client, shared_workload, route, method
):
    s = shared_workload
    client.force_login(s.owner)
    before = database_state()
    response = client.generic(method, _url(route, s))
    assert response.status_code == 302
    assert response["Location"] == _expected(route, s)
    assert database_state() == before


def test_a_post_only_url_refuses_other_methods_with_the_sites_405(client, shared_workload):
    client.force_login(shared_workload.owner)
    response = client.put(_url("reviews:share-role", shared_workload))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, POST"
    assert b"This address does not take that kind of request" in response.content


def test_someone_not_logged_in_comes_back_to_the_page_after_logging_in(client, shared_workload):
    url = _url("reviews:answer", shared_workload)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"
