"""Saving from an older version of an answer: a 409 that shows both versions, and the person's
choice to keep their own or take the other, each recorded in the audit trail."""

import re

import pytest

from reviews.models import Answer, AnswerChange
from reviews.services import answer_update
from tests.reviews.answering import (
    form,
    oob_parts,
    post,
    question_url,
    text_of,
)

pytestmark = pytest.mark.django_db


# Conflicts: 409, both versions, and the person's choice


@pytest.fixture
def conflict(client_for, shared_workload):
    """The contributor saved version 1; the owner, still on version 0, posts: 409."""
    answer = shared_workload.answer("MLOPS01")
    answer_update(
        answer=answer,
        actor=shared_workload.contributor,
        changes={"selected_choices": ["MLOPS01_BP02"], "notes": "Theirs <i>"},
        expected_version=0,
    )
    client = client_for(shared_workload.owner)
    mine = form(0, selected=["MLOPS01_BP01", "MLOPS01_BP03"], notes="Mine\nsecond line")
    return client, mine, post(client, shared_workload.workload, mine)


def test_a_save_from_an_older_version_is_a_409_that_shows_both_versions(shared_workload, conflict):
    _client, _mine, response = conflict
    assert response.status_code == 409
    html = response.content.decode()
    mine = html[html.index("conflict-mine") : html.index("conflict-theirs")]
    theirs = html[html.index("conflict-theirs") : html.index("</section>")]
    assert "Data scientists, software engineers and operations staff" in mine
    assert "Mine<br>second line" in mine
    assert "Everyone who supports the ML workload" in theirs
    assert "Theirs &lt;i&gt;" in theirs
    assert "Theirs: version 1, by contributor on" in theirs
    assert "Keep mine" in html
    assert "Take theirs" in html
    assert "Not saved: someone else changed this answer." in html
    answer = shared_workload.answer("MLOPS01")
    assert (answer.version, answer.selected_choices) == (1, ["MLOPS01_BP02"])


def test_a_conflict_shows_the_stored_answer_everywhere_outside_the_form_as_theirs(shared_workload, conflict):
    """Issue 16: nothing on the page contradicts the conflict panel; the status sits by the choices."""
    _client, _mine, response = conflict
    parts = oob_parts(response.content.decode())
    answer = shared_workload.answer("MLOPS01")
    theirs = "saved by contributor, version 1: not in your form yet"
    assert text_of(parts["question-risk"]) == f"Medium risk {theirs}"
    assert text_of(parts["answer-meta"]).startswith("Version 1, changed by contributor on")
    assert dict(parts[f"nav-risk-{answer.question_id}"].attributes)["class"] == "risk-dot risk-medium"
    assert text_of(parts["lens-progress"]).startswith("1 of 14 questions answered")
    assert text_of(parts[f"pillar-progress-{answer.question.pillar_id}"]).endswith("1/3 answered")
    assert text_of(parts["changes-notice"]) == ""  # the panel says it all
    # The person's fields and the version they started from stay.
    assert "answer-fields" not in parts
    assert "answer-version" not in parts
    panel = str(parts["answer-conflict"])
    actions = panel[panel.index('class="actions conflict-actions"') :]
    assert "Not saved yet. Choose which version stays" in text_of(parts["answer-conflict"])
    assert actions.index("conflict-status") < actions.index("Keep mine") < actions.index("Take theirs")
    assert panel.index("conflict-actions") < panel.index("conflict-versions")  # in view with the heading
    assert 'id="conflict-title" tabindex="-1">' in panel  # questionnaire.js focuses it
    assert "autofocus" not in panel
    assert "Choose between the two versions above." in text_of(parts["answer-status"])


def test_without_javascript_the_conflicts_heading_takes_the_focus(shared_workload, conflict):
    client, mine, _response = conflict
    html = post(client, shared_workload.workload, mine, htmx=False).content.decode()
    assert '<h2 id="conflict-title" tabindex="-1" autofocus>' in html
    risk = re.search(r'<p id="question-risk" class="q-risk">(.*?)</p>', html, re.S).group(1)
    assert "saved by contributor, version 1: not in your form yet" in risk


def test_keep_mine_posts_the_persons_answer_again_and_the_trail_says_so(shared_workload, conflict):
    client, _mine, response = conflict
    html = response.content.decode()
    keep = re.search(r"<form[^>]*>((?:(?!</form>).)*Keep mine.*?)</form>", html, re.S).group(1)
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', keep)
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value.replace("&#x27;", "'"))
    assert data["version"] == ["1"]
    assert data["resolution"] == ["mine"]
    assert data["selected"] == ["MLOPS01_BP01", "MLOPS01_BP03"]
    response = post(client, shared_workload.workload, {k: v if len(v) > 1 else v[0] for k, v in data.items()})
    assert response.status_code == 200
    answer = shared_workload.answer("MLOPS01")
    assert (answer.version, answer.selected_choices, answer.notes) == (
        2,
        ["MLOPS01_BP01", "MLOPS01_BP03"],
        "Mine\nsecond line",
    )
    change = AnswerChange.objects.get(answer=answer, version=2)
    assert change.note == "conflict: kept own changes over version 1"
    assert change.changed_by == shared_workload.owner


def test_take_theirs_keeps_the_stored_answer_and_the_trail_records_what_was_dropped(
    shared_workload, conflict
):
    client, _mine, response = conflict
    take = re.search(r"<form[^>]*>((?:(?!</form>).)*Take theirs.*?)</form>", response.content.decode(), re.S)
    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', take.group(1)):
        data.setdefault(name, []).append(value)
    assert data["version"] == ["0"]  # the version the person started from
    assert data["resolution"] == ["theirs"]
    assert data["selected"] == ["MLOPS01_BP01", "MLOPS01_BP03"]
    response = post(client, shared_workload.workload, {k: v if len(v) > 1 else v[0] for k, v in data.items()})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="answer-panel"')  # replaces the panel, form and all
    assert '<input type="hidden" id="answer-version" name="version" value="1">' in html
    assert 'value="MLOPS01_BP02" checked' in html
    assert 'value="MLOPS01_BP01" checked' not in html
    assert "Theirs &lt;i&gt;</textarea>" in html
    assert "Their version is loaded." in html
    # The risk under the title is no longer marked as theirs: the form holds it now.
    assert text_of(oob_parts(html)["question-risk"]) == "Medium risk"
    answer = shared_workload.answer("MLOPS01")
    assert (answer.version, answer.selected_choices, answer.notes) == (1, ["MLOPS01_BP02"], "Theirs <i>")
    kept = AnswerChange.objects.get(answer=answer, kind=AnswerChange.Kind.KEPT_THEIRS)
    assert (kept.version, kept.changed_by) == (1, shared_workload.owner)
    assert kept.before["selected_choices"] == ["MLOPS01_BP01", "MLOPS01_BP03"]
    assert kept.before["notes"] == "Mine\nsecond line"
    assert kept.after["notes"] == "Theirs <i>"
    assert "own changes (from version 0) discarded" in kept.note
    # The poller moves on to the version now on screen: it does not announce it as someone's news.
    poller = re.search(r'<div id="changes-poller" hx-get="([^"]+)"[^>]*hx-swap-oob="true"', html)
    assert client.get(poller.group(1).replace("&amp;", "&")).status_code == 204


def test_take_theirs_without_javascript_goes_back_to_the_question(shared_workload, conflict):
    client, mine, _response = conflict
    response = post(client, shared_workload.workload, {**mine, "resolution": "theirs"}, htmx=False)
    assert response["Location"] == question_url(shared_workload.workload)
    assert AnswerChange.objects.filter(kind=AnswerChange.Kind.KEPT_THEIRS).count() == 1


def test_take_theirs_without_a_conflict_records_nothing(client_for, shared_workload):
    response = post(client_for(shared_workload.owner), shared_workload.workload, form(0, resolution="theirs"))
    assert response.status_code == 200
    assert not AnswerChange.objects.exists()


def test_without_javascript_a_conflict_shows_the_page_with_both_versions_and_the_old_version_kept(
    shared_workload, conflict
):
    client, mine, _response = conflict
    response = post(client, shared_workload.workload, mine, htmx=False)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this answer" in html
    assert "Keep mine" in html
    # The main form still starts from version 0, so that saving it again does not overwrite theirs.
    assert '<input type="hidden" id="answer-version" name="version" value="0">' in html
    assert "Mine\nsecond line</textarea>" in html


def test_keep_mine_against_an_even_newer_version_is_another_conflict(shared_workload, conflict):
    client, mine, _response = conflict
    answer_update(
        answer=shared_workload.answer("MLOPS01"),
        actor=shared_workload.contributor,
        changes={"notes": "Newer"},
        expected_version=1,
    )
    response = post(client, shared_workload.workload, {**mine, "version": 1, "resolution": "mine"})
    assert response.status_code == 409
    assert "saved version 2" in response.content.decode()
    assert Answer.objects.get(pk=shared_workload.answer("MLOPS01").pk).notes == "Newer"
