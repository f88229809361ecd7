"""The improvement plan as a file: CSV, one row per question, in plan order, or XLSX (a summary
sheet and a sheet per lens: reviews.improvement_xlsx).

Every text cell that a spreadsheet would read as a formula (starting with = + - @, a tab or a
carriage return) gets a leading apostrophe, in both formats (mlwa.spreadsheets.csv_safe): lens
texts, notes and names are user input. XLSX cannot hold most control characters, which are dropped.
"""

import csv
import io

from django.utils.text import slugify

from mlwa.spreadsheets import UTF8_BOM, csv_safe
from reviews.improvement_xlsx import plan_links, plan_workbook
from reviews.models import Workload
from reviews.selectors.improvements import PlanRow
from reviews.templatetags.risk import risk_label

COLUMNS = (
    "workload",
    "lens",
    "pillar",
    "question_id",
    "question",
    "risk",
    "status",
    "owner",
    "due_date",
    "note",
    "missing_practices",
    "improvement_plan_links",
)
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_rows(workload: Workload, rows: list[PlanRow]):
    """The CSV's rows, the column names first, each cell neutralised (csv_safe).
    `rows` have their practices (reviews.selectors.improvements.with_practices)."""
    yield list(COLUMNS)
    for row in rows:
        cells = [
            workload.name,
            row.lens_name,
            row.pillar_name,
            row.question_id,
            row.title,
            risk_label(row.risk),
            row.state_label,
            row.owner_username or "",
            row.due_date.isoformat() if row.due_date else "",
            row.note,
            "\n".join(practice.title for practice in row.missing),
            "\n".join(plan_links(row)),
        ]
        yield [csv_safe(str(cell)) for cell in cells]


def plan_csv(workload: Workload, rows: list[PlanRow], *, bom: bool = False) -> bytes:
    """The plan as CSV, UTF-8; starting with a byte order mark when `bom` (for Excel: the page's
    download has one, issue 17)."""
    out = io.StringIO(UTF8_BOM if bom else "")
    out.seek(0, io.SEEK_END)
    csv.writer(out, lineterminator="\r\n").writerows(plan_rows(workload, rows))
    return out.getvalue().encode("utf-8")


def plan_xlsx(workload: Workload, rows: list[PlanRow]) -> bytes:
    """The plan as a workbook: a summary sheet and a sheet per lens (reviews.improvement_xlsx)."""
    return plan_workbook(workload, rows)


def plan_filename(workload: Workload, extension: str) -> str:
    """`<workload name, slugified>-improvement-plan.<extension>` (ASCII: safe in a header)."""
    return f"{slugify(workload.name) or 'workload'}-improvement-plan.{extension}"
