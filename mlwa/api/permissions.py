"""The API's one default permission: a signed-in user, and a read-only token only reads.

What a user may do with a workload or a lens is decided by the selectors and `reviews.permissions`
in each view (404 for what they may not see, 403 for what they may see but not change)."""

from typing import TYPE_CHECKING

from rest_framework import permissions
from rest_framework.request import Request

from accounts.models import ApiToken

if TYPE_CHECKING:
    from rest_framework.views import APIView


class Authenticated(permissions.BasePermission):
    """An active, signed-in user; with a read-only token, only GET, HEAD and OPTIONS."""

    message = "This token is read-only: it may not change anything."
    code = "read_only_token"

    def has_permission(self, request: Request, view: "APIView") -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False  # DRF answers 401 when no credentials were accepted
        token = request.auth
        return not (
            isinstance(token, ApiToken) and token.read_only and request.method not in permissions.SAFE_METHODS
        )
