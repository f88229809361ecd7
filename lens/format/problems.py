"""Problems found in a lens document, each at the JSON path where it is."""

import re
from dataclasses import asdict, dataclass

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Problem:
    """One refusal or warning: `path` is a JSONPath into the document (`$.pillars[0].name`),
    `code` a stable machine-readable name, `message` a sentence for people."""

    path: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class LensRefused(Exception):
    """The document cannot be imported; `problems` lists every reason, in document order."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(problem) for problem in problems[:5]))
        self.problems = problems


def child(path: str, key: str | int) -> str:
    """The JSONPath of a member or element of the value at `path`."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{path}['{escaped}']"
