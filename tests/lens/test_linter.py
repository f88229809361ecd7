"""The linter's findings: checked against plain enumeration on small hand-made questions, and listed
for the shared lenses."""

import itertools
import json
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lens.format import read_lens
from lens.format.linter import lint_question
from lens.format.reader import read_lens as read
from tests.conftest import SHARED_LENSES, SHARED_LENSES_ABSENT
from tests.factories import lens_document, practice
from tests.lens.oracle import condition_oracle, question_oracle

LEVELS = ["NO_RISK", "MEDIUM_RISK", "HIGH_RISK"]


def _question(practices: int, with_none: bool, rules: list[tuple[str, str]]) -> dict:
    choices = [practice(f"CH{n}") for n in range(practices)]
    if with_none:
        choices.append({"id": "CH_no", "title": "None of these"})
    return {
        "id": "Q01",
        "title": "A question",
        "description": "Made for the linter.",
        "choices": choices,
        "riskRules": [{"condition": condition, "risk": risk} for condition, risk in rules],
    }


def _enumerated_findings(question: dict) -> dict[str, set]:
    """What the linter should find, by trying every answer a team can give: each non-empty set of
    practices, and "None of these" alone."""
    choice_ids = [c["id"] for c in question["choices"]]
    practices = [c for c in choice_ids if not c.endswith("_no")]
    answers = [set(s) for n in range(1, len(practices) + 1) for s in itertools.combinations(practices, n)]
    answers += [{c} for c in choice_ids if c.endswith("_no")]
    rules = [condition_oracle(rule["condition"], choice_ids) for rule in question["riskRules"]]
    first_true = [next((i for i, holds in enumerate(rules) if holds(answer)), None) for answer in answers]
    has_default = any(rule["condition"].strip() == "default" for rule in question["riskRules"])
    all_practices = question_oracle(question)(set(practices), set()) if practices else "NONE"
    return {
        "rule_never_fires": set(range(len(rules))) - set(first_true),
        "answer_matches_no_rule": {True} if None in first_true and not has_default else set(),
        "all_practices_still_risky": {True} if all_practices != "NONE" else set(),
    }


def _found(question: dict) -> dict[str, set]:
    findings = lint_question(read(json.dumps(_lens_with(question)))[0].pillars[0].questions[0], "$.q")
    found = defaultdict(set)
    for finding in findings:
        if finding.code == "rule_never_fires":
            found[finding.code].add(int(finding.path.rsplit("[", 1)[1].rstrip("]")))
        else:
            found[finding.code].add(True)
    return found


def _lens_with(question: dict) -> dict:
    document = lens_document(questions=1)
    document["pillars"][0]["questions"] = [question]
    return document


@st.composite
def conditions(draw, ids: list[str], depth: int = 0):
    kind = draw(st.sampled_from(["id", "id", "not", "and", "or"] if depth < 3 else ["id"]))
    if kind == "id":
        return draw(st.sampled_from(ids))
    if kind == "not":
        return f"!{draw(conditions(ids, depth + 1))}"
    operator = " && " if kind == "and" else " || "
    parts = draw(st.lists(conditions(ids, depth + 1), min_size=2, max_size=3))
    return f"({operator.join(parts)})"


@st.composite
def small_questions(draw):
    practices = draw(st.integers(1, 5))
    with_none = draw(st.booleans())
    ids = [f"CH{n}" for n in range(practices)] + (["CH_no"] if with_none else [])
    count = draw(st.integers(1, 3))
    levels = draw(st.permutations(LEVELS))[:count]
    rules = []
    for index, level in enumerate(levels):
        is_default = draw(st.booleans()) if index == count - 1 else draw(st.integers(0, 5)) == 0
        rules.append(("default" if is_default else draw(conditions(ids)), level))
    return _question(practices, with_none, rules)


@settings(max_examples=400, deadline=None)
@given(question=small_questions())
def test_the_linter_agrees_with_enumeration_on_small_questions(question):
    expected = _enumerated_findings(question)
    found = _found(question)
    for code, wanted in expected.items():
        assert found.get(code, set()) == wanted, code


@pytest.mark.parametrize(
    ("rules", "never_fires"),
    [
        # Every answer holds CH0 or not: the default after (CH0 || !CH0) is never reached.
        ([("CH0 || !CH0", "NO_RISK"), ("default", "HIGH_RISK")], {1}),
        # "None of these" alone is the only answer without a practice: the default catches it.
        ([("CH0 || CH1", "NO_RISK"), ("default", "HIGH_RISK")], set()),
        # A rule after the default.
        ([("default", "MEDIUM_RISK"), ("CH1", "HIGH_RISK")], {1}),
        # A rule that contradicts itself.
        ([("CH0 && !CH0", "HIGH_RISK"), ("default", "NO_RISK")], {0}),
        # The official ML Lens's shape: all -> none, any missing -> high, default medium unreachable.
        ([("CH0 && CH1", "NO_RISK"), ("!CH0 || !CH1", "HIGH_RISK"), ("default", "MEDIUM_RISK")], {2}),
    ],
)
def test_the_never_fires_check_on_hand_made_questions(rules, never_fires):
    question = _question(2, True, rules)
    assert _found(question).get("rule_never_fires", set()) == never_fires
    assert _enumerated_findings(question)["rule_never_fires"] == never_fires


def test_a_none_like_title_without_the_suffix_is_reported():
    question = _question(
        2, False, [("CH0 && CH1", "NO_RISK"), ("CH0", "MEDIUM_RISK"), ("default", "HIGH_RISK")]
    )
    question["choices"][1]["title"] = "None of these"
    assert _found(question)["none_like_choice"] == {True}


def test_a_choice_counted_against_the_team_is_reported():
    # Passport's shape: choice CH1 is a "No." answer that gives a high risk.
    question = _question(2, False, [("CH0", "NO_RISK"), ("CH1", "HIGH_RISK"), ("default", "MEDIUM_RISK")])
    assert _found(question)["not_applicable_raises_risk"] == {True}


# The linter's findings on the shared lenses, as (code, path) pairs grouped by lens. The official
# ML and Generative AI lenses end every question with a default rule that the two rules before it
# always pre-empt (A and its negation), so that rule never fires.
SHARED_FINDINGS = {
    "generative-ai-lens.json": {"rule_never_fires": "every question's riskRules[2]"},
    "machine-learning-lens.json": {"rule_never_fires": "every question's riskRules[2]"},
    "operational-readiness-review.json": {
        "rule_never_fires": [
            "$.pillars[0].questions[0].riskRules[2]",
            "$.pillars[0].questions[1].riskRules[1]",
            "$.pillars[0].questions[4].riskRules[1]",
            "$.pillars[0].questions[5].riskRules[1]",
            "$.pillars[1].questions[0].riskRules[2]",
            "$.pillars[1].questions[1].riskRules[1]",
            "$.pillars[1].questions[2].riskRules[1]",
            "$.pillars[2].questions[0].riskRules[1]",
        ],
        "not_applicable_raises_risk": ["$.pillars[1].questions[0].riskRules[1].condition"],
    },
    "passport.json": {
        "rule_never_fires": [f"$.pillars[0].questions[{q}].riskRules[2]" for q in range(11)],
        "not_applicable_raises_risk": [
            f"$.pillars[0].questions[{q}].riskRules[1].condition" for q in range(11)
        ],
    },
    "saas-business.json": {},
}


@pytest.mark.parametrize("name", sorted(SHARED_FINDINGS))
def test_the_linter_findings_on_a_shared_lens(name):
    path = SHARED_LENSES / name
    if not path.exists():
        pytest.skip(SHARED_LENSES_ABSENT)
    from lens.format import lint_lens

    document, _ = read_lens(path.read_bytes())
    found = defaultdict(list)
    for finding in lint_lens(document):
        found[finding.code].append(finding.path)

    expected = {}
    for code, paths in SHARED_FINDINGS[name].items():
        if paths == "every question's riskRules[2]":
            paths = [
                f"$.pillars[{p}].questions[{q}].riskRules[2]"
                for p, pillar in enumerate(document.pillars)
                for q in range(len(pillar.questions))
            ]
        expected[code] = paths
    assert dict(found) == expected
