"""The site's error pages: JSON under /api/, Django's pages elsewhere. (The account page is in
accounts.views.)"""

from django.views import defaults

from mlwa.api.errors import json_error


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def server_error(request):
    """500: JSON under /api/, Django's page elsewhere. (A 404 under /api/ is JSON through
    mlwa.middleware.ApiNotFoundMiddleware, with DEBUG on too.)"""
    if _is_api(request):
        return json_error(500, "server_error", "The server failed to answer; the error is logged.")
    return defaults.server_error(request)
