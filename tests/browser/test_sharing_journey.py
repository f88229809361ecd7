"""Issue 17's sharing journey in Chromium, at 1440x900 and at 390x844: the owner finds a colleague
by name with the people picker (keyboard only: type, arrows, Enter), is warned that the colleague
cannot open the workload's own lens and shares it too in the same confirmed step, and the share is
listed; the colleague, signed in, finds it in their notifications. Then "Stop sharing" asks in a
dialog: Cancel keeps the share, confirming ends it."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from lens.models import Lens
from reviews.models import Share
from reviews.services import lens_review_apply, share_grant, workload_create
from tests import factories
from tests.browser.conftest import password

VIEWPORTS = [{"width": 1440, "height": 900}, {"width": 390, "height": 844}]


@pytest.fixture
def world(make_people):
    """Olivia's "Churn model" uses the built-in lens and her own "Team lens"; Alice Martin
    (username amartin) sees neither yet."""
    people = make_people("olivia", "amartin")
    people["amartin"].first_name, people["amartin"].last_name = "Alice", "Martin"
    people["amartin"].save()
    lens = factories.imported_lens(owner=people["olivia"], document=factories.lens_document("Team lens"))
    workload = workload_create(owner=people["olivia"], fields={"name": "Churn model"})
    lens_review_apply(workload=workload, lens_version=lens.versions.get(), actor=people["olivia"])
    return {**people, "lens": lens, "workload": workload}


def people_page(page: Page, world) -> None:
    page.goto(reverse("reviews:people", args=[world["workload"].pk]))


def assert_no_axe_violation(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1440", "390"])
def test_sharing_through_the_picker_with_the_lens_they_cannot_open(
    logged_in_page, world, deliveries_in_process, assert_no_console_errors, viewport
):
    page = logged_in_page(world["olivia"], password("olivia"))
    page.set_viewport_size(viewport)
    people_page(page, world)

    picker = page.get_by_role("combobox", name="Find a person or a team")
    picker.focus()
    page.keyboard.type("alice ma", delay=20)
    options = page.locator("#people-picker-list").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Alice Martin")
    expect(options.first).to_contain_text("amartin")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(picker).to_have_attribute("aria-expanded", "true")
    assert_no_axe_violation(page)  # with the list open
    page.keyboard.press("ArrowDown")  # one option: the arrows keep it active
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Chosen")).to_have_text(
        "Chosen: Alice Martin (amartin), a user. Pick a role and share."
    )
    expect(page.get_by_label("User", exact=True)).to_have_value("amartin")
    expect(picker).to_have_attribute("aria-expanded", "false")
    assert page.url.endswith("/people/")  # Enter chose; it did not submit

    page.get_by_label("Role").select_option("CONTRIBUTOR")
    page.get_by_role("button", name="Share", exact=True).click()

    # The warning, before anything is shared: the lens is offered, ticked.
    expect(page.get_by_role("heading", name="Before you share with amartin")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "Of the lenses this workload uses, 1 cannot be opened by amartin"
    )
    offer = page.get_by_role("checkbox", name="Share the lens “Team lens” with amartin too")
    expect(offer).to_be_checked()
    assert not Share.objects.filter(user=world["amartin"]).exists()
    assert_no_axe_violation(page)
    page.get_by_role("button", name="Share as contributor").click()

    # The share is listed, and the lens went with it.
    expect(page.get_by_text("Shared with amartin as contributor.")).to_be_visible()
    row = (
        page.get_by_role("region", name="Who has access, table").get_by_role("row").filter(has_text="amartin")
    )
    expect(row).to_have_count(1)
    expect(row.get_by_role("combobox", name="Role of amartin")).to_have_value("CONTRIBUTOR")
    assert Share.objects.get(workload=world["workload"], user=world["amartin"]).role == "CONTRIBUTOR"
    assert Lens.objects.visible_to(world["amartin"]).filter(pk=world["lens"].pk).exists()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_no_console_errors(page)

    # The recipient is told: their bell counts it, and the list says who shared what.
    theirs = logged_in_page(world["amartin"], password("amartin"))
    theirs.set_viewport_size(viewport)
    bell = theirs.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell).to_have_accessible_name("Notifications, 1 unread")
    bell.click()
    expect(theirs.locator(".notification").first).to_contain_text(
        "olivia shared the workload Churn model with you as contributor."
    )
    theirs.locator(".notification").first.get_by_role("link").click()
    expect(theirs.get_by_role("heading", level=1)).to_contain_text("Churn model")
    assert_no_console_errors(theirs)


def test_stop_sharing_asks_in_a_dialog(logged_in_page, world, assert_no_console_errors):
    share_grant(
        workload=world["workload"],
        actor=world["olivia"],
        user=world["amartin"],
        role=Share.Role.READER,
        lenses_seen=[world["lens"].pk],
    )
    page = logged_in_page(world["olivia"], password("olivia"))
    page.set_viewport_size({"width": 390, "height": 844})
    people_page(page, world)
    stop = page.get_by_role("link", name="Stop sharing with amartin")
    dialog = page.get_by_role("dialog", name="Stop sharing with amartin?")

    stop.click()
    expect(dialog).to_be_visible()
    assert_no_axe_violation(page)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(stop).to_be_focused()  # back where the owner was
    assert Share.objects.filter(user=world["amartin"]).exists()

    stop.press("Enter")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Stop sharing").click()
    expect(page.get_by_text("Stopped sharing with amartin.")).to_be_visible()
    expect(page.get_by_text("The workload is not shared with anyone.")).to_be_visible()
    assert not Share.objects.filter(user=world["amartin"]).exists()
    assert_no_console_errors(page)
