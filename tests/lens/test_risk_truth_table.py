"""`manage.py lens risk` agrees with a truth table computed by tests/lens/oracle.py, independently
of lens/risk.py. Every answer is tried for questions of up to 8 choices (each choice untouched,
selected or not applicable; "None of these" is never not applicable); larger questions get random
answers.
"""

import itertools
import json
import random
from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import shared_lens_params
from tests.factories import lens_document
from tests.lens.oracle import question_oracle

EXHAUSTIVE_UP_TO = 8
RANDOM_ANSWERS = 300


def answers(question: dict, rng: random.Random):
    """Every (selected, not applicable) pair for small questions; random ones for larger."""
    choice_ids = [choice["id"] for choice in question["choices"]]
    states = [
        ("untouched", "selected") if c.endswith("_no") else ("untouched", "selected", "na")
        for c in choice_ids
    ]
    if len(choice_ids) <= EXHAUSTIVE_UP_TO:
        combinations = itertools.product(*states)
    else:
        combinations = (tuple(rng.choice(options) for options in states) for _ in range(RANDOM_ANSWERS))
    for combination in combinations:
        selected = [c for c, state in zip(choice_ids, combination, strict=True) if state == "selected"]
        not_applicable = [c for c, state in zip(choice_ids, combination, strict=True) if state == "na"]
        yield selected, not_applicable


def _run_risk_command(lens: str, lines: list[str]) -> list[dict]:
    out = StringIO()
    call_command("lens", "risk", lens, stdin=StringIO("\n".join(lines) + "\n"), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _check_lens(path_or_alias: str, document: dict) -> int:
    rng = random.Random(2021)
    lines, expected = [], []
    for pillar in document["pillars"]:
        for question in pillar["questions"]:
            risk = question_oracle(question)
            for selected, not_applicable in answers(question, rng):
                lines.append(
                    json.dumps(
                        {"question": question["id"], "selected": selected, "not_applicable": not_applicable}
                    )
                )
                expected.append(
                    {"question": question["id"], "risk": risk(set(selected), set(not_applicable))}
                )
    results = _run_risk_command(path_or_alias, lines)
    mismatches = [
        (line, want, got) for line, want, got in zip(lines, expected, results, strict=True) if want != got
    ]
    assert not mismatches[:5], f"{len(mismatches)} of {len(lines)} answers disagree"
    return len(lines)


@pytest.mark.django_db
@pytest.mark.parametrize("path", shared_lens_params())
def test_lens_risk_agrees_with_the_truth_table_for_a_shared_lens(path):
    document = json.loads(path.read_bytes())

    checked = _check_lens(str(path), document)

    assert checked >= sum(len(pillar["questions"]) for pillar in document["pillars"])


@pytest.mark.django_db
def test_lens_risk_reads_a_stored_lens_by_alias():
    from lens.builtin import BUILTIN_FILE
    from lens.models import BUILTIN_ALIAS

    assert _check_lens(BUILTIN_ALIAS, json.loads(BUILTIN_FILE.read_bytes())) > 1000


@pytest.mark.django_db
def test_lens_risk_handles_conditions_with_nesting_negation_and_prefix_ids(tmp_path):
    document = lens_document()
    question = document["pillars"][0]["questions"][0]
    # SEC10_1 is a prefix of SEC10_10: a substring replacement would get this wrong.
    question["choices"] = [
        {"id": choice_id, "title": choice_id, "improvementPlan": {"displayText": "do it"}}
        for choice_id in ("SEC10_1", "SEC10_10", "SEC10_2", "SEC10_3")
    ] + [{"id": "SEC10_no", "title": "None of these"}]
    question["riskRules"] = [
        {"condition": "  SEC10_10&&!(SEC10_1 ||SEC10_2)  ", "risk": "NO_RISK"},
        {"condition": "!!SEC10_3 || (SEC10_1 && !SEC10_10 && SEC10_2)", "risk": "MEDIUM_RISK"},
        {"condition": "SEC10_no", "risk": "HIGH_RISK"},
    ]
    path = tmp_path / "nested.json"
    path.write_text(json.dumps(document))

    assert _check_lens(str(path), document) == 3**4 * 2 + 3**3 * 2  # both questions, every answer


@pytest.mark.django_db
def test_lens_risk_reports_bad_lines_and_goes_on():
    from lens.models import BUILTIN_ALIAS

    results = _run_risk_command(
        BUILTIN_ALIAS,
        [
            "not json",
            json.dumps({"question": "NOPE", "selected": []}),
            json.dumps({"question": "MLOPS01", "selected": ["MLOPS01_BP99"]}),
            json.dumps({"question": "MLOPS01", "selected": ["MLOPS01_no"]}),
        ],
    )

    assert [("error" in result) for result in results] == [True, True, True, False]
    assert results[3] == {"question": "MLOPS01", "risk": "HIGH"}
