"""The rows of `make bench`'s table: (measure, value, goal, met), where met is True, False, or None
for a figure without a goal (a baseline, a throughput shown beside its goal's row)."""

Row = tuple[str, str, str | None, bool | None]

#: How a row that could not be measured starts its value; bench/run.py lists them after the table.
CANNOT_RUN = "CANNOT RUN: "


def cannot_run(measure: str, missing: str) -> Row:
    """The row of a measure that could not be taken for want of `missing` (a folder, a server): a
    failure, never a blank, so that `make bench` exits non-zero and says what to provide."""
    return (measure, f"{CANNOT_RUN}{missing}", "runs", False)
