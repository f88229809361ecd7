"""Text bound for a spreadsheet (CSV and XLSX downloads): shown there, never run; and XLSX tables
that read well when opened (issue 17).

`write_table` lays a table on an openpyxl worksheet the way a reader of Excel expects: readable
headers in bold on a frozen first row, an autofilter over the table, columns as wide as their
content (within bounds), wrapped text at the top of each cell, dates as real dates and links as
real hyperlinks. Every text cell is cleaned of what XLSX cannot hold and neutralised (csv_safe).
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

#: What a spreadsheet may take for the start of a formula (DESIGN.md, "Reports in the background").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """`text` as a spreadsheet shows it, never runs it: a cell that a spreadsheet would read as a
    formula gets a leading quote. Workload names, usernames, notes and lens texts are user input."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


#: The UTF-8 byte order mark: at the start of a CSV, it tells Excel the file is UTF-8 (without it,
#: Excel reads a CSV in the system's legacy code page and mangles every non-ASCII name). Python
#: reads such a file with encoding="utf-8-sig".
UTF8_BOM = "\ufeff"


def xlsx_text(text: str) -> str:
    """`text` as an XLSX cell may hold it: the control characters XLSX refuses dropped first (so that
    dropping one never uncovers a formula, "\\x01=cmd"), then neutralised."""
    return csv_safe(ILLEGAL_CHARACTERS_RE.sub("", text))


@dataclass(frozen=True)
class Link:
    """A cell that shows `text` and opens `url` (http or https only; any other URL stays text)."""

    text: str
    url: str


@dataclass(frozen=True)
class Column:
    """A column of a table: its header as a reader reads it, and its width bounds in characters."""

    header: str
    min_width: int = 8
    max_width: int = 50


DATE_FORMAT = "yyyy-mm-dd"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8ECF1")
HYPERLINK_FONT = Font(color="0563C1", underline="single")
WRAPPED = Alignment(wrap_text=True, vertical="top")
_SAFE_URL = re.compile(r"https?://[^\s\"<>]+", re.IGNORECASE)
#: The characters Excel refuses in a sheet's name, and its length limit.
_SHEET_NAME_REFUSED = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_MAX = 31


def sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel takes for `name`, not in `taken` (case-insensitively): refused characters
    dropped, at most 31 characters, a number added when needed. The name is added to `taken`."""
    base = _SHEET_NAME_REFUSED.sub("", ILLEGAL_CHARACTERS_RE.sub("", name)).strip().strip("'") or "Sheet"
    title, n = base[:SHEET_NAME_MAX], 1
    while title.lower() in taken:
        n += 1
        suffix = f" ({n})"
        title = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(title.lower())
    return title


def _width(value: Any) -> int:
    """The characters the widest line of a cell's value takes."""
    if isinstance(value, date):
        return 10
    text = value.text if isinstance(value, Link) else str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def write_table(sheet: Worksheet, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> None:
    """Write `columns` and `rows` from A1 (see the module docstring). A cell is text (str), a number,
    a date (datetime.date), a Link, or None (empty)."""
    sheet.append([column.header for column in columns])
    widths = [len(column.header) + 3 for column in columns]  # the filter's button takes room too
    for number, row in enumerate(rows, start=2):
        for index, value in enumerate(row):
            cell = sheet.cell(row=number, column=index + 1)
            if isinstance(value, Link):
                cell.value = xlsx_text(value.text)
                if _SAFE_URL.fullmatch(value.url):
                    cell.hyperlink = value.url
                    cell.font = HYPERLINK_FONT
            elif isinstance(value, date):
                cell.value = value
                cell.number_format = DATE_FORMAT
            elif isinstance(value, str):
                cell.value = xlsx_text(value)
            else:
                cell.value = value
            cell.alignment = WRAPPED
            widths[index] = max(widths[index], _width(value) + 1)
    for index, column in enumerate(columns):
        header = sheet.cell(row=1, column=index + 1)
        header.font, header.fill, header.alignment = HEADER_FONT, HEADER_FILL, WRAPPED
        letter = get_column_letter(index + 1)
        sheet.column_dimensions[letter].width = min(max(widths[index], column.min_width), column.max_width)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(sheet.max_row, 1)}"
