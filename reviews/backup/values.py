"""Reading a backup document's values, each checked where it stands: a refusal (InvalidInput) names
the JSON path at fault. reviews.backup.document builds the document's parts from these."""

import datetime
import math
from typing import Literal, NoReturn, overload

from django.utils.dateparse import parse_date, parse_datetime

from mlwa.errors import InvalidInput
from reviews.models import NOTES_MAX, PERSON_NAME_MAX

#: The largest whole number a document may carry where a column stores it: PostgreSQL's `integer`
#: (SQLite's 64-bit integers hold more; a larger number would be a 500 on either, not a 400).
NUMBER_MAX = 2**31 - 1


def at(path: str, key: str) -> str:
    """The path of `key` in the object at `path` ("" for the document itself)."""
    return f"{path}.{key}" if path else key


def fail(path: str, message: str) -> NoReturn:
    """Refuse the document: InvalidInput naming `path`."""
    raise InvalidInput({path: message})


def mapping(value, path: str) -> dict:
    """`value`, which must be a JSON object (InvalidInput at `path` otherwise)."""
    if not isinstance(value, dict):
        fail(path, "Must be an object.")
    return value


def list_at(value, path: str) -> list:
    """`value`, which must be a JSON list (InvalidInput at `path` otherwise)."""
    if not isinstance(value, list):
        fail(path, "Must be a list.")
    return value


def required(data: dict, key: str, path: str):
    """`data[key]`, which must be present (InvalidInput naming `path.key` otherwise)."""
    if key not in data:
        fail(at(path, key), "Missing.")
    return data[key]


@overload
def text(
    data: dict, key: str, path: str, *, limit: int | None = NOTES_MAX, null: Literal[False] = False
) -> str: ...
@overload
def text(data: dict, key: str, path: str, *, limit: int | None = NOTES_MAX, null: bool) -> str | None: ...
def text(data: dict, key: str, path: str, *, limit: int | None = NOTES_MAX, null: bool = False) -> str | None:
    """The text at `key`, at most `limit` characters (None too when `null`)."""
    value, where = required(data, key, path), at(path, key)
    if value is None and null:
        return None
    if not isinstance(value, str):
        fail(where, "Must be text.")
    if limit is not None and len(value) > limit:
        fail(where, f"At most {limit} characters ({len(value)} given).")
    return value


def person(data: dict, key: str, path: str) -> str | None:
    """A person's name, or None (a deleted user)."""
    return text(data, key, path, limit=PERSON_NAME_MAX, null=True)


def number(data: dict, key: str, path: str, *, least: int = 0, most: int = NUMBER_MAX) -> int:
    """A whole number from `least` to `most` (a column's range: larger would not be stored)."""
    value = required(data, key, path)
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= most:
        fail(at(path, key), f"Must be a whole number from {least} to {most}.")
    return value


def flag(data: dict, key: str, path: str) -> bool:
    value = required(data, key, path)
    if not isinstance(value, bool):
        fail(at(path, key), "Must be true or false.")
    return value


@overload
def moment(data: dict, key: str, path: str, *, null: Literal[False] = False) -> datetime.datetime: ...
@overload
def moment(data: dict, key: str, path: str, *, null: bool) -> datetime.datetime | None: ...
def moment(data: dict, key: str, path: str, *, null: bool = False) -> datetime.datetime | None:
    """An ISO 8601 time with its UTC offset (None too when `null`)."""
    value = required(data, key, path)
    if value is None and null:
        return None
    try:
        parsed = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed, but no such time (a 30 February, an offset of 99 hours)
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        fail(at(path, key), "Must be an ISO 8601 time with its UTC offset.")
    try:
        # The databases store UTC: a time whose UTC falls outside years 1 to 9999 cannot be read back.
        parsed.astimezone(datetime.UTC)
    except OverflowError:
        fail(at(path, key), "Out of the calendar (years 1 to 9999) once converted to UTC.")
    return parsed


def day(data: dict, key: str, path: str) -> datetime.date | None:
    value = required(data, key, path)
    if value is None:
        return None
    try:
        parsed = parse_date(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        fail(at(path, key), "Must be a date (YYYY-MM-DD) or null.")
    return parsed


def choice(data: dict, key: str, path: str, choices) -> str:
    value = required(data, key, path)
    if value not in {str(c) for c in choices.values}:
        fail(at(path, key), f"Must be one of {', '.join(choices.values)}.")
    return value


def json_object(data: dict, key: str, path: str) -> dict:
    return mapping(required(data, key, path), at(path, key))


def items(data: dict, key: str, path: str):
    """(path of the item, item) for each object of the list at `key`."""
    where = at(path, key)
    for index, item in enumerate(list_at(required(data, key, path), where)):
        yield f"{where}[{index}]", mapping(item, f"{where}[{index}]")


def nul_path(value, path: str) -> str | None:
    """The path of the first value no database stores, or None: a text (keys included) holding a
    NUL character (PostgreSQL refuses it outright), or a number that is not finite (1e400 reads as
    infinity, which no JSON column takes)."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, float):
        return None if math.isfinite(value) else path
    pairs = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in pairs:
        where = f"{path}[{key}]" if isinstance(key, int) else at(path, str(key))
        if isinstance(key, str) and "\x00" in key:
            return where
        if found := nul_path(item, where):
            return found
    return None
