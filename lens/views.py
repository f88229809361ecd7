"""The lens library in the browser: list, read, import, publish, compare, export, share and delete.

Every view finds its lens through lens.access (`Lens.objects.visible_to`), so a lens the user may
not see is a 404 (its existence does not leak); managing it (publish, share, delete) takes
`can_manage`, else a 403. Each view reads its input, calls one service or selector, and renders.
"""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import ngettext

from lens import services
from lens.access import managed_lens, requested_version, visible_lens
from lens.catalog import catalog_entries
from lens.diff import version_diff
from lens.format import AwsLimitsExceeded, LensRefused, write_lens, write_lens_for_aws
from lens.forms import LensImportForm, LensPublishForm, LensShareForm, LensUnshareForm, add_refusal
from lens.models import Lens, LensVersion
from lens.permissions import can_manage, can_manage_instance_lenses
from lens.selectors import (
    lens_versions,
    library_entries,
    previous_published_version,
    version_by_label,
    version_content,
    version_document,
)
from lens.services import LensActionRefused
from mlwa.heavy import heavy_refusal
from mlwa.post_only import post_only
from mlwa.types import signed_in

TRUE_VALUES = {"1", "true", "yes", "on"}


def _lens_url(lens: Lens, version: LensVersion | None = None) -> str:
    url = reverse("lens:detail", args=[lens.alias])
    return f"{url}?{urlencode({'version': version.label or 'draft'})}" if version else url


@login_required
def library(request: HttpRequest) -> HttpResponse:
    entries = library_entries(user=request.user)
    context = {
        "entries": entries,
        "only_builtin": all(entry.lens.is_builtin for entry in entries),
        "catalog": catalog_entries(user=request.user),
        "adds_to_instance": can_manage_instance_lenses(request.user),
    }
    return render(request, "lens/library.html", context)


@login_required
def detail(request: HttpRequest, alias: str) -> HttpResponse:
    lens = visible_lens(request, alias)
    manager = can_manage(request.user, lens)
    version = requested_version(lens, request.GET.get("version"), manager=manager)
    versions = lens_versions(lens, include_draft=manager)
    draft = next((v for v in versions if v.status == LensVersion.Status.DRAFT), None)
    context = {
        "lens": lens,
        "manager": manager,
        "versions": versions,
        "version": version,
        "draft": draft,
        "pillars": version_content(version) if version else [],
        "publish_form": LensPublishForm() if draft else None,
    }
    return render(request, "lens/detail.html", context)


@login_required
def import_lens(request: HttpRequest) -> HttpResponse:
    if (refused := heavy_refusal(request)) is not None:  # MLWA_API_RATE_HEAVY, with the API's imports
        return refused
    posted = request.method == "POST"
    form = LensImportForm(request.POST if posted else None, request.FILES if posted else None)
    problems = []
    if form.is_valid():
        try:
            result = services.lens_import(
                source=form.cleaned_data["file"].read(),
                owner=signed_in(request.user),
                alias=form.cleaned_data["alias"] or None,
                created_by=signed_in(request.user),
            )
        except LensRefused as refusal:
            problems = refusal.problems
        except LensActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            count = len(result.warnings)
            messages.success(
                request,
                ngettext(
                    "Imported “%(name)s” as a draft, with %(count)d warning.",
                    "Imported “%(name)s” as a draft, with %(count)d warnings.",
                    count,
                )
                % {"name": result.lens.name, "count": count},
            )
            return redirect(_lens_url(result.lens, result.version))
    status = 400 if posted else 200
    return render(request, "lens/import.html", {"form": form, "problems": problems}, status=status)


@login_required
def publish(request: HttpRequest, alias: str) -> HttpResponse:
    lens = managed_lens(request, alias)
    form = LensPublishForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            version = services.lens_publish(
                lens=lens,
                label=form.cleaned_data["label"],
                major=form.cleaned_data["major"],
                actor=signed_in(request.user),
            )
        except LensActionRefused as refusal:
            add_refusal(form, refusal)
        else:
            messages.success(
                request, f"Published version {version.label} ({version.get_kind_display().lower()})."
            )
            return redirect(_lens_url(lens, version))
    draft = version_by_label(lens, "draft", include_draft=True)
    status = 400 if form.is_bound else 200
    return render(request, "lens/publish.html", {"lens": lens, "draft": draft, "form": form}, status=status)


@login_required
def diff(request: HttpRequest, alias: str) -> HttpResponse:
    """What changed between two versions; by default from the previous published version to the
    draft (for a manager) or to the newest published version."""
    lens = visible_lens(request, alias)
    manager = can_manage(request.user, lens)
    versions = lens_versions(lens, include_draft=manager)
    to_label, from_label = request.GET.get("to"), request.GET.get("from")
    new = requested_version(lens, to_label, manager=manager) if to_label else next(iter(versions), None)
    if from_label:
        old = requested_version(lens, from_label, manager=manager)
    else:
        old = previous_published_version(new) if new else None
    changes = version_diff(version_document(old), version_document(new)) if old and new else []
    context = {"lens": lens, "versions": versions, "old": old, "new": new, "changes": changes}
    return render(request, "lens/diff.html", context)


@login_required
def export(request: HttpRequest, alias: str) -> HttpResponse:
    """The version as a lens file, written from its rows; with `aws=1`, as the AWS tool accepts it."""
    lens = visible_lens(request, alias)
    version = requested_version(lens, request.GET.get("version"), manager=can_manage(request.user, lens))
    if version is None:
        raise Http404("This lens has no published version yet.")
    for_aws = request.GET.get("aws", "").lower() in TRUE_VALUES
    document = version_document(version)
    try:
        content = write_lens_for_aws(document) if for_aws else write_lens(document)
    except AwsLimitsExceeded as refusal:
        context = {"lens": lens, "version": version, "problems": refusal.problems}
        return render(request, "lens/export_refused.html", context, status=409)
    filename = f"{lens.alias}-{version.label or 'draft'}{'-aws' if for_aws else ''}.json"
    response = HttpResponse(
        json.dumps(content, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)  # type: ignore[assignment]  # never None for an attachment
    return response


@login_required
def share(request: HttpRequest, alias: str) -> HttpResponse:
    lens = managed_lens(request, alias)
    form = LensShareForm(
        request.POST if request.method == "POST" else None, initial={"everyone": lens.shared_with_everyone}
    )
    if form.is_valid():
        services.lens_share(
            lens=lens,
            users=form.cleaned_data["users"],
            groups=form.cleaned_data["groups"],
            everyone=form.cleaned_data["everyone"],
        )
        messages.success(request, "Sharing updated.")
        return redirect("lens:share", alias=lens.alias)
    context = {
        "lens": lens,
        "form": form,
        "users": lens.shared_with_users.order_by("username"),
        "groups": lens.shared_with_groups.order_by("name"),
    }
    return render(request, "lens/share.html", context, status=400 if form.is_bound else 200)


@login_required
@post_only("lens:share", kwargs=("alias",))
def unshare(request: HttpRequest, alias: str) -> HttpResponse:
    lens = managed_lens(request, alias)
    form = LensUnshareForm(request.POST, lens=lens)
    if form.is_valid():
        user, group = form.cleaned_data["user"], form.cleaned_data["group"]
        services.lens_unshare(
            lens=lens,
            users=[user] if user else (),
            groups=[group] if group else (),
            everyone=form.cleaned_data["everyone"],
        )
        messages.success(
            request,
            "Sharing updated. Reviews that already use the lens keep the version they have, and get no "
            "newer version while their workload's owner cannot see the lens.",
        )
    else:
        messages.error(request, "This lens is not shared that way.")
    return redirect("lens:share", alias=lens.alias)


@login_required
def delete(request: HttpRequest, alias: str) -> HttpResponse:
    """A confirmation page; the POST deletes the lens and every version, unless it is refused."""
    lens = managed_lens(request, alias)
    if request.method == "POST":
        try:
            services.lens_delete(lens=lens)
        except LensActionRefused as refusal:  # LensInUse too
            return render(request, "lens/delete.html", {"lens": lens, "refusal": refusal}, status=409)
        messages.success(request, f"Deleted the lens “{lens.name}”.")
        return redirect("lens:library")
    return render(request, "lens/delete.html", {"lens": lens})
