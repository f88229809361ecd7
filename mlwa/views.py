"""The site's error pages: JSON under /api/, the site's own pages elsewhere, each saying what happened
and what to do. (The account page is in accounts.views; a 405 of a page is mlwa.middleware's.)

400 and 500 render without the request's context (as Django's handlers do): a failing database or
session must not fail the error page too, so those two show no user. 403 and 404 render with it."""

from urllib.parse import urlsplit

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from mlwa.api.errors import json_error


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _referer_path(request) -> str:
    """The Referer as a path on this site (path and query only: a link to another site, or a
    `javascript:` URL, cannot come out of it), or ""."""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    if not referer.path.startswith("/"):
        return ""
    return referer.path + (f"?{referer.query}" if referer.query else "")


def back_path(request) -> str:
    """The page the person came from, on this site, or "" if there is none or it is the page that failed."""
    path = _referer_path(request)
    return "" if urlsplit(path).path == request.path else path


def bad_request(request, exception, template_name="400.html"):
    """400 (a request Django refused before any view, e.g. a malformed one): the site's page."""
    template = loader.get_template(template_name)
    return HttpResponseBadRequest(template.render({"back": back_path(request)}))


@requires_csrf_token
def permission_denied(request, exception, template_name="403.html"):
    """403: what the person may not do (the refusal's own words, reviews.access.REFUSED), and the way back."""
    context = {"reason": str(exception), "back": back_path(request)}
    return render(request, template_name, context, status=403)


@requires_csrf_token
def page_not_found(request, exception, template_name="404.html"):
    """404: nothing here, or nothing this person may see (outsiders get 404s, not 403s)."""
    return render(request, template_name, {"back": back_path(request)}, status=404)


@requires_csrf_token
def csrf_failure(request, reason: str = "", template_name="403_csrf.html"):
    """403 for a form whose CSRF check failed (settings.CSRF_FAILURE_VIEW): most often a page left
    open across a logout or a login elsewhere. Nothing was saved: log in again, or reload the form."""
    # The form's page (a POST-only URL opened by GET leads there too): where to come back after logging in.
    back = _referer_path(request) or request.path
    return render(request, template_name, {"back": back}, status=403)


def server_error(request):
    """500: JSON under /api/, the site's page elsewhere (rendered without the request's context, by
    Django's handler). (A 404 under /api/ is JSON through mlwa.middleware.ApiNotFoundMiddleware,
    with DEBUG on too.)"""
    if _is_api(request):
        return json_error(500, "server_error", "The server failed to answer; the error is logged.")
    return defaults.server_error(request)
