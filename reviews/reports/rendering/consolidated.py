"""The consolidated report: every workload the person who asked may see (every one, with "see all
workloads"), filtered as the dashboard is, with risk counts per workload and per pillar; as a PDF
(templates/reviews/reports/pdf/consolidated.html) or as JSON in the shape of the organisation-wide
risk summary (GET /api/v1/risk-summary/, reviews.selectors.summaries.risk_summary)."""

from collections.abc import Callable

import orjson
from django.conf import settings
from django.utils import timezone

from reviews.charts import risk_by_pillar_svg
from reviews.models import Report
from reviews.reports.services import report_filters
from reviews.selectors.dashboard import WorkloadFilters, matching_workloads
from reviews.selectors.risk import pillar_risk_rows
from reviews.selectors.summaries import risk_summary

TEMPLATE = "reviews/reports/pdf/consolidated.html"


def consolidated_summary(report: Report) -> dict:
    """The risk summary of the matching workloads (up to MLWA_RISK_SUMMARY_MAX): who asked, then
    risk_summary's four queries."""
    return risk_summary(
        user=report.requested_by,
        filters=report_filters(report),
        limit=settings.MLWA_RISK_SUMMARY_MAX,
    )


def consolidated_json(report: Report, progress: Callable[[int], None]) -> bytes:
    summary = consolidated_summary(report)
    progress(60)
    return orjson.dumps(summary, option=orjson.OPT_INDENT_2)


def consolidated_context(report: Report, progress: Callable[[int], None]) -> dict:
    """The summary, and the risk by pillar over the same workloads (the dashboard's chart): one
    more query."""
    summary = consolidated_summary(report)
    progress(30)
    filters = report_filters(report)
    asked_by = report.requested_by
    pillars = pillar_risk_rows(matching_workloads(user=asked_by, filters=filters).order_by())
    progress(40)
    return {
        "report": report,
        "summary": summary,
        "filters": _described(filters),
        "asked_by": asked_by.get_full_name() or asked_by.get_username(),
        "generated_at": timezone.now(),
        "pillars": pillars,
        "chart": risk_by_pillar_svg(pillars, id_prefix="report-risk") if summary["workloads"] else None,
    }


def _described(filters: WorkloadFilters) -> list[tuple[str, str]]:
    """The filters chosen, as (name, value) for the cover."""
    shown = [
        ("Search", filters.search),
        ("Environment", filters.environment),
        ("Whose", filters.ownership),
        ("Lens", filters.lens),
        ("Tag", filters.tag),
        ("Owner", filters.owner),
        ("Has high risks", {True: "yes", False: "no", None: ""}[filters.has_high]),
    ]
    return [(name, value) for name, value in shown if value]
