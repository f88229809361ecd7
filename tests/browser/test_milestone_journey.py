"""An architect's journey through milestones, in the browser: save a milestone from the workload page,
change answers in the questionnaire, save another, compare the two, see the regression and the
improvement that the changes imply (and only those with "Only what changed"), then open the trend.

The answers before the first milestone are written through the service; everything after is clicks.
The database is checked at the end: two sealed milestones whose frozen answers are the ones on screen."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from reviews.models import Milestone
from reviews.services import answer_update, workload_create

ALIAS = "ml-lens-2021"
PASSWORD = "ines-password"  # noqa: S105


def question_path(workload_pk: int, question_id: str) -> str:
    return reverse("reviews:question", args=[workload_pk, ALIAS, question_id])


def open_question(page: Page, workload_pk: int, question_id: str) -> None:
    """Open a question's page and wait for its load event (htmx and the page's script have run)."""
    page.goto(question_path(workload_pk, question_id), wait_until="load")
    expect(page.locator("#question-title")).to_be_visible()


def save_milestone(page: Page, workload_pk: int, name: str) -> None:
    page.goto(reverse("reviews:workload", args=[workload_pk]))
    form = page.locator("form.milestone-form")
    form.get_by_label("Name").fill(name)
    form.get_by_role("button", name="Save a milestone").click()
    expect(page.get_by_text(re.compile(rf"Saved milestone \d+, “{re.escape(name)}”"))).to_be_visible()


def question_row(page: Page, question_id: str):
    return page.locator(f"tr.compare-question[data-question='{question_id}']")


def test_save_milestones_compare_them_and_open_the_trend(
    django_user_model, logged_in_page, assert_no_console_errors
):
    architect = django_user_model.objects.create_user("ines", password=PASSWORD)
    workload = workload_create(owner=architect, fields={"name": "Churn model"})
    review = workload.lens_reviews.get()

    def answer(question_id: str, selected: list[str]) -> None:
        stored = review.answers.get(question__question_id=question_id)
        answer_update(
            answer=stored,
            actor=architect,
            changes={"selected_choices": selected},
            expected_version=stored.version,
        )

    # MLOPS01 follows every practice (no risk); MLOPS02 none of them (high risk).
    answer("MLOPS01", ["MLOPS01_BP01", "MLOPS01_BP02", "MLOPS01_BP03", "MLOPS01_BP04"])
    answer("MLOPS02", ["MLOPS02_no"])

    page = logged_in_page(architect, PASSWORD)
    # The questionnaire polls for others' changes; nothing else changes here, so the poll is quiet.
    page.route(re.compile(r"/changes/\?"), lambda route: route.fulfill(status=204))
    save_milestone(page, workload.pk, "Before the audit")
    expect(page.locator(".milestone-banner")).to_contain_text("Before the audit")

    # --- Change answers by clicking: MLOPS01 drops a practice, MLOPS02 takes one up. ---
    open_question(page, workload.pk, "MLOPS01")
    page.locator("#choice-MLOPS01_BP04").uncheck()
    expect(page.locator("#answer-status")).to_have_text("Saved.")
    expect(page.locator("#question-risk")).to_have_text("Medium risk")

    open_question(page, workload.pk, "MLOPS02")
    page.locator("#choice-MLOPS02_BP01").check()
    expect(page.locator("#answer-status")).to_have_text("Saved.")
    expect(page.locator("#question-risk")).to_have_text("Medium risk")
    assert_no_console_errors(page)

    save_milestone(page, workload.pk, "After the audit")

    # --- Compare milestone 1 with milestone 2, through the pickers. ---
    page.goto(reverse("reviews:compare", args=[workload.pk]))
    page.get_by_label("Before", exact=True).select_option(value="1")
    page.get_by_label("After", exact=True).select_option(value="2")
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"base=1.*target=2"))

    regressed, improved = question_row(page, "MLOPS01"), question_row(page, "MLOPS02")
    expect(regressed.locator(".compare-status")).to_have_text("Regressed")
    expect(regressed.locator(".compare-before .risk-badge")).to_have_text("No risk")
    expect(regressed.locator(".compare-after .risk-badge")).to_have_text("Medium risk")
    expect(regressed.locator(".compare-practices-removed")).to_contain_text("MLOPS01_BP04")
    expect(improved.locator(".compare-status")).to_have_text("Improved")
    expect(improved.locator(".compare-before .risk-badge")).to_have_text("High risk")
    expect(improved.locator(".compare-practices-added")).to_contain_text("MLOPS02_BP01")
    expect(question_row(page, "MLOPS03").locator(".compare-status")).to_have_text("Unchanged")
    # One high risk fewer (MLOPS02), one medium more each way: 0 → 2.
    expect(page.locator(".summary-high .summary-value")).to_have_text("1 → 0")
    expect(page.locator(".summary-medium .summary-value")).to_have_text("0 → 2")

    # Only what changed: the two changed questions stay, the unchanged ones go.
    page.get_by_label("Only what changed").check()
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"changed=1"))
    expect(page.locator("tr.compare-question")).to_have_count(2)
    expect(question_row(page, "MLOPS03")).to_have_count(0)
    assert_no_console_errors(page)

    # --- The trend: a chart drawn on the server, and its numbers. ---
    page.get_by_role("link", name="Risk trend").click()
    expect(page.get_by_role("heading", name="Risk trend", level=1)).to_be_visible()
    chart = page.locator("section.panel svg").first
    expect(chart).to_be_visible()
    expect(page.locator("table.trend-table")).to_contain_text("Before the audit")
    expect(page.locator("table.trend-table")).to_contain_text("After the audit")
    assert_no_console_errors(page)

    milestones = list(Milestone.objects.filter(workload=workload).order_by("number"))
    assert [(m.number, m.name, m.sealed) for m in milestones] == [
        (1, "Before the audit", True),
        (2, "After the audit", True),
    ]
    risks = {
        m.number: dict(
            m.answers.filter(question__question_id__in=["MLOPS01", "MLOPS02"]).values_list(
                "question__question_id", "risk"
            )
        )
        for m in milestones
    }
    assert risks == {1: {"MLOPS01": "NONE", "MLOPS02": "HIGH"}, 2: {"MLOPS01": "MEDIUM", "MLOPS02": "MEDIUM"}}
