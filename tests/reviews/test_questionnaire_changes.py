"""What the questionnaire shows besides the form: what other people changed (polled), an answer's
history, and the lens's and pillars' notes."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from lens.models import BUILTIN_ALIAS
from lens.selectors import latest_published_version
from reviews.models import AnswerChange, WorkloadEvent
from reviews.selectors.questionnaire import HISTORY_LIMIT
from reviews.services import answer_keep_theirs, answer_update, lens_review_apply
from reviews.views.lens_notes import notes_form_seen
from tests.factories import imported_lens, lens_document
from tests.reviews.answering import oob_parts, text_of

pytestmark = pytest.mark.django_db


def page_url(workload, question_id="MLOPS01", alias=BUILTIN_ALIAS):
    return reverse("reviews:question", args=[workload.pk, alias, question_id])


def poll_url_of(client, workload, question_id="MLOPS01", alias=BUILTIN_ALIAS) -> str:
    """The changes URL the question page polls, as the page gives it."""
    return client.get(page_url(workload, question_id, alias)).context["poll_url"]


def save(shared, question_id, actor, **changes):
    answer = shared.answer(question_id)
    return answer_update(answer=answer, actor=actor, changes=changes, expected_version=answer.version)


# Changes


def test_the_changes_poll_answers_204_when_nothing_changed(client_for, shared_workload):
    save(shared_workload, "MLSEC01", shared_workload.owner, notes="before the page")
    client = client_for(shared_workload.contributor)
    poll = poll_url_of(client, shared_workload.workload)
    response = client.get(poll, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.content == b""


def next_poll_of(html: str) -> str:
    """The URL the poller asks next, as the reply gives it."""
    poller = re.search(r'<div id="changes-poller" hx-get="([^"]+)"[^>]*hx-swap-oob="true"', html)
    return poller.group(1).replace("&amp;", "&")


#: What the risk under the title adds when it is not what the form holds.
THEIRS = "saved by contributor, version 1: not in your form yet"


def ticked(fields) -> set[str]:
    """The practices ticked in a parsed `#answer-fields` (its attributes in order: "checked" first)."""
    return set(re.findall(r'<input checked class="practice-check"[^>]* id="choice-([^"]+)"', str(fields)))


def test_after_another_users_save_the_poll_updates_the_navigation_and_the_counts(client_for, shared_workload):
    client = client_for(shared_workload.owner)
    poll = poll_url_of(client, shared_workload.workload)
    save(shared_workload, "MLOPS01", shared_workload.contributor, selected_choices=["MLOPS01_no"])
    save(shared_workload, "MLSEC01", shared_workload.contributor, selected_choices=["MLSEC01_BP01"])
    response = client.get(poll, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    mlops01, mlsec01 = shared_workload.answer("MLOPS01"), shared_workload.answer("MLSEC01")
    assert f'<span id="nav-risk-{mlops01.question_id}" class="risk-dot risk-high"' in html
    assert f'<span id="nav-risk-{mlsec01.question_id}" class="risk-dot risk-medium"' in html
    for pillar in (mlops01.question.pillar_id, mlsec01.question.pillar_id):
        assert re.search(
            rf'id="pillar-progress-{pillar}"[^>]*hx-swap-oob="true">\s*<progress max="3" value="1"', html
        )
    assert "2 of 14 questions answered" in html


def test_someone_elses_change_to_the_answer_on_screen_updates_every_place_that_shows_it(
    client_for, shared_workload
):
    """Issue 16: the question's own risk said "Unanswered" while the navigation showed their risk."""
    client = client_for(shared_workload.owner)
    poll = poll_url_of(client, shared_workload.workload)
    save(
        shared_workload,
        "MLOPS01",
        shared_workload.contributor,
        selected_choices=["MLOPS01_BP02"],
        notes="Theirs <script>",
    )
    html = client.get(poll, headers={"HX-Request": "true"}).content.decode()
    parts = oob_parts(html)
    assert text_of(parts["question-risk"]) == "Medium risk"
    assert text_of(parts["answer-meta"]).startswith("Version 1, changed by contributor on")
    # The person was not editing: the fields are the stored answer now, and the form's version too,
    # so that the next save is not a conflict.
    assert dict(parts["answer-version"].attributes)["value"] == "1"
    fields = parts["answer-fields"]
    assert ticked(fields) == {"MLOPS01_BP02"}
    assert "Theirs &lt;script&gt;</textarea>" in html
    assert "Theirs <script>" not in html
    notice = text_of(parts["changes-notice"])
    assert notice.startswith("Changed by contributor at")
    assert "(version 1): the answer shown is theirs." in notice
    assert dict(parts["changes-notice"].attributes)["hx-swap-oob"] == "innerHTML"  # the live region stays
    # The version on screen moved on: the next poll has nothing to say.
    next_poll = next_poll_of(html)
    assert parse_qs(urlsplit(next_poll).query)["version"] == ["1"]
    assert client.get(next_poll, headers={"HX-Request": "true"}).status_code == 204


def test_while_the_person_edits_the_poll_leaves_the_fields_and_marks_them_stale(client_for, shared_workload):
    client = client_for(shared_workload.owner)
    poll = poll_url_of(client, shared_workload.workload)
    save(shared_workload, "MLOPS01", shared_workload.contributor, selected_choices=["MLOPS01_no"])
    html = client.get(f"{poll}&editing=1", headers={"HX-Request": "true"}).content.decode()
    parts = oob_parts(html)
    assert "answer-fields" not in parts
    assert "answer-version" not in parts
    # The rest of the page shows the stored answer, and says whose it is.
    assert text_of(parts["question-risk"]) == f"High risk {THEIRS}"
    assert text_of(parts["answer-meta"]).startswith("Version 1, changed by contributor on")
    notice = text_of(parts["changes-notice"])
    assert notice.startswith("Changed by contributor at")
    assert "(version 1) while you were editing." in notice
    assert "your next save will ask you to choose between yours and theirs." in notice
    # "Load theirs" asks the same poll, not as editing: the fields and the version, as above.
    load = re.search(r'<button type="button" class="button" hx-get="([^"]+)"[^>]*>Load theirs</button>', html)
    load_url = load.group(1).replace("&amp;", "&")
    assert "editing" not in parse_qs(urlsplit(load_url).query)
    loaded = oob_parts(client.get(load_url, headers={"HX-Request": "true"}).content.decode())
    assert dict(loaded["answer-version"].attributes)["value"] == "1"
    assert ticked(loaded["answer-fields"]) == {"MLOPS01_no"}
    assert text_of(loaded["question-risk"]) == "High risk"
    # Still stale for the poller: the form keeps version 0, and its next save is a conflict.
    assert parse_qs(urlsplit(next_poll_of(html)).query)["version"] == ["0"]


def test_a_reader_gets_the_stored_answer_in_place_of_the_old_one(client_for, shared_workload):
    client = client_for(shared_workload.reader)
    poll = poll_url_of(client, shared_workload.workload)
    save(shared_workload, "MLOPS01", shared_workload.contributor, selected_choices=["MLOPS01_BP02"])
    # A reader never edits: "editing" changes nothing.
    parts = oob_parts(client.get(f"{poll}&editing=1").content.decode())
    assert text_of(parts["question-risk"]) == "Medium risk"
    readonly = text_of(parts["answer-readonly"])
    assert "Selected Everyone who supports the ML workload" in readonly
    assert "Version 1, changed by contributor on" in readonly
    assert "answer-fields" not in parts
    assert "answer-meta" not in parts  # it is in the list
    assert "<input" not in str(parts["answer-readonly"])


def test_a_change_to_another_question_shows_no_notice(client_for, shared_workload):
    client = client_for(shared_workload.reader)
    poll = poll_url_of(client, shared_workload.workload)
    save(shared_workload, "MLSEC02", shared_workload.owner, notes="elsewhere")
    html = client.get(poll).content.decode()
    assert "nav-risk-" in html
    assert "changes-notice" not in html


def test_ones_own_save_shows_no_notice_and_moves_the_version_on_screen(client_for, shared_workload):
    client = client_for(shared_workload.owner)
    poll = poll_url_of(client, shared_workload.workload)
    client.post(
        reverse("reviews:answer", args=[shared_workload.workload.pk, BUILTIN_ALIAS, "MLOPS01"]),
        {"version": 0, "notes": "mine"},
        headers={"HX-Request": "true"},
    )
    html = client.get(poll).content.decode()
    assert "changes-notice" not in html
    poller = re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(poller).query)["version"] == ["1"]


@pytest.mark.parametrize(
    "query",
    [
        "question=MLOPS01&version=0",
        "question=MLOPS01&since=2024-01-01T00:00:00%2B00:00",
        "question=MLOPS01&version=x&since=2024-01-01T00:00:00%2B00:00",
        "question=MLOPS01&version=0&since=yesterday",
        "question=MLOPS01&version=0&since=2024-01-01T00:00:00",  # no offset: which zone?
    ],
)
def test_a_poll_without_a_version_and_a_moment_is_a_400(client_for, shared_workload, query):
    changes = reverse("reviews:changes", args=[shared_workload.workload.pk, BUILTIN_ALIAS])
    assert client_for(shared_workload.owner).get(f"{changes}?{query}").status_code == 400


def test_the_poll_costs_the_same_queries_however_many_answers_changed_and_however_large_the_lens(
    client_for, shared_workload, django_assert_num_queries
):
    document = lens_document("Largest lens", pillars=10, questions=20, practices=14)
    lens = imported_lens(owner=shared_workload.owner, document=document)
    lens_review_apply(
        workload=shared_workload.workload,
        lens_version=latest_published_version(lens),
        actor=shared_workload.owner,
    )
    big = shared_workload.workload.lens_reviews.get(lens=lens)
    client = client_for(shared_workload.contributor)
    # In each lens, a question that the owner changes below (on screen), and one they leave alone.
    changing = {(BUILTIN_ALIAS, "MLOPS01"), (lens.alias, "P1Q1")}
    polls = {
        (alias, q): poll_url_of(client, shared_workload.workload, q, alias)
        for alias, q in (*changing, (BUILTIN_ALIAS, "MLSEC02"), (lens.alias, "P10Q20"))
    }
    for poll in polls.values():
        # 1 session, 2 user, 3 workload with role, 4 lens review, 5 answers changed since: none.
        with django_assert_num_queries(5):
            assert client.get(poll).status_code == 204
    builtin = shared_workload.workload.lens_reviews.get(lens__alias=BUILTIN_ALIAS)
    for answer in [builtin.answers.get(question__question_id="MLOPS01"), *big.answers.all()[:150]]:
        answer_update(
            answer=answer, actor=shared_workload.owner, changes={"notes": "many"}, expected_version=0
        )
    for key, poll in polls.items():
        if key not in changing:
            # ... 5 answers changed since, 6 every answer's risk (for the counts).
            with django_assert_num_queries(6):
                assert client.get(poll).status_code == 200
            continue
        # ... 7 the answer on screen with who changed it: the person is editing, their fields stay.
        with django_assert_num_queries(7):
            assert "while you were editing" in client.get(f"{poll}&editing=1").content.decode()
        # ... 8 its practices, 9 their resources: the fields show the stored answer.
        with django_assert_num_queries(9):
            assert 'id="answer-fields"' in client.get(poll).content.decode()
    # A reader's list of the practices costs the same as the fields.
    reader = client_for(shared_workload.reader)
    with django_assert_num_queries(9):
        assert 'id="answer-readonly"' in reader.get(polls[lens.alias, "P1Q1"]).content.decode()


# History


def test_the_history_lists_changes_newest_first_as_people_read_them(client_for, shared_workload):
    answer = shared_workload.answer("MLOPS01")
    answer = answer_update(
        answer=answer,
        actor=shared_workload.contributor,
        changes={"selected_choices": ["MLOPS01_BP01"], "notes": "First <b>"},
        expected_version=0,
    )
    answer_update(
        answer=answer,
        actor=shared_workload.owner,
        changes={
            "selected_choices": ["MLOPS01_BP02"],
            "not_applicable_choices": {"MLOPS01_BP04": {"reason": "OUT_OF_SCOPE", "notes": ""}},
            "is_applicable": False,
            "reason": "BUSINESS_PRIORITIES",
        },
        expected_version=1,
        note="conflict: kept own changes over version 1",
    )
    response = client_for(shared_workload.reader).get(
        reverse("reviews:history", args=[shared_workload.workload.pk, BUILTIN_ALIAS, "MLOPS01"])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Version 2") < html.index("Version 1")
    newest = html[html.index("Version 2") : html.index("Version 1")]
    assert "by owner" in newest
    assert "Selected: Everyone who supports the ML workload" in newest
    assert "No longer selected: Data scientists, software engineers" in newest
    assert "Not applicable: The end-to-end ML" not in newest
    assert (
        "Not applicable: ML discovery activities and findings are documented and shared (Out of scope)"
        in newest
    )
    assert "The question does not apply (Business priorities)." in newest
    assert "Note: conflict: kept own changes over version 1" in newest
    assert re.search(
        r"risk-medium\">Medium risk</span>\s*→\s*<span class=\"risk-badge risk-not_applicable", newest
    )
    oldest = html[html.index("Version 1") :]
    assert "by contributor" in oldest
    assert "Notes changed" in oldest
    assert "First &lt;b&gt;" in oldest


def test_the_history_shows_a_conflict_settled_for_the_stored_answer_and_what_was_dropped(
    client_for, shared_workload
):
    answer = answer_update(
        answer=shared_workload.answer("MLOPS01"),
        actor=shared_workload.contributor,
        changes={"selected_choices": ["MLOPS01_BP01"]},
        expected_version=0,
    )
    answer_keep_theirs(
        answer=answer,
        actor=shared_workload.owner,
        discarded={"selected_choices": ["MLOPS01_BP02"], "notes": "Dropped <b>"},
        seen_version=0,
    )
    response = client_for(shared_workload.owner).get(
        reverse("reviews:history", args=[shared_workload.workload.pk, BUILTIN_ALIAS, "MLOPS01"])
    )
    html = response.content.decode()
    kept = html[html.index("Version 1 kept in a conflict") : html.index("<strong>Version 1</strong>")]
    assert "by owner" in kept
    assert "The stored answer did not change. Discarded, never saved:" in kept
    assert "Selected: Everyone who supports the ML workload" in kept
    assert "No longer selected: Data scientists" in kept
    assert "Dropped &lt;b&gt;" in kept
    assert "own changes (from version 0) discarded" in kept


def test_the_history_shows_the_newest_hundred_changes_in_constant_queries(
    client_for, shared_workload, django_assert_num_queries
):
    answer = shared_workload.answer("MLOPS01")
    for n in range(HISTORY_LIMIT + 1):
        answer = answer_update(
            answer=answer, actor=shared_workload.owner, changes={"notes": f"n{n}"}, expected_version=n
        )
    client = client_for(shared_workload.owner)
    history = reverse("reviews:history", args=[shared_workload.workload.pk, BUILTIN_ALIAS, "MLOPS01"])
    # 1 session, 2 user, 3 workload with role, 4 lens review, 5 the answer, 6 its changes with who
    # made them, 7 the question's practice titles.
    with django_assert_num_queries(7):
        response = client.get(history)
    assert len(response.context["entries"]) == HISTORY_LIMIT
    assert response.context["more"]
    assert "Version 101" in response.content.decode()
    assert "Version 1 " not in response.content.decode()
    assert "Only the newest 100 changes are shown." in response.content.decode()


# Notes


def notes_url(workload):
    return reverse("reviews:lens-notes", args=[workload.pk, BUILTIN_ALIAS])


def test_a_contributor_saves_the_lens_and_pillar_notes(client_for, shared_workload):
    client = client_for(shared_workload.contributor)
    response = client.post(
        notes_url(shared_workload.workload),
        {
            "notes": "Lens\r\nnotes",
            "pillar_notes.security": "Pen test in May",
            "pillar_notes.reliability": "",
            "seen": notes_form_seen(shared_workload.review),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == notes_url(shared_workload.workload)
    review = shared_workload.review
    assert review.notes == "Lens\nnotes"
    assert review.pillar_notes == {"security": "Pen test in May"}
    assert WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.LENS_NOTES).count() == 1
    assert "Pen test in May</textarea>" in client.get(response["Location"]).content.decode()


def test_over_long_notes_are_a_400_naming_the_field_and_change_nothing(client_for, shared_workload):
    response = client_for(shared_workload.owner).post(
        notes_url(shared_workload.workload),
        {"notes": "ok", "pillar_notes.security": "x" * 2085, "seen": notes_form_seen(shared_workload.review)},
    )
    assert response.status_code == 400
    assert "Notes on Security: Text of at most 2084 characters." in response.content.decode()
    assert shared_workload.review.notes == ""
    assert shared_workload.review.pillar_notes == {}


@pytest.mark.parametrize("role", ["reader", "auditor"])
def test_readers_read_the_notes_as_text_and_may_not_change_them(client_for, shared_workload, role):
    review = shared_workload.review
    review.notes = "<script>alert(1)</script>"
    review.save()
    client = client_for(getattr(shared_workload, role))
    response = client.get(notes_url(shared_workload.workload))
    html = response.content.decode()
    main = html[html.index("<main") :]
    assert "<form" not in main
    assert "<textarea" not in main
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main
    assert "<script>alert" not in main
    assert client.post(notes_url(shared_workload.workload), {"notes": "no"}).status_code == 403
    assert not AnswerChange.objects.exists()
    review.refresh_from_db()
    assert review.notes == "<script>alert(1)</script>"
