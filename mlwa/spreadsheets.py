"""Text bound for a spreadsheet (CSV and XLSX downloads): shown there, never run."""

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
