"""Text bound for a spreadsheet (CSV and XLSX downloads): shown there, never run."""

#: What a spreadsheet may take for the start of a formula (DESIGN.md, "Reports in the background").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(text: str) -> str:
    """`text` as a spreadsheet shows it, never runs it: a cell that a spreadsheet would read as a
    formula gets a leading quote. Workload names, usernames, notes and lens texts are user input."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
