"""Fields renamed in REST v1 without breaking it: the new name is added beside the old one.

A serializer lists its renames, `renamed = {"old": "new"}`, and declares only the new field. The
old one is then declared for it, as a copy of the new one reading and writing the same value, and
marked deprecated in the schema (drf-spectacular's `deprecate_fields`). So:

- a response carries both names, with the same value;
- a request may send either name; the validated data holds the value under the new field's
  source, whichever name was sent, and an error names the key that was sent;
- a request that sends both is refused (400) naming both, since they would say two things of one.

The README's "Deprecated in v1" lists every old name; they go in v2.
"""

import copy
from collections.abc import Mapping

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


def _alias_of(field: serializers.Field, new: str, old: str) -> serializers.Field:
    """A copy of `field` (declared as `new`) that reads and writes the same value as `old`."""
    kwargs = copy.deepcopy(field._kwargs)
    kwargs.setdefault("source", new)
    kwargs["help_text"] = f"Deprecated in v1: the same as `{new}`, which replaces it."
    return type(field)(*copy.deepcopy(field._args), **kwargs)


class RenamedFieldsMixin:
    """For a Serializer: `renamed = {old name: new name}` declares each old name as a deprecated
    alias of the new field (see the module's docstring). Put it before the Serializer class."""

    renamed: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.renamed:
            return
        # Each old name right after its new one: set by the serializer's metaclass, in order.
        old_of = {new: old for old, new in cls.renamed.items()}
        declared = {}
        for name, field in cls._declared_fields.items():  # type: ignore[has-type]
            if name in cls.renamed:
                continue  # an alias inherited: made again below, from this class's field
            declared[name] = field
            if name in old_of:
                declared[old_of[name]] = _alias_of(field, name, old_of[name])
        cls._declared_fields = declared
        extend_schema_serializer(deprecate_fields=list(cls.renamed))(cls)

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            both = {old: new for old, new in self.renamed.items() if old in data and new in data}
            if both:
                raise serializers.ValidationError(
                    {
                        name: [f"Give `{new}` or `{old}` (its deprecated name), not both."]
                        for old, new in both.items()
                        for name in (old, new)
                    }
                )
        return super().to_internal_value(data)  # type: ignore[misc] - a Serializer's
