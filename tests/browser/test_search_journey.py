"""The search box in Chromium (issue 16): Ctrl-K focuses it from anywhere, even from inside a field;
"/" does when one is not typing; typing lists the best hits, the arrow keys walk them and Enter jumps;
Escape closes the list; the box fits a phone's width; axe finds no violation in the open list or on
the results page."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from lens.models import BUILTIN_ALIAS
from reviews.services import workload_create
from tests.browser.conftest import close_quietly, password

VIEWPORTS = [{"width": 1440, "height": 900}, {"width": 390, "height": 844}]


@pytest.fixture
def rosa(make_people):
    """Rosa, with "Churn" and "Churn forecast" (each with the built-in lens)."""
    rosa = make_people("rosa")["rosa"]
    for name in ("Churn forecast", "Churn"):
        workload_create(owner=rosa, fields={"name": name})
    return rosa


def box(page: Page):
    return page.get_by_role("combobox", name="Search workloads, lenses and questions")


def listed(page: Page):
    """The options of the box's list (not those of the page's selects)."""
    return page.locator("#site-search-popup").get_by_role("option")


def assert_no_axe_violation(page: Page, context: str | None = None) -> None:
    results = Axe().run(page, context=context)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1440", "390"])
def test_ctrl_k_finds_a_question_and_enter_jumps_to_it(
    logged_in_page, rosa, assert_no_console_errors, viewport
):
    page = logged_in_page(rosa, password("rosa"))
    page.set_viewport_size(viewport)
    page.goto(reverse("reviews:workload-list"))
    # Ctrl-K works even with the focus in a field: here the list's own search.
    page.get_by_label("Search", exact=True).focus()
    page.keyboard.press("Control+k")
    expect(box(page)).to_be_focused()

    page.keyboard.type("mlsec0", delay=20)
    options = listed(page)
    expect(options).to_have_count(5)  # five of a kind in the list
    expect(box(page)).to_have_attribute("aria-expanded", "true")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(options.first).to_contain_text("MLSEC01")
    expect(options.first).to_contain_text("Question in Churn")
    assert_no_axe_violation(page, "#site-search")

    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(box(page)).to_have_attribute("aria-activedescendant", options.nth(1).get_attribute("id"))
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # from the first, round to the last
    expect(options.last).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")  # and back round to the first
    page.keyboard.press("Enter")
    rosas_churn = rosa.owned_workloads.get(name="Churn")
    expect(page).to_have_url(
        re.compile(
            re.escape(reverse("reviews:question", args=[rosas_churn.pk, BUILTIN_ALIAS, "MLSEC01"])) + "$"
        )
    )
    assert_no_console_errors(page)


def test_slash_focuses_the_box_unless_one_is_typing_and_escape_closes_the_list(logged_in_page, rosa):
    page = logged_in_page(rosa, password("rosa"))
    page.goto(reverse("reviews:workload-list"))
    field = page.get_by_label("Search", exact=True)
    field.focus()
    page.keyboard.type("a/b")  # typed in the field, not taken by the box
    expect(field).to_have_value("a/b")
    page.locator("h1").click()
    page.keyboard.press("/")
    expect(box(page)).to_be_focused()
    expect(box(page)).to_have_value("")

    page.keyboard.type("churn")
    expect(listed(page)).to_have_count(2)
    expect(listed(page).first).to_contain_text("Churn")
    page.keyboard.press("Escape")
    expect(box(page)).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#site-search-popup")).to_be_hidden()
    page.keyboard.press("ArrowDown")  # opens it again
    expect(box(page)).to_have_attribute("aria-expanded", "true")
    # Escape again empties the box; the Search button goes to the results page.
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    expect(box(page)).to_have_value("")
    page.keyboard.type("forecast")
    expect(listed(page)).to_have_count(1)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/search/\?q=forecast$"))
    expect(page.get_by_role("heading", name="Workloads")).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1440", "390"])
def test_the_results_page_works_without_javascript_and_axe_finds_nothing(
    browser, live_server, logged_in_page, rosa, viewport
):
    page = logged_in_page(rosa, password("rosa"))
    page.set_viewport_size(viewport)
    page.goto(reverse("reviews:search") + "?q=churn")
    expect(page.get_by_role("heading", name="Workloads")).to_be_visible()
    assert_no_axe_violation(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.set_viewport_size(viewport)
        plain.goto(reverse("login"))
        plain.locator("#id_username").fill("rosa")
        plain.locator("#id_password").fill(password("rosa"))
        plain.get_by_role("button", name="Log in", exact=True).click()
        plain.get_by_role("combobox", name="Search workloads, lenses and questions").fill("forecast")
        plain.keyboard.press("Enter")
        expect(plain).to_have_url(re.compile(r"/search/\?q=forecast$"))
        plain.get_by_role("link", name=re.compile("^Churn forecast")).click()
        expect(plain.get_by_role("heading", name="Churn forecast", level=1)).to_be_visible()
    finally:
        close_quietly(context)
