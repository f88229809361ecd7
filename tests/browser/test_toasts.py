"""The confirmation after a write, in Chromium (issue 16): a reloaded page's message and an htmx
write's HX-Trigger event both show as a toast in the role="status" region, which a click dismisses
and which goes away by itself after a few seconds; at 390 px it sits in the page's flow, above the
heading, covering nothing. Under the CSP, without a console error."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import test_improvements_journey as journey
from tests.browser.conftest import password

people, workload = journey.people, journey.workload  # the improvement journey's fixtures


@pytest.mark.parametrize("width", [1440, 390])
def test_a_write_shows_its_confirmation_which_goes_away(
    logged_in_page,
    people,
    width,
    assert_no_console_errors,
):
    page = logged_in_page(people["owner"], password("owner"))
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
    page.clock.install()
    page.goto(reverse("reviews:workload-create"))
    page.get_by_label("Name").fill("Fraud scoring")
    page.get_by_role("button", name="Create the workload").click()

    toast = page.locator("#toasts .toast")
    expect(toast.locator("p")).to_have_text("Created the workload “Fraud scoring”.")
    heading = page.get_by_role("heading", level=1)
    if width == 390:  # in the flow, above the heading: it covers nothing
        assert toast.bounding_box()["y"] + toast.bounding_box()["height"] <= heading.bounding_box()["y"]
        # and no wider than the screen (the page's own width is the phones part's sweep)
        assert toast.bounding_box()["x"] + toast.bounding_box()["width"] <= 390
    # The toast's timer starts once the deferred scripts have run (DOMContentLoaded): only then
    # does moving the clock on mean anything.
    page.wait_for_load_state()
    page.clock.fast_forward(7000)
    expect(toast).to_have_count(0)
    assert_no_console_errors(page)


def test_an_htmx_write_shows_its_confirmation_and_a_click_dismisses_it(
    logged_in_page,
    people,
    workload,
    assert_no_console_errors,
):
    page = logged_in_page(people["owner"], password("owner"))
    page.goto(reverse("reviews:improvements", args=[workload.pk]))
    item = page.locator(f"#item-{journey.ALIAS}--MLOPS01")
    item.get_by_role("link", name="Edit MLOPS01").click()
    item.get_by_label("Status").select_option("IN_PROGRESS")
    item.get_by_role("button", name="Save").click()

    toast = page.get_by_role("status").locator(".toast")
    expect(toast).to_contain_text("Saved the tracking of MLOPS01.")
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_have_count(0)
    assert_no_console_errors(page)
