"""A short confirmation after each write (issue 16): a write that reloads the page says what it did
in the toast region (a django.contrib.messages message); a write answered to htmx with a fragment
says it in an `HX-Trigger` event that the same region shows (static/js/toasts.js).

Generated from the access tests' table of routes: every page route that takes a POST, made by the
owner with the access tests' body, that answers with a redirect must put a message on the page it
leads to; so a new write without one fails here."""

import json

import pytest

from mlwa.toasts import TOAST_EVENT
from tests.reviews import test_access_by_route as page_access
from tests.reviews.test_access_by_route import _a_milestone, _a_report  # noqa: F401 - autouse fixtures
from tests.reviews.test_views_improvements import HTMX, form, item_url, planned  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

#: Writes that end elsewhere than on a page of the site with the toast: logging out (the login page).
NO_TOAST = {"logout"}
#: The writes the owner's post in the access tests makes (the others are refused, or 400 with their
#: errors on the form, or a page of their own, as the new token's key): at least these must redirect,
#: so that the test below checks something.
REDIRECTING = {
    "reviews:workload-create",
    "reviews:workload-edit",
    "reviews:workload-delete",
    "reviews:people",
    "reviews:share-role",
    "reviews:share-revoke",
    "reviews:lens-notes",
    "reviews:answer",
    "reviews:milestones",
    "reviews:improvement-item",
    "reviews:report-delete",
    "accounts:tokens-revoke-all",
}


def _writes():
    return sorted(route for route, methods in page_access.EXPECTED.items() if "POST" in methods)


@pytest.mark.parametrize("route", _writes())
def test_every_page_write_that_redirects_says_what_it_did(client, shared_workload, route):
    client.force_login(shared_workload.owner)
    url, data = page_access._url(route, shared_workload), page_access._data(route, shared_workload)
    response = client.post(url, data)
    if route in REDIRECTING:
        assert response.status_code == 302, f"{route} no longer writes with the access tests' body"
    if response.status_code != 302 or route in NO_TOAST:
        return
    page = client.get(response["Location"], follow=True).content.decode()
    assert 'class="toast message message-' in page, f"{route} redirects without a confirmation"


def test_the_toast_region_is_on_every_page_with_its_script(client, shared_workload):
    client.force_login(shared_workload.owner)
    page = client.get(page_access._url("reviews:workload", shared_workload)).content.decode()
    assert '<div id="toasts" class="toasts" role="status">' in page
    assert 'src="/static/js/toasts.js"' in page


def test_a_confirmation_is_text_with_a_button_to_dismiss_it(client, shared_workload):
    client.force_login(shared_workload.owner)
    # The reader's share (the access tests' URL names it).
    response = client.post(page_access._url("reviews:share-revoke", shared_workload), follow=True)
    page = response.content.decode()
    assert '<div class="toast message message-success" data-level="success">' in page
    assert "<p>Stopped sharing with reader.</p>" in page
    assert 'data-toast-close aria-label="Dismiss"' in page


def test_an_htmx_write_sends_its_confirmation_as_an_event(client_for, planned):  # noqa: F811
    response = client_for(planned.owner).post(
        item_url(planned, planned.alias), form(status="IN_PROGRESS"), headers=HTMX
    )
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {
        TOAST_EVENT: {"message": "Saved the tracking of P1Q1.", "level": "success"}
    }


def test_a_refused_htmx_write_sends_no_confirmation(client_for, planned):  # noqa: F811
    response = client_for(planned.owner).post(
        item_url(planned, planned.alias), form(status="NO_SUCH_STATUS"), headers=HTMX
    )
    assert response.status_code == 400
    assert "HX-Trigger" not in response
