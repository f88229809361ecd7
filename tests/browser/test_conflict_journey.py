"""Two people answer the same question at once, in two browser sessions: the owner (A) saves first,
and the contributor (B), whose page still shows the old version, is told of the conflict when saving,
with both versions side by side, and chooses "Keep mine" or "Take theirs". The database keeps the
chosen answer and the audit trail records the choice.

B's refused save is a 409, which Chromium reports as a console error ("Failed to load resource: the
server responded with a status of 409 (Conflict)"): exactly those are allowed, no other error."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reviews.models import Answer, AnswerChange, Share
from reviews.services import share_grant, workload_create
from tests.browser.conftest import password

ALIAS = "ml-lens-2021"
QUESTION = "MLOPS01"


@pytest.fixture
def people(make_people):
    return make_people("owner", "contributor")


@pytest.fixture
def answer(people) -> Answer:
    """MLOPS01 of the owner's workload, shared with the contributor, not answered yet."""
    workload = workload_create(owner=people["owner"], fields={"name": "Demand forecast"})
    share_grant(
        workload=workload, actor=people["owner"], user=people["contributor"], role=Share.Role.CONTRIBUTOR
    )
    return workload.lens_reviews.get().answers.select_related("question").get(question__question_id=QUESTION)


@pytest.fixture
def two_sessions(people, answer, logged_in_page):
    """A (the owner) and B (the contributor), each logged in in a session of their own, on the
    question's page at version 0."""
    path = reverse("reviews:question", args=[answer.lens_review.workload_id, ALIAS, QUESTION])
    pages = []
    for name in ("owner", "contributor"):
        page = logged_in_page(people[name], password(name))
        page.goto(path)
        expect(page.locator("#answer-version")).to_have_value("0")
        expect(page.locator("#answer-meta")).to_contain_text("Not answered yet.")
        pages.append(page)
    return pages


def title(answer: Answer, choice_id: str) -> str:
    return answer.question.choices.get(choice_id=choice_id).title


def expect_saved(page: Page, version: int, username: str) -> None:
    expect(page.locator("#answer-meta")).to_contain_text(f"Version {version}, changed by {username}")
    expect(page.locator("#answer-status")).to_have_text("Saved.")
    expect(page.locator("#answer-version")).to_have_value(str(version))


def conflict_panel(page: Page):
    heading = page.get_by_role("heading", name="Someone else changed this answer")
    return page.get_by_role("alert").filter(has=heading)


def make_conflict(a: Page, b: Page, answer: Answer) -> None:
    """A saves BP01 (version 1); B, still at version 0, selects BP02: refused, with both versions."""
    a.locator("#choice-MLOPS01_BP01").check()
    expect_saved(a, 1, "owner")
    expect(a.locator("#question-risk")).to_have_text("Medium risk")

    # No conflict on B's page before B saves.
    expect(conflict_panel(b)).to_have_count(0)
    b.locator("#choice-MLOPS01_BP02").check()
    panel = conflict_panel(b)
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("owner saved version 1")
    expect(panel).to_contain_text("after you started from version 0")
    mine = panel.locator(".conflict-mine")
    theirs = panel.locator(".conflict-theirs")
    expect(mine).to_contain_text(title(answer, "MLOPS01_BP02"))
    expect(mine).not_to_contain_text(title(answer, "MLOPS01_BP01"))
    expect(theirs.get_by_role("heading")).to_contain_text("Theirs: version 1, by owner")
    expect(theirs).to_contain_text(title(answer, "MLOPS01_BP01"))
    expect(theirs).not_to_contain_text(title(answer, "MLOPS01_BP02"))
    expect(theirs).to_contain_text("Risk: Medium risk")
    expect(b.locator("#answer-status")).to_have_text(
        "Not saved: someone else changed this answer. Choose below."
    )
    # The form keeps the version B started from, and nothing of B's is stored.
    expect(b.locator("#answer-version")).to_have_value("0")
    answer.refresh_from_db()
    assert (answer.version, answer.selected_choices) == (1, ["MLOPS01_BP01"])


#: How Chromium reports a 409 (matched on the message, not on a bare "409", which a port may hold).
CONFLICT_LOAD_ERROR = "Failed to load resource: the server responded with a status of 409 (Conflict)"


def expect_only_conflict_errors(console_errors, page: Page) -> None:
    """No console error on `page` but Chromium's report of the one refused (409) save."""
    errors = console_errors.of(page)
    others = [error for error in errors if not error.endswith(CONFLICT_LOAD_ERROR)]
    assert not others, "the page reported errors:\n" + "\n".join(others)
    assert len(errors) <= 1, errors


def test_keep_mine(people, answer, two_sessions, console_errors, assert_no_console_errors):
    a, b = two_sessions
    make_conflict(a, b, answer)

    b.get_by_role("button", name="Keep mine").click()

    expect_saved(b, 2, "contributor")
    expect(conflict_panel(b)).to_have_count(0)
    expect(b.locator("#choice-MLOPS01_BP02")).to_be_checked()
    expect(b.locator("#choice-MLOPS01_BP01")).not_to_be_checked()
    expect(b.locator("#question-risk")).to_have_text("Medium risk")

    answer.refresh_from_db()
    assert answer.selected_choices == ["MLOPS01_BP02"]
    assert (answer.version, answer.risk, answer.updated_by) == (2, Answer.Risk.MEDIUM, people["contributor"])
    latest = answer.changes.first()
    assert (latest.kind, latest.version, latest.changed_by) == (
        AnswerChange.Kind.CHANGED,
        2,
        people["contributor"],
    )
    assert latest.note == "conflict: kept own changes over version 1"
    assert latest.before["selected_choices"] == ["MLOPS01_BP01"]
    assert latest.after["selected_choices"] == ["MLOPS01_BP02"]
    assert list(answer.changes.values_list("kind", "version")) == [
        (AnswerChange.Kind.CHANGED, 2),
        (AnswerChange.Kind.CHANGED, 1),
    ]

    # A learns of B's change from the polling (every 3 s), and loads it.
    notice = a.locator("#changes-notice")
    expect(notice).to_contain_text("Changed by contributor")
    expect(notice).to_contain_text("(version 2)")
    with a.expect_navigation():
        notice.get_by_role("link", name="Load their version").click()
    expect(a.locator("#choice-MLOPS01_BP02")).to_be_checked()
    expect(a.locator("#choice-MLOPS01_BP01")).not_to_be_checked()
    expect(a.locator("#answer-meta")).to_contain_text("Version 2, changed by contributor")

    assert_no_console_errors(a)
    expect_only_conflict_errors(console_errors, b)


def test_take_theirs(people, answer, two_sessions, console_errors, assert_no_console_errors):
    a, b = two_sessions
    make_conflict(a, b, answer)

    b.get_by_role("button", name="Take theirs").click()

    # The panel shows the stored answer again, A's, at A's version.
    expect(b.locator("#answer-status")).to_have_text("Their version is loaded.")
    expect(conflict_panel(b)).to_have_count(0)
    expect(b.locator("#choice-MLOPS01_BP01")).to_be_checked()
    expect(b.locator("#choice-MLOPS01_BP02")).not_to_be_checked()
    expect(b.locator("#answer-version")).to_have_value("1")
    expect(b.locator("#answer-meta")).to_contain_text("Version 1, changed by owner")

    answer.refresh_from_db()
    assert (answer.version, answer.selected_choices) == (1, ["MLOPS01_BP01"])
    assert answer.updated_by == people["owner"]
    latest = answer.changes.first()
    assert (latest.kind, latest.version, latest.changed_by) == (
        AnswerChange.Kind.KEPT_THEIRS,
        1,
        people["contributor"],
    )
    # The trail keeps what B dropped, and the answer that stood.
    assert latest.before["selected_choices"] == ["MLOPS01_BP02"]
    assert latest.after["selected_choices"] == ["MLOPS01_BP01"]
    assert "own changes (from version 0) discarded" in latest.note
    assert list(answer.changes.values_list("kind", "version")) == [
        (AnswerChange.Kind.KEPT_THEIRS, 1),
        (AnswerChange.Kind.CHANGED, 1),
    ]

    # The form loaded with their version saves from it, with no conflict.
    b.locator("#choice-MLOPS01_BP03").check()
    expect_saved(b, 2, "contributor")
    expect(conflict_panel(b)).to_have_count(0)
    answer.refresh_from_db()
    assert (answer.version, answer.selected_choices) == (2, ["MLOPS01_BP01", "MLOPS01_BP03"])

    assert_no_console_errors(a)
    expect_only_conflict_errors(console_errors, b)
