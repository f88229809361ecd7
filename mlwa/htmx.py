"""htmx and the login page: an htmx request whose session has ended must not swap the login form
into a fragment of the page. Such a redirect becomes `HX-Redirect`, which sends the whole page to
the login form, with `next` set to the page the person was on."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


class HtmxLoginRedirectMiddleware:
    """Turns a redirect to the login page, answered to an htmx request, into `HX-Redirect`.
    Runs inside django_htmx's middleware, which sets `request.htmx`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not (request.htmx and response.status_code == 302):
            return response
        login_path = urlsplit(resolve_url(settings.LOGIN_URL)).path
        if urlsplit(response["Location"]).path != login_path:
            return response
        # The page the person is on, not the fragment's URL: they come back to it after logging in.
        current = urlsplit(request.htmx.current_url or request.get_full_path())
        page = current.path + (f"?{current.query}" if current.query else "")
        return HttpResponseClientRedirect(redirect_to_login(page)["Location"])
