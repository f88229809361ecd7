"""JSON with a nesting limit, for every JSON that comes from outside (API bodies, lens files, backups,
browser uploads).

Python's json module recurses once per level: a body nested a thousand deep raises RecursionError, a
500. Every reader of outside JSON goes through `loads` (or calls `check_depth` before its own parse),
which refuses a document nested deeper than `MAX_JSON_DEPTH` and names where the limit was passed.
The real lenses we know nest at most 11 deep; backups nest less than 20.
"""

import json
import re
from itertools import accumulate
from typing import Any

MAX_JSON_DEPTH = 64

# A JSON string, written as an unrolled loop so that long strings cost one pass and no backtracking.
_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_STRING_RE = re.compile(_STRING, re.DOTALL)
_NOT_BRACKET_RE = re.compile(r"[^\[\]{}]+")
# The tokens that decide a path: strings (keys), brackets, commas. Scalars between them don't matter.
_TOKEN_RE = re.compile(_STRING + r"|[\[\]{},]", re.DOTALL)
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class JSONTooDeep(ValueError):
    """A document nested deeper than the limit; `path` is the JSON path of the first value that
    passes it (`$.pillars[0].questions[3]`)."""

    def __init__(self, path: str, max_depth: int) -> None:
        self.path = path
        self.max_depth = max_depth
        super().__init__(f"JSON nested deeper than {max_depth} levels at {path}")


def check_depth(text: str, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse `text` if its arrays and objects nest deeper than `max_depth`.

    Linear in the text's length, and cheap for the common case: strings are blanked and only the
    brackets are counted. Only a document that is too deep is walked again, to name the path.
    """
    brackets = _NOT_BRACKET_RE.sub("", _STRING_RE.sub("", text))
    if not brackets:
        return
    deepest = max(accumulate(1 if char in "[{" else -1 for char in brackets))
    if deepest > max_depth:
        raise JSONTooDeep(_path_past_limit(text, max_depth), max_depth)


def loads(data: str | bytes | bytearray, *, max_depth: int = MAX_JSON_DEPTH, **json_kwargs: Any) -> Any:
    """`json.loads`, after refusing a document nested deeper than `max_depth` (JSONTooDeep, a
    ValueError like json's own JSONDecodeError)."""
    text = (
        data.decode(json.detect_encoding(data), "surrogatepass")
        if isinstance(data, bytes | bytearray)
        else data
    )
    check_depth(text, max_depth=max_depth)
    return json.loads(text, **json_kwargs)


def _path_past_limit(text: str, max_depth: int) -> str:
    """The JSON path of the first array or object opened below `max_depth` levels."""
    # One frame per open container: [is_object, key or index, expecting a key].
    stack: list[list[Any]] = []
    for match in _TOKEN_RE.finditer(text):
        piece = match.group()
        frame = stack[-1] if stack else None
        if piece in "[{":
            if len(stack) == max_depth:
                return _path(stack)
            stack.append([piece == "{", None if piece == "{" else 0, piece == "{"])
        elif piece in "]}":
            if stack:
                stack.pop()
        elif piece == ",":
            if frame is not None:
                if frame[0]:
                    frame[2] = True
                else:
                    frame[1] += 1
        elif frame is not None and frame[0] and frame[2]:
            frame[1] = json.loads(piece)
            frame[2] = False
    return _path(stack)


def _path(stack: list[list[Any]]) -> str:
    parts = ["$"]
    for is_object, key, _ in stack:
        if not is_object:
            parts.append(f"[{key}]")
        elif isinstance(key, str) and _IDENTIFIER_RE.match(key):
            parts.append(f".{key}")
        else:
            parts.append(f"[{json.dumps(key)}]")
    return "".join(parts)
