"""Saving an answer from the questionnaire: what the form posts becomes the stored answer and its
risk; a refused write changes nothing and says which field; a write from an older version is a
conflict the person resolves; and the htmx replies never send back the fields being typed in."""

import re

import pytest
from django.urls import reverse

from reviews.models import AnswerChange
from tests.reviews.answering import (
    answer_url,
    assert_unchanged,
    form,
    post,
    question_url,
    top_level_elements,
)

pytestmark = pytest.mark.django_db


# Saving


def test_saving_stores_the_answer_its_risk_and_version_and_records_the_change(client_for, shared_workload):
    client = client_for(shared_workload.contributor)
    response = post(
        client,
        shared_workload.workload,
        form(
            selected=["MLOPS01_BP01", "MLOPS01_BP02"],
            na=["MLOPS01_BP03"],
            na_reason_MLOPS01_BP03="BUSINESS_PRIORITIES",
            na_notes_MLOPS01_BP03="Later.",
            notes="We pair\r\non call.",
        ),
    )
    assert response.status_code == 200
    answer = shared_workload.answer("MLOPS01")
    assert answer.selected_choices == ["MLOPS01_BP01", "MLOPS01_BP02"]
    assert answer.not_applicable_choices == {
        "MLOPS01_BP03": {"reason": "BUSINESS_PRIORITIES", "notes": "Later."}
    }
    assert answer.notes == "We pair\non call."  # a textarea's CRLF is one line break
    assert (answer.risk, answer.version, answer.updated_by) == ("MEDIUM", 1, shared_workload.contributor)
    change = AnswerChange.objects.get(answer=answer)
    assert (change.version, change.changed_by, change.note) == (1, shared_workload.contributor, "")


def test_a_saved_answer_updates_the_version_status_badge_and_counts_out_of_band(client_for, shared_workload):
    response = post(
        client_for(shared_workload.owner), shared_workload.workload, form(selected=["MLOPS01_BP01"])
    )
    html = response.content.decode()
    answer = shared_workload.answer("MLOPS01")
    assert '<input type="hidden" id="answer-version" name="version" value="1" hx-swap-oob="true">' in html
    assert re.search(r'id="answer-status"[^>]*hx-swap-oob="true">Saved.</p>', html)
    assert f'<span id="nav-risk-{answer.question_id}" class="risk-dot risk-medium"' in html
    pillar = answer.question.pillar_id
    assert re.search(
        rf'id="pillar-progress-{pillar}"[^>]*hx-swap-oob="true">\s*<progress max="3" value="1"', html
    )
    assert re.search(
        r'id="lens-progress"[^>]*hx-swap-oob="true">\s*<span[^>]*>1 of 14 questions answered', html
    )
    assert "Version 1, changed by owner" in html
    assert '<div id="answer-conflict" hx-swap-oob="true">' in html  # a conflict panel goes away


def test_the_htmx_reply_never_sends_back_the_fields_the_person_may_be_typing_in(client_for, shared_workload):
    client = client_for(shared_workload.owner)
    # Saved, refused, conflict: each reply is out-of-band fragments, none of them a field to type in.
    for data, status in ((form(0, notes="typing"), 200), (form(1, notes="x" * 2085), 400), (form(0), 409)):
        response = post(client, shared_workload.workload, data)
        assert response.status_code == status
        html = response.content.decode()
        assert "<textarea" not in html
        assert "<select" not in html
        assert 'type="checkbox"' not in html
        assert 'id="answer-form"' not in html
        elements = top_level_elements(html)
        assert len(elements) >= 10
        assert all(attrs.get("hx-swap-oob") == "true" for _tag, attrs in elements), elements
        if status != 200:
            # The version stays: the next save from this form is refused too until the person chooses.
            assert "answer-version" not in html


def test_without_javascript_a_save_redirects_back_to_the_question(client_for, shared_workload):
    client = client_for(shared_workload.owner)
    response = post(
        client, shared_workload.workload, form(selected=["MLOPS01_no"], filter="high"), htmx=False
    )
    assert response.status_code == 302
    assert response["Location"] == question_url(shared_workload.workload) + "?filter=high"
    assert shared_workload.answer("MLOPS01").risk == "HIGH"
    assert "Saved." in client.get(response["Location"]).content.decode()


def test_a_question_that_does_not_apply_takes_a_reason_and_has_no_risk(client_for, shared_workload):
    client = client_for(shared_workload.owner)
    # The hidden "true" comes first, the ticked checkbox's "false" last.
    data = form(selected=["MLOPS01_BP01"], is_applicable=["true", "false"], reason="OUT_OF_SCOPE")
    assert post(client, shared_workload.workload, data).status_code == 200
    answer = shared_workload.answer("MLOPS01")
    assert (answer.is_applicable, answer.reason, answer.risk) == (False, "OUT_OF_SCOPE", "NOT_APPLICABLE")
    # Applying again: the reason's select still posts its value, which then says nothing.
    data = form(1, selected=["MLOPS01_BP01"], reason="OUT_OF_SCOPE")
    assert post(client, shared_workload.workload, data).status_code == 200
    answer = shared_workload.answer("MLOPS01")
    assert (answer.is_applicable, answer.reason, answer.risk) == (True, "", "MEDIUM")


def test_saving_the_same_state_again_records_nothing(client_for, shared_workload):
    client = client_for(shared_workload.owner)
    post(client, shared_workload.workload, form(notes="same"))
    response = post(client, shared_workload.workload, form(1, notes="same"))
    assert response.status_code == 200
    assert shared_workload.answer("MLOPS01").version == 1
    assert AnswerChange.objects.count() == 1


# Who may save


@pytest.mark.parametrize("role", ["reader", "auditor"])
def test_readers_and_auditors_may_not_save(client_for, shared_workload, role):
    response = post(client_for(getattr(shared_workload, role)), shared_workload.workload, form(notes="no"))
    assert response.status_code == 403
    assert_unchanged(shared_workload)


def test_an_outsider_gets_a_404_and_an_anonymous_visitor_the_login_page(client, client_for, shared_workload):
    assert post(client, shared_workload.workload, form(notes="no"), htmx=False)["Location"].startswith(
        reverse("login")
    )
    assert (
        post(client_for(shared_workload.outsider), shared_workload.workload, form(notes="no")).status_code
        == 404
    )
    assert_unchanged(shared_workload)


def test_the_answer_url_only_takes_posts(client_for, shared_workload):
    # A GET goes to the question (issue 16); other methods are refused.
    response = client_for(shared_workload.owner).get(answer_url(shared_workload.workload))
    assert response.status_code == 302
    assert response["Location"] == question_url(shared_workload.workload)
    assert client_for(shared_workload.owner).put(answer_url(shared_workload.workload)).status_code == 405


@pytest.mark.parametrize("version", [None, "", "one", "1.5", "-1"])
def test_a_post_without_a_whole_version_is_a_400(client_for, shared_workload, version):
    data = form(notes="no")
    if version is None:
        del data["version"]
    else:
        data["version"] = version
    response = post(client_for(shared_workload.owner), shared_workload.workload, data)
    assert response.status_code == 400
    assert_unchanged(shared_workload)


# Refusals: 400, nothing changed, the field named


REFUSALS = {
    "a choice of another question": (
        form(selected=["MLOPS02_BP01"]),
        "error-selected",
        "Practices: &#x27;MLOPS02_BP01&#x27; is not a choice of this question.",
    ),
    "none of these with another practice": (
        form(selected=["MLOPS01_BP01", "MLOPS01_no"]),
        "error-selected",
        "Practices: &quot;None of these&quot; cannot be selected with other practices.",
    ),
    "none of these not applicable": (
        form(na=["MLOPS01_no"], na_reason_MLOPS01_no="OTHER"),
        "error-choice-MLOPS01_no",
        "“None of these”, not applicable: &quot;None of these&quot; cannot be marked not applicable.",
    ),
    "an unknown reason for the question": (
        form(is_applicable=["true", "false"], reason="BORED"),
        "error-applicability",
        "Reason the question does not apply: Choose one of:",
    ),
    "an unknown reason for a practice": (
        form(na=["MLOPS01_BP02"], na_reason_MLOPS01_BP02="BORED"),
        "error-choice-MLOPS01_BP02",
        "“Everyone who supports the ML workload is trained to a base level of ML proficiency”, "
        "reason it is not applicable: Choose one of:",
    ),
    "a reason on a selected practice": (
        form(selected=["MLOPS01_BP02"], na=["MLOPS01_BP02"], na_reason_MLOPS01_BP02="OTHER"),
        "error-choice-MLOPS01_BP02",
        "not applicable: A selected practice applies: it takes no reason.",
    ),
    "an over-long practice note": (
        form(na=["MLOPS01_BP03"], na_reason_MLOPS01_BP03="OTHER", na_notes_MLOPS01_BP03="n" * 251),
        "error-choice-MLOPS01_BP03",
        "note: Text of at most 250 characters.",
    ),
    "over-long notes": (form(notes="n" * 2085), "error-notes", "Notes: Text of at most 2084 characters."),
    "neither true nor false": (
        form(is_applicable="maybe"),
        "error-applicability",
        "Question applies: Must be true or false.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_a_refused_answer_is_a_400_that_changes_nothing_and_names_the_field(
    client_for, shared_workload, case
):
    data, slot, message = REFUSALS[case]
    response = post(client_for(shared_workload.owner), shared_workload.workload, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        rf'<div id="{slot}" class="field-errors" hx-swap-oob="true"><p class="error">[^<]*', html
    )
    beside_field = re.search(rf'<div id="{slot}"[^>]*>(.*?)</div>', html).group(1)
    assert message in beside_field
    assert message in html[html.index('id="answer-errors"') :]  # and in the summary
    assert "Not saved: see the problems above." in html
    assert_unchanged(shared_workload)


def test_without_javascript_a_refused_answer_shows_the_page_with_the_errors_and_the_input_kept(
    client_for, shared_workload
):
    data = form(selected=["MLOPS01_BP01", "MLOPS01_no"], notes="What I typed <b>", na=["MLOPS01_BP04"])
    response = post(client_for(shared_workload.owner), shared_workload.workload, data, htmx=False)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="answer-form"' in html
    assert 'value="MLOPS01_BP01" checked' in html
    assert 'value="MLOPS01_no" checked' in html
    assert 'name="na" value="MLOPS01_BP04" checked' in html
    assert "What I typed &lt;b&gt;</textarea>" in html
    assert "Practices: &quot;None of these&quot; cannot be selected with other practices." in html
    assert_unchanged(shared_workload)
