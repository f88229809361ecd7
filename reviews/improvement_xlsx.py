"""The improvement plan as an XLSX workbook (issue 17): a summary sheet (per lens: its risks and how
its items are tracked), then one sheet per lens with its rows in plan order. Laid out by
mlwa.spreadsheets.write_table: readable headers, a bold frozen header row, autofilters, fitted
widths, wrapped text, due dates as dates, improvement plans as hyperlinks; text neutralised.
"""

import io

from django.utils import timezone
from openpyxl import Workbook

from mlwa.spreadsheets import Column, Link, sheet_title, write_table
from reviews.models import ImprovementItem, Workload
from reviews.selectors.improvements import REGRESSED, RESOLVED, PlanRow
from reviews.templatetags.risk import risk_label

S = ImprovementItem.Status
SUMMARY_COLUMNS = (
    Column("Workload", max_width=40),
    Column("Lens", max_width=40),
    Column("Questions in the plan"),
    Column("High risk"),
    Column("Medium risk"),
    Column("Owned"),
    Column("Overdue"),
    Column("Not started"),
    Column("In progress"),
    Column("Risk accepted"),
    Column("Regressed"),
    Column("Resolved"),
)
LENS_COLUMNS = (
    Column("Pillar", max_width=30),
    Column("Question ID"),
    Column("Question", min_width=30, max_width=60),
    Column("Risk"),
    Column("Status", max_width=24),
    Column("Owner"),
    Column("Due date", min_width=11),
    Column("Note", min_width=20, max_width=60),
    Column("Missing practices", min_width=30, max_width=60),
    Column("Improvement plan", min_width=20, max_width=60),
)


def is_overdue(row: PlanRow, today) -> bool:
    """Due before today and neither done nor accepted as a risk."""
    return bool(row.due_date and row.due_date < today and row.status not in (S.DONE, S.RISK_ACCEPTED))


def plan_links(row: PlanRow) -> list[str]:
    """The http(s) links of the missing practices' improvement plans, each once, in order."""
    links = [resource.link for practice in row.missing for resource in practice.resources]
    return list(dict.fromkeys(link for link in links if link))


def _lens_row(row: PlanRow) -> list:
    links = plan_links(row)
    return [
        row.pillar_name,
        row.question_id,
        row.title,
        str(risk_label(row.risk)),
        row.state_label,
        row.owner_username or "",
        row.due_date,
        row.note,
        "\n".join(practice.title for practice in row.missing),
        Link("\n".join(links), links[0]) if links else "",
    ]


def _summary_row(workload: Workload, lens_name: str, rows: list[PlanRow], today) -> list:
    states = [row.state for row in rows]
    return [
        workload.name,
        lens_name,
        len(rows),
        sum(row.risk == "HIGH" for row in rows),
        sum(row.risk == "MEDIUM" for row in rows),
        sum(bool(row.owner_username) for row in rows),
        sum(is_overdue(row, today) for row in rows),
        states.count(S.NOT_STARTED),
        states.count(S.IN_PROGRESS),
        states.count(S.RISK_ACCEPTED),
        states.count(REGRESSED),
        states.count(RESOLVED),
    ]


def plan_workbook(workload: Workload, rows: list[PlanRow]) -> bytes:
    """The plan's workbook (see the module docstring). `rows` have their practices
    (reviews.selectors.improvements.with_practices), in plan order."""
    by_lens: dict[str, tuple[str, list[PlanRow]]] = {}
    for row in rows:
        by_lens.setdefault(row.lens_alias, (row.lens_name, []))[1].append(row)
    book = Workbook()
    summary = book.active
    taken: set[str] = set()
    summary.title = sheet_title("Summary", taken)
    today = timezone.localdate()
    write_table(
        summary,
        SUMMARY_COLUMNS,
        [_summary_row(workload, name, lens_rows, today) for name, lens_rows in by_lens.values()],
    )
    for name, lens_rows in by_lens.values():
        write_table(book.create_sheet(sheet_title(name, taken)), LENS_COLUMNS, map(_lens_row, lens_rows))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
