"""Input checked by the definition the schema is generated from, for the callers that are not DRF
views (the pages): the same serializer, its refusals as the services' InvalidInput."""

from typing import Any

from rest_framework import serializers

from mlwa.api.errors import flatten_errors
from mlwa.errors import InvalidInput


def validated_input(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    """`data` as `serializer_class` validates it; InvalidInput (`invalid`) naming each input at fault
    when it breaks the shape."""
    checked = serializer_class(data=data)
    if not checked.is_valid():
        raise InvalidInput(flatten_errors(checked.errors))
    return dict(checked.validated_data)
