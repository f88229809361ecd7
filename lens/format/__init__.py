"""The AWS custom-lens JSON format (schemaVersion 2021-11-01): read, lint and write lens documents.

`read_lens` turns text or bytes into a `LensDocument` plus warnings, or raises `LensRefused` with
every problem at its JSON path (JSON nested past 64 levels and keys repeated in an object included;
`keep_repeated_keys` is the json hook that lets a parsed value keep the repeats for it). `lint_lens`
analyses the risk rules. `write_lens` turns a document back into JSON values; `write_lens_for_aws`
refuses what the AWS tool would not accept.
"""

from lens.format.checks import RepeatedKeys, keep_repeated_keys
from lens.format.document import (
    AdditionalResources,
    ChoiceDoc,
    LensDocument,
    PillarDoc,
    QuestionDoc,
    ResourceDoc,
    RiskRuleDoc,
)
from lens.format.linter import lint_lens
from lens.format.problems import LensRefused, Problem
from lens.format.reader import read_lens
from lens.format.writer import AwsLimitsExceeded, write_lens, write_lens_for_aws

__all__ = [
    "AdditionalResources",
    "AwsLimitsExceeded",
    "ChoiceDoc",
    "LensDocument",
    "LensRefused",
    "PillarDoc",
    "Problem",
    "QuestionDoc",
    "RepeatedKeys",
    "ResourceDoc",
    "RiskRuleDoc",
    "keep_repeated_keys",
    "lint_lens",
    "read_lens",
    "write_lens",
    "write_lens_for_aws",
]
