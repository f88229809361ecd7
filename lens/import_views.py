"""The lens library's other ways in: a lens imported from a URL, and the lens catalog's files added
(to the instance, or as one's own lens) or, when a file has changed, imported as a new draft.

Each counts as an import for MLWA_API_RATE_HEAVY, as the file upload does (lens.views.import_lens).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext

from lens.access import managed_lens
from lens.catalog import lens_add_from_catalog, lens_update_from_catalog
from lens.format import LensRefused
from lens.forms import CatalogAddForm, LensUrlImportForm, add_refusal
from lens.permissions import can_manage_instance_lenses
from lens.services import ImportResult, LensActionRefused
from lens.url_import import lens_import_from_url
from mlwa.heavy import heavy_refusal
from mlwa.post_only import post_only
from mlwa.types import signed_in


def _imported(request: HttpRequest, result: ImportResult, done: str) -> HttpResponse:
    count = len(result.warnings)
    warnings = ngettext("%(count)d warning", "%(count)d warnings", count) % {"count": count}
    messages.success(request, f"{done} “{result.lens.name}”, with {warnings}.")
    label = result.version.label or "draft"
    return redirect(f"{reverse('lens:detail', args=[result.lens.alias])}?version={label}")


@login_required
def import_url(request: HttpRequest) -> HttpResponse:
    """Fetch a lens file from an https URL and import it as a draft, as an upload is."""
    if (refused := heavy_refusal(request)) is not None:
        return refused
    form = LensUrlImportForm(request.POST if request.method == "POST" else None)
    problems = []
    if form.is_valid():
        try:
            result = lens_import_from_url(
                url=form.cleaned_data["url"],
                owner=signed_in(request.user),
                alias=form.cleaned_data["alias"] or None,
                created_by=signed_in(request.user),
            )
        except LensRefused as refusal:
            problems = refusal.problems
        except LensActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            return _imported(request, result, "Imported as a draft:")
    status = 400 if form.is_bound else 200
    return render(request, "lens/import_url.html", {"form": form, "problems": problems}, status=status)


@login_required
@post_only("lens:library")
def catalog_add(request: HttpRequest) -> HttpResponse:
    """Add a catalog file as a published lens: the instance's (administrators) or the user's own."""
    if (refused := heavy_refusal(request)) is not None:
        return refused
    form = CatalogAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a lens of the catalog to add.")
        return redirect("lens:library")
    user = signed_in(request.user)
    instance = form.cleaned_data["scope"] == "instance"
    if instance and not can_manage_instance_lenses(user):
        raise PermissionDenied("Only administrators add lenses to the instance.")
    try:
        result = lens_add_from_catalog(
            filename=form.cleaned_data["file"], owner=None if instance else user, actor=user
        )
    except LensRefused as refusal:
        messages.error(request, f"The file was not added: {refusal}")
    except LensActionRefused as refusal:
        messages.error(request, f"The file was not added: {refusal.message}")
    else:
        done = "Added to this instance:" if instance else "Added as your lens:"
        return _imported(request, result, done)
    return redirect("lens:library")


@login_required
@post_only("lens:library")
def catalog_update(request: HttpRequest, alias: str) -> HttpResponse:
    """Import the changed catalog file of a lens as its draft, to compare and publish."""
    if (refused := heavy_refusal(request)) is not None:
        return refused
    lens = managed_lens(request, alias)
    try:
        result = lens_update_from_catalog(lens=lens, actor=signed_in(request.user))
    except LensRefused as refusal:
        messages.error(request, f"The changed file was not imported: {refusal}")
    except LensActionRefused as refusal:
        messages.error(request, f"The changed file was not imported: {refusal.message}")
    else:
        return _imported(request, result, "The catalog's new version is the draft of")
    return redirect("lens:library")
