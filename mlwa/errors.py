"""What a review service answers when it refuses a write. Nothing has changed when one is raised."""

from collections.abc import Mapping, Sequence
from typing import Any

from mlwa import error_codes


class ReviewRefused(Exception):
    """A write refused; `status` is the HTTP status that the views and the API answer with."""

    status = 400
    code = "invalid"


class InvalidInput(ReviewRefused):
    """Input that breaks a rule: `errors` maps each field path at fault to what is wrong with it.

    `code` says which rule (mlwa.error_codes): a domain code (unknown_reference, name_taken,
    refused) when the input is well formed and refused all the same, as the services' refusals are;
    `invalid` (the default) only where a caller checks the shape of raw input itself."""

    def __init__(self, errors: Mapping[str, str | Sequence[str]], code: str = error_codes.INVALID):
        self.code = code
        self.errors = {
            field: [messages] if isinstance(messages, str) else list(messages)
            for field, messages in errors.items()
        }
        super().__init__("; ".join(f"{field}: {' '.join(m)}" for field, m in self.errors.items()))


class StaleWrite(ReviewRefused):
    """A write from an older version of a row than the stored one (someone else saved since).
    `current` is the stored row, so that the writer can see both and choose."""

    status = 409
    code = error_codes.STALE
    #: What the row is, for the message.
    noun = "row"

    def __init__(self, current: Any, expected_version: int) -> None:
        self.current = current
        self.expected_version = expected_version
        super().__init__(
            f"This {self.noun} changed since version {expected_version}: it is at version {current.version}."
        )


class StaleAnswer(StaleWrite):
    """A write from an older version of an answer than the stored one."""

    noun = "answer"


class StaleItem(StaleWrite):
    """A write from an older version of an improvement item than the stored one (someone else
    tracked it since). `current` is the stored item (unsaved, at version 0, if there is none yet)."""

    noun = "improvement item"
