"""Small checks on JSON values for the lens reader: types, texts, counts, ids, undocumented keys,
and values no JSON or database may hold. Each records a Problem at its JSON path."""

import math
from typing import Any

from lens.format.limits import ID_PATTERN
from lens.format.problems import Problem, child


class NotANumber:
    """Stands for a NaN, Infinity or -Infinity literal, which JSON does not allow, until the
    validator reports it at its path."""

    def __init__(self, literal: str) -> None:
        self.literal = literal

    def __repr__(self) -> str:
        return self.literal


def parse_constant(literal: str) -> NotANumber:
    """json.loads's hook for NaN and Infinity: keep them, to be refused at their path."""
    return NotANumber(literal)


class RepeatedKeys(dict):
    """A JSON object that names some key more than once. It holds the last value, as json does, and
    `repeated`, the keys named again in document order, for the reader to refuse at their paths."""

    repeated: list[str]


def keep_repeated_keys(pairs: list[tuple[str, Any]]) -> dict:
    """json's `object_pairs_hook` for lens files and for documents that hold lens files (backups): a
    plain dict, or a RepeatedKeys that remembers the keys named twice. `read_lens` refuses those at
    their JSON path, also when handed the parsed value rather than the text."""
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    marked = RepeatedKeys(value)
    seen: set[str] = set()
    marked.repeated = []
    for key, _ in pairs:
        if key in seen and key not in marked.repeated:
            marked.repeated.append(key)
        seen.add(key)
    return marked


def describe(value: Any) -> str:
    """What kind of JSON value this is, for messages ("must be a string, not a number")."""
    if isinstance(value, NotANumber):
        return value.literal
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class Checks:
    """Collects refusals and warnings, each at its JSON path, from small checks on JSON values."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    # -- recording ----------------------------------------------------------------------------

    def refuse(self, path: str, code: str, message: str) -> None:
        self.errors.append(Problem(path, code, message))

    def warn(self, path: str, code: str, message: str) -> None:
        self.warnings.append(Problem(path, code, message))

    # -- small checks -------------------------------------------------------------------------

    def obj(self, value: Any, path: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.refuse(path, "not_an_object", f"must be an object, not {describe(value)}")
        return None

    def text(self, parent: dict, key: str, path: str, *, required: bool = True) -> str | None:
        """A text field: a non-empty string when present (and it must be present if required)."""
        if key not in parent:
            if required:
                self.refuse(path, "missing", f"'{key}' is required")
            return None
        value = parent[key]
        where = child(path, key)
        if not isinstance(value, str):
            self.refuse(where, "not_text", f"must be a non-empty string, not {describe(value)}")
            return None
        if not value.strip():
            self.refuse(where, "empty", "must not be empty")
            return None
        return value

    def array(self, parent: dict, key: str, path: str, low: int, high: int, noun: str) -> list:
        if key not in parent:
            self.refuse(path, "missing", f"'{key}' is required")
            return []
        value = parent[key]
        where = child(path, key)
        if not isinstance(value, list):
            self.refuse(where, "not_an_array", f"must be an array, not {describe(value)}")
            return []
        if not low <= len(value) <= high:
            self.refuse(where, "count", f"must hold {low} to {high} {noun}, not {len(value)}")
        return value

    def identifier(self, parent: dict, path: str, *, aws_max: int | None) -> str | None:
        value = self.text(parent, "id", path)
        if value is None:
            return None
        where = child(path, "id")
        if not ID_PATTERN.fullmatch(value):
            self.refuse(where, "bad_id", f"{value!r} is not 3-128 characters of letters, digits and '_'")
            return None
        if aws_max and len(value) > aws_max:
            self.warn(where, "id_too_long_for_aws", f"is {len(value)} characters; AWS accepts {aws_max}")
        return value

    def unique_id(self, value: str | None, seen: dict[str, str], path: str, noun: str) -> bool:
        """Refuse an id already in `seen` (id -> where it was first) and return False; remember
        it and return True otherwise."""
        if value is None:
            return False
        where = child(path, "id")
        if value in seen:
            self.refuse(where, "duplicate_id", f"{noun} id {value!r} is already used at {seen[value]}")
            return False
        seen[value] = where
        return True

    def one_of_once(
        self,
        data: dict,
        key: str,
        path: str,
        allowed: tuple[str, ...],
        seen: dict[str, int],
        index: int,
        noun: str,
    ) -> Any:
        """`data[key]`, which must be one of `allowed` and not already in `seen` (value -> index of the
        sibling that has it): a rule's risk level, an additionalResources entry's type."""
        value = data.get(key)
        if not isinstance(value, str) or value not in allowed:
            where = child(path, key) if key in data else path
            self.refuse(where, f"bad_{key}", f"'{key}' must be one of {', '.join(allowed)}")
        elif value in seen:
            self.refuse(child(path, key), f"duplicate_{key}", f"{noun} {seen[value]} already has {value}")
        else:
            seen[value] = index
        return value

    def length_warning(self, value: str | None, path: str, limit: int, what: str) -> None:
        if value is not None and len(value) > limit:
            self.warn(path, "too_long_for_aws", f"{what} is {len(value)} characters; AWS accepts {limit}")

    def extras(self, value: dict, known: tuple[str, ...], path: str) -> dict[str, Any]:
        """The keys the format does not define: warned, and kept to be exported again."""
        found = {}
        for key, item in value.items():
            if key in known:
                continue
            self.warn(child(path, key), "unknown_key", f"'{key}' is not part of the lens format; it is kept")
            self.no_invalid_numbers(item, child(path, key))
            found[key] = item
        return found

    def no_invalid_numbers(self, value: Any, path: str) -> None:
        """NaN and Infinity are not JSON: refused wherever they are."""
        if isinstance(value, NotANumber):
            self.refuse(path, "not_json", f"{value.literal} is not a JSON value")
        elif isinstance(value, float) and not math.isfinite(value):
            self.refuse(path, "not_json", "is not a finite number")
        elif isinstance(value, dict):
            for key, item in value.items():
                self.no_invalid_numbers(item, child(path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.no_invalid_numbers(item, child(path, index))

    def nesting(self, value: Any, path: str, max_depth: int) -> bool:
        """Refuse every repeated key (RepeatedKeys) at its path, and a value nested deeper than
        `max_depth`, at the first place that passes it. Iterative, so that no value, however deep,
        costs a recursion; returns False when too deep to be read any further."""
        stack: list[tuple[Any, str, str | int | None, int]] = [(value, path, None, 1)]
        while stack:
            item, parent, key, depth = stack.pop()
            if not isinstance(item, dict | list):
                continue
            where = parent if key is None else child(parent, key)
            if depth > max_depth:
                message = f"nested deeper than {max_depth} levels; a lens nests at most that"
                self.refuse(where, "too_deep", message)
                return False
            if isinstance(item, RepeatedKeys):
                for repeated in item.repeated:
                    self.refuse(
                        child(where, repeated),
                        "duplicate_key",
                        f"the key {repeated!r} appears more than once in this object; "
                        "each key may appear once",
                    )
            members = item.items() if isinstance(item, dict) else enumerate(item)
            stack.extend((member, where, name, depth + 1) for name, member in reversed(list(members)))
        return True

    # -- levels -------------------------------------------------------------------------------

    def no_nul_characters(self, value: Any, path: str) -> None:
        """A NUL character cannot be stored in a database text (PostgreSQL refuses it): refused
        wherever it is, keys included."""
        if isinstance(value, str):
            if "\x00" in value:
                self.refuse(path, "nul_character", "holds a NUL character (\\u0000), which cannot be stored")
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    self.refuse(path, "nul_character", "a key holds a NUL character (\\u0000)")
                else:
                    self.no_nul_characters(item, child(path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.no_nul_characters(item, child(path, index))
