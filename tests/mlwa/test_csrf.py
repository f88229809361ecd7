"""CSRF is enforced on every form and on every API write made with the browser's session.

The cases are generated, as the access tests' are: the page routes from the URL configuration (every
route that takes a POST in tests/reviews/test_access_by_route.py's EXPECTED, which must name every
route), the API's writes from its OpenAPI schema (tests/api/test_access_matrix.py). A new route or
operation is therefore covered, or fails there for want of an expected result.

Each case is made by someone the write is allowed to, with a session and the CSRF cookie (as a
victim's browser would hold them), without the token that only our pages know: 403, and the database
unchanged. The same request with the token is not refused for CSRF, so that the refusal is the
token's doing, and the test could fail. An API token (`Authorization: Token`), which a browser never
sends on its own, needs no CSRF token.
"""

import json

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import token_create
from tests.api.test_access_matrix import body_of, build_world, operations, path_of
from tests.reviews import conftest as reviews_fixtures
from tests.reviews import test_access_by_route as page_access
from tests.reviews.stored import database_state

pytestmark = pytest.mark.django_db

# The page cases run against the access tests' world: their fixtures (the milestone and the report
# are autouse there, so here too), their URLs and bodies, and their table of routes.
people = reviews_fixtures.people
shared_workload = reviews_fixtures.shared_workload
_a_milestone, _a_report = page_access._a_milestone, page_access._a_report
PAGE_ROUTES, OK, _url, _data = page_access.EXPECTED, page_access.OK, page_access._url, page_access._data

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

#: Page routes that change the database when the token is sent: the proof that the refusal without
#: it kept a real write out. (The others answer a form with its errors, or change only the session.)
PAGE_WRITES = {
    "reviews:workload-create",
    "reviews:workload-edit",
    "reviews:workload-delete",
    "reviews:workload-transfer",
    "reviews:people",
    "reviews:share-role",
    "reviews:share-revoke",
    "reviews:lens-notes",
    "reviews:answer",
    "reviews:milestones",
    "reviews:improvement-item",
    "reviews:reports",
    "reviews:consolidated-reports",
    "reviews:report-delete",
    "accounts:token-create",
}


def _is_csrf_refusal(response) -> bool:
    """Django's CSRF failure page, or DRF's refusal of a session write without the token."""
    if response.status_code != 403:
        return False
    if response.get("Content-Type", "").startswith("application/json"):
        return "CSRF" in json.loads(response.content)["message"]
    return b"This form has expired" in response.content  # the site's page (mlwa.views.csrf_failure)


# --- pages ----------------------------------------------------------------------------------------


def _post_routes() -> list[str]:
    return sorted(route for route, methods in PAGE_ROUTES.items() if "POST" in methods)


def test_every_page_route_is_in_the_access_table():
    """The POST routes come from that table: a route missing from it would be missing here."""
    assert page_access.named_routes() == set(PAGE_ROUTES)


def _browser(user) -> Client:
    """A browser with the user's session and the CSRF cookie, as our pages leave them."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get(reverse("profile")).status_code == 200  # sets the CSRF cookie
    assert browser.cookies["csrftoken"].value
    return browser


def _actor(route: str, s):
    """The owner, or for the lens's administration (which owners may not do) a superuser."""
    if PAGE_ROUTES[route]["POST"][0] == OK:
        return s.owner
    return User.objects.create_superuser("root", "root@example.com", "root-password")


@pytest.mark.parametrize("route", _post_routes())
def test_a_form_post_without_the_token_is_refused(shared_workload, route):
    s = shared_workload
    browser = _browser(_actor(route, s))
    url, data = _url(route, s), _data(route, s)
    before = database_state()

    refused = browser.post(url, data)

    assert refused.status_code == 403
    assert _is_csrf_refusal(refused), refused.content[:300]
    assert database_state() == before, f"POST {route} without the CSRF token changed the database"

    accepted = browser.post(url, {**data, "csrfmiddlewaretoken": browser.cookies["csrftoken"].value})

    assert not _is_csrf_refusal(accepted), f"POST {route} with the token was refused for CSRF"
    if route in PAGE_WRITES:
        assert database_state() != before, (
            f"POST {route} with the token changed nothing: the case shows nothing"
        )


def test_an_htmx_post_sends_the_token_in_its_header(shared_workload):
    """htmx sends the token as base.html's hx-headers say (X-CSRFToken), not in the form."""
    s = shared_workload
    browser = _browser(s.owner)
    url, data = _url("reviews:lens-notes", s), _data("reviews:lens-notes", s)
    before = database_state()

    assert _is_csrf_refusal(browser.post(url, data, headers={"HX-Request": "true"}))
    assert database_state() == before
    page = browser.get(url).content.decode()
    assert '"X-CSRFToken": "' in page
    token = page.split('"X-CSRFToken": "', 1)[1].split('"', 1)[0]
    response = browser.post(url, data, headers={"HX-Request": "true", "X-CSRFToken": token})
    assert not _is_csrf_refusal(response)
    assert database_state() != before


def test_the_login_form_needs_the_token_too(alice):
    """A forged login would sign the victim into the attacker's account."""
    browser = Client(enforce_csrf_checks=True)
    browser.get(reverse("login"))
    credentials = {"username": "alice", "password": "alice-password"}

    assert _is_csrf_refusal(browser.post(reverse("login"), credentials))
    assert "_auth_user_id" not in browser.session

    token = browser.cookies["csrftoken"].value
    assert browser.post(reverse("login"), {**credentials, "csrfmiddlewaretoken": token}).status_code == 302


# --- the API --------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _private_reports_dir(settings, tmp_path):
    """The API world's report file goes to a folder of the test's own."""
    settings.MLWA_REPORTS_DIR = tmp_path / "reports"


def _api_writes():
    for operation_id, method, path, _success in operations():
        if method in WRITE_METHODS:
            yield pytest.param(operation_id, method, path, id=operation_id)


def test_the_api_has_writes_to_check():
    assert len(list(_api_writes())) >= 20


def _send(client: APIClient, operation_id: str, method: str, path: str, world, **headers):
    body = json.dumps(body_of(operation_id, world))
    return client.generic(method, path_of(path, world), body, content_type="application/json", **headers)


#: Writes that the world cannot make succeed, and the refusal they reach once past CSRF: the world
#: has no lens catalog, and no lens URL the guarded client may fetch (tests/api/test_lens_catalog_api.py
#: makes them succeed).
REFUSED_BEYOND_CSRF = {
    "lens_catalog_add_create": "not_in_catalog",
    "lenses_catalog_update_create": "not_from_catalog",
    "lenses_import_url_create": "url_refused",
}


def _assert_accepted(operation_id: str, response) -> None:
    if operation_id in REFUSED_BEYOND_CSRF:
        assert response.json()["code"] == REFUSED_BEYOND_CSRF[operation_id], response.content[:300]
    else:
        assert response.status_code < 400, f"{operation_id} with the token: {response.content[:300]!r}"


@pytest.mark.parametrize(("operation_id", "method", "path"), list(_api_writes()))
def test_a_session_write_without_the_token_is_refused(operation_id, method, path):
    world = build_world()
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(User.objects.get(username="owner"))
    browser.get(reverse("profile"))  # the CSRF cookie, as the pages leave it
    token = browser.cookies["csrftoken"].value
    before = database_state()

    refused = _send(browser, operation_id, method, path, world)

    assert refused.status_code == 403, refused.content[:300]
    assert _is_csrf_refusal(refused), refused.content[:300]
    assert set(refused.json()) >= {"code", "message", "fields"}
    assert database_state() == before, f"{operation_id} without the CSRF token changed the database"

    accepted = _send(browser, operation_id, method, path, world, HTTP_X_CSRFTOKEN=token)

    assert not _is_csrf_refusal(accepted), f"{operation_id} with the token: {accepted.content[:300]!r}"
    _assert_accepted(operation_id, accepted)


@pytest.mark.parametrize(("operation_id", "method", "path"), list(_api_writes()))
def test_a_token_write_needs_no_csrf_token(operation_id, method, path):
    world = build_world()
    _token, key = token_create(user=User.objects.get(username="owner"), name="csrf-free")
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = _send(client, operation_id, method, path, world)

    assert not _is_csrf_refusal(response)
    if operation_id == "tokens_create":  # a token may not make tokens (tests/api/test_access_matrix.py)
        assert response.status_code == 403
    else:
        _assert_accepted(operation_id, response)
