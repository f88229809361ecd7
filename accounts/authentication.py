"""How REST clients authenticate (DRF authentication): `Authorization: Token <key>`, and HTTP Basic
with a password, which only token creation accepts and django-axes throttles (accounts.lockout)."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, status

from accounts.lockout import lockout_message
from accounts.selectors import token_for_key


class TokenAuthentication(authentication.BaseAuthentication):
    """Authenticates a request by its API token; `request.auth` is then the ApiToken."""

    keyword = "Token"

    def authenticate(self, request):
        words = authentication.get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None  # no token: another authentication may apply
        if len(words) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as `Authorization: Token <key>`."))
        try:
            key = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token.")) from None
        token = token_for_key(key)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return self.keyword


class LockedOut(exceptions.APIException):
    """429: too many failed logins of this username from this address (django-axes)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self):
        super().__init__(lockout_message())
        # Read by mlwa.api.errors.exception_handler for Retry-After: the longest wait it can be.
        self.wait = settings.AXES_COOLOFF_TIME.total_seconds()


class PasswordAuthentication(authentication.BasicAuthentication):
    """HTTP Basic, counted by django-axes as the login page is: `authenticate(request=...)` records
    a failure, refuses a locked-out username and address (answered 429 here) and a success resets
    their count. DRF's Request is not the HttpRequest that axes' middleware sees, so the lockout is
    read here, from the flag axes sets on the request it was given."""

    def authenticate_credentials(self, userid, password, request=None):
        try:
            user, auth = super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if getattr(request, "axes_locked_out", False):
                raise LockedOut() from None
            raise
        # The login page's success resets through the user_logged_in signal; an API login sends none.
        if getattr(request, "axes_ip_address", None):
            axes_reset(ip=request.axes_ip_address, username=user.get_username())
        return user, auth
