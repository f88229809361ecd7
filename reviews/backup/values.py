"""Reading a backup document's values, each checked where it stands: a refusal (InvalidInput) names
the JSON path at fault. reviews.backup.document builds the document's parts from these."""

import datetime

from django.utils.dateparse import parse_date, parse_datetime

from reviews.models import NOTES_MAX, PERSON_NAME_MAX
from reviews.services.errors import InvalidInput


def fail(path: str, message: str):
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
        fail(f"{path}.{key}" if path else key, "Missing.")
    return data[key]


def text(data: dict, key: str, path: str, *, limit: int | None = NOTES_MAX, null: bool = False) -> str | None:
    """The text at `key`, at most `limit` characters (None too when `null`)."""
    value, where = required(data, key, path), f"{path}.{key}" if path else key
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


def number(data: dict, key: str, path: str, *, least: int = 0) -> int:
    value = required(data, key, path)
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        fail(f"{path}.{key}", f"Must be a whole number of at least {least}.")
    return value


def flag(data: dict, key: str, path: str) -> bool:
    value = required(data, key, path)
    if not isinstance(value, bool):
        fail(f"{path}.{key}", "Must be true or false.")
    return value


def moment(data: dict, key: str, path: str, *, null: bool = False) -> datetime.datetime | None:
    """An ISO 8601 time with its UTC offset (None too when `null`)."""
    value = required(data, key, path)
    if value is None and null:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        fail(f"{path}.{key}", "Must be an ISO 8601 time with its UTC offset.")
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
        fail(f"{path}.{key}", "Must be a date (YYYY-MM-DD) or null.")
    return parsed


def choice(data: dict, key: str, path: str, choices) -> str:
    value = required(data, key, path)
    if value not in {str(c) for c in choices.values}:
        fail(f"{path}.{key}", f"Must be one of {', '.join(choices.values)}.")
    return value


def json_object(data: dict, key: str, path: str) -> dict:
    return mapping(required(data, key, path), f"{path}.{key}")


def items(data: dict, key: str, path: str):
    """(path of the item, item) for each object of the list at `key`."""
    where = f"{path}.{key}" if path else key
    for index, item in enumerate(list_at(required(data, key, path), where)):
        yield f"{where}[{index}]", mapping(item, f"{where}[{index}]")


def nul_path(value, path: str) -> str | None:
    """The path of the first text (keys included) holding a NUL character, which no database
    stores (PostgreSQL refuses it outright), or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    pairs = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in pairs:
        where = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and "\x00" in key:
            return where
        if found := nul_path(item, where):
            return found
    return None
