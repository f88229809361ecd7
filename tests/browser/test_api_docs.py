"""The interactive API docs (/api/docs/): Swagger UI from the installed sidecar package renders every
operation under the site's Content-Security-Policy, which allows no inline script or style; a
violation, a failed load or an uncaught exception shows in the console, and fails the test."""

import re

from django.urls import reverse
from playwright.sync_api import expect


def test_the_docs_render_the_operations_under_the_csp(page, live_server, assert_no_console_errors):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto(reverse("api:docs"))

    assert response is not None
    assert response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # The schema is fetched and rendered: a tag heading, and an operation with its summary.
    expect(page.locator("#operations-tag-workloads")).to_be_visible()
    workloads_list = page.locator("#operations-workloads-workloads_list")
    expect(workloads_list).to_contain_text("Workloads you may see")
    expect(page.locator("#operations-tokens-tokens_create")).to_contain_text("Create an API token")
    # Our stylesheet replaced the stock template's inline <style>, and it applies.
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px"
    # Everything came from this server: nothing from a CDN.
    assert all(url.startswith(live_server.url) for url in requested), requested
    assert_no_console_errors(page)


def test_an_operation_opens_with_its_parameters_and_responses(page, assert_no_console_errors):
    page.goto(reverse("api:docs"))

    page.locator("#operations-workloads-workloads_list button.opblock-summary-control").click()

    operation = page.locator("#operations-workloads-workloads_list")
    expect(operation.locator(".parameters-container")).to_contain_text("page_size")
    expect(operation.locator(".responses-wrapper")).to_contain_text("429")
    expect(page).to_have_url(re.compile(r"#/workloads/workloads_list$"))  # deep links work
    assert_no_console_errors(page)
