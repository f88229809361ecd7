"""Fields renamed in REST v1 without breaking it: the new name is added beside the old one.

A serializer lists its renames, `renamed = {"old": "new"}`, and declares only the new field. The
old one is then declared for it, as a copy of the new one reading and writing the same value, and
marked deprecated in the schema (drf-spectacular's `deprecate_fields`). So:

- a response carries both names, with the same value;
- a request may send either name; the validated data holds the value under the new field's
  source, whichever name was sent, and an error names the key that was sent;
- a request that sends both is refused (400) naming both, since they would say two things of one.

Query parameters are renamed the same way: RenamedFiltersMixin on a django-filter FilterSet, or
`renamed_query` where a view reads its parameters itself. The README's "Deprecated in v1" lists
every old name; they go in v2.
"""

import copy
import re
from collections.abc import Mapping

from drf_spectacular.drainage import get_override, set_override
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

#: How the description of a deprecated name starts (document_renames looks for it).
DEPRECATED = "Deprecated in v1: "


def deprecated_text(new: str) -> str:
    return f"{DEPRECATED}the same as `{new}`, which replaces it."


def both_given(renamed: dict[str, str], given) -> dict[str, list[str]]:
    """The errors of a request that gives both names of a renamed field: each name, at fault."""
    return {
        name: [f"Give `{new}` or `{old}` (its deprecated name), not both."]
        for old, new in renamed.items()
        if old in given and new in given
        for name in (old, new)
    }


def _alias_of(field: serializers.Field, new: str, old: str) -> serializers.Field:
    """A copy of `field` (declared as `new`) that reads and writes the same value as `old`."""
    kwargs = copy.deepcopy(field._kwargs)
    kwargs.setdefault("source", new)
    kwargs["help_text"] = deprecated_text(new)
    return type(field)(*copy.deepcopy(field._args), **kwargs)


class RenamedFieldsMixin:
    """For a Serializer: `renamed = {old name: new name}` declares each old name as a deprecated
    alias of the new field (see the module's docstring). Put it before the Serializer class. A
    renamed request field is optional: a required one would refuse a request giving the old name."""

    renamed: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls.renamed:
            return
        # Each old name right after its new one: set by the serializer's metaclass, in order.
        old_of = {new: old for old, new in cls.renamed.items()}
        declared = {}
        for name, field in cls._declared_fields.items():  # type: ignore[attr-defined] - the metaclass's
            if name in cls.renamed:
                continue  # an alias inherited: made again below, from this class's field
            declared[name] = field
            if name in old_of:
                declared[old_of[name]] = _alias_of(field, name, old_of[name])
        cls._declared_fields = declared  # type: ignore[attr-defined]
        extend_schema_serializer(deprecate_fields=list(cls.renamed))(cls)

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and (errors := both_given(self.renamed, data)):
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc] - a Serializer's


class RenamedFiltersMixin:
    """For a django-filter FilterSet: `renamed = {old name: new name}` declares each old query
    parameter as a deprecated alias of the new filter; giving both is a 400 naming both. Put it
    before the FilterSet class."""

    renamed: dict[str, str] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        declared = cls.declared_filters  # type: ignore[attr-defined] - set by the filter set's metaclass
        for old, new in cls.renamed.items():
            alias = copy.deepcopy(declared[new])
            alias.extra["help_text"] = deprecated_text(new)
            schema = get_override(alias, "field")  # a filter's own schema, as IdFilter gives it
            if isinstance(schema, dict):
                set_override(alias, "field", {**schema, "description": deprecated_text(new)})
            declared[old] = alias

    def is_valid(self) -> bool:
        valid = super().is_valid()  # type: ignore[misc] - a FilterSet's
        for name, messages in both_given(self.renamed, self.data).items():  # type: ignore[attr-defined]
            self.form.add_error(name, messages)  # type: ignore[attr-defined]
            valid = False
        return valid


def renamed_query(query, old: str, new: str, default: str = "") -> str:
    """The value of `?new=`, or of its deprecated name `?old=`, from a request's query parameters;
    a 400 naming both when both are given."""
    if errors := both_given({old: new}, query):
        raise serializers.ValidationError(errors)
    return query.get(new, query.get(old, default))


_NEW_NAME = re.compile(re.escape(DEPRECATED) + r"the same as `(\w+)`")


def document_renames(result, generator, request, public):
    """A postprocessing hook, so that the schema says what the API does with renamed names:

    - every parameter whose description says it is deprecated in v1 (the query aliases above,
      described by deprecated_text) is marked `deprecated`;
    - a request body that has both names of a renamed field is schema-invalid (`not` both
      required), as the API refuses it."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("description", "").startswith(DEPRECATED):
                    parameter["deprecated"] = True
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue  # a response carries both names
        properties = component.get("properties", {})
        pairs = [
            [old, found.group(1)]
            for old, prop in properties.items()
            if prop.get("deprecated") and (found := _NEW_NAME.match(prop.get("description", "")))
        ]
        if len(pairs) == 1:
            component["not"] = {"required": pairs[0]}
        elif pairs:
            component["not"] = {"anyOf": [{"required": pair} for pair in pairs]}
    return result
