"""Roles in the browser: a reader sees the team's answers but nothing to answer with, and a write
forged from the reader's session is refused; an outsider does not learn that the workload exists."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reviews.models import Answer, AnswerChange, Share
from reviews.services import answer_update, share_grant, workload_create
from tests.browser.conftest import password

ALIAS = "ml-lens-2021"
NOTES = "Agreed with the data science lead."


@pytest.fixture
def people(make_people):
    return make_people("owner", "reader", "outsider")


@pytest.fixture
def answered(people):
    """The owner's workload, shared with the reader, with MLOPS01 answered once by the owner."""
    workload = workload_create(owner=people["owner"], fields={"name": "Churn model"})
    share_grant(workload=workload, actor=people["owner"], user=people["reader"], role=Share.Role.READER)
    answer = workload.lens_reviews.get().answers.get(question__question_id="MLOPS01")
    answer_update(
        answer=answer,
        actor=people["owner"],
        changes={"selected_choices": ["MLOPS01_BP01"], "notes": NOTES},
        expected_version=0,
    )
    answer.refresh_from_db()
    assert (answer.version, answer.risk) == (1, Answer.Risk.MEDIUM)
    return answer


def question_path(answer: Answer) -> str:
    workload_pk = answer.lens_review.workload_id
    return reverse("reviews:question", args=[workload_pk, ALIAS, answer.question.question_id])


def answer_path(answer: Answer) -> str:
    workload_pk = answer.lens_review.workload_id
    return reverse("reviews:answer", args=[workload_pk, ALIAS, answer.question.question_id])


def csrf_token(page: Page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def forge_answer(page: Page, answer: Answer, version: int):
    """What the answer form would post, sent from the page's session with its CSRF token; the
    redirect that follows a successful post is not followed."""
    return page.request.post(
        answer_path(answer),
        form={
            "version": str(version),
            "selected": "MLOPS01_BP02",
            "is_applicable": "true",
            "reason": "",
            "notes": "Forged.",
        },
        headers={"X-CSRFToken": csrf_token(page)},
        max_redirects=0,
    )


def test_a_reader_sees_the_answers_but_cannot_change_them(
    people, answered, logged_in_page, assert_no_console_errors
):
    page = logged_in_page(people["reader"], password("reader"))
    page.goto(question_path(answered))

    # The question and the owner's answer, as text.
    expect(page.get_by_role("heading", level=1)).to_have_text(answered.question.title)
    practices = page.locator(".answer-readonly .practice")
    expect(practices).to_have_count(5)
    selected = practices.filter(has=page.locator(".practice-state.state-selected"))
    expect(selected).to_have_count(1)
    expect(selected.locator(".practice-title")).to_have_text(
        answered.question.choices.get(choice_id="MLOPS01_BP01").title
    )
    expect(practices.locator(".practice-state", has_text="Not selected")).to_have_count(4)
    expect(page.locator(".answer-notes-text")).to_have_text(NOTES)
    expect(page.locator("#answer-meta")).to_contain_text("Version 1, changed by owner")
    expect(page.locator("#question-risk")).to_have_text("Medium risk")
    expect(page.locator("#lens-progress-label")).to_have_text("1 of 14 questions answered")

    # Nothing to answer with: no form, field or button in the page's content (links only), but the
    # keyboard shortcuts' help (issue 16), which opens and closes a list of keys.
    main = page.get_by_role("main")
    help_buttons = "[data-shortcuts-open], [data-shortcuts-close]"
    expect(main.locator(f"form, input, select, textarea, button:not({help_buttons})")).to_have_count(0)
    expect(main.locator(help_buttons)).to_have_count(2)
    expect(main.get_by_role("checkbox")).to_have_count(0)
    # The one button a reader can reach: the shortcuts' (the dialog's own is hidden until it opens).
    expect(main.get_by_role("button")).to_have_count(1)
    expect(main.get_by_role("button", name="all shortcuts")).to_be_visible()
    expect(main.get_by_role("link", name=re.compile(r"^Next MLOPS02"))).to_be_visible()

    # A post the form would send, forged from the reader's session: refused by role, not by CSRF.
    response = forge_answer(page, answered, version=1)
    assert response.status == 403, response.text()
    assert "You may not do this" in response.text()  # the role's refusal, in the site's layout
    assert "contributors may change answers and notes" in response.text()
    assert "This form has expired" not in response.text()  # not the CSRF failure page
    answered.refresh_from_db()
    assert (answered.version, answered.selected_choices, answered.notes) == (1, ["MLOPS01_BP01"], NOTES)
    assert answered.updated_by == people["owner"]
    assert AnswerChange.objects.filter(answer=answered).count() == 1

    # After the refusal the page shows the same answer.
    page.reload()
    expect(page.locator("#answer-meta")).to_contain_text("Version 1, changed by owner")
    expect(page.locator(".answer-readonly .state-selected")).to_have_count(1)
    assert_no_console_errors(page)

    # The same post from the owner's session is accepted: the refusal above was the reader's role.
    owner_page = logged_in_page(people["owner"], password("owner"))
    response = forge_answer(owner_page, answered, version=1)
    assert response.status == 302, response.status
    answered.refresh_from_db()
    assert (answered.version, answered.selected_choices) == (2, ["MLOPS01_BP02"])


def test_an_outsider_gets_not_found(people, answered, logged_in_page, console_errors):
    page = logged_in_page(people["outsider"], password("outsider"))

    response = page.goto(question_path(answered))

    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="There is nothing here")).to_be_visible()
    expect(page.get_by_text(answered.question.title)).to_have_count(0)
    expect(page.get_by_text("Churn model")).to_have_count(0)
    # The one error: Chromium reports the 404 of the page itself.
    errors = console_errors.of(page)
    assert all(error.endswith("status of 404 (Not Found)") for error in errors), errors

    # Nor through the workload's questionnaire entry, nor by posting an answer.
    review_path = reverse("reviews:review", args=[answered.lens_review.workload_id, ALIAS])
    assert page.goto(review_path).status == 404
    assert forge_answer(page, answered, version=1).status == 404
    answered.refresh_from_db()
    assert answered.version == 1
