"""A workload's milestones: the list (where the owner saves one), a milestone's overview, and its
questionnaire, read-only.

Everyone who may see the workload sees its milestones (outsiders get a 404); only the owner saves one
(a contributor, reader or auditor gets a 403). A milestone never changes, so its pages only show
what it froze: no form, no polling, no link to the live answers' history. Its questionnaire is the
live one's page (reviews.views.questionnaire.question_page), built from the frozen rows.
"""

from contextlib import suppress

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from mlwa.forms import add_invalid_input
from reviews.access import workload_or_404
from reviews.forms.milestones import MilestoneForm
from reviews.models import Workload
from reviews.permissions import Action, can
from reviews.selectors.milestones import (
    milestone_lens_review_or_404,
    milestone_lenses,
    milestone_list,
    milestone_or_404,
)
from reviews.selectors.questionnaire import FILTERS, question_answer
from reviews.services import InvalidInput
from reviews.services.milestones import milestone_create
from reviews.views.questionnaire import question_page
from reviews.views.workload_page import http_link


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def milestones(request, pk: int):
    """The workload's milestones, newest first; the owner's POST saves the workload as the next one."""
    saving = request.method == "POST"
    workload, role = workload_or_404(request, pk, Action.EDIT if saving else Action.VIEW)
    form = MilestoneForm(request.POST if saving else None)
    if form.is_valid():
        try:
            milestone = milestone_create(
                workload=workload, actor=request.user, name=form.cleaned_data["name"]
            )
        except InvalidInput as error:
            add_invalid_input(form, error)
        else:
            messages.success(request, f"Saved milestone {milestone.number}, “{milestone.name}”.")
            return redirect("reviews:milestone", pk=workload.pk, number=milestone.number)
    context = {
        "workload": workload,
        "role": role,
        "is_owner": can(role, Action.EDIT),
        "milestones": list(milestone_list(workload)),
        "form": form,
    }
    return render(request, "reviews/milestones/list.html", context, status=400 if form.is_bound else 200)


def _frozen_fields(fields: dict) -> dict:
    """The workload's fields as the milestone keeps them, ready to show (the environment by its label,
    the design URL as a link only if it is http(s))."""
    environment = fields.get("environment", "")
    with suppress(ValueError):  # a value no longer offered is shown as stored
        environment = Workload.Environment(environment).label
    return {
        **fields,
        "environment_label": environment,
        "design_link": http_link(fields.get("architectural_design_url", "")),
    }


@login_required
@require_safe
def milestone(request, pk: int, number: int):
    """A milestone's overview: the workload's fields and every lens review as they were saved."""
    workload, role = workload_or_404(request, pk)
    milestone = milestone_or_404(workload, number)
    context = {
        "workload": workload,
        "role": role,
        "milestone": milestone,
        "fields": _frozen_fields(milestone.workload_fields),
        "lenses": milestone_lenses(milestone),
    }
    return render(request, "reviews/milestones/detail.html", context)


@login_required
@require_safe
def question(request, pk: int, number: int, alias: str, question_id: str):
    """One question of a milestone's questionnaire, read-only: the live page's queries, no more."""
    workload, role = workload_or_404(request, pk)
    frozen = milestone_lens_review_or_404(workload, number, alias)
    answer = question_answer(lens_review=frozen, question_id=question_id)
    filter_name = request.GET.get("filter", "")
    filter_name = filter_name if filter_name in FILTERS else ""
    return question_page(request, workload, role, frozen, answer, filter_name, milestone=frozen.milestone)
