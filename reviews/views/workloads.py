"""A workload's pages: create it, the workload page, edit, hand over, delete, and its event log.

Every view finds the workload with `workload_or_404` (404 for outsiders, 403 for a role that may see
it but not do this), parses with a form, calls one service, and redirects with a message (PRG); a
refusal re-renders the form with status 400 and the errors on their fields; an edit read before
someone else's change is refused with 409 and names what changed (mlwa.stale_forms). Applying and removing
lenses are in reviews.views.workload_lenses, and share the workload page (`workload_page`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from mlwa.forms import add_invalid_input
from mlwa.stale_forms import SEEN_FIELD, StaleForm, seen_tags, unchanged_since
from reviews import services
from reviews.access import workload_or_404
from reviews.forms.workloads import TransferForm, WorkloadCreateForm, WorkloadForm
from reviews.models import Workload
from reviews.permissions import Action
from reviews.selectors.workload_page import (
    applied_lenses,
    newest_versions,
    pillar_choices,
    workload_events,
    workload_pillar_choices,
)
from reviews.services import InvalidInput
from reviews.views.workload_lenses import apply_lens, remove_lens
from reviews.views.workload_page import with_change_rows, workload_page

EVENTS_PER_PAGE = 50


@login_required
def create(request):
    """A new workload owned by the user, with the lenses ticked (the built-in one by default)."""
    versions = newest_versions(user=request.user)
    # Priorities may name the pillars of any lens offered; the service holds them to those applied.
    form = WorkloadCreateForm(
        request.POST if request.method == "POST" else None,
        lens_versions=versions,
        pillars=pillar_choices(versions),
    )
    if form.is_valid():
        try:
            workload = services.workload_create(
                owner=request.user, fields=form.workload_fields(), lens_versions=form.lens_versions()
            )
        except InvalidInput as error:
            add_invalid_input(form, error, {"lens": "lenses"})
        else:
            messages.success(request, f"Created the workload “{workload.name}”.")
            return redirect("reviews:workload", pk=workload.pk)
    status = 400 if form.is_bound else 200
    return render(request, "reviews/workloads/form.html", {"form": form}, status=status)


@login_required
def detail(request, pk: int):
    """The workload page, for everyone who may see the workload."""
    workload, role = workload_or_404(request, pk)
    return workload_page(request, workload, role)


def _edited_fields(workload: Workload) -> dict:
    return {field: getattr(workload, field) for field in services.WORKLOAD_FIELDS}


def edit_form_seen(workload: Workload) -> str:
    """The `seen` field of the workload's edit form, as the page would show it now (a query)."""
    return seen_tags(_stored_fields(workload.pk)())


def _stored_fields(pk: int):
    """The stored values of the fields the edit form shows (read under the caller's lock)."""
    return lambda: _edited_fields(Workload.objects.get(pk=pk))


@login_required
def edit(request, pk: int):
    """The owner changes the workload's fields; the event lists each change, before and after. A form
    read before someone else changed one of them saves nothing (409) and names the fields changed."""
    workload, _role = workload_or_404(request, pk, Action.EDIT)
    name = workload.name  # the page's title and breadcrumbs show the stored name, not the one typed
    seen, status = seen_tags(_edited_fields(workload)), 200
    pillars = workload_pillar_choices(workload)
    if request.method == "POST":
        form = WorkloadForm(request.POST, pillars=pillars, stored=workload)
        seen, status = request.POST.get(SEEN_FIELD, ""), 400
        if form.is_valid():
            try:
                lock = Workload.objects.filter(pk=workload.pk)
                with unchanged_since(seen, lock=lock, values=_stored_fields(workload.pk)):
                    services.workload_update(
                        workload=workload, actor=request.user, fields=form.workload_fields()
                    )
            except InvalidInput as error:
                add_invalid_input(form, error)
            except StaleForm as stale:
                seen, status = stale.seen, 409
                labels = [str(form.fields[field].label or field.replace("_", " ")) for field in stale.changed]
                form.add_error(
                    None,
                    f"Someone changed this workload since you opened this page: {', '.join(labels)}. "
                    "Nothing was saved. Your changes are below (the stored ones are on the workload's "
                    "page): save again to replace them with yours.",
                )
            else:
                messages.success(request, "Saved the workload's details.")
                return redirect("reviews:workload", pk=workload.pk)
    else:
        form = WorkloadForm(initial=_edited_fields(workload), pillars=pillars, stored=workload)
    context = {"form": form, "workload": workload, "name": name, "seen": seen}
    return render(request, "reviews/workloads/form.html", context, status=status)


@login_required
def delete(request, pk: int):
    """A confirmation page naming what goes with the workload; the POST deletes it."""
    workload, _role = workload_or_404(request, pk, Action.ADMINISTER)
    if request.method == "POST":
        name = workload.name
        services.workload_delete(workload=workload, actor=request.user)
        messages.success(request, f"Deleted the workload “{name}” with its lens reviews and answers.")
        return redirect("reviews:dashboard")
    lenses = applied_lenses(workload)
    context = {
        "workload": workload,
        "lenses": lenses,
        "answered": sum(lens.counts.answered for lens in lenses),
        "questions": sum(lens.counts.total for lens in lenses),
    }
    return render(request, "reviews/workloads/delete.html", context)


@login_required
def transfer(request, pk: int):
    """Hand the workload to another user; the former owner stays on as a contributor."""
    workload, _role = workload_or_404(request, pk, Action.ADMINISTER)
    form = TransferForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        new_owner = form.cleaned_data["username"]
        try:
            services.workload_transfer(workload=workload, actor=request.user, new_owner=new_owner)
        except InvalidInput as error:
            add_invalid_input(form, error, {"owner": "username"})
        else:
            messages.success(
                request,
                f"{new_owner.get_username()} now owns “{workload.name}”; you stay on as a contributor.",
            )
            return redirect("reviews:workload", pk=workload.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "reviews/workloads/transfer.html", {"workload": workload, "form": form}, status=status
    )


@login_required
def events(request, pk: int):
    """The workload's whole event log, newest first, EVENTS_PER_PAGE a page."""
    workload, _role = workload_or_404(request, pk)
    page = Paginator(workload_events(workload), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"workload": workload, "page": page, "events": with_change_rows(page.object_list)}
    return render(request, "reviews/workloads/events.html", context)


# apply_lens and remove_lens are routed through this module (reviews/urls.py).
__all__ = ["apply_lens", "create", "delete", "detail", "edit", "events", "remove_lens", "transfer"]
