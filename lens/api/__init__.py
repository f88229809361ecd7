"""/api/v1/lenses/: the lens library for REST clients (views, versions and shares, serializers,
the lens file's schema); lens.api.urls is mounted by mlwa.api.urls."""
