"""Type aliases shared by the layers' signatures."""

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied

#: Whom a read is made for: a signed-in user, or the anonymous one, whom the selectors show nothing.
#: What `request.user` is, so that views hand it on as it is.
Reader = User | AnonymousUser


def signed_in(user: Reader) -> User:
    """`user` as the signed-in actor the services take. Every view that writes requires a signed-in
    user already (the API's permission classes, the pages' login_required); should one not, the
    anonymous user is refused here (403) rather than reach a service."""
    if not isinstance(user, User):
        raise PermissionDenied
    return user
