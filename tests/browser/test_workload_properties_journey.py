"""An owner describes a workload as AWS would, in the browser (issue 17): ticks AWS regions, types
another region, picks the industry type, and ranks the pillars by keyboard with Move up / Move down;
the workload page then shows them in words, and a design link stored before the http(s) rule is
flagged until it is changed. At 1440x900 and 390x844."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reviews.models import Workload
from reviews.services import workload_create

PASSWORD = "owen-password"  # noqa: S105


def rank(page: Page, pillar: str):
    return page.get_by_label(f"Rank of {pillar}", exact=True)


@pytest.mark.parametrize("width", [1440, 390])
def test_an_owner_describes_the_workload_and_ranks_pillars_by_keyboard(
    width, django_user_model, logged_in_page, assert_no_console_errors
):
    owner = django_user_model.objects.create_user("owen", password=PASSWORD)
    workload = workload_create(owner=owner, fields={"name": "Churn model"})
    # Stored before the rule: kept and flagged.
    Workload.objects.filter(pk=workload.pk).update(architectural_design_url="ftp://example.org/design")
    page = logged_in_page(owner, PASSWORD)
    page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})

    page.goto(reverse("reviews:workload", args=[workload.pk]))
    expect(page.get_by_role("note").filter(has_text="Not valid any more")).to_contain_text("http")
    page.goto(reverse("reviews:workload-edit", args=[workload.pk]))
    expect(page.get_by_role("note").filter(has_text="Kept as stored")).to_be_visible()

    page.get_by_label("eu-west-1 · Europe (Ireland)").check()
    page.get_by_label("us-east-1 · US East (N. Virginia)").check()
    page.get_by_label("Other regions").fill("On-premises DC")
    page.get_by_label("Industry type").select_option("Financial Services")
    page.get_by_label("AWS account ids").fill("123456789012")

    # Security up above Operational excellence, by keyboard: focus the button, press Enter.
    move_up = page.get_by_role("button", name="Move up: Security")
    move_up.focus()
    page.keyboard.press("Enter")
    expect(rank(page, "Security")).to_have_value("1")
    expect(move_up).to_be_focused()  # the focus stays on the button that moved
    expect(page.locator("[data-priority-status]")).to_have_text("Security: rank 1.")
    # Reliability up past Operational excellence: ranked second; the pillars below stay unranked.
    page.get_by_role("button", name="Move up: Reliability").press("Enter")
    expect(rank(page, "Reliability")).to_have_value("2")
    expect(rank(page, "Operational excellence")).to_have_value("")
    # A rank can be typed too (what the page offers without JavaScript).
    rank(page, "Cost optimization").fill("3")

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the workload's details.")).to_be_visible()
    stored = Workload.objects.get(pk=workload.pk)
    assert stored.aws_regions == ["eu-west-1", "us-east-1"]
    assert stored.non_aws_regions == ["On-premises DC"]
    assert stored.industry_type == "Financial Services"
    assert stored.pillar_priorities == ["security", "reliability", "costOptimization"]
    assert stored.architectural_design_url == "ftp://example.org/design"  # not edited: kept
    details = page.locator("dl.details")
    expect(details).to_contain_text("eu-west-1 (Europe (Ireland))")
    expect(details.locator("ol.priorities li")).to_have_text(["Security", "Reliability", "Cost optimization"])
    assert_no_console_errors(page)
