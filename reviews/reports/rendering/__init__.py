"""Rendering a report (reviews.models.Report) into its file, in the worker (reviews.reports.tasks).

`render(report, progress)` picks the renderer by (kind, format) and returns the file's bytes, type
and name; it writes nothing to the database or the disk, and calls `progress(percent)` as it goes
(after loading the data, per pillar, before the layout, before writing the PDF). A report that names
what is no longer there (a lens not applied, a milestone gone) raises NothingToReport or Http404.

PDFs are made by WeasyPrint from Django templates (templates/reviews/reports/pdf/), fetching only
the project's static files (fetcher.py).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from reviews.improvement_export import CSV_TYPE, plan_filename
from reviews.models import Report
from reviews.reports.rendering import consolidated, improvement_plan, lens_review
from reviews.reports.rendering.lens_review import NothingToReport
from reviews.reports.rendering.pdf import pdf_of

__all__ = ["NothingToReport", "Rendered", "UnknownReport", "render"]

K, F = Report.Kind, Report.Format
PDF_TYPE = "application/pdf"
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class Rendered:
    """A rendered report: the file's content, its media type, and the name to download it as."""

    content: bytes
    content_type: str
    file_name: str


class UnknownReport(ValueError):
    """A (kind, format) pair that no renderer makes (report_request refuses them first)."""


def _lens_review_pdf(report: Report, progress) -> Rendered:
    context = lens_review.lens_review_context(report, progress)
    content = pdf_of(lens_review.TEMPLATE, context, progress)
    return Rendered(content, PDF_TYPE, lens_review.lens_review_file_name(report))


def _milestone_suffix(report: Report) -> str:
    return f"-milestone-{report.milestone_number}" if report.milestone_number else ""


def _plan_pdf(report: Report, progress) -> Rendered:
    plan = improvement_plan.plan_of(report, progress)
    content = pdf_of(improvement_plan.TEMPLATE, improvement_plan.plan_context(report, plan), progress)
    assert report.workload is not None  # a report of one workload
    name = plan_filename(report.workload, "pdf").removesuffix(".pdf") + _milestone_suffix(report)
    return Rendered(content, PDF_TYPE, f"{name}.pdf")


def _plan_csv(report: Report, progress) -> Rendered:
    plan = improvement_plan.plan_of(report, progress)
    content = improvement_plan.plan_as_csv(report, plan)
    progress(95)
    assert report.workload is not None  # a report of one workload
    name = plan_filename(report.workload, "csv").removesuffix(".csv") + _milestone_suffix(report)
    return Rendered(content, CSV_TYPE, f"{name}.csv")


def _consolidated_name(report: Report, extension: str) -> str:
    return f"consolidated-report-{(report.created_at or timezone.now()).date().isoformat()}.{extension}"


def _consolidated_pdf(report: Report, progress) -> Rendered:
    context = consolidated.consolidated_context(report, progress)
    content = pdf_of(consolidated.TEMPLATE, context, progress)
    return Rendered(content, PDF_TYPE, _consolidated_name(report, "pdf"))


def _consolidated_json(report: Report, progress) -> Rendered:
    content = consolidated.consolidated_json(report, progress)
    progress(95)
    return Rendered(content, JSON_TYPE, _consolidated_name(report, "json"))


RENDERERS: dict[tuple[str, str], Callable[[Report, Callable[[int], None]], Rendered]] = {
    (K.LENS_REVIEW, F.PDF): _lens_review_pdf,
    (K.IMPROVEMENT_PLAN, F.PDF): _plan_pdf,
    (K.IMPROVEMENT_PLAN, F.CSV): _plan_csv,
    (K.CONSOLIDATED, F.PDF): _consolidated_pdf,
    (K.CONSOLIDATED, F.JSON): _consolidated_json,
}


def render(report: Report, progress: Callable[[int], None]) -> Rendered:
    """The report's file (see the module docstring); UnknownReport for a pair no renderer makes."""
    renderer = RENDERERS.get((report.kind, report.format))
    if renderer is None:
        raise UnknownReport(f"no {report.format} rendering of a {report.kind} report")
    progress(5)
    return renderer(report, progress)
