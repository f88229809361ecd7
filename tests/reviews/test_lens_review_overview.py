"""The lens review overview (issue 16): one row per pillar with its counts and risk strip, where to
continue, "complete" once every question is answered, the report, plan and notes links; the same as
of a milestone, frozen; text from lenses shown as text; and a number of queries that does not grow
with the lens."""

import re

import pytest
from django.urls import reverse

from bench.bench_lens import bench_review
from lens.models import BUILTIN_ALIAS
from lens.selectors import latest_published_version
from reviews.models import Answer
from reviews.selectors.lens_overview import lens_overview
from reviews.services import lens_review_apply
from tests.factories import imported_lens, lens_document, workload
from tests.reviews.milestone_pages import milestone, save

pytestmark = pytest.mark.django_db


def overview_url(shared, alias=BUILTIN_ALIAS):
    return reverse("reviews:review", args=[shared.workload.pk, alias])


def question_path(shared, question_id, alias=BUILTIN_ALIAS):
    return reverse("reviews:question", args=[shared.workload.pk, alias, question_id])


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def row_of(html: str, pillar_name: str) -> str:
    """The table row of the pillar named `pillar_name`."""
    match = re.search(
        rf"<tr id=\"pillar-\d+\"[^>]*>(?:(?!</tr>).)*?{re.escape(pillar_name)}.*?</tr>", html, re.S
    )
    assert match, pillar_name
    return match.group(0)


def cell(row: str, label: str) -> str:
    match = re.search(rf'data-label="{label}">(.*?)</td>', row, re.S)
    assert match, label
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.mark.parametrize("role", ["owner", "contributor", "reader", "auditor"])
def test_everyone_who_may_see_the_workload_gets_the_overview_not_a_redirect(
    client_for, shared_workload, role
):
    response = client_for(getattr(shared_workload, role)).get(overview_url(shared_workload))
    assert response.status_code == 200
    html = main_of(response)
    for pillar in (
        "Operational excellence",
        "Security",
        "Reliability",
        "Performance efficiency",
        "Cost optimization",
    ):
        assert pillar in html
    assert "0 of 14 questions answered" in html


def test_an_outsider_gets_a_404_and_a_lens_not_applied_too(client_for, shared_workload):
    assert client_for(shared_workload.outsider).get(overview_url(shared_workload)).status_code == 404
    assert (
        client_for(shared_workload.owner).get(overview_url(shared_workload, "no-such-lens")).status_code
        == 404
    )


def test_each_pillar_shows_answered_of_total_and_every_risk_from_the_kept_counts(client_for, shared_workload):
    save(shared_workload, "MLOPS01", selected_choices=["MLOPS01_BP01"])  # medium
    save(shared_workload, "MLOPS02", selected_choices=["MLOPS02_no"])  # high
    save(shared_workload, "MLOPS03", is_applicable=False, reason=Answer.Reason.OUT_OF_SCOPE)
    save(shared_workload, "MLSEC01", selected_choices=["MLSEC01_BP01", "MLSEC01_BP02"])  # none
    html = main_of(client_for(shared_workload.owner).get(overview_url(shared_workload)))

    ops = row_of(html, "Operational excellence")
    assert cell(ops, "Answered") == "3 of 3"
    assert [cell(ops, label) for label in ("High", "Medium", "None", "Not applicable", "Unanswered")] == [
        "1",
        "1",
        "0",
        "1",
        "0",
    ]
    assert "pillar-complete" in ops
    assert "Complete" in ops
    security = row_of(html, "Security")
    assert cell(security, "Answered") == "1 of 3"
    assert [cell(security, label) for label in ("None", "Unanswered")] == ["1", "2"]
    assert "pillar-complete" not in security
    # The risk strip: SVG widths as attributes (the CSP forbids style=), a share per risk.
    assert re.search(r'<svg class="risk-strip"[^>]*>.*?width="33.33" height="10" fill="#c62828"', ops, re.S)
    assert "style=" not in html
    # The whole lens, in the table's foot.
    assert "4 of 14 questions answered" in html


def test_continue_reviewing_leads_to_the_first_unanswered_question_in_lens_order(client_for, shared_workload):
    save(shared_workload, "MLOPS01", selected_choices=["MLOPS01_BP01"])
    client = client_for(shared_workload.contributor)
    html = main_of(client.get(overview_url(shared_workload)))
    mlops02 = question_path(shared_workload, "MLOPS02")
    assert re.search(
        rf'id="review-continue" class="button button-primary" href="{mlops02}">'
        r"Continue reviewing <span[^>]*>\(next: MLOPS02\)",
        html,
    )
    # Each pillar's name leads to its own first unanswered question.
    assert f'href="{question_path(shared_workload, "MLSEC01")}">Security</a>' in html


def test_a_review_with_every_question_answered_says_it_is_complete_with_its_risks(
    client_for, shared_workload
):
    Answer.objects.filter(lens_review=shared_workload.review).update(risk=Answer.Risk.NONE)
    Answer.objects.filter(
        lens_review=shared_workload.review, question__question_id__in=["MLOPS02", "MLSEC03"]
    ).update(risk=Answer.Risk.HIGH)
    html = main_of(client_for(shared_workload.owner).get(overview_url(shared_workload)))
    assert "Review complete" in html
    assert re.sub(
        r"\s+", " ", "Every one of the 14 questions is answered: <strong>2 high risks</strong>"
    ) in re.sub(r"\s+", " ", html)
    assert "Continue reviewing" not in html
    assert f'href="{question_path(shared_workload, "MLOPS01")}">Review again from the first question' in html


def test_the_report_plan_and_notes_are_one_click_away(client_for, shared_workload):
    html = main_of(client_for(shared_workload.reader).get(overview_url(shared_workload)))
    workload_pk = shared_workload.workload.pk
    report_form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
    assert report_form.group(1) == reverse("reviews:reports", args=[workload_pk])
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', report_form.group(2)))
    assert fields["kind"] == "LENS_REVIEW"
    assert fields["lens-review-lens"] == BUILTIN_ALIAS
    assert fields["lens-review-milestone"] == ""
    assert "Generate report" in report_form.group(2)
    plan = reverse("reviews:improvements", args=[workload_pk]) + f"?lens={BUILTIN_ALIAS}"
    assert f'href="{plan}">Improvement plan for this lens</a>' in html
    assert f'href="{reverse("reviews:lens-notes", args=[workload_pk, BUILTIN_ALIAS])}">Lens notes' in html
    # A reader cannot answer: the button says what it does for them.
    assert "Read the answers" in html


def test_the_improvement_plans_lens_filter_narrows_it_to_that_lens(client_for, shared_workload):
    other = imported_lens(owner=shared_workload.owner, document=lens_document("Other lens"))
    lens_review_apply(
        workload=shared_workload.workload,
        lens_version=latest_published_version(other),
        actor=shared_workload.owner,
    )
    save(shared_workload, "MLOPS02", selected_choices=["MLOPS02_no"])
    save(shared_workload, "P1Q1", alias=other.alias, selected_choices=["P1Q1_no"])
    client = client_for(shared_workload.owner)
    plan = reverse("reviews:improvements", args=[shared_workload.workload.pk])
    html = main_of(client.get(plan + f"?lens={BUILTIN_ALIAS}"))
    assert "MLOPS02" in html
    assert "P1Q1" not in html


def test_the_milestone_overview_is_frozen_and_links_within_the_milestone(client_for, shared_workload):
    save(shared_workload, "MLOPS01", selected_choices=["MLOPS01_no"])  # high
    milestone(shared_workload)
    save(shared_workload, "MLOPS02", selected_choices=["MLOPS02_no"])  # since: not in the milestone
    workload_pk = shared_workload.workload.pk
    url = reverse("reviews:milestone-review", args=[workload_pk, 1, BUILTIN_ALIAS])
    response = client_for(shared_workload.reader).get(url)
    assert response.status_code == 200
    html = main_of(response)
    assert "Milestone 1" in html
    assert "read only" in html
    ops = row_of(html, "Operational excellence")
    assert cell(ops, "Answered") == "1 of 3"
    assert cell(ops, "High") == "1"
    frozen_question = reverse("reviews:milestone-question", args=[workload_pk, 1, BUILTIN_ALIAS, "MLOPS02"])
    assert f'href="{frozen_question}"' in html
    assert question_path(shared_workload, "MLOPS02") not in html  # nothing leads to the live answers
    assert 'name="lens-review-milestone" value="1"' in html
    assert (
        client_for(shared_workload.owner)
        .get(reverse("reviews:milestone-review", args=[workload_pk, 2, BUILTIN_ALIAS]))
        .status_code
        == 404
    )


def test_lens_text_is_shown_as_text(client_for, alice):
    document = lens_document("<b>Lens</b>")
    document["pillars"][0]["name"] = "<script>alert(1)</script>"
    lens = imported_lens(owner=alice, document=document)
    mine = workload(alice, lenses=[lens])
    html = main_of(client_for(alice).get(reverse("reviews:review", args=[mine.pk, lens.alias])))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Lens&lt;/b&gt;" in html


def test_the_question_pages_breadcrumb_links_the_lens_to_its_overview(client_for, shared_workload):
    html = client_for(shared_workload.owner).get(question_path(shared_workload, "MLSEC01")).content.decode()
    crumbs = html[html.index('class="breadcrumbs"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert f'<a href="{overview_url(shared_workload)}">' in crumbs


def test_the_overview_reads_the_bench_lens_like_the_kept_counts(alice):
    review = bench_review(owner=alice, pillars=2, questions=10, choices=4)
    overview = lens_overview(review)
    assert [row.counts.total for row in overview.pillars] == [10, 10]
    # The bench's mix, per 10 questions: 4 without risk, 3 medium, 2 high, 1 not applicable.
    assert [
        (r.counts.none, r.counts.medium, r.counts.high, r.counts.not_applicable) for r in overview.pillars
    ] == [
        (4, 3, 2, 1),
        (4, 3, 2, 1),
    ]
    assert overview.complete
    assert overview.next_question_id == ""
    assert overview.first_question_id == "BP1Q01"
    for kind in ("high", "medium", "none", "not_applicable"):
        assert (
            getattr(overview.counts, kind)
            == review.answers.filter(risk=getattr(Answer.Risk, kind.upper())).count()
        )


@pytest.mark.parametrize(("pillars", "questions"), [(1, 2), (6, 10)])
def test_the_overview_costs_the_same_queries_for_a_small_and_a_large_lens(
    client_for, alice, django_assert_max_num_queries, pillars, questions
):
    review = bench_review(owner=alice, pillars=pillars, questions=questions, answer=False)
    client = client_for(alice)
    url = reverse("reviews:review", args=[review.workload_id, review.lens.alias])
    client.get(url)  # the session's first read
    # session, user, workload with the role, lens review, pillars (with where to continue), kept counts
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200
