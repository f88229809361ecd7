"""The questionnaire page: who sees it and how, the navigation (risks, counts, filters, previous and
next), text from lenses and people shown as text, and a number of queries that does not grow with
the lens."""

import json
import re

import pytest
from django.urls import reverse

from lens.models import BUILTIN_ALIAS
from lens.selectors import latest_published_version
from reviews.services import answer_update, lens_review_apply
from tests.factories import imported_lens, lens_document, practice, question
from tests.reviews.pages import without_shortcuts_help

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"


def url(workload, question_id="MLOPS01", name="reviews:question", alias=BUILTIN_ALIAS):
    return reverse(name, args=[workload.pk, alias, question_id])


def main_of(response) -> str:
    """The page's <main>, without the header's logout form."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def save(shared, question_id, *, by=None, **changes):
    answer = shared.answer(question_id)
    return answer_update(
        answer=answer, actor=by or shared.owner, changes=changes, expected_version=answer.version
    )


# Who sees what


@pytest.mark.parametrize("role", ["owner", "contributor", "reader", "auditor"])
def test_everyone_who_may_see_the_workload_gets_the_question_page(client_for, shared_workload, role):
    response = client_for(getattr(shared_workload, role)).get(url(shared_workload.workload))
    assert response.status_code == 200
    assert "How have you prepared your team" in response.content.decode()


@pytest.mark.parametrize("role", ["owner", "contributor"])
def test_the_owner_and_contributors_get_the_answer_form(client_for, shared_workload, role):
    html = main_of(client_for(getattr(shared_workload, role)).get(url(shared_workload.workload)))
    assert 'id="answer-form"' in html
    assert 'name="selected" value="MLOPS01_BP01"' in html
    assert 'name="na" value="MLOPS01_BP01"' in html
    assert 'name="na" value="MLOPS01_no"' not in html  # "None of these" cannot be not applicable
    assert 'name="notes"' in html
    assert "0 / 2084 characters" in html


@pytest.mark.parametrize("role", ["reader", "auditor"])
def test_readers_and_auditors_see_the_answer_as_a_list_without_any_control(client_for, shared_workload, role):
    save(shared_workload, "MLOPS01", selected_choices=["MLOPS01_BP02"], notes="We train everyone.")
    html = main_of(client_for(getattr(shared_workload, role)).get(url(shared_workload.workload)))
    html = without_shortcuts_help(html)  # for everyone, and no answer control
    for control in ("<form", "<input", "<select", "<textarea", "<button"):
        assert control not in html
    assert re.search(
        r'state-selected">Selected</span>\s*<span class="practice-title">Everyone who supports', html
    )
    assert "We train everyone." in html


def test_an_outsider_gets_a_404_on_every_page_of_the_questionnaire(client_for, shared_workload):
    workload = shared_workload.workload
    client = client_for(shared_workload.outsider)
    review = reverse("reviews:review", args=[workload.pk, BUILTIN_ALIAS])
    for page in (review, url(workload), url(workload, name="reviews:history")):
        assert client.get(page).status_code == 404
    assert client.get(reverse("reviews:lens-notes", args=[workload.pk, BUILTIN_ALIAS])).status_code == 404
    assert client.get(reverse("reviews:changes", args=[workload.pk, BUILTIN_ALIAS])).status_code == 404
    assert client.post(url(workload, name="reviews:answer"), {"version": 0}).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, shared_workload):
    response = client.get(url(shared_workload.workload))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_htmx_request_without_a_session_sends_the_whole_page_to_the_login_page(client, shared_workload):
    page = url(shared_workload.workload)
    response = client.get(
        reverse("reviews:changes", args=[shared_workload.workload.pk, BUILTIN_ALIAS]),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver" + page},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert page in response["HX-Redirect"]


def test_a_question_or_lens_the_review_does_not_have_is_a_404(client_for, shared_workload):
    client = client_for(shared_workload.owner)
    assert client.get(url(shared_workload.workload, "NOPE01")).status_code == 404
    assert client.get(url(shared_workload.workload, alias="no-such-lens")).status_code == 404


# The navigation (where to start: the overview, test_lens_review_overview.py)


def test_the_navigation_shows_each_questions_risk_and_the_counts(client_for, shared_workload):
    save(shared_workload, "MLOPS01", selected_choices=["MLOPS01_BP01"])  # medium
    save(shared_workload, "MLOPS02", selected_choices=["MLOPS02_no"])  # high
    response = client_for(shared_workload.owner).get(url(shared_workload.workload, "MLSEC01"))
    html = response.content.decode()
    mlops01 = shared_workload.answer("MLOPS01")
    mlops02 = shared_workload.answer("MLOPS02")
    assert f'id="nav-risk-{mlops01.question_id}" class="risk-dot risk-medium"' in html
    assert f'id="nav-risk-{mlops02.question_id}" class="risk-dot risk-high"' in html
    pillar = mlops01.question.pillar_id
    assert re.search(rf'id="pillar-progress-{pillar}".*?<progress max="3" value="2"', html, re.S)
    assert "2 of 14 questions answered" in html
    assert '<progress max="14" value="2"' in html


def test_previous_next_and_next_unanswered(client_for, shared_workload):
    save(shared_workload, "MLOPS03", selected_choices=["MLOPS03_BP01"])
    response = client_for(shared_workload.owner).get(url(shared_workload.workload, "MLOPS02"))
    html = response.content.decode()
    assert re.search(r'id="link-previous"[^>]*href="[^"]*/questions/MLOPS01/"', html)
    assert re.search(r'id="link-next"[^>]*href="[^"]*/questions/MLOPS03/"', html)
    assert re.search(r'id="link-next-unanswered"[^>]*href="[^"]*/questions/MLSEC01/"', html)
    assert "<kbd>j</kbd>" in html
    assert "<kbd>k</kbd>" in html
    assert "<kbd>n</kbd>" in html


def test_the_unanswered_filter_lists_only_unanswered_questions_and_stays_in_the_links(
    client_for, shared_workload
):
    for question_id in ("MLOPS02", "MLOPS03", "MLSEC02"):
        save(shared_workload, question_id, selected_choices=[f"{question_id}_BP01"])
    response = client_for(shared_workload.owner).get(
        url(shared_workload.workload, "MLOPS01") + "?filter=unanswered"
    )
    outline = response.context["outline"]
    shown = [q.question_id for q in outline.questions if q.shown]
    assert shown[:4] == ["MLOPS01", "MLSEC01", "MLSEC03", "MLREL01"]
    assert "MLOPS02" not in shown
    assert "MLSEC02" not in shown
    html = response.content.decode()
    mlops02 = shared_workload.answer("MLOPS02").question_id
    assert f'<li id="nav-q-{mlops02}" hidden>' in html  # kept, hidden, for live updates
    # Next moves within the filter, and every question link keeps it.
    assert re.search(r'id="link-next"[^>]*href="[^"]*/questions/MLSEC01/\?filter=unanswered"', html)
    assert outline.previous is None
    assert re.search(r'/questions/MLSEC03/\?filter=unanswered"', html)
    assert 'name="filter" value="unanswered"' in html  # the form posts it, to come back to it


def test_the_high_risk_filter_keeps_the_current_question_and_moves_among_high_risk_ones(
    client_for, shared_workload
):
    save(shared_workload, "MLSEC01", selected_choices=["MLSEC01_no"])  # high
    save(shared_workload, "MLCOST02", selected_choices=["MLCOST02_no"])  # high
    response = client_for(shared_workload.owner).get(
        url(shared_workload.workload, "MLREL01") + "?filter=high"
    )
    outline = response.context["outline"]
    assert [q.question_id for q in outline.questions if q.shown] == ["MLSEC01", "MLREL01", "MLCOST02"]
    assert outline.previous.question_id == "MLSEC01"
    assert outline.next.question_id == "MLCOST02"
    assert outline.next_unanswered.question_id == "MLREL02"


def test_an_unknown_filter_is_no_filter(client_for, shared_workload):
    response = client_for(shared_workload.owner).get(url(shared_workload.workload) + "?filter=<script>")
    assert response.status_code == 200
    assert all(q.shown for q in response.context["outline"].questions)
    assert "<script>" not in main_of(response)


# The page's code: static files only


def test_the_page_has_no_inline_script_or_style_and_nothing_for_htmx_to_evaluate(client_for, shared_workload):
    html = client_for(shared_workload.owner).get(url(shared_workload.workload)).content.decode()
    assert '<script src="/static/js/questionnaire.js" defer></script>' in html
    assert '<link rel="stylesheet" href="/static/css/questionnaire.css">' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html
    assert "hx-on" not in html
    assert "js:" not in html
    assert "hx-vals" not in html
    assert 'hx-trigger="every 3s"' in html


def test_htmx_swaps_400_and_409_answers_and_no_other_error(client_for, shared_workload):
    html = client_for(shared_workload.owner).get(url(shared_workload.workload)).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1)
    settings = json.loads(config)
    assert settings["allowEval"] is False
    assert settings["allowScriptTags"] is False
    assert settings["includeIndicatorStyles"] is False
    assert settings["responseHandling"] == [
        {"code": "204", "swap": False},
        {"code": "[23]..", "swap": True},
        {"code": "400", "swap": True},
        {"code": "409", "swap": True},
        {"code": "[45]..", "swap": False, "error": True},
    ]


# Text from lenses and people is text


def hostile_lens_document() -> dict:
    document = lens_document(f"Nasty {SCRIPT}", questions=1)
    pillar = document["pillars"][0]
    pillar["name"] = f"Pillar {IMG}"
    nasty = question("NASTY01")
    nasty["title"] = f"Title {SCRIPT}"
    nasty["description"] = f"Description {IMG}"
    nasty["helpfulResource"] = {"displayText": f"Read {SCRIPT}", "url": JS_URL}
    first = practice("NASTY01_BP1", title=f"Practice {IMG}")
    first["improvementPlan"] = {"displayText": f"Plan {SCRIPT}", "url": " JavaScript:alert(1)"}
    nasty["choices"][0] = first
    pillar["questions"] = [nasty]
    return document


def assert_no_live_markup(html: str) -> None:
    assert SCRIPT not in html
    assert IMG not in html
    assert not re.search(r"href=\"\s*javascript:", html, re.I)


def test_lens_text_and_urls_show_as_text_never_as_markup_or_links(client_for, shared_workload):
    lens = imported_lens(owner=shared_workload.owner, document=hostile_lens_document())
    lens_review_apply(
        workload=shared_workload.workload,
        lens_version=latest_published_version(lens),
        actor=shared_workload.owner,
    )
    for role in ("owner", "reader"):
        response = client_for(getattr(shared_workload, role)).get(
            url(shared_workload.workload, "NASTY01", alias=lens.alias)
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert_no_live_markup(html)
        assert "Title &lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "Description &lt;img src=x onerror=alert(1)&gt;" in html
        assert "Practice &lt;img src=x onerror=alert(1)&gt;" in html
        assert "Pillar &lt;img src=x onerror=alert(1)&gt;" in html
        assert f'<span class="url">{JS_URL}</span>' in html  # the URL as text


def test_notes_people_write_show_as_text(client_for, shared_workload):
    text = f"{SCRIPT} {IMG} {JS_URL}"
    answer = shared_workload.answer("MLOPS01")
    answer_update(
        answer=answer,
        actor=shared_workload.contributor,
        expected_version=0,
        changes={
            "notes": text,
            "is_applicable": True,
            "not_applicable_choices": {"MLOPS01_BP03": {"reason": "OTHER", "notes": text[:250]}},
        },
    )
    workload = shared_workload.workload
    for role in ("owner", "reader"):
        client = client_for(getattr(shared_workload, role))
        for page in (url(workload), url(workload, name="reviews:history")):
            html = client.get(page).content.decode()
            assert_no_live_markup(html)
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# Queries


def big_lens_review(shared_workload):
    """The largest lens the format allows: 10 pillars of 20 questions of 15 choices (14 practices
    and "None of these"), applied to the workload."""
    document = lens_document("Largest lens", pillars=10, questions=20, practices=14)
    lens = imported_lens(owner=shared_workload.owner, document=document)
    version = latest_published_version(lens)
    assert version.questions.count() == 200
    assert version.choices.count() == 3000
    lens_review_apply(workload=shared_workload.workload, lens_version=version, actor=shared_workload.owner)
    return lens


def test_the_question_page_costs_the_same_queries_for_the_builtin_and_the_largest_lens(
    client_for, shared_workload, django_assert_num_queries
):
    lens = big_lens_review(shared_workload)
    answer = shared_workload.workload.lens_reviews.get(lens=lens).answers.get(question__question_id="P10Q20")
    answer_update(answer=answer, actor=shared_workload.owner, changes={"notes": "x"}, expected_version=0)
    client = client_for(shared_workload.contributor)
    for alias, question_id in ((BUILTIN_ALIAS, "MLSEC02"), (lens.alias, "P5Q7"), (lens.alias, "P10Q20")):
        # 1 session, 2 user, 3 workload with the user's role, 4 lens review with its lens and version,
        # 5 the answer to this question with the question and who changed it last, 6 every answer's
        # risk and version (the counts come from these), 7 the questions with their pillars for the
        # navigation, 8 the question's choices, 9 their resources and the question's own.
        with django_assert_num_queries(9):
            response = client.get(url(shared_workload.workload, question_id, alias=alias) + "?filter=high")
        assert response.status_code == 200
