"""The base classes of every API view.

- Rate limits are checked before permissions, so that anonymous clients, and clients with a bad
  token or password, are counted too (DRF checks permissions first, and a refused request would
  never reach the throttles).
- Text with a NUL character is refused (400, naming where it is), in the query and in a JSON body:
  no database stores it (PostgreSQL refuses it outright), and the services take JSON values as
  they come, so the check is made once, here, before any of them.
"""

from collections.abc import Iterator

from rest_framework import exceptions, generics, views, viewsets

NUL = "\x00"


def _texts_with_nul(value, path: str) -> Iterator[str]:
    """The paths of the strings (keys included) in a JSON value that hold a NUL character."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and NUL in key:
                yield child
            else:
                yield from _texts_with_nul(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts_with_nul(item, f"{path}.{index}" if path else str(index))


class ApiViewMixin:
    """What every API view does before its handler: rate limits first, then no NUL in any text.

    `check_body_text = False` (on a view, or on an @action) leaves the body to the view: the lens
    import reads the bytes itself and refuses a NUL at its JSON path."""

    check_body_text = True

    def perform_authentication(self, request):
        try:
            request.user  # noqa: B018 - authenticates
        except exceptions.AuthenticationFailed:
            self.check_throttles(request)  # as the anonymous client it now is: 429 before 401
            raise

    def check_permissions(self, request):
        self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        if getattr(request, "_mlwa_throttles_checked", False):  # DRF calls it after the permissions
            return
        request._mlwa_throttles_checked = True
        super().check_throttles(request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        paths = [
            name
            for name, values in request.query_params.lists()
            if NUL in name or any(NUL in v for v in values)
        ]
        if self.check_body_text and request.content_type.startswith("application/json"):
            paths += list(_texts_with_nul(request.data, ""))
        if paths:
            raise exceptions.ValidationError({path: ["Null characters are not allowed."] for path in paths})


class ApiView(ApiViewMixin, views.APIView):
    pass


class GenericApiView(ApiViewMixin, generics.GenericAPIView):
    pass


class ApiViewSet(ApiViewMixin, viewsets.GenericViewSet):
    pass
