"""The milestone pages show text as text and have no inline script or style, and their queries do
not grow with milestones, lenses or answers. What the pages show: test_views_milestones.py."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lens.models import BUILTIN_ALIAS
from lens.selectors import latest_published_version
from reviews.models import Milestone
from reviews.services import lens_review_apply, lens_review_notes
from tests.factories import imported_lens, lens_document
from tests.reviews.milestone_pages import milestone, question_url, save
from tests.reviews.pages import url

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


# Text is text


def test_a_milestone_name_and_frozen_notes_show_as_text(client_for, shared_workload):
    save(
        shared_workload,
        "MLOPS01",
        notes=SCRIPT,
        not_applicable_choices={"MLOPS01_BP03": {"reason": "OTHER", "notes": SCRIPT}},
    )
    lens_review_notes(lens_review=shared_workload.review, actor=shared_workload.owner, notes=SCRIPT)
    milestone(shared_workload, f"Release {SCRIPT}")
    workload = shared_workload.workload
    client = client_for(shared_workload.reader)
    for page in (
        url("milestones", workload),
        url("milestone", workload, 1),
        question_url(shared_workload, 1),
        url("workload", workload),
    ):
        html = client.get(page).content.decode()
        assert SCRIPT not in html, page
        assert f"Release {ESCAPED}" in html, page
    html = client.get(question_url(shared_workload, 1)).content.decode()
    assert html.count(ESCAPED) >= 3  # the banner, the answer's notes, the practice's reason notes
    assert ESCAPED in client.get(url("milestone", workload, 1)).content.decode()


def test_the_milestone_pages_have_no_inline_script_or_style(client_for, shared_workload):
    milestone(shared_workload)
    client = client_for(shared_workload.owner)
    for page in (url("milestones", shared_workload.workload), url("milestone", shared_workload.workload, 1)):
        html = client.get(page).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert "style=" not in html
    html = client.get(question_url(shared_workload, 1)).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "style=" not in html
    assert '<link rel="stylesheet" href="/static/css/reviews.css">' in html  # the banner's


# Queries


@pytest.mark.parametrize("count", [2, 30])
def test_the_list_costs_the_same_queries_for_any_number_of_milestones(
    client_for, shared_workload, django_assert_num_queries, count
):
    for n in range(count):
        milestone(shared_workload, f"M{n}")
    client = client_for(shared_workload.owner)
    # 1 session, 2 user, 3 workload with the user's role, 4 the milestones with who saved them.
    with django_assert_num_queries(4):
        response = client.get(url("milestones", shared_workload.workload))
    assert len(response.context["milestones"]) == count


def test_the_workload_panel_costs_the_same_queries_for_any_number_of_milestones(client_for, shared_workload):
    # The panel's own query: the newest milestones with who saved them, and how many there are (a
    # window count). Measured against the rest of the page, which other panels share.
    client = client_for(shared_workload.reader)
    page = url("workload", shared_workload.workload)
    counted = []
    for count in (1, 30):
        while Milestone.objects.filter(workload=shared_workload.workload).count() < count:
            milestone(shared_workload, f"M{Milestone.objects.count()}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.context["milestone_count"] == count
        counted.append(len(queries))
        assert sum("reviews_milestone" in query["sql"] for query in queries.captured_queries) >= 1
    assert counted[0] == counted[1]


def _big_lens(shared):
    """The largest lens the format allows (10 pillars of 20 questions of 15 choices), applied."""
    document = lens_document("Largest lens", pillars=10, questions=20, practices=14)
    lens = imported_lens(owner=shared.owner, document=document)
    lens_review_apply(
        workload=shared.workload, lens_version=latest_published_version(lens), actor=shared.owner
    )
    return lens


def test_the_milestone_question_page_costs_what_the_live_one_does_for_any_lens_and_milestones(
    client_for, shared_workload, django_assert_num_queries
):
    lens = _big_lens(shared_workload)
    save(shared_workload, "P10Q20", alias=lens.alias, notes="x")
    milestone(shared_workload, "First")
    client = client_for(shared_workload.contributor)
    cases = [(BUILTIN_ALIAS, "MLSEC02"), (lens.alias, "P5Q7"), (lens.alias, "P10Q20")]
    for alias, question_id in cases:
        live = url("question", shared_workload.workload, alias, question_id) + "?filter=high"
        # 1 session, 2 user, 3 workload with the user's role, 4 the lens review with its lens and
        # version (and, in a milestone, the milestone and who saved it), 5 the answer with its
        # question and who changed it last, 6 every answer's risk and version, 7 the questions with
        # their pillars, 8 the question's choices, 9 their resources and the question's own.
        with django_assert_num_queries(9):
            assert client.get(live).status_code == 200
        with django_assert_num_queries(9):
            assert (
                client.get(question_url(shared_workload, 1, question_id, alias) + "?filter=high").status_code
                == 200
            )
    for n in range(20):
        milestone(shared_workload, f"M{n}")
    with django_assert_num_queries(9):
        assert client.get(question_url(shared_workload, 21, "P10Q20", lens.alias)).status_code == 200


def test_the_overview_costs_the_same_queries_for_one_lens_and_three(
    client_for, shared_workload, django_assert_num_queries
):
    milestone(shared_workload, "One lens")
    for n in range(2):
        lens = imported_lens(owner=None, document=lens_document(name=f"Lens {n}", pillars=3, questions=5))
        lens_review_apply(
            workload=shared_workload.workload,
            lens_version=latest_published_version(lens),
            actor=shared_workload.owner,
        )
    milestone(shared_workload, "Three lenses")
    client = client_for(shared_workload.reader)
    # 1 session, 2 user, 3 workload with the user's role, 4 the milestone, 5 its lens reviews with
    # their lens and version, 6 their counts, 7 the names of the pillars with notes.
    for number, lenses in ((1, 1), (2, 3)):
        with django_assert_num_queries(7):
            response = client.get(url("milestone", shared_workload.workload, number))
        assert len(response.context["lenses"]) == lenses
