"""Filters as one types, sortable headers, and the consolidated report of the filters on screen, in
Chromium (issue 16): typing narrows the list with no button pressed, the address keeps the filters
for a reload, a header sorts and reverses, and the report asked right after typing, without
applying anything, stores exactly the filters the screen shows."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reviews.models import Answer, Report
from reviews.services import workload_create
from tests.browser.conftest import close_quietly, password

#: The filter fields, by name, as a report stores them (has_high aside: a boolean there).
TEXT_FIELDS = ("search", "environment", "ownership", "lens", "tag", "owner", "ordering")


@pytest.fixture
def rosas_workloads(make_people):
    """Rosa's workloads: "Churn" and "Churn forecast" in production (the second with high risks),
    "Vision" in pre-production."""
    rosa = make_people("rosa")["rosa"]
    workload_create(owner=rosa, fields={"name": "Churn", "environment": "PRODUCTION", "tags": ["retail"]})
    forecast = workload_create(owner=rosa, fields={"name": "Churn forecast", "environment": "PRODUCTION"})
    workload_create(owner=rosa, fields={"name": "Vision"})
    Answer.objects.filter(lens_review__workload=forecast).update(risk=Answer.Risk.HIGH)
    return rosa


def names(page: Page):
    return page.locator("#workload-results tbody tr td:first-child a")


def on_screen(page: Page, form: str) -> dict:
    """The filters the form `form` shows, as a report stores them."""
    fields = page.locator(form)
    shown: dict = {name: fields.locator(f'[name="{name}"]').input_value() for name in TEXT_FIELDS}
    shown["has_high"] = {"true": True, "false": False}.get(fields.locator('[name="has_high"]').input_value())
    return shown


@pytest.mark.parametrize("viewport", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}])
def test_typing_narrows_the_list_and_the_report_takes_the_filters_on_screen(
    logged_in_page, rosas_workloads, in_memory_broker, assert_no_console_errors, viewport
):
    page = logged_in_page(rosas_workloads, password("rosa"))
    page.set_viewport_size(viewport)
    page.goto(reverse("reviews:workload-list"))
    expect(names(page)).to_have_text(["Churn", "Churn forecast", "Vision"])

    page.evaluate("window.__sameDocument = true")  # gone if the page were loaded anew
    page.get_by_label("Search", exact=True).press_sequentially("chur", delay=30)  # no button pressed
    expect(names(page)).to_have_text(["Churn", "Churn forecast"])
    expect(page).to_have_url(re.compile(r"/workloads/\?search=chur$"))
    page.get_by_label("High risks", exact=True).select_option("true")
    expect(names(page)).to_have_text(["Churn forecast"])
    expect(page).to_have_url(re.compile(r"/workloads/\?search=chur&has_high=true$"))
    assert page.evaluate("window.__sameDocument") is True  # htmx swapped the results alone

    # Reload: the filters are in the address, and so on screen again.
    page.reload()
    expect(page.get_by_label("Search", exact=True)).to_have_value("chur")
    expect(names(page)).to_have_text(["Churn forecast"])

    # Widen again and sort: a header link, which keeps the filters and says its direction.
    page.get_by_label("High risks", exact=True).select_option("")
    expect(names(page)).to_have_text(["Churn", "Churn forecast"])
    header = page.locator("th", has_text="High")
    if header.is_visible():
        header.get_by_role("link").click()
        expect(header).to_have_attribute("aria-sort", "descending")
        expect(names(page)).to_have_text(["Churn forecast", "Churn"])
        expect(page.get_by_label("Sort by")).to_have_value("high")  # the form follows the header
        header.get_by_role("link").click()
        expect(header).to_have_attribute("aria-sort", "ascending")
    else:  # a phone: the table is cards, without column headers; "Sort by" orders them
        page.get_by_label("Sort by").select_option("high")
        expect(names(page)).to_have_text(["Churn forecast", "Churn"])
        page.get_by_label("Sort by").select_option("-high")
    expect(names(page)).to_have_text(["Churn", "Churn forecast"])
    expect(page).to_have_url(re.compile(r"search=chur&ordering=-high$"))

    # Away to a workload and back: the filters and the order are still on screen.
    names(page).first.click()
    expect(page.get_by_role("heading", name="Churn", level=1)).to_be_visible()
    page.go_back()
    expect(page.get_by_label("Search", exact=True)).to_have_value("chur")
    expect(names(page)).to_have_text(["Churn", "Churn forecast"])
    expect(page.locator("th", has_text="High")).to_have_attribute("aria-sort", "ascending")

    # Type again and, without waiting for the list, ask for the report of these workloads.
    search = page.get_by_label("Search", exact=True)
    search.press("End")
    search.press_sequentially("n f")
    page.get_by_role("button", name="Report of these workloads").click()
    expect(page).to_have_url(re.compile(r"/reports/\?"))
    form = "#report-filters"
    expect(page.locator(form).get_by_label("Search", exact=True)).to_have_value("churn f")
    expect(page.locator("#report-matching")).to_have_text("1 workload matches these filters.")

    # On the report's page a select applies at once; then change the search and ask before it
    # applies (the count still says what it said): the report takes it all the same.
    page.locator(form).get_by_label("Format").select_option("JSON")
    page.locator(form).get_by_label("Environment").select_option("PREPRODUCTION")
    expect(page.locator("#report-matching")).to_have_text("0 workloads match these filters.")
    page.locator(form).get_by_label("Environment").select_option("PRODUCTION")
    expect(page.locator("#report-matching")).to_have_text("1 workload matches these filters.")
    page.locator(form).get_by_label("Search", exact=True).fill("churn")
    shown = on_screen(page, form)
    page.get_by_role("button", name="Ask for the report").click()
    expect(page).to_have_url(re.compile(r"/reports/\?search=churn&environment=PRODUCTION&ordering=-high$"))

    report = Report.objects.get()
    assert (report.kind, report.format) == (Report.Kind.CONSOLIDATED, "JSON")
    assert report.filters == shown
    assert shown["search"] == "churn"
    assert shown["environment"] == "PRODUCTION"
    assert shown["ordering"] == "-high"
    # The page comes back with those filters on screen.
    assert on_screen(page, form) == shown
    assert_no_console_errors(page)


def test_without_javascript_the_buttons_still_filter_and_ask(browser, live_server, rosas_workloads):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(reverse("login"))
        page.locator("#id_username").fill("rosa")
        page.locator("#id_password").fill(password("rosa"))
        page.get_by_role("button", name="Log in", exact=True).click()
        page.goto(reverse("reviews:workload-list"))
        page.get_by_label("Search", exact=True).fill("vis")
        page.get_by_role("button", name="Filter", exact=True).click()
        expect(names(page)).to_have_text(["Vision"])
        page.locator("th", has_text="Workload").get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"search=vis&ordering=-name$"))
        page.get_by_label("Search", exact=True).fill("churn")
        page.get_by_role("button", name="Report of these workloads").click()
        expect(page.locator("#report-filters").get_by_label("Search", exact=True)).to_have_value("churn")
        expect(page.locator("#report-matching")).to_have_text("2 workloads match these filters.")
    finally:
        close_quietly(context)
