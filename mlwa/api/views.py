"""The base classes of every API view: rate limits checked before permissions, so that anonymous
clients, and clients with a bad token or password, are counted too (DRF checks permissions first,
and a refused request would never reach the throttles)."""

from rest_framework import exceptions, generics, views, viewsets


class ThrottledFirst:
    """Counts every request against its rate limit before refusing it for want of credentials."""

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


class ApiView(ThrottledFirst, views.APIView):
    pass


class GenericApiView(ThrottledFirst, generics.GenericAPIView):
    pass


class ApiViewSet(ThrottledFirst, viewsets.GenericViewSet):
    pass
