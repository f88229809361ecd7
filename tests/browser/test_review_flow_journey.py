"""Journey 1 of issue 16, at 1440x900 and at 390x844: a pillar of the built-in ML lens answered to the
end with the keyboard only. From the lens's overview, "Continue reviewing" by the keyboard; on each
question the skip link (first in the page) to the practices, ticks with Space, and `j` pressed while
focus is on the ticked checkbox (which used to swallow it); `?` shows the shortcuts, Escape closes
them; at the pillar's last question, Next says it leads into the next pillar, and "Save and exit"
saves and goes back to the overview, which shows the pillar complete. Nothing here depends on the
side navigation being visible (at 390 px it is collapsed)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reviews.models import Answer
from reviews.services import answer_update
from tests.factories import workload

ALIAS = "ml-lens-2021"
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
#: Answered before the journey: the pillars before Reliability, so that the overview continues there.
BEFORE = ("MLOPS01", "MLOPS02", "MLOPS03", "MLSEC01", "MLSEC02", "MLSEC03")


def question_path(workload_pk: int, question_id: str) -> str:
    return reverse("reviews:question", args=[workload_pk, ALIAS, question_id])


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page: Page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    active = page.evaluate("document.activeElement && document.activeElement.outerHTML.slice(0, 120)")
    pytest.fail(f"{limit} presses of Tab never reached {selector}; focus is on {active}")


def arrive(page: Page, workload_pk: int, question_id: str, action) -> None:
    """Do `action` and wait for the question's page to load (its deferred scripts then run)."""
    url = re.compile(re.escape(question_path(workload_pk, question_id)) + "$")
    with page.expect_navigation(url=url):
        action()
    expect(page).to_have_url(url)


def expect_saved(page: Page, version: int) -> None:
    expect(page.locator("#answer-status")).to_have_text("Saved.")
    expect(page.locator("#answer-version")).to_have_value(str(version))


def skip_to_practices(page: Page, first_practice: str) -> None:
    """The first Tab of a page reaches the skip link; Enter puts focus on the first practice."""
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to question")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator(f"#choice-{first_practice}")).to_be_focused()


def tick(page: Page, choice_id: str, version: int) -> None:
    """Space on the practice in focus, then wait for its save."""
    box = page.locator(f"#choice-{choice_id}")
    expect(box).to_be_focused()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    expect_saved(page, version)


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_a_pillar_answered_to_the_end_with_the_keyboard_only(
    django_user_model, logged_in_page, assert_no_console_errors, viewport
):
    user = django_user_model.objects.create_user("erin", password="erin-password")
    mine = workload(user, "Churn model")
    review = mine.lens_reviews.get()
    for stored in review.answers.filter(question__question_id__in=BEFORE):
        answer_update(
            answer=stored,
            actor=user,
            changes={"is_applicable": False, "reason": "OUT_OF_SCOPE"},
            expected_version=0,
        )
    page = logged_in_page(user, "erin-password")
    page.set_viewport_size(VIEWPORTS[viewport])
    # Others' changes are not part of this journey: the poll says "nothing changed".
    page.route(re.compile(r"/changes/\?"), lambda route: route.fulfill(status=204))

    # --- The overview: Reliability is where to continue; "Continue reviewing" by the keyboard. ---
    overview = reverse("reviews:review", args=[mine.pk, ALIAS])
    page.goto(overview)
    expect(page.get_by_role("heading", name="8 questions to answer")).to_be_visible()
    reliability = page.locator("tr", has=page.get_by_role("rowheader", name=re.compile(r"^Reliability")))
    expect(reliability.locator('[data-label="Answered"]')).to_have_text("0 of 2")
    tab_to(page, "#review-continue")
    expect(page.locator("#review-continue")).to_have_text("Continue reviewing (next: MLREL01)")
    arrive(page, mine.pk, "MLREL01", lambda: page.keyboard.press("Enter"))

    # --- MLREL01: ? shows the shortcuts, Escape closes them. ---
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Next question")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # The skip link, two practices ticked with Space, and j with focus on the ticked checkbox.
    skip_to_practices(page, "MLREL01_BP01")
    tick(page, "MLREL01_BP01", 1)
    tab_to(page, "#choice-MLREL01_BP02")
    tick(page, "MLREL01_BP02", 2)
    assert focused(page, "#choice-MLREL01_BP02:checked")
    expect(page.locator("#link-next")).to_have_text(re.compile(r"^Next MLREL02"))
    arrive(page, mine.pk, "MLREL02", lambda: page.keyboard.press("j"))

    # --- MLREL02, the pillar's last question: Next leads into the next pillar. ---
    expect(page.locator("#link-next")).to_have_text(
        re.compile(r"^Next pillar: Performance efficiency MLPERF01")
    )
    skip_to_practices(page, "MLREL02_BP01")
    tick(page, "MLREL02_BP01", 1)
    # Typed, and not yet saved by the pause after typing: "Save and exit" saves it with the rest.
    tab_to(page, "#answer-notes")
    page.keyboard.type("Failover drill in March.")
    tab_to(page, "#save-exit")
    with page.expect_navigation(url=re.compile(re.escape(overview) + "$")):
        page.keyboard.press("Enter")

    # --- Back on the overview: Reliability complete. ---
    expect(reliability.locator('[data-label="Answered"]')).to_have_text("2 of 2")
    expect(reliability).to_contain_text("Complete")
    expect(page.locator("#review-continue")).to_have_text("Continue reviewing (next: MLPERF01)")
    expect(page.get_by_role("heading", name="6 questions to answer")).to_be_visible()
    stored = {a.question.question_id: a for a in review.answers.select_related("question")}
    assert stored["MLREL01"].selected_choices == ["MLREL01_BP01", "MLREL01_BP02"]
    assert stored["MLREL02"].notes == "Failover drill in March."
    assert stored["MLREL02"].risk != Answer.Risk.UNANSWERED
    # Nothing wider than the viewport on the overview, at either width.
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
    assert_no_console_errors(page)


def test_the_navigation_keeps_the_current_question_in_view_without_scrolling_the_page(
    django_user_model, logged_in_page
):
    user = django_user_model.objects.create_user("finn", password="finn-password")
    mine = workload(user, "Fraud model")
    page = logged_in_page(user, "finn-password")
    page.set_viewport_size({"width": 1440, "height": 420})  # a navigation taller than the window
    page.route(re.compile(r"/changes/\?"), lambda route: route.fulfill(status=204))
    # Far down the list (the 11th of 14), and not at its very end, which only the page's own scrolling
    # could bring above the fold (the navigation scrolls alone).
    page.goto(question_path(mine.pk, "MLPERF03"))
    nav = page.get_by_role("navigation", name="Questions", exact=True)
    assert nav.evaluate("n => n.scrollHeight > n.clientHeight"), "the navigation should scroll at this height"
    current = nav.locator("li.current")
    expect(current).to_be_in_viewport()
    inside = nav.evaluate(
        """n => { const c = n.querySelector("li.current").getBoundingClientRect();
                  const b = n.getBoundingClientRect();
                  return c.top >= b.top - 1 && c.bottom <= b.bottom + 1; }"""
    )
    assert inside, "the current question is outside the navigation's visible box"
    assert page.evaluate("window.scrollY") == 0  # the page itself did not move
