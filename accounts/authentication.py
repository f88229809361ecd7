"""`Authorization: Token <key>` for REST clients (DRF authentication)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

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
