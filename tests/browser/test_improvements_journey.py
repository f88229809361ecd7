"""The improvement plan in the browser: from the workload page to the plan, tracking an item with
htmx (the item alone is swapped, no console error under the CSP), and a second person's stale form
shown with the stored values."""

import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reviews.models import ImprovementItem, Share
from reviews.services import answer_update, share_grant, workload_create
from tests.browser.conftest import password
from tests.browser.test_conflict_journey import CONFLICT_LOAD_ERROR

ALIAS = "ml-lens-2021"


@pytest.fixture
def people(make_people):
    return make_people("owner", "contributor")


@pytest.fixture
def workload(people):
    """MLOPS01 at high risk, MLOPS02 at medium, contributed to by the contributor."""
    workload = workload_create(owner=people["owner"], fields={"name": "Churn model"})
    share_grant(
        workload=workload, actor=people["owner"], user=people["contributor"], role=Share.Role.CONTRIBUTOR
    )
    review = workload.lens_reviews.get()
    for question_id, choices in (("MLOPS01", ["MLOPS01_no"]), ("MLOPS02", ["MLOPS02_BP01"])):
        answer = review.answers.get(question__question_id=question_id)
        answer_update(
            answer=answer, actor=people["owner"], changes={"selected_choices": choices}, expected_version=0
        )
    return workload


def test_tracking_an_item_swaps_it_in_place_and_a_stale_form_shows_the_stored_values(
    logged_in_page, people, workload, console_errors, assert_no_console_errors
):
    page = logged_in_page(people["owner"], password("owner"))
    page.goto(reverse("reviews:workload", args=[workload.pk]))
    page.get_by_role("link", name="The improvement plan").click()
    item = page.locator(f"#item-{ALIAS}--MLOPS01")
    expect(item).to_contain_text("High risk")
    expect(item.locator(".plan-practices li").first).to_be_visible()

    other = logged_in_page(people["contributor"], password("contributor"))
    other.goto(reverse("reviews:improvements", args=[workload.pk]))

    item.get_by_label("Status").select_option("IN_PROGRESS")
    item.get_by_label("Owner").select_option(label="contributor")
    item.get_by_label("Note").fill("Pair with the platform team.")
    item.get_by_role("button", name="Save").click()
    expect(item.locator(".tracking-saved")).to_have_text("Saved.")
    expect(item.locator(".state-badge")).to_have_text("In progress")
    assert page.url.endswith(reverse("reviews:improvements", args=[workload.pk]))  # no navigation
    stored = ImprovementItem.objects.get()
    assert (stored.status, stored.owner, stored.version) == ("IN_PROGRESS", people["contributor"], 1)

    # The contributor's page still holds version 0: their save is refused, with the stored values.
    theirs = other.locator(f"#item-{ALIAS}--MLOPS01")
    theirs.get_by_label("Status").select_option("DONE")
    theirs.get_by_role("button", name="Save").click()
    expect(theirs.locator(".tracking-conflict")).to_contain_text("Someone else changed this item.")
    expect(theirs.get_by_label("Note")).to_have_value("Pair with the platform team.")
    theirs.get_by_label("Status").select_option("DONE")
    theirs.get_by_role("button", name="Save").click()
    expect(theirs.locator(".state-badge")).to_have_text("Regressed (done, at risk again)")
    assert ImprovementItem.objects.get().version == 2
    if os.environ.get("MLWA_SCREENSHOTS"):
        page.reload()
        page.screenshot(path=os.environ["MLWA_SCREENSHOTS"], full_page=True)
    assert_no_console_errors(page)
    # Chromium reports the refused (409) save as an error; nothing else may be there.
    assert console_errors.of(other) == [
        f"console error at {other.url.removesuffix('/')}/{ALIAS}/MLOPS01/: {CONFLICT_LOAD_ERROR}"
    ]
