"""Notifications in Chromium (issue 17): a workload shared with Bob reaches him through the outbox
(the event's delivery queued when the share commits, run here in process), the header's bell is
named "Notifications, 1 unread" once htmx has asked for its count, the list shows the notice as new
and links to the workload, and opening the list marked it read."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reviews.models import Share
from reviews.services import share_grant, workload_create
from tests.browser.conftest import password


@pytest.mark.parametrize("viewport", [{"width": 1440, "height": 900}, {"width": 390, "height": 844}])
def test_a_share_reaches_the_recipients_bell_and_list(
    logged_in_page, make_people, deliveries_in_process, assert_no_console_errors, viewport
):
    people = make_people("alice", "bob")
    fraud = workload_create(owner=people["alice"], fields={"name": "Fraud <detection>"})
    share_grant(workload=fraud, actor=people["alice"], role=Share.Role.READER, user=people["bob"])

    page = logged_in_page(people["bob"], password("bob"))
    page.set_viewport_size(viewport)
    page.goto(reverse("reviews:dashboard"))
    bell = page.get_by_role("link", name=re.compile(r"^Notifications"))
    expect(bell).to_have_accessible_name("Notifications, 1 unread")
    expect(page.locator(".bell-count")).to_have_text("1")

    bell.click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    notice = page.locator(".notification").first
    expect(notice).to_contain_text("alice shared the workload Fraud <detection> with you as reader.")
    expect(notice.locator(".badge-new")).to_have_text("New")
    # Opened: read now. The bell says so on the next page, and the notice links to the workload.
    notice.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/workloads/{fraud.pk}/$"))
    expect(page.get_by_role("link", name=re.compile(r"^Notifications"))).to_have_accessible_name(
        "Notifications"
    )
    expect(page.locator(".bell-count")).to_have_count(0)
    page.goto(reverse("notifications:list"))
    expect(page.locator(".badge-new")).to_have_count(0)
    assert_no_console_errors(page)
