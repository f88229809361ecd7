"""The improvement plan's XLSX (issue 17: it had default widths, no bold or frozen header, dates and
links as text, snake_case headers), opened with openpyxl: a summary sheet, a sheet per lens,
readable bold headers on a frozen row, an autofilter, fitted widths, wrapped text, due dates as
dates and improvement plans as hyperlinks."""

import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from mlwa.spreadsheets import sheet_title
from reviews.models import ImprovementItem
from tests.reviews.test_improvements import answer_as, plan_lens, track, with_lens

pytestmark = pytest.mark.django_db
S = ImprovementItem.Status


@pytest.fixture
def two_lenses(shared_workload):
    """The shared workload with two more lenses: on 'Plan lens' P1Q1 high (tracked by the
    contributor, overdue), P1Q2 medium; on 'Other: lens/2' P1Q1 high."""
    shared = shared_workload
    shared.alias = with_lens(shared, plan_lens())
    shared.other = with_lens(shared, plan_lens("Other: lens/2", pillars=1))
    answer_as(shared.workload, shared.alias, "P1Q1", "HIGH", shared.owner)
    answer_as(shared.workload, shared.alias, "P1Q2", "MEDIUM", shared.owner)
    answer_as(shared.workload, shared.other, "P1Q1", "HIGH", shared.owner)
    shared.due = timezone.localdate() - timedelta(days=3)
    track(
        shared,
        shared.alias,
        "P1Q1",
        status=S.IN_PROGRESS,
        owner=shared.contributor.pk,
        due_date=shared.due.isoformat(),
        note="A long note that wraps, about what the team agreed and when it will be done.",
    )
    return shared


@pytest.fixture
def book(client_for, two_lenses):
    url = reverse("reviews:improvements", args=[two_lenses.workload.pk]) + "?format=xlsx"
    response = client_for(two_lenses.reader).get(url)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _rows(sheet) -> list[dict]:
    header, *body = [[cell.value for cell in row] for row in sheet.iter_rows()]
    return [dict(zip(header, row, strict=True)) for row in body]


def test_a_summary_sheet_then_a_sheet_per_lens(book, two_lenses):
    assert book.sheetnames == ["Summary", "Plan lens", "Other lens2"]  # Excel refuses ":" and "/"
    summary = {row["Lens"]: row for row in _rows(book["Summary"])}
    assert list(summary) == ["Plan lens", "Other: lens/2"]
    plan = summary["Plan lens"]
    assert plan["Workload"] == two_lenses.workload.name
    assert (plan["Questions in the plan"], plan["High risk"], plan["Medium risk"]) == (2, 1, 1)
    assert (plan["Owned"], plan["Overdue"], plan["In progress"], plan["Not started"]) == (1, 1, 1, 1)
    assert [row["Question ID"] for row in _rows(book["Plan lens"])] == ["P1Q1", "P1Q2"]
    assert [row["Question ID"] for row in _rows(book["Other lens2"])] == ["P1Q1"]


@pytest.mark.parametrize("name", ["Summary", "Plan lens"])
def test_a_bold_frozen_header_row_with_an_autofilter_and_readable_names(book, name):
    sheet = book[name]
    headers = [cell.value for cell in sheet[1]]
    assert all(header and "_" not in header and header[0].isupper() for header in headers), headers
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert (
        sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(headers)).column_letter}{sheet.max_row}"
    )


def test_widths_fit_the_content_and_text_wraps(book):
    sheet = book["Plan lens"]
    widths = {cell.value: sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]}
    assert widths["Question ID"] < widths["Question"] <= 60
    assert widths["Due date"] >= 11
    assert all(cell.alignment.wrap_text for row in sheet.iter_rows(min_row=2) for cell in row)


def test_due_dates_are_dates_and_improvement_plans_are_hyperlinks(book, two_lenses):
    sheet = book["Plan lens"]
    header = [cell.value for cell in sheet[1]]
    due = sheet.cell(row=2, column=header.index("Due date") + 1)
    assert due.is_date
    assert due.number_format == "yyyy-mm-dd"
    link = sheet.cell(row=2, column=header.index("Improvement plan") + 1)
    assert link.hyperlink is not None
    assert link.hyperlink.target == "https://example.com/plan"
    assert link.value.startswith("https://example.com/plan")
    assert sheet.cell(row=3, column=header.index("Due date") + 1).value is None  # not tracked


def test_a_due_date_is_a_real_date_value(book, two_lenses):
    value = book["Plan lens"]["G2"].value
    assert isinstance(value, (date, datetime))
    assert (value.date() if isinstance(value, datetime) else value) == two_lenses.due


def test_sheet_titles_are_what_excel_takes_and_unique():
    taken: set[str] = set()
    assert sheet_title("A lens: [draft] *v2*?", taken) == "A lens draft v2"
    assert sheet_title("a LENS: [draft] *v2*?", taken) == "a LENS draft v2 (2)"
    assert len(sheet_title("x" * 40, taken)) == 31
    assert sheet_title("x" * 40, taken) == "x" * 27 + " (2)"
