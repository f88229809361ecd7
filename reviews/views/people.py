"""Who else may see or change a workload: the shares, and for the owner, sharing with a user or a
group (a team), changing a share's role and revoking it. Others who see the workload see the list
read-only; a share is always looked up within the workload in the URL (another's is a 404). A role
form read before someone else changed that share's role saves nothing (409, mlwa.stale_forms).

Sharing with someone who cannot open one of the workload's lenses shows a warning first, and offers
to share those lenses too, in the same confirmed step (reviews.services.sharing.LensesHidden).
"Stop sharing" asks first: a page without JavaScript, a dialog with it (static/js/people-picker.js).
The people picker searches users and teams as one types (`people_search`, a page without htmx)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_safe

from accounts.selectors import PEOPLE_MAX_LENGTH, PEOPLE_MAX_RESULTS, PEOPLE_MIN_LENGTH, people_search
from lens.permissions import can_manage
from mlwa.api.params import BIGINT_MAX, whole_number
from mlwa.forms import add_invalid_input
from mlwa.post_only import post_only
from mlwa.stale_forms import SEEN_FIELD, StaleForm, seen_tags, unchanged_since
from reviews import services
from reviews.access import workload_or_404
from reviews.forms.workloads import RoleForm, ShareForm
from reviews.models import Share, Workload
from reviews.permissions import Action, Role, can
from reviews.selectors.workload_page import workload_shares
from reviews.services import InvalidInput
from reviews.services.sharing import LENSES_FIELD, LensesHidden


def _page(request, workload: Workload, role: Role, *, form=None, failed=None, hidden=None, status: int = 200):
    """The people page; `failed` is (share pk, role form) when a role change was refused; `hidden`
    the lenses the person about to be shared with cannot open (the warning to confirm)."""
    owner = can(role, Action.ADMINISTER)
    # Each share beside its role form's `seen`, made from the role just read (no query of its own).
    shares = [(share, seen_tags({"role": share.role})) for share in workload_shares(workload)]
    context = {
        "workload": workload,
        "role": role,
        "is_owner": owner,
        "shares": shares,
        "form": (form or ShareForm()) if owner else None,
        "role_choices": Share.Role.choices,
        "failed_share": failed[0] if failed else None,
        "failed_form": failed[1] if failed else None,
        "hidden_lenses": [(lens, can_manage(request.user, lens)) for lens in hidden or ()],
        "grantee": _grantee(form) if hidden else None,
        "role_label": Share.Role(form.cleaned_data["role"]).label.lower() if hidden else "",
        "lenses_field": LENSES_FIELD,
        "min_length": PEOPLE_MIN_LENGTH,
    }
    return render(request, "reviews/people/page.html", context, status=status)


def _grantee(form: ShareForm) -> str:
    """Who a valid share form names, as the warning calls them: "alice", "the team ml-team"."""
    if form.cleaned_data["user"] is not None:
        return form.cleaned_data["user"].get_username()
    return f"the team {form.cleaned_data['group'].name}"


def _role_of(share_pk: int) -> dict:
    """What a share's role form edits, as stored now (None once the share is revoked)."""
    return {"role": Share.objects.filter(pk=share_pk).values_list("role", flat=True).first()}


def role_form_seen(share: Share) -> str:
    """The `seen` field of a share's role form, as the people page would show it now (a query)."""
    return seen_tags(_role_of(share.pk))


def _share_or_404(workload: Workload, share_pk: int) -> Share:
    # Within this workload only: a share of another workload is a 404, whoever asks.
    return get_object_or_404(Share.objects.select_related("user", "group"), pk=share_pk, workload=workload)


@login_required
def people(request, pk: int):
    """The shares; the owner's POST shares with one more user or group."""
    if request.method != "POST":
        workload, role = workload_or_404(request, pk)
        return _page(request, workload, role)
    workload, role = workload_or_404(request, pk, Action.ADMINISTER)
    form = ShareForm(request.POST)
    if form.is_valid():
        grantee = form.cleaned_data["user"] or form.cleaned_data["group"]
        try:
            share = services.share_grant(
                workload=workload,
                actor=request.user,
                role=form.cleaned_data["role"],
                user=form.cleaned_data["user"],
                group=form.cleaned_data["group"],
                lenses_seen=_pks(request.POST.getlist("lenses_seen")),
                lenses_to_share=_pks(request.POST.getlist(LENSES_FIELD)),
            )
        except LensesHidden as warning:
            # Not an error: what the owner must know before the share is made, to confirm.
            return _page(request, workload, role, form=form, hidden=warning.lenses)
        except InvalidInput as error:
            add_invalid_input(form, error)
        else:
            messages.success(request, f"Shared with {grantee} as {share.get_role_display().lower()}.")
            return redirect("reviews:people", pk=workload.pk)
    return _page(request, workload, role, form=form, status=400)


@login_required
@post_only("reviews:people", kwargs=("pk",))
def change_role(request, pk: int, share_pk: int):
    """The owner makes a share contributor or reader."""
    workload, role = workload_or_404(request, pk, Action.ADMINISTER)
    share = _share_or_404(workload, share_pk)
    share.workload = workload  # loaded already; the service logs the event on it
    form, status = RoleForm(request.POST), 400
    if form.is_valid():
        try:
            seen, lock = request.POST.get(SEEN_FIELD, ""), Share.objects.filter(pk=share.pk)
            with unchanged_since(seen, lock=lock, values=lambda: _role_of(share.pk)):
                services.share_change_role(share=share, actor=request.user, role=form.cleaned_data["role"])
        except InvalidInput as error:
            add_invalid_input(form, error)
        except StaleForm:
            status = 409
            form.add_error(
                None,
                f"Someone changed the role of {share.grantee} since you opened this page: it is shown "
                "as stored now. Nothing was saved; choose again.",
            )
        else:
            messages.success(request, f"{share.grantee} is now {share.get_role_display().lower()}.")
            return redirect("reviews:people", pk=workload.pk)
    return _page(request, workload, role, failed=(share.pk, form), status=status)


def _pks(raw: list[str]) -> set[int]:
    """The lens pks a confirmation form sent back; anything but a whole number is no lens."""
    return {pk for value in raw if (pk := whole_number(value, maximum=BIGINT_MAX)) is not None}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def revoke(request, pk: int, share_pk: int):
    """A page asking whether to stop sharing (the JavaScript dialog asks the same); the POST, the
    owner's, stops sharing with a user or a group."""
    workload, _role = workload_or_404(request, pk, Action.ADMINISTER)
    share = _share_or_404(workload, share_pk)
    share.workload = workload
    if request.method != "POST":
        return render(request, "reviews/people/revoke.html", {"workload": workload, "share": share})
    services.share_revoke(share=share, actor=request.user)
    messages.success(request, f"Stopped sharing with {share.grantee}.")
    return redirect("reviews:people", pk=workload.pk)


@login_required
@require_safe
def search(request):
    """Active users and teams whose name or username holds `q` (accounts.selectors.people_search):
    for htmx, the picker's listbox options; otherwise a page of its own, which works without
    JavaScript. Queries: session, user, users, teams."""
    text = request.GET.get("q", "")
    listing = request.htmx and not request.htmx.history_restore_request
    context = {
        "people": people_search(text=text),
        "text": " ".join(text.split()),
        "min_length": PEOPLE_MIN_LENGTH,
        "max_length": PEOPLE_MAX_LENGTH,
        "max_results": PEOPLE_MAX_RESULTS,
    }
    template = "reviews/people/_options.html" if listing else "reviews/people/search.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # two bodies at one URL
    return response
