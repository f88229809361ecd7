"""The question page's flow (issue 16): Previous / Next / "Save and exit" on every question, Next into
the next pillar at a pillar's end, "Finish" to the overview at the lens's end, "Save and exit" that
saves what is being typed with and without htmx, the skip link first in the page, and the keys in
review-flow.js (what a browser does with them: tests/browser/test_review_flow_journey.py)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from lens.models import BUILTIN_ALIAS
from tests.reviews.answering import form, post, question_url
from tests.reviews.milestone_pages import milestone

pytestmark = pytest.mark.django_db

STATIC_JS = Path(settings.BASE_DIR) / "static" / "js"


def overview_url(workload):
    return reverse("reviews:review", args=[workload.pk, BUILTIN_ALIAS])


def pager_of(client, workload, question_id) -> str:
    html = client.get(question_url(workload, question_id)).content.decode()
    return html[html.index('<nav class="q-pager"') : html.index("</nav>", html.index('<nav class="q-pager"'))]


def test_inside_a_pillar_next_leads_to_the_next_question(client_for, shared_workload):
    pager = pager_of(client_for(shared_workload.owner), shared_workload.workload, "MLOPS02")
    assert re.search(r'id="link-previous"[^>]*href="[^"]*/questions/MLOPS01/"', pager)
    assert re.search(r'id="link-next"[^>]*href="[^"]*/questions/MLOPS03/">Next <span', pager)
    assert "Next pillar" not in pager


def test_at_a_pillars_last_question_next_says_it_leads_into_the_next_pillar(client_for, shared_workload):
    pager = pager_of(client_for(shared_workload.owner), shared_workload.workload, "MLOPS03")
    assert re.search(r'id="link-next"[^>]*href="[^"]*/questions/MLSEC01/">Next pillar: Security <span', pager)


def test_every_question_offers_save_and_exit_as_a_submit_of_the_answer_form(client_for, shared_workload):
    client = client_for(shared_workload.contributor)
    for question_id in ("MLOPS01", "MLSEC02", "MLCOST03"):
        pager = pager_of(client, shared_workload.workload, question_id)
        assert re.search(
            r'<button id="save-exit" type="submit" form="answer-form" name="then" value="overview"[^>]*>'
            r"Save and exit</button>",
            pager,
        )


def test_the_lens_last_question_finishes_at_the_overview(client_for, shared_workload):
    pager = pager_of(client_for(shared_workload.owner), shared_workload.workload, "MLCOST03")
    assert 'id="link-next"' not in pager
    assert re.search(
        r'<button id="link-finish" type="submit" form="answer-form" name="then" value="overview"', pager
    )


def test_a_reader_exits_and_finishes_by_links_to_the_overview(client_for, shared_workload):
    client = client_for(shared_workload.reader)
    overview = overview_url(shared_workload.workload)
    pager = pager_of(client, shared_workload.workload, "MLCOST03")
    assert f'<a id="link-finish" class="button button-primary" href="{overview}">Finish' in pager
    assert f'<a id="save-exit" class="button" href="{overview}">Exit to the overview</a>' in pager
    assert "<button id=" not in pager


def test_save_and_exit_without_javascript_saves_then_goes_to_the_overview(client_for, shared_workload):
    client = client_for(shared_workload.contributor)
    data = form(selected=["MLOPS01_BP01"], notes="Half typed", then="overview")
    response = post(client, shared_workload.workload, data, htmx=False)
    assert response.status_code == 302
    assert response["Location"] == overview_url(shared_workload.workload)
    answer = shared_workload.answer("MLOPS01")
    assert (answer.version, answer.notes, answer.selected_choices) == (1, "Half typed", ["MLOPS01_BP01"])


def test_save_and_exit_with_htmx_saves_then_sends_the_browser_to_the_overview(client_for, shared_workload):
    client = client_for(shared_workload.contributor)
    response = post(client, shared_workload.workload, form(notes="Typed just now", then="overview"))
    assert response.status_code == 200
    assert response["HX-Redirect"] == overview_url(shared_workload.workload)
    assert shared_workload.answer("MLOPS01").notes == "Typed just now"


def test_a_refused_save_and_exit_stays_on_the_question_with_the_conflict(client_for, shared_workload):
    client = client_for(shared_workload.contributor)
    post(client, shared_workload.workload, form(notes="First"))  # version 1, by someone
    response = post(client, shared_workload.workload, form(version=0, notes="Mine", then="overview"))
    assert response.status_code == 409
    assert "HX-Redirect" not in response
    assert shared_workload.answer("MLOPS01").notes == "First"
    page = post(client, shared_workload.workload, form(version=0, notes="Mine", then="overview"), htmx=False)
    assert page.status_code == 409  # the whole page, with the conflict: not the overview


def test_a_plain_save_still_comes_back_to_the_question(client_for, shared_workload):
    response = post(client_for(shared_workload.owner), shared_workload.workload, form(notes="x"), htmx=False)
    assert response["Location"] == question_url(shared_workload.workload)


def test_the_skip_link_is_the_first_thing_in_the_page_and_leads_to_the_answer(client_for, shared_workload):
    html = (
        client_for(shared_workload.owner)
        .get(question_url(shared_workload.workload, "MLSEC01"))
        .content.decode()
    )
    body = html[html.index("<body") :]
    first_link = re.search(r"<(a|button|input|select|textarea)\b[^>]*>", body).group(0)
    assert 'class="skip-link"' in first_link
    assert 'href="#answer-panel"' in first_link
    assert 'id="answer-panel"' in html
    assert re.search(r'<script src="[^"]*js/review-flow\.js" defer>', html)
    assert '<dialog id="shortcuts-dialog"' in html


def test_the_keys_live_in_review_flow_js_and_ignore_only_text_fields_and_selects():
    flow = (STATIC_JS / "review-flow.js").read_text()
    questionnaire = (STATIC_JS / "questionnaire.js").read_text()
    assert "keydown" not in questionnaire  # moved: one handler of the keys, not two
    assert 'addEventListener("keydown"' in flow
    # Not the old rule, which stopped at any input: a ticked checkbox kept j, k and n from working.
    assert 'closest("input, textarea, select' not in flow
    assert "HTMLSelectElement" in flow
    assert "HTMLTextAreaElement" in flow


def test_in_a_milestone_exit_and_finish_lead_to_the_milestones_overview(client_for, shared_workload):
    milestone(shared_workload)
    workload_pk = shared_workload.workload.pk
    frozen_overview = reverse("reviews:milestone-review", args=[workload_pk, 1, BUILTIN_ALIAS])
    page = reverse("reviews:milestone-question", args=[workload_pk, 1, BUILTIN_ALIAS, "MLCOST03"])
    html = client_for(shared_workload.owner).get(page).content.decode()
    assert f'<a id="save-exit" class="button" href="{frozen_overview}">Exit to the overview</a>' in html
    assert f'<a id="link-finish" class="button button-primary" href="{frozen_overview}">Finish' in html
    crumbs = html[html.index('class="breadcrumbs"') :]
    assert f'<a href="{frozen_overview}">' in crumbs[: crumbs.index("</nav>")]
