"""The site's error pages (issue 16): 400, 403 (a role's refusal, a CSRF failure), 404, 405 and 500
in the site's layout, each saying what happened and what to do; the API's errors stay JSON."""

import pytest
from django.http import HttpResponseNotAllowed
from django.template import loader
from django.test import Client, RequestFactory
from django.urls import reverse

from mlwa.middleware import MethodNotAllowedMiddleware
from mlwa.views import bad_request, server_error
from tests.factories import UserFactory, WorkloadFactory

pytestmark = pytest.mark.django_db

LAYOUT = b'<header class="site-header">'


@pytest.fixture
def owner(client):
    user = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    client.force_login(user)
    return user


def test_a_page_that_does_not_exist_is_the_sites_404_with_the_way_back(client, owner):
    response = client.get("/workloads/999999/", headers={"referer": "http://testserver/lenses/?q=x"})
    assert response.status_code == 404
    page = response.content.decode()
    assert '<header class="site-header">' in page
    assert "Ada Lovelace" in page
    assert "There is nothing here" in page
    assert f'href="{reverse("reviews:dashboard")}"' in page
    assert 'href="/lenses/?q=x">Back to the previous page' in page


@pytest.mark.parametrize(
    "referer", ["javascript:alert(1)", "https://evil.example/phish", "//evil.example/phish", ""]
)
def test_the_way_back_never_leaves_the_site(client, owner, referer):
    page = client.get("/nowhere/", headers={"referer": referer}).content.decode()
    assert "evil.example" not in page
    assert "javascript:" not in page
    if "//" in referer:
        assert 'href="/phish">Back to the previous page' in page  # its path, on this site
    else:
        assert "Back to the previous page" not in page


def test_a_refused_action_is_the_sites_403_in_the_refusals_words(client, owner):
    reader = UserFactory(username="reader")
    workload = WorkloadFactory(owner=reader, name="Someone else's")
    workload.shares.create(user=owner, role="READER")
    response = client.get(reverse("reviews:workload-edit", args=[workload.pk]))
    assert response.status_code == 403
    page = response.content.decode()
    assert '<header class="site-header">' in page
    assert "You may not do this" in page
    assert "Only the workload&#x27;s owner may change it." in page
    assert "Nothing was changed" in page


def test_a_form_sent_with_an_expired_token_says_so_and_offers_to_log_in_again(owner):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    response = browser.post(
        reverse("reviews:workload-create"),
        {"name": "x"},
        headers={"referer": "http://testserver/workloads/new/"},
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert '<header class="site-header">' in page
    assert "This form has expired" in page
    assert "Nothing was saved" in page
    assert f'href="{reverse("login")}?next=/workloads/new/">Log in again' in page


def test_a_method_a_page_does_not_take_is_the_sites_405_with_allow(client, owner):
    response = client.post(reverse("reviews:improvements", args=[WorkloadFactory(owner=owner).pk]))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    page = response.content.decode()
    assert '<header class="site-header">' in page
    assert "Ada Lovelace" in page
    assert "only answers GET, HEAD" in page
    assert "Nothing was changed" in page


def test_a_405_with_a_body_of_its_own_is_left_as_it_is():
    request = RequestFactory().post("/somewhere/")
    middleware = MethodNotAllowedMiddleware(lambda request: HttpResponseNotAllowed(["GET"], content=b"mine"))
    assert middleware(request).content == b"mine"


def test_a_server_error_is_the_sites_500_without_any_context():
    # Django renders 500.html without a request's context: nothing may depend on one.
    assert b"Something went wrong on our side" in loader.get_template("500.html").render().encode()
    response = server_error(RequestFactory().get("/workloads/"))
    assert response.status_code == 500
    assert LAYOUT in response.content
    assert b"Something went wrong on our side" in response.content
    assert b'<a href="/">Go to the dashboard</a>' in response.content


def test_a_bad_request_is_the_sites_400_without_any_context():
    response = bad_request(RequestFactory().get("/x/", HTTP_REFERER="/workloads/"), Exception("bad"))
    assert response.status_code == 400
    assert LAYOUT in response.content
    assert b"The request could not be read" in response.content
    assert b'href="/workloads/">Back to the previous page' in response.content


def test_a_disallowed_host_is_the_sites_400(client, settings):
    settings.ALLOWED_HOSTS = ["mlwa.example"]
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert b"The request could not be read" in response.content


# --- the API keeps its JSON ---------------------------------------------------------------------


def test_the_api_answers_an_unknown_url_with_its_json_404(client, owner):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "message": "No such resource.", "fields": {}}


def test_the_api_answers_a_method_it_does_not_take_with_its_json_405(client, owner):
    response = client.delete("/api/v1/workloads/")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "method_not_allowed"
    assert b"site-header" not in response.content


def test_the_api_answers_a_server_error_in_json():
    response = server_error(RequestFactory().get("/api/v1/workloads/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
