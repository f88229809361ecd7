"""The improvement plan page (reviews:improvements), its downloads, its tracking form
(reviews:improvement-item), and its summary on the workload page."""

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from reviews.models import ImprovementItem, WorkloadEvent
from tests.reviews.test_improvements import answer_as, grow, plan_lens, track, with_lens

pytestmark = pytest.mark.django_db

S = ImprovementItem.Status
HTMX = {"HX-Request": "true"}
FORMULA = "=cmd|' /C calc'!A0"


def page_url(shared, **query):
    url = reverse("reviews:improvements", args=[shared.workload.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def item_url(shared, alias, question_id="P1Q1"):
    return reverse("reviews:improvement-item", args=[shared.workload.pk, alias, question_id])


def form(version=0, **fields):
    """The whole tracking form, as a browser posts it."""
    return {"version": version, "status": S.NOT_STARTED, "owner": "", "due_date": "", "note": "", **fields}


@pytest.fixture
def planned(shared_workload):
    """The shared workload with a two-pillar lens: P2Q1 high, P1Q1 high, P1Q2 medium; pillar 2 first."""
    shared = shared_workload
    shared.alias = with_lens(shared, plan_lens(pillars=2))
    shared.workload.pillar_priorities = ["pillar2"]
    shared.workload.save(update_fields=["pillar_priorities"])
    for question_id, risk in (("P1Q1", "HIGH"), ("P1Q2", "MEDIUM"), ("P2Q1", "HIGH"), ("P2Q2", "NONE")):
        answer_as(shared.workload, shared.alias, question_id, risk, shared.owner)
    return shared


# --- the page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "contributor", "reader", "auditor"])
def test_everyone_who_sees_the_workload_sees_the_plan_in_order(client_for, planned, role):
    response = client_for(getattr(planned, role)).get(page_url(planned))
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(f'id="item-{planned.alias}--{q}"') for q in ("P2Q1", "P1Q1", "P1Q2")]
    assert positions == sorted(positions)
    assert f'id="item-{planned.alias}--P2Q2"' not in html  # no risk, never tracked
    question = reverse("reviews:question", args=[planned.workload.pk, planned.alias, "P1Q1"])
    assert f'href="{question}"' in html
    assert 'href="https://example.com/plan" rel="noopener noreferrer"' in html
    editable = role in ("owner", "contributor")
    assert ('id="plan-bulk"' in html) is editable  # the bulk change, and a checkbox a row
    assert (f'value="{planned.alias}/P1Q1/0"' in html) is editable
    assert (f'href="{item_url(planned, planned.alias)}"' in html) is editable  # Edit, without JavaScript
    assert "tracking-form" not in html  # a compact list: no item's form until Edit


def test_an_outsider_gets_a_404_and_a_stranger_to_the_site_the_login_page(client, client_for, planned):
    assert client_for(planned.outsider).get(page_url(planned)).status_code == 404
    client.logout()
    response = client.get(page_url(planned))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_readers_see_the_tracking_as_text(client_for, planned):
    track(planned, planned.alias, "P1Q1", status=S.IN_PROGRESS, owner=planned.contributor.pk, note="On it.")
    html = client_for(planned.reader).get(page_url(planned)).content.decode()
    assert "In progress" in html
    assert '<dd class="plan-owner">contributor</dd>' in html
    assert "On it." in html


def test_the_filters_narrow_the_plan_and_a_bad_value_is_dropped(client_for, planned):
    client = client_for(planned.owner)
    html = client.get(page_url(planned, risk="MEDIUM")).content.decode()
    assert f"item-{planned.alias}--P1Q2" in html
    assert f"item-{planned.alias}--P1Q1" not in html
    html = client.get(page_url(planned, pillar="pillar2")).content.decode()
    assert f"item-{planned.alias}--P2Q1" in html
    assert f"item-{planned.alias}--P1Q2" not in html
    response = client.get(page_url(planned, risk="BOGUS", owner="unassigned"))
    assert response.status_code == 200
    assert f"item-{planned.alias}--P1Q2" in response.content.decode()
    assert "Select a valid choice" in response.content.decode()
    html = client.get(page_url(planned, status="RESOLVED")).content.decode()
    assert "No question matches these filters." in html


def test_resolved_and_regressed_items_show_as_such(client_for, planned):
    track(planned, planned.alias, "P1Q1", status=S.DONE)
    track(planned, planned.alias, "P2Q2", status=S.IN_PROGRESS)
    html = client_for(planned.owner).get(page_url(planned)).content.decode()
    assert "Regressed (done, at risk again)" in html
    assert "Resolved (no longer at risk)" in html
    assert 'id="plan-resolved"' in html


def test_lens_and_user_text_is_shown_as_text(client_for, shared_workload):
    from tests import factories

    document = factories.lens_document("Lens <b>bold</b>", pillars=1, questions=1)
    question = document["pillars"][0]["questions"][0]
    question["title"] = "<script>alert('title')</script>"
    question["choices"][0]["title"] = "<img src=x onerror=alert(1)>"
    question["choices"][0]["improvementPlan"]["url"] = "javascript:alert(1)"
    alias = with_lens(shared_workload, plan_lens(document=document))
    answer_as(shared_workload.workload, alias, "P1Q1", "HIGH", shared_workload.owner)
    track(shared_workload, alias, "P1Q1", note="</textarea><script>alert('note')</script>")
    for role in ("owner", "reader"):
        html = client_for(getattr(shared_workload, role)).get(page_url(shared_workload)).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html
        assert "<img src=x" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert 'href="javascript:' not in html
        assert '<span class="url">javascript:alert(1)</span>' in html
        assert "&lt;/textarea&gt;&lt;script&gt;alert(&#x27;note&#x27;)" in html


# --- tracking ---------------------------------------------------------------------------------------


def test_tracking_with_htmx_swaps_the_item_and_saves(client_for, planned):
    owner = planned.contributor
    response = client_for(owner).post(
        item_url(planned, planned.alias),
        form(status=S.IN_PROGRESS, owner=str(owner.pk), due_date="2031-01-31", note="Line 1\r\nLine 2"),
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    # The row swapped back, at the version saved, its Edit button taking the focus back.
    assert html.lstrip().startswith(f'<li class="plan-item plan-row" id="item-{planned.alias}--P1Q1">')
    assert f'value="{planned.alias}/P1Q1/1"' in html
    assert "data-refocus" in html  # the Edit link takes the focus back (improvement-plan.js)
    assert "tracking-form" not in html
    assert "Saved the tracking of P1Q1." in response["HX-Trigger"]
    item = ImprovementItem.objects.get()
    assert (item.status, item.owner, str(item.due_date), item.note) == (
        S.IN_PROGRESS,
        owner,
        "2031-01-31",
        "Line 1\nLine 2",
    )
    assert WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.IMPROVEMENT_TRACKED).count() == 1


def test_tracking_without_javascript_comes_back_with_the_filters(client_for, planned):
    response = client_for(planned.owner).post(
        item_url(planned, planned.alias),
        form(status=S.RISK_ACCEPTED, back="risk=HIGH&next=https://evil.example&lens=" + planned.alias),
    )
    assert response.status_code == 302
    assert (
        response["Location"]
        == page_url(planned) + f"?lens={planned.alias}&risk=HIGH#item-{planned.alias}--P1Q1"
    )
    assert ImprovementItem.objects.get().status == S.RISK_ACCEPTED


@pytest.mark.parametrize("htmx", [True, False])
def test_bad_tracking_is_a_400_naming_the_field_with_what_was_posted(client_for, planned, htmx):
    response = client_for(planned.owner).post(
        item_url(planned, planned.alias),
        form(status=S.DONE, due_date="soon", note="Mine."),
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "due_date: A date as YYYY-MM-DD" in html
    assert "Mine.</textarea>" in html
    assert ("<html" in html) is not htmx
    assert not ImprovementItem.objects.exists()


def test_an_owner_who_may_not_own_items_is_refused(client_for, planned):
    response = client_for(planned.owner).post(
        item_url(planned, planned.alias), form(owner=str(planned.reader.pk)), headers=HTMX
    )
    assert response.status_code == 400
    assert "owner: Choose the workload&#x27;s owner or one of its contributors" in response.content.decode()
    assert not ImprovementItem.objects.exists()


@pytest.mark.parametrize("htmx", [True, False])
def test_a_stale_form_is_a_409_with_the_stored_values(client_for, planned, htmx):
    track(planned, planned.alias, "P1Q1", actor=planned.contributor, status=S.IN_PROGRESS, note="Theirs.")
    response = client_for(planned.owner).post(
        item_url(planned, planned.alias),
        form(0, status=S.DONE, note="Mine."),
        headers=HTMX if htmx else {},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this item." in html
    assert "contributor saved version 1" in html
    assert "Theirs.</textarea>" in html  # the stored values, to save over once seen
    assert 'name="version" value="1"' in html
    assert "<dd>Mine.</dd>" in html
    assert "<dd>Done</dd>" in html
    assert ImprovementItem.objects.get().note == "Theirs."


def test_a_post_without_a_version_or_with_a_bad_owner_is_a_plain_400(client_for, planned):
    client = client_for(planned.owner)
    response = client.post(item_url(planned, planned.alias), {"status": S.DONE})
    assert response.status_code == 400
    assert response.content.startswith(b"version:")
    response = client.post(item_url(planned, planned.alias), form(owner="alice"))
    assert response.status_code == 400
    assert response.content.startswith(b"owner:")


def test_a_question_the_lenses_lack_is_a_404(client_for, planned):
    client = client_for(planned.owner)
    assert client.post(item_url(planned, planned.alias, "P9Q9"), form(status=S.DONE)).status_code == 404
    assert client.post(item_url(planned, "no-such-lens"), form(status=S.DONE)).status_code == 404
    assert not ImprovementItem.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("reader", 403), ("auditor", 403), ("outsider", 404)])
def test_who_may_not_track_is_refused(client_for, planned, role, status):
    response = client_for(getattr(planned, role)).post(item_url(planned, planned.alias), form(status=S.DONE))
    assert response.status_code == status
    assert not ImprovementItem.objects.exists()


# --- downloads --------------------------------------------------------------------------------------


def _formula_world(planned):
    planned.workload.name = "+Fraud detection"
    planned.workload.save(update_fields=["name"])
    track(planned, planned.alias, "P1Q1", status=S.IN_PROGRESS, owner=planned.contributor.pk, note=FORMULA)
    track(planned, planned.alias, "P2Q1", due_date="2031-03-01", note="\t@SUM(A1)")


def test_the_csv_is_the_filtered_plan_with_formulas_neutralised(client_for, planned):
    _formula_world(planned)
    response = client_for(planned.reader).get(page_url(planned, format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="fraud-detection-improvement-plan.csv"'
    assert response.content.startswith(b"\xef\xbb\xbfworkload,")  # a BOM, for Excel (issue 17)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["question_id"] for row in rows] == ["P2Q1", "P1Q1", "P1Q2"]
    first, second = rows[1], rows[0]
    assert first["workload"] == "'+Fraud detection"
    assert first["note"] == "'" + FORMULA
    assert (first["status"], first["owner"], first["risk"]) == ("In progress", "contributor", "High risk")
    assert first["missing_practices"] == "Practice P1Q1_BP1\nPractice P1Q1_BP2\nPractice P1Q1_BP3"
    assert first["improvement_plan_links"] == "https://example.com/plan"
    assert (second["due_date"], second["note"]) == ("2031-03-01", "'\t@SUM(A1)")
    medium = client_for(planned.reader).get(page_url(planned, format="csv", risk="MEDIUM"))
    medium_rows = csv.DictReader(io.StringIO(medium.content.decode("utf-8-sig")))
    assert [row["question_id"] for row in medium_rows] == ["P1Q2"]


def test_the_xlsx_is_the_same_plan_with_formulas_neutralised(client_for, planned):
    _formula_world(planned)
    track(planned, planned.alias, "P1Q2", note='\x01=HYPERLINK("http://evil")')
    response = client_for(planned.owner).get(page_url(planned, format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="fraud-detection-improvement-plan.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary, sheet = book.worksheets  # the summary, then a sheet per lens (issue 17)
    assert summary["A2"].value == "'+Fraud detection"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header, *body = rows
    assert header[:3] == ["Pillar", "Question ID", "Question"]
    by_question = {row[1]: dict(zip(header, row, strict=True)) for row in body}
    assert list(by_question) == ["P2Q1", "P1Q1", "P1Q2"]
    assert by_question["P1Q1"]["Note"] == "'" + FORMULA
    assert by_question["P1Q2"]["Note"] == '\'=HYPERLINK("http://evil")'  # the control character dropped first
    texts = [cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    assert texts
    assert all(cell.data_type == "s" for cell in texts)  # no text cell is a formula


def test_an_unknown_format_is_a_400(client_for, planned):
    response = client_for(planned.owner).get(page_url(planned, format="pdf"))
    assert response.status_code == 400
    assert response.content.startswith(b"format:")


# --- queries ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "reader"])
@pytest.mark.parametrize("download", ["", "csv", "xlsx"])
def test_the_page_and_downloads_cost_the_same_queries_for_few_or_many(
    client_for, shared_workload, django_assert_num_queries, role, download
):
    alias = with_lens(shared_workload, plan_lens())
    client = client_for(getattr(shared_workload, role))
    url = page_url(shared_workload, **({"format": download} if download else {}))
    # session, user, workload with the role, lens reviews, pillars (the filter), owners (the filter
    # and the forms), items with their owners, answers, choices, resources
    grow(shared_workload, alias, many=False)
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200
    grow(shared_workload, alias, many=True)
    with django_assert_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    if not download:
        assert len(re.findall(r'<li class="plan-item plan-row', response.content.decode())) == 6


def test_the_workload_page_sums_up_the_plan_in_queries_that_do_not_grow(
    client_for, shared_workload, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    alias = with_lens(shared_workload, plan_lens())
    client = client_for(shared_workload.owner)
    workload_page = reverse("reviews:workload", args=[shared_workload.workload.pk])
    grow(shared_workload, alias, many=False)
    with CaptureQueriesContext(connection) as few:
        client.get(workload_page)
    grow(shared_workload, alias, many=True)
    track(shared_workload, alias, "P1Q1", status=S.DONE)  # regressed
    with CaptureQueriesContext(connection) as many:
        response = client.get(workload_page)
    assert len(many) == len(few)
    html = response.content.decode()
    assert '<span class="risk-badge risk-high">3</span> questions at high risk' in html
    assert "<strong>6</strong> tracked items open, of which <strong>1</strong> regressed" in html
    assert f'href="{page_url(shared_workload)}"' in html


def test_a_refused_item_that_the_filters_leave_out_is_shown_above_them(client_for, planned):
    response = client_for(planned.owner).post(
        item_url(planned, planned.alias), form(due_date="soon", back="status=RESOLVED")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<h1>Improvement of P1Q1</h1>" in html  # the item's own page, without JavaScript
    assert "due_date: A date as YYYY-MM-DD" in html
    assert '<input type="hidden" name="back" value="status=RESOLVED">' in html
