"""Dirty variants of each shared lens are refused or warned exactly as LENS_FORMAT.md's table says,
and the warned ones round-trip (their export equals the variant as JSON values)."""

import json

import pytest

from lens.format import LensRefused, read_lens
from lens.format.writer import write_lens
from lens.selectors import version_document
from lens.services import lens_import
from tests.conftest import shared_lens_params
from tests.lens.documents import clone, resolve

pytestmark = pytest.mark.django_db


def _codes(problems) -> set[tuple[str, str]]:
    return {(problem.path, problem.code) for problem in problems}


def _warnings_of(source) -> set[tuple[str, str]]:
    _, warnings = read_lens(source)
    return _codes(warnings)


def _round_trips(source, expected: dict) -> None:
    result = lens_import(source=source)
    assert write_lens(version_document(result.version)) == expected


@pytest.fixture(params=shared_lens_params())
def lens_file(request):
    path = request.param
    return json.loads(path.read_bytes()), path.read_text(encoding="utf-8")


def test_a_nan_title_is_refused_at_its_path(lens_file):
    document, text = lens_file
    title = json.dumps(document["pillars"][0]["questions"][0]["title"])
    dirty = json.dumps(document).replace(f'"title": {title}', '"title": NaN', 1)

    with pytest.raises(LensRefused) as refused:
        read_lens(dirty)

    assert ("$.pillars[0].questions[0].title", "not_text") in _codes(refused.value.problems)


def test_a_byte_order_mark_is_accepted_silently(lens_file):
    document, text = lens_file
    dirty = b"\xef\xbb\xbf" + text.encode()

    assert _warnings_of(dirty) == _warnings_of(text)
    _round_trips(dirty, document)


def test_crlf_line_endings_are_accepted_silently(lens_file):
    document, text = lens_file
    dirty = json.dumps(document, indent=2).replace("\n", "\r\n")

    assert _warnings_of(dirty) == _warnings_of(text)
    _round_trips(dirty, document)


def test_a_200_character_title_is_warned_and_kept(lens_file):
    document, text = lens_file
    dirty = clone(document)
    dirty["pillars"][0]["questions"][0]["title"] = "T" * 200

    added = _warnings_of(json.dumps(dirty)) - _warnings_of(text)

    assert added == {("$.pillars[0].questions[0].title", "too_long_for_aws")}
    _round_trips(json.dumps(dirty), dirty)


def _add_unknown_keys(document: dict) -> list[str]:
    """Add an undocumented key to every object in the document; returns their paths."""
    paths = []

    def visit(value, path):
        if isinstance(value, dict):
            for key, item in list(value.items()):
                visit(item, f"{path}.{key}")
            value["_mlwaTest"] = {"note": "kept", "list": [1, "two", None]}
            paths.append(f"{path}._mlwaTest")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, f"{path}[{index}]")

    visit(document, "$")
    return paths


def test_unknown_keys_at_every_level_are_warned_and_exported_again(lens_file):
    document, text = lens_file
    dirty = clone(document)
    paths = _add_unknown_keys(dirty)

    added = _warnings_of(json.dumps(dirty)) - _warnings_of(text)

    assert added == {(path, "unknown_key") for path in paths}
    assert all(resolve(dirty, path) for path in paths)
    _round_trips(json.dumps(dirty), dirty)


def test_a_question_without_a_default_rule_is_warned(lens_file):
    document, text = lens_file
    dirty = clone(document)
    pillar_index, question_index, question = next(
        (p, q, question)
        for p, pillar in enumerate(dirty["pillars"])
        for q, question in enumerate(pillar["questions"])
        if any(rule["condition"].strip() == "default" for rule in question["riskRules"])
    )
    rules = [rule for rule in question["riskRules"] if rule["condition"].strip() != "default"]
    question["riskRules"] = rules or [{"condition": question["choices"][0]["id"], "risk": "NO_RISK"}]

    added = _warnings_of(json.dumps(dirty)) - _warnings_of(text)

    assert added == {(f"$.pillars[{pillar_index}].questions[{question_index}].riskRules", "no_default_rule")}
    _round_trips(json.dumps(dirty), dirty)


def test_spaces_inside_conditions_are_accepted_silently_and_kept(lens_file):
    document, text = lens_file
    dirty = clone(document)
    for pillar in dirty["pillars"]:
        for question in pillar["questions"]:
            for rule in question["riskRules"]:
                condition = rule["condition"]
                for token in ("&&", "||", "!", "(", ")"):
                    condition = condition.replace(token, f"  {token}  ")
                rule["condition"] = f"  {condition}\t"

    assert _warnings_of(json.dumps(dirty)) == _warnings_of(text)
    _round_trips(json.dumps(dirty), dirty)
