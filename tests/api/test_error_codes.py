"""The error codes (mlwa.error_codes) are the README's table, and shape and domain refusals are told
apart by them (issue 15)."""

import re
from pathlib import Path

from drf_spectacular.generators import SchemaGenerator

from mlwa.error_codes import CODES, DOMAIN_CODES, SHAPE_CODES

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `([a-z_]+)` \| (\d{3}) \| ([a-z]+) \| (.+) \|$", re.MULTILINE)


def test_the_readme_lists_every_code_with_its_status_kind_and_meaning():
    table = [
        (code, int(status), kind, meaning) for code, status, kind, meaning in ROW.findall(README.read_text())
    ]

    assert table == [(code.code, code.status, code.kind, code.meaning) for code in CODES]


def test_no_code_is_both_a_shape_and_a_domain_refusal():
    assert SHAPE_CODES
    assert DOMAIN_CODES
    assert not SHAPE_CODES & DOMAIN_CODES
    assert len({code.code for code in CODES}) == len(CODES)


# --- the schema says what the serializers enforce -------------------------------------------------

STRICT_REQUESTS = [
    "PatchedAnswerUpdateRequest",
    "AnswerChoiceUpdateRequest",
    "AnswerNotApplicableChoiceRequest",
    "PatchedLensReviewNotesRequest",
    "LensReviewApplyRequest",
    "PatchedImprovementUpdateRequest",
    "MilestoneCreateRequest",
    "TokenCreateRequest",
    "ReportCreateRequest",
    "LensReviewUpgradeRequest",
    "LensPublishRequest",
]


def test_the_validating_request_bodies_refuse_undeclared_fields_in_the_schema_too():
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]

    assert {name: components[name].get("additionalProperties") for name in STRICT_REQUESTS} == dict.fromkeys(
        STRICT_REQUESTS, False
    )


def test_every_whole_number_in_the_query_has_its_range_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    unbounded = [
        (path, parameter["name"])
        for path, methods in schema["paths"].items()
        for operation in methods.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
        and parameter["schema"].get("type") == "integer"
        and not {"minimum", "maximum"} <= set(parameter["schema"])
    ]
    assert unbounded == []
