"""A person's first review, in the browser: create a workload through the form, open its
questionnaire, answer a few questions by clicking, and find every answer again after reloading.

Every change is saved by htmx without reloading the page (`window.__mlwaMarker` survives it), and the
reply updates the question's risk, its badge in the navigation, its pillar's count and the lens's
progress out of band (the page's polling for others' changes is stubbed out here, so that it cannot
stand in for that reply). The database is checked at the end: the stored answers, risks, versions and
the audit trail."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from reviews.models import Answer, AnswerChange, Workload

ALIAS = "ml-lens-2021"
QUESTIONS = 14  # in the built-in lens: 3 + 3 + 2 + 3 + 3
NOTES = "Retraining is manual for now.\nThe platform team owns the pipeline."
MARKER = 42


def question_path(workload_pk: int, question_id: str) -> str:
    return reverse("reviews:question", args=[workload_pk, ALIAS, question_id])


def go_to(page: Page, workload_pk: int, question_id: str, action) -> None:
    """Follow a link or a key to a question's page, and wait for its load event: only then have its
    deferred scripts (htmx, questionnaire.js) run, without which a click is not saved and a key does
    nothing (the URL changes earlier, as soon as the new page commits)."""
    url = re.compile(re.escape(question_path(workload_pk, question_id)) + "$")
    with page.expect_navigation(url=url):
        action()
    expect(page).to_have_url(url)


def set_marker(page: Page) -> None:
    """A value that lives as long as the document does: gone after a reload or a navigation."""
    page.evaluate(f"window.__mlwaMarker = {MARKER}")


def marker(page: Page):
    return page.evaluate("window.__mlwaMarker")


def expect_saved(page: Page, version: int, username: str) -> None:
    """Wait for the save that makes `version` (the meta line names it), then for the status."""
    expect(page.locator("#answer-meta")).to_contain_text(f"Version {version}, changed by {username}")
    expect(page.locator("#answer-status")).to_have_text("Saved.")
    expect(page.locator("#answer-version")).to_have_value(str(version))


def nav_dot(page: Page, question_id: str):
    """The risk dot of a question in the navigation (its link's name includes the risk's label)."""
    link = page.get_by_role("navigation", name="Questions").get_by_role(
        "link", name=re.compile(rf"\b{question_id}\b")
    )
    return link.locator(".risk-dot")


def pillar_count(page: Page, pillar: str):
    section = page.get_by_role("navigation", name="Questions").get_by_role("region", name=pillar, exact=True)
    return section.locator(".q-progress-count")


def expect_risk(page: Page, question_id: str, css: str, label: str) -> None:
    """The question's risk in its header and as its dot in the navigation."""
    expect(page.locator("#question-risk")).to_have_text(label)
    dot = nav_dot(page, question_id)
    expect(dot).to_have_class(re.compile(rf"\brisk-{css}\b"))
    expect(dot).to_have_attribute("title", label)


def expect_progress(page: Page, pillar: str, pillar_answered: int, pillar_total: int, answered: int) -> None:
    expect(pillar_count(page, pillar)).to_have_text(f"{pillar_answered}/{pillar_total} answered")
    expect(page.locator("#lens-progress-label")).to_have_text(f"{answered} of {QUESTIONS} questions answered")


def question_reason(page: Page):
    """The reason the whole question does not apply (each practice has a "Reason" of its own)."""
    return page.get_by_role("group", name="Does this question apply?").get_by_label("Reason", exact=True)


def leave_fields(page: Page) -> None:
    """Focus the page rather than a field: the j/k/n keys do nothing while typing in a field."""
    page.locator("#question-title").click()


def test_create_a_workload_answer_questions_and_find_the_answers_again(
    django_user_model, logged_in_page, assert_no_console_errors
):
    user = django_user_model.objects.create_user("dana", password="dana-password")
    page = logged_in_page(user, "dana-password")
    # The page polls for changes every 3 s, and a poll's reply updates the navigation's badges and
    # counts too (own changes included): it would mend, within the 10 s of an `expect`, a save whose
    # reply failed to. Here the poll always says "nothing changed", so that whatever changes on
    # screen after a save comes from that save's own reply. (test_conflict_journey polls for real.)
    page.route(re.compile(r"/changes/\?"), lambda route: route.fulfill(status=204))

    # --- A new workload, through the form, with the built-in lens ticked by default. ---
    page.get_by_role("link", name="New workload", exact=True).click()
    expect(page.get_by_role("heading", name="New workload")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Fraud detection")
    builtin = page.get_by_role("checkbox", name=re.compile(r"^Machine Learning Lens \(2021 slides\)"))
    expect(builtin).to_be_checked()
    page.get_by_role("button", name="Create the workload").click()

    expect(page.get_by_role("heading", name="Fraud detection", level=1)).to_be_visible()
    expect(page.get_by_text("Created the workload “Fraud detection”.")).to_be_visible()
    workload = Workload.objects.get(owner=user, name="Fraud detection")
    review = workload.lens_reviews.get()
    assert review.lens.alias == ALIAS
    assert review.answers.count() == QUESTIONS

    # The lens's overview (issue 16) continues at the first unanswered question: the first one.
    page.get_by_role("link", name="Overview", exact=True).click()
    expect(page.get_by_role("heading", name="14 questions to answer")).to_be_visible()
    go_to(
        page,
        workload.pk,
        "MLOPS01",
        page.get_by_role("link", name="Continue reviewing (next: MLOPS01)").click,
    )
    expect(page.locator("#answer-meta")).to_contain_text("Not answered yet.")
    expect_risk(page, "MLOPS01", "unanswered", "Unanswered")
    expect_progress(page, "Operational excellence", 0, 3, 0)

    # --- MLOPS01: the first practice alone is a medium risk, all four no risk. ---
    set_marker(page)
    page.locator("#choice-MLOPS01_BP01").check()
    expect_saved(page, 1, "dana")
    expect_risk(page, "MLOPS01", "medium", "Medium risk")
    expect_progress(page, "Operational excellence", 1, 3, 1)

    for version, choice in enumerate(("MLOPS01_BP02", "MLOPS01_BP03"), start=2):
        page.locator(f"#choice-{choice}").check()
        expect_saved(page, version, "dana")
        expect_risk(page, "MLOPS01", "medium", "Medium risk")
    page.locator("#choice-MLOPS01_BP04").check()
    expect_saved(page, 4, "dana")
    expect_risk(page, "MLOPS01", "none", "No risk")
    # Still one question answered: changing an answer does not count it twice.
    expect_progress(page, "Operational excellence", 1, 3, 1)
    assert marker(page) == MARKER, "the page reloaded while saving"

    # --- MLOPS02, by the "Next" link: "None of these" clears the other practices, a high risk. ---
    go_to(page, workload.pk, "MLOPS02", page.get_by_role("link", name=re.compile(r"^Next MLOPS02")).click)
    assert marker(page) is None  # a new document: the marker shows a reload when there is one
    set_marker(page)
    page.locator("#choice-MLOPS02_BP01").check()
    expect_saved(page, 1, "dana")
    expect_risk(page, "MLOPS02", "medium", "Medium risk")
    expect_progress(page, "Operational excellence", 2, 3, 2)

    page.get_by_role("checkbox", name="None of these").check()
    expect(page.locator("#choice-MLOPS02_BP01")).not_to_be_checked()
    expect_saved(page, 2, "dana")
    expect_risk(page, "MLOPS02", "high", "High risk")
    expect_progress(page, "Operational excellence", 2, 3, 2)
    # The first question's badge is still there, as saved.
    expect(nav_dot(page, "MLOPS01")).to_have_class(re.compile(r"\brisk-none\b"))
    assert marker(page) == MARKER

    # --- MLOPS03, by the j key: the question does not apply (with a reason), and notes. ---
    leave_fields(page)
    go_to(page, workload.pk, "MLOPS03", lambda: page.keyboard.press("j"))
    set_marker(page)
    page.get_by_label("This question does not apply to this workload").check()
    expect_saved(page, 1, "dana")
    expect_risk(page, "MLOPS03", "not_applicable", "Not applicable")
    expect_progress(page, "Operational excellence", 3, 3, 3)

    question_reason(page).select_option(label="Out of scope")
    expect_saved(page, 2, "dana")

    notes = page.get_by_label("Notes", exact=True)
    notes.fill(NOTES)
    # The counter follows the typing at once; the save waits for a pause (800 ms) in the typing.
    expect(page.locator("#answer-notes-count")).to_have_text(f"{len(NOTES)} / 2084 characters")
    expect_saved(page, 3, "dana")
    expect_risk(page, "MLOPS03", "not_applicable", "Not applicable")
    expect_progress(page, "Operational excellence", 3, 3, 3)
    assert marker(page) == MARKER

    # --- The k and n keys, and the "Previous" link. ---
    leave_fields(page)
    # Leaving the notes field is a "change" too, posted at once: nothing new, no new version.
    expect(page.locator("#answer-status")).to_have_text("Saved.")
    expect(page.locator("#answer-meta")).to_contain_text("Version 3, changed by dana")
    go_to(page, workload.pk, "MLOPS02", lambda: page.keyboard.press("k"))
    expect(page.get_by_role("checkbox", name="None of these")).to_be_checked()
    leave_fields(page)
    # The next unanswered question: the first of the next pillar.
    go_to(page, workload.pk, "MLSEC01", lambda: page.keyboard.press("n"))
    expect_risk(page, "MLSEC01", "unanswered", "Unanswered")
    expect_progress(page, "Security", 0, 3, 3)
    go_to(
        page, workload.pk, "MLOPS03", page.get_by_role("link", name=re.compile(r"^← Previous MLOPS03")).click
    )

    # --- Reloaded, every answer is still there. ---
    page.reload()
    expect(page.get_by_label("This question does not apply to this workload")).to_be_checked()
    expect(question_reason(page)).to_have_value("OUT_OF_SCOPE")
    expect(page.get_by_label("Notes", exact=True)).to_have_value(NOTES)
    expect(page.locator("#answer-meta")).to_contain_text("Version 3, changed by dana")
    expect_risk(page, "MLOPS03", "not_applicable", "Not applicable")
    expect(nav_dot(page, "MLOPS01")).to_have_class(re.compile(r"\brisk-none\b"))
    expect(nav_dot(page, "MLOPS02")).to_have_class(re.compile(r"\brisk-high\b"))
    expect_progress(page, "Operational excellence", 3, 3, 3)

    page.goto(question_path(workload.pk, "MLOPS01"))
    for choice in ("MLOPS01_BP01", "MLOPS01_BP02", "MLOPS01_BP03", "MLOPS01_BP04"):
        expect(page.locator(f"#choice-{choice}")).to_be_checked()
    expect(page.get_by_role("checkbox", name="None of these")).not_to_be_checked()
    expect(page.get_by_label("This question does not apply to this workload")).not_to_be_checked()
    expect(page.get_by_label("Notes", exact=True)).to_have_value("")
    expect_risk(page, "MLOPS01", "none", "No risk")

    page.goto(question_path(workload.pk, "MLOPS02"))
    expect(page.get_by_role("checkbox", name="None of these")).to_be_checked()
    for choice in ("MLOPS02_BP01", "MLOPS02_BP02", "MLOPS02_BP03", "MLOPS02_BP04"):
        expect(page.locator(f"#choice-{choice}")).not_to_be_checked()
    expect_risk(page, "MLOPS02", "high", "High risk")

    # --- And in the database. ---
    answers = {a.question.question_id: a for a in review.answers.select_related("question")}
    first, second, third = answers["MLOPS01"], answers["MLOPS02"], answers["MLOPS03"]
    assert first.selected_choices == ["MLOPS01_BP01", "MLOPS01_BP02", "MLOPS01_BP03", "MLOPS01_BP04"]
    assert (first.risk, first.version, first.is_applicable) == (Answer.Risk.NONE, 4, True)
    assert second.selected_choices == ["MLOPS02_no"]
    assert (second.risk, second.version) == (Answer.Risk.HIGH, 2)
    assert third.selected_choices == []
    assert (third.is_applicable, third.reason, third.notes) == (False, Answer.Reason.OUT_OF_SCOPE, NOTES)
    assert (third.risk, third.version) == (Answer.Risk.NOT_APPLICABLE, 3)
    for answer in (first, second, third):
        assert answer.updated_by == user
    untouched = [a for q, a in answers.items() if q not in {"MLOPS01", "MLOPS02", "MLOPS03"}]
    assert {(a.risk, a.version) for a in untouched} == {(Answer.Risk.UNANSWERED, 0)}

    changes = AnswerChange.objects.filter(answer__lens_review=review)
    assert changes.count() == 4 + 2 + 3
    assert set(changes.values_list("kind", "changed_by", "note")) == {
        (AnswerChange.Kind.CHANGED, user.pk, "")
    }
    for answer in (first, second, third):
        assert sorted(answer.changes.values_list("version", flat=True)) == list(range(1, answer.version + 1))
    latest = third.changes.first()
    assert (latest.before["notes"], latest.after["notes"]) == ("", NOTES)

    assert_no_console_errors(page)
