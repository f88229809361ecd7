"""The improvement plan report: a workload's plan with its tracking, as the page orders it, as a
PDF (templates/reviews/reports/pdf/improvement_plan.html) or a CSV (reviews.improvement_export,
whose cells never start like a formula)."""

from collections.abc import Callable

from django.utils import timezone

from reviews.improvement_export import plan_csv
from reviews.models import Report
from reviews.reports.rendering.lens_review import plan_sections, practice_with_plans
from reviews.selectors.improvements import Plan, improvement_plan, with_practices
from reviews.selectors.states import state_of

TEMPLATE = "reviews/reports/pdf/improvement_plan.html"


def plan_of(report: Report, progress: Callable[[int], None]) -> Plan:
    """The whole plan (every lens, no filter), now or at the report's milestone, with the practices
    missing and their improvement plans. Queries: the workload (unless loaded with the report), the
    milestone (for one), the lens reviews, the items, the answers, the choices, the resources."""
    assert report.workload is not None  # a report of one workload
    state = state_of(report.workload, report.milestone_number)
    plan = improvement_plan(state)
    with_practices(plan.rows)
    progress(30)
    return plan


def plan_context(report: Report, plan: Plan) -> dict:
    """What the template needs (and who asked: one query, unless loaded with the report)."""
    asked_by = report.requested_by
    return {
        "report": report,
        "workload": report.workload,
        "asked_by": asked_by.get_full_name() or asked_by.get_username(),
        "generated_at": timezone.now(),
        "lenses": plan.lenses,
        "plan_sections": plan_sections(plan.rows),
        "details": [
            (row, [practice_with_plans(p.title, p.resources) for p in row.missing])
            for row in plan.rows
            if row.missing
        ],
    }


def plan_as_csv(report: Report, plan: Plan) -> bytes:
    assert report.workload is not None  # a report of one workload
    return plan_csv(report.workload, plan.rows)
