"""JSONPaths in tests: resolve one in a document, to check that a problem points at something real."""

import copy
import re

_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")


def resolve(document, path: str):
    """The value at a JSONPath like `$.pillars[0].questions[1].title`; KeyError/IndexError if absent."""
    assert path.startswith("$"), path
    value = document
    position = 1
    while position < len(path):
        match = _STEP.match(path, position)
        assert match, f"bad path {path!r} at {position}"
        name, index, quoted = match.groups()
        if index is not None:
            value = value[int(index)]
        else:
            key = name if name is not None else quoted.replace("\\'", "'").replace("\\\\", "\\")
            value = value[key]
        position = match.end()
    return value


def clone(document: dict) -> dict:
    return copy.deepcopy(document)


def split_last_step(path: str) -> tuple[str, str | int]:
    """`$.a[0].b` -> (`$.a[0]`, "b"); `$.a[0]` -> (`$.a`, 0)."""
    steps = list(_STEP.finditer(path, 1))
    last = steps[-1]
    name, index, quoted = last.groups()
    key = int(index) if index is not None else name if name is not None else quoted
    return path[: last.start()], key
