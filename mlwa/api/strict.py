"""Request serializers that accept exactly what the schema they generate says.

DRF's fields are lenient where JSON Schema is not: a CharField takes a number (`0` becomes "0") and
trims spaces, a BooleanField takes "yes" and 1, an IntegerField takes "7" and 7.0, and a serializer
ignores the fields it does not declare. A client reading the schema would be told one contract and
held to another. These take only the JSON type the schema names, keep text as sent, and refuse an
undeclared field by name; mlwa.api.schema marks their components `additionalProperties: false`.
Each refusal is a shape refusal (`invalid`, mlwa.error_codes) naming the input at fault.
"""

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

#: The largest id a row may have (a 64-bit key): a larger one names nothing, and is a shape refusal.
ID_MAX = 2**63 - 1
#: The largest version a row's counter holds (a 32-bit column).
VERSION_MAX = 2**31 - 1


class StrictCharField(serializers.CharField):
    """Text only (no number), kept as sent (no trimming) unless told otherwise."""

    default_error_messages = {
        "invalid": "Must be text.",
        "max_length": "Text of at most {max_length} characters.",
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSlugField(serializers.SlugField):
    """A slug (letters, digits, `-`, `_`) given as text only."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class NameField(StrictCharField):
    """A name: text with something besides spaces (the schema's pattern: mlwa.api.schema), at most
    `max_length` characters as sent, stored without the spaces around it."""

    #: What the schema says of it besides its length: something besides spaces. Anchored, and
    #: without a lone class, so that tools that read a pattern as the whole string (schemathesis)
    #: read it right too.
    pattern = r"^[\s\S]*\S[\s\S]*$"
    #: The spaces a name sheds: Unicode's White_Space, as `\s` of the schema's regular expressions
    #: (str.strip() would also drop the separators U+001C-U+001F, which `\S` takes).
    spaces = (
        "\t\n\x0b\x0c\r \x85\xa0\u1680"
        + "".join(map(chr, range(0x2000, 0x200B)))
        + "\u2028\u2029\u202f\u205f\u3000"
    )

    default_error_messages = {"blank": "Give a name: something besides spaces."}

    def to_internal_value(self, data: Any) -> Any:
        name = super().to_internal_value(data).strip(self.spaces)
        if not name:
            self.fail("blank")
        return name


class StrictListField(serializers.ListField):
    """A list whose length is judged beside its items: a list too long (or too short) is named
    itself, together with each item at fault, so that one 400 names every input at fault (DRF's
    ListField checks the length only once every item is valid)."""

    def to_internal_value(self, data: Any) -> Any:
        length_errors = []
        if isinstance(data, list):
            if self.max_length is not None and len(data) > self.max_length:
                length_errors.append(self.error_messages["max_length"].format(max_length=self.max_length))
            if self.min_length is not None and len(data) < self.min_length:
                length_errors.append(self.error_messages["min_length"].format(min_length=self.min_length))
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if length_errors and isinstance(error.detail, dict):  # items at fault, by index
                raise serializers.ValidationError(
                    {"non_field_errors": length_errors, **error.detail}
                ) from None
            raise
        if length_errors:
            raise serializers.ValidationError(length_errors)
        return value


class StrictBooleanField(serializers.BooleanField):
    """true or false only."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictIntegerField(serializers.IntegerField):
    """A JSON whole number only (no text, no 7.0)."""

    default_error_messages = {"invalid": "Must be a whole number."}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictDateField(serializers.DateField):
    """A date as YYYY-MM-DD text only."""

    default_error_messages = {"invalid": "A date as YYYY-MM-DD."}

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    """One of the enum's text values only (not a number that prints as one); the refusal lists them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error_messages["invalid_choice"] = f"Choose one of: {', '.join(map(str, self.choices))}."

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class DomainRefusal(serializers.ValidationError):
    """A 400 for input of the right shape that names something refused (`api_code`, a domain code
    of mlwa.error_codes), raised by a view after its serializer validated the shape."""

    def __init__(self, detail: Any, api_code: str) -> None:
        self.api_code = api_code
        super().__init__(detail)


class StrictSerializer(serializers.Serializer):
    """Refuses a field it does not declare, naming it, beside whatever else is wrong."""

    #: What an undeclared field is called in the refusal.
    unknown_field_message = "Not a field of this request."

    def to_internal_value(self, data: Any) -> Any:
        unknown = (
            {str(name): [self.unknown_field_message] for name in data if name not in self.fields}
            if isinstance(data, Mapping)
            else {}
        )
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
