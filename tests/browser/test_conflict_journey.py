"""Two people answer the same question at once, in two browser sessions: the owner (A) saves first,
and the contributor (B), whose page still shows the old version, is told of the conflict when saving,
with both versions side by side, and chooses "Keep mine" or "Take theirs". The database keeps the
chosen answer and the audit trail records the choice.

The same when the conflict arises while B types notes (issue 16): the save after the pause is
refused, and leaving the notes field must not post the form again (a second 409 redrew the panel
under B's first click on a choice, which was lost): one click settles it, either way.

And live state (issue 16): a change by someone else reaches the other person's page within a poll,
everywhere that shows the answer (the risk under the title, the line under the form, the navigation's
dot and counts) and, unless they are editing, the fields; while they edit, the page says their
fields are stale instead. Each journey at a desktop's and a phone's size.

B's refused save is a 409, which Chromium reports as a console error ("Failed to load resource: the
server responded with a status of 409 (Conflict)"): exactly those are allowed, no other error."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reviews.models import Answer, AnswerChange, Share
from reviews.services import answer_update, share_grant, workload_create
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


#: A desktop's and a phone's window: every journey here runs at both.
VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(VIEWPORTS.values()), ids=list(VIEWPORTS))
def viewport(request) -> dict:
    return request.param


@pytest.fixture
def two_sessions(people, answer, logged_in_page, viewport):
    """A (the owner) and B (the contributor), each logged in in a session of their own, on the
    question's page at version 0, in a window of `viewport`'s size."""
    path = reverse("reviews:question", args=[answer.lens_review.workload_id, ALIAS, QUESTION])
    pages = []
    for name in ("owner", "contributor"):
        page = logged_in_page(people[name], password(name))
        page.set_viewport_size(viewport)
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


def expect_conflict_shown(page: Page) -> None:
    """The conflict panel in view, its heading focused, its status beside the choices, and the
    form's fields waiting (locked) until the person chooses."""
    panel = conflict_panel(page)
    heading = panel.get_by_role("heading", name="Someone else changed this answer")
    expect(heading).to_be_focused()
    expect(heading).to_be_in_viewport()
    status = panel.locator(".conflict-status")
    expect(status).to_have_text("Not saved yet. Choose which version stays (both are shown below):")
    expect(status).to_be_in_viewport()
    expect(panel.get_by_role("button", name="Keep mine")).to_be_in_viewport()
    expect(page.locator("#answer-status")).to_have_text(
        "Not saved: someone else changed this answer. Choose between the two versions above."
    )
    expect(page.locator("#answer-notes")).not_to_be_editable()
    expect(page.locator("#choice-MLOPS01_BP03")).to_be_disabled()


def answer_posts(page: Page) -> list[int]:
    """The statuses of the answer form's and the conflict's posts from `page`, as they come."""
    statuses: list[int] = []

    def on_response(response) -> None:
        if response.request.method == "POST" and response.url.endswith(f"/{QUESTION}/answer/"):
            statuses.append(response.status)

    page.on("response", on_response)
    return statuses


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
    expect_conflict_shown(b)
    # The form keeps the version B started from, and nothing of B's is stored.
    expect(b.locator("#answer-version")).to_have_value("0")
    answer.refresh_from_db()
    assert (answer.version, answer.selected_choices) == (1, ["MLOPS01_BP01"])


#: How long a change takes to reach another page at most: a poll every 3 s, with room for a slow
#: machine.
POLL_MS = 10_000

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

    # A learns of B's change from the polling (every 3 s). A's focus is still on the box A ticked
    # (editing): the fields stay as they are, said to be stale, and A loads B's version in place.
    notice = a.locator("#changes-notice")
    expect(notice).to_contain_text("Changed by contributor", timeout=POLL_MS)
    expect(notice).to_contain_text("(version 2) while you were editing")
    expect(a.locator("#answer-meta")).to_contain_text("Version 2, changed by contributor")
    expect(a.locator("#choice-MLOPS01_BP01")).to_be_checked()
    notice.get_by_role("button", name="Load theirs").click()
    expect(a.locator("#choice-MLOPS01_BP02")).to_be_checked()
    expect(a.locator("#choice-MLOPS01_BP01")).not_to_be_checked()
    expect(a.locator("#answer-version")).to_have_value("2")
    expect(a.locator("#question-risk")).to_have_text("Medium risk")
    expect(notice).to_contain_text("(version 2): the answer shown is theirs.")

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


# A conflict while typing notes (issue 16)

TYPED = "We retrain the model every month."


def make_conflict_while_typing(a: Page, b: Page) -> list[int]:
    """A saves BP01 (version 1); B, still at version 0, types notes: the save after the pause is
    refused, and the panel takes the focus from the notes field. Returns B's answer posts so far."""
    posts = answer_posts(b)
    a.locator("#choice-MLOPS01_BP01").check()
    expect_saved(a, 1, "owner")
    b.locator("#answer-notes").fill(TYPED)  # focus in the field; "change" only when B leaves it
    expect(conflict_panel(b)).to_be_visible()
    expect_conflict_shown(b)  # the focus left the notes field: "change" fired, and sent nothing
    expect(conflict_panel(b).locator(".conflict-mine")).to_contain_text(TYPED)
    return posts


def test_a_conflict_while_typing_notes_is_settled_by_one_click_on_keep_mine(
    people, answer, two_sessions, console_errors, assert_no_console_errors
):
    a, b = two_sessions
    posts = make_conflict_while_typing(a, b)

    b.get_by_role("button", name="Keep mine").click()

    expect_saved(b, 2, "contributor")
    expect(conflict_panel(b)).to_have_count(0)
    expect(b.locator("#answer-notes")).to_have_value(TYPED)
    expect(b.locator("#answer-notes")).to_be_editable()
    expect(b.locator("#choice-MLOPS01_BP01")).not_to_be_checked()
    expect(b.locator("#question-risk")).to_have_text("Unanswered")
    answer.refresh_from_db()
    assert (answer.version, answer.notes, answer.selected_choices) == (2, TYPED, [])
    assert answer.updated_by == people["contributor"]
    assert answer.changes.first().note == "conflict: kept own changes over version 1"
    assert posts == [409, 200], "one refused save, then the choice: nothing posted in between"
    assert_no_console_errors(a)
    expect_only_conflict_errors(console_errors, b)


def test_a_conflict_while_typing_notes_is_settled_by_one_click_on_take_theirs(
    people, answer, two_sessions, console_errors, assert_no_console_errors
):
    a, b = two_sessions
    posts = make_conflict_while_typing(a, b)

    b.get_by_role("button", name="Take theirs").click()

    expect(b.locator("#answer-status")).to_have_text("Their version is loaded.")
    expect(conflict_panel(b)).to_have_count(0)
    expect(b.locator("#answer-notes")).to_have_value("")
    expect(b.locator("#choice-MLOPS01_BP01")).to_be_checked()
    expect(b.locator("#answer-version")).to_have_value("1")
    expect(b.locator("#answer-meta")).to_contain_text("Version 1, changed by owner")
    expect(b.locator("#question-risk")).to_have_text("Medium risk")
    answer.refresh_from_db()
    assert (answer.version, answer.notes, answer.selected_choices) == (1, "", ["MLOPS01_BP01"])
    kept = answer.changes.first()
    assert (kept.kind, kept.changed_by, kept.before["notes"]) == (
        AnswerChange.Kind.KEPT_THEIRS,
        people["contributor"],
        TYPED,
    )
    assert posts == [409, 200], "one refused save, then the choice: nothing posted in between"
    assert_no_console_errors(a)
    expect_only_conflict_errors(console_errors, b)


# Someone else's change, live (issue 16)


def expect_counts(page: Page, answer: Answer, *, risk: str, answered: int) -> None:
    """The navigation's dot for the question and the pillar's and lens's counts. At a phone's width
    the navigation may be folded away: these read elements that stay in the page either way."""
    expect(page.locator(f"#nav-risk-{answer.question_id}")).to_have_class(
        f"risk-dot risk-{risk}", timeout=POLL_MS
    )
    pillar_count = page.locator(f"#pillar-progress-{answer.question.pillar_id} .q-progress-count")
    expect(pillar_count).to_have_text(f"{answered}/3 answered")
    expect(page.locator("#lens-progress-label")).to_have_text(f"{answered} of 14 questions answered")


def test_a_change_by_someone_else_updates_the_other_page_everywhere_without_reloading(
    people, answer, two_sessions, console_errors, assert_no_console_errors
):
    a, b = two_sessions
    b.evaluate("window.sameDocument = true")
    expect_counts(b, answer, risk="unanswered", answered=0)

    a.locator("#choice-MLOPS01_BP01").check()
    a.locator("#answer-notes").fill("Onboarding runbook")
    expect_saved(a, 2, "owner")

    # B was not editing: within a poll, everything on B's page shows A's version 2.
    expect(b.locator("#answer-meta")).to_contain_text("Version 2, changed by owner", timeout=POLL_MS)
    expect(b.locator("#question-risk")).to_have_text("Medium risk")
    expect_counts(b, answer, risk="medium", answered=1)
    expect(b.locator("#choice-MLOPS01_BP01")).to_be_checked()
    expect(b.locator("#answer-notes")).to_have_value("Onboarding runbook")
    expect(b.locator("#answer-version")).to_have_value("2")
    expect(b.locator("#changes-notice")).to_contain_text("(version 2): the answer shown is theirs.")
    assert b.evaluate("window.sameDocument") is True, "the page was reloaded"

    # The form moved on with it: B's next save is no conflict.
    b.locator("#choice-MLOPS01_BP03").check()
    expect_saved(b, 3, "contributor")
    answer.refresh_from_db()
    assert (answer.version, answer.selected_choices) == (3, ["MLOPS01_BP01", "MLOPS01_BP03"])
    assert answer.notes == "Onboarding runbook"
    assert_no_console_errors(a)
    assert_no_console_errors(b)


def test_a_change_by_someone_else_while_editing_marks_the_fields_stale(
    people, answer, two_sessions, assert_no_console_errors
):
    _a, b = two_sessions
    notes = b.locator("#answer-notes")
    notes.fill("Draft of ours")
    expect_saved(b, 1, "contributor")  # B's focus stays in the notes: B is editing

    stored = Answer.objects.select_related("question").get(pk=answer.pk)
    answer_update(
        answer=stored,
        actor=people["owner"],
        changes={"selected_choices": ["MLOPS01_no"], "notes": "Theirs"},
        expected_version=1,
    )

    # Everything outside the form shows the owner's version 2, and says so; B's fields stay.
    notice = b.locator("#changes-notice")
    expect(notice).to_contain_text("(version 2) while you were editing", timeout=POLL_MS)
    expect(notice).to_contain_text("your next save will ask you to choose")
    expect(b.locator("#question-risk")).to_have_text(
        "High risk saved by owner, version 2: not in your form yet"
    )
    expect(b.locator("#answer-meta")).to_contain_text("Version 2, changed by owner")
    expect_counts(b, answer, risk="high", answered=1)
    expect(notes).to_have_value("Draft of ours")
    expect(notes).to_be_focused()
    expect(b.locator("#choice-MLOPS01_no")).not_to_be_checked()
    expect(b.locator("#answer-version")).to_have_value("1")

    # Nothing of B's is unsaved: once B's focus leaves the form, B's fields take the stored answer,
    # in place, and the form its version (as "Load theirs" does, which test_keep_mine presses).
    expect(notice.get_by_role("button", name="Load theirs")).to_be_visible()
    b.locator("#question-title").click()
    expect(notes).to_have_value("Theirs")
    expect(b.locator("#choice-MLOPS01_no")).to_be_checked()
    expect(b.locator("#answer-version")).to_have_value("2")
    expect(b.locator("#question-risk")).to_have_text("High risk")
    expect(notice).to_contain_text("(version 2): the answer shown is theirs.")
    answer.refresh_from_db()
    assert (answer.version, answer.notes) == (2, "Theirs")
    assert_no_console_errors(b)
