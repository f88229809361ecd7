"""A lens upgrade in the browser (issue 17, item 8), at 1440x900 and at 390x844: from the workload
page's notice to the upgrade page, which shows, before anything changes, each answered question
whose risk the upgrade changes and the version difference with every changed field before and
after; then the upgrade, done, lands on the milestone compared with the review now, and the risks
are those the page showed. (The lens is tests/reviews/upgrade_lens.py's.)"""

import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from lens.models import LensVersion
from reviews.models import LensReview
from tests.browser.conftest import password
from tests.reviews.upgrade_lens import new_version, upgradable

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def world(make_people):
    owner = make_people("owner")["owner"]
    lens, workload, review = upgradable(owner)
    new_version(lens)
    return owner, lens, workload, review


@pytest.mark.parametrize("viewport", list(VIEWPORTS.values()), ids=list(VIEWPORTS))
def test_an_upgrade_is_previewed_then_done(logged_in_page, world, assert_no_console_errors, viewport):
    owner, lens, workload, review = world
    page = logged_in_page(owner, password("owner"))
    page.set_viewport_size(viewport)
    page.goto(reverse("reviews:workload", args=[workload.pk]))
    expect(page.get_by_text("Version 2 is available")).to_be_visible()
    page.get_by_role("link", name="See what changes and upgrade").click()

    # The preview: nothing has changed yet.
    expect(page.get_by_role("heading", name="From version 1 to version 2 (major)")).to_be_visible()
    changes = page.locator(".risk-changes li")
    expect(changes).to_have_text(
        [
            "P1Q2: No risk -> Medium risk How do you handle P1Q2?",
            "P1Q3: Medium risk -> No risk How do you handle P1Q3?",
            "P1Q6: High risk -> Unanswered How do you handle P1Q6?",
        ]
    )
    rules = page.locator(".version-change", has=page.locator("code", has_text="P1Q3")).first
    expect(rules.locator("dt")).to_have_text(["Risk rules"])
    expect(rules.locator(".field-before")).to_contain_text("Medium risk when P1Q3_BP1 is selected")
    expect(rules.locator(".field-after")).to_contain_text("No risk when P1Q3_BP1 is selected")
    before_side, after_side = rules.locator(".field-before"), rules.locator(".field-after")
    if viewport["width"] < 640:  # one above the other on a phone, side by side on a wide screen
        assert before_side.bounding_box()["y"] < after_side.bounding_box()["y"]
    else:
        assert before_side.bounding_box()["x"] < after_side.bounding_box()["x"]
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert LensReview.objects.get(pk=review.pk).lens_version.label == "1"
    if os.environ.get("MLWA_SCREENSHOTS"):
        page.screenshot(path=os.environ["MLWA_SCREENSHOTS"], full_page=True)

    # Done: the milestone compared with the review now, and the risks the page said.
    page.get_by_role("button", name="Save the milestone and upgrade to version 2").click()
    expect(page).to_have_url(
        reverse("reviews:compare", args=[workload.pk]) + "?base=1&target=current", ignore_case=False
    )
    expect(page.get_by_text("Upgraded Upgrade lens from version 1 to 2")).to_be_visible()
    review.refresh_from_db()
    assert review.lens_version == LensVersion.objects.get(lens=lens, label="2")
    risks = dict(review.answers.values_list("question__question_id", "risk"))
    assert (risks["P1Q2"], risks["P1Q3"], risks["P1Q6"]) == ("MEDIUM", "NONE", "UNANSWERED")
    page.goto(reverse("reviews:workload", args=[workload.pk]))
    expect(page.get_by_text("Version 2 is available")).to_have_count(0)
    assert_no_console_errors(page)
