"""Issue 14: the linter decides exactly, with work bounded by the rules' size.

Its findings are checked against a brute-force oracle that tries every answer a team can give (each
non-empty set of practices, and "None of these" alone) through tests/lens/oracle.py, which shares no
code with lens/risk.py or the linter; its counted bitset operations are held to
4 x (condition nodes + choices) per rule, the nodes counted on Python's own parse of the condition.
"""

import ast
import functools
import itertools
import json
import time
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lens.format import LensRefused, read_lens
from lens.format.linter import BitsetOperations, lint_lens, lint_question
from lens.risk import And, Choice, ConditionError, Not, parse_condition
from mlwa.jsonlimits import MAX_JSON_DEPTH, JSONTooDeep, check_depth
from tests.factories import lens_document, practice
from tests.lens.generators import deepest_lens, generator_lens, question_count
from tests.lens.oracle import condition_expression, condition_oracle

LEVELS = ["NO_RISK", "MEDIUM_RISK", "HIGH_RISK"]
NONE_OF_THESE = "c_no"
PATH = "$.pillars[0].questions[0]"


# -- generated questions ---------------------------------------------------------------------------


@st.composite
def conditions(draw, ids: list[str], depth: int = 0) -> str:
    """A random condition over `ids`, with tautologies, contradictions and double negations mixed
    in: what makes rules pre-empt each other, or never fire."""
    kinds = ["id", "id", "not", "and", "or", "tautology", "contradiction"] if depth < 4 else ["id"]
    kind = draw(st.sampled_from(kinds))
    if kind == "id":
        return draw(st.sampled_from(ids))
    if kind == "not":
        return f"!{draw(conditions(ids, depth + 1))}"
    if kind in ("tautology", "contradiction"):
        inner = draw(conditions(ids, depth + 1))
        operator = "||" if kind == "tautology" else "&&"
        return f"({inner} {operator} !({inner}))"
    operator = draw(st.sampled_from([" && ", "&&"] if kind == "and" else [" || ", "||"]))
    parts = draw(st.lists(conditions(ids, depth + 1), min_size=2, max_size=4))
    return f"({operator.join(parts)})"


@st.composite
def questions(draw, low: int = 1, high: int = 15) -> dict:
    """A question of `low` to `high` choices (ids of 3+ characters), perhaps with "None of these",
    and 1-3 rules at distinct levels, a `default` among them or not."""
    total = draw(st.integers(low, high))
    with_none = draw(st.booleans())
    practices = [f"c{n:02d}" for n in range(total - 1 if with_none else total)]
    ids = practices + ([NONE_OF_THESE] if with_none else [])
    count = draw(st.integers(1, 3))
    levels = draw(st.permutations(LEVELS))[:count]
    rules = []
    for index, level in enumerate(levels):
        is_default = draw(st.booleans()) if index == count - 1 else draw(st.integers(0, 6)) == 0
        rules.append({"condition": "default" if is_default else draw(conditions(ids)), "risk": level})
    choices = [practice(choice_id) for choice_id in practices]
    if with_none:
        choices.append({"id": NONE_OF_THESE, "title": "None of these"})
    return {
        "id": "Q01",
        "title": "A generated question",
        "description": "Made for the linter.",
        "choices": choices,
        "riskRules": rules,
    }


def lens_with(question: dict) -> dict:
    document = lens_document(questions=1)
    document["pillars"][0]["questions"] = [question]
    return document


# -- the oracle ------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def every_answer(practices: tuple[str, ...], none_of_these: str | None) -> list[frozenset]:
    """Each non-empty set of practices, and "None of these" alone."""
    answers = [
        frozenset(itertools.compress(practices, ((mask >> i) & 1 for i in range(len(practices)))))
        for mask in range(1, 1 << len(practices))
    ]
    return answers + ([frozenset([none_of_these])] if none_of_these else [])


def positive_ids(condition: str, choice_ids: list[str]) -> set[str]:
    """The choices a condition names under an even number of negations, from Python's parse."""
    tree = ast.parse(condition_expression(condition, choice_ids), mode="eval")
    found = set()

    def walk(node, negated: bool) -> None:
        if isinstance(node, ast.UnaryOp):
            walk(node.operand, not negated)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                walk(value, negated)
        elif isinstance(node, ast.Compare) and not negated:
            found.add(node.left.value)

    walk(tree.body, False)
    return found


def nodes(condition: str, choice_ids: list[str]) -> int:
    """How many nodes the condition's tree has: operators and choices (`default` is one node)."""
    tree = ast.parse(condition_expression(condition, choice_ids), mode="eval").body
    if isinstance(tree, ast.Constant):
        return 1
    return sum(isinstance(node, ast.BoolOp | ast.UnaryOp | ast.Compare) for node in ast.walk(tree))


def oracle_findings(question: dict) -> Counter:
    """What the linter must find, as (code, path, detail): the rules that are never the first true
    one, answers that match no rule, the outcome of every practice selected when it is a risk, and
    the choices counted against the team in a risky rule."""
    choice_ids = [choice["id"] for choice in question["choices"]]
    practices = tuple(c for c in choice_ids if not c.endswith("_no"))
    none_of_these = next((c for c in choice_ids if c.endswith("_no")), None)
    rules = [condition_oracle(rule["condition"], choice_ids) for rule in question["riskRules"]]
    levels = [rule["risk"] for rule in question["riskRules"]]

    def first_true(answer) -> int | None:
        return next((index for index, holds in enumerate(rules) if holds(answer)), None)

    fired = {first_true(answer) for answer in every_answer(practices, none_of_these)}
    found = Counter()
    for index in range(len(rules)):
        if index not in fired:
            found["rule_never_fires", f"{PATH}.riskRules[{index}]", None] += 1
    if None in fired:
        found["answer_matches_no_rule", f"{PATH}.riskRules", None] += 1
    if practices:
        outcome = first_true(frozenset(practices))
        if outcome is None or levels[outcome] != "NO_RISK":
            detail = "HIGH_RISK (no rule matches)" if outcome is None else levels[outcome]
            found["all_practices_still_risky", f"{PATH}.riskRules", detail] += 1
    conditions = [rule["condition"] for rule in question["riskRules"]]
    flagged = {none_of_these} if none_of_these else set()
    for condition, level in zip(conditions, levels, strict=True):
        if level == "NO_RISK":
            flagged |= positive_ids(condition, choice_ids)
    for index, (condition, level) in enumerate(zip(conditions, levels, strict=True)):
        if level != "NO_RISK":
            for choice_id in sorted(positive_ids(condition, choice_ids) - flagged):
                flagged.add(choice_id)
                found["not_applicable_raises_risk", f"{PATH}.riskRules[{index}].condition", choice_id] += 1
    return found


def linter_findings(question: dict, operations: BitsetOperations) -> Counter:
    document, _ = read_lens(lens_with(question))
    found = Counter()
    for problem in lint_question(document.pillars[0].questions[0], PATH, operations=operations):
        detail = None
        if problem.code == "all_practices_still_risky":
            detail = problem.message.removeprefix("selecting every practice gives ")
        elif problem.code == "not_applicable_raises_risk":
            detail = problem.message.split()[0]
        if problem.code != "none_like_choice":
            found[problem.code, problem.path, detail] += 1
    return found


def check(question: dict) -> None:
    operations = BitsetOperations()
    assert linter_findings(question, operations) == oracle_findings(question)
    choice_ids = [choice["id"] for choice in question["choices"]]
    assert [path for path, _ in operations.per_rule] == [
        f"{PATH}.riskRules[{index}]" for index in range(len(question["riskRules"]))
    ]
    for (path, spent), rule in zip(operations.per_rule, question["riskRules"], strict=True):
        bound = 4 * (nodes(rule["condition"], choice_ids) + len(choice_ids))
        assert spent <= bound, f"{path}: {spent} bitset operations, more than {bound}"
    assert operations.total == sum(spent for _, spent in operations.per_rule)


# -- the tests -------------------------------------------------------------------------------------


def test_the_node_count_of_the_bound_counts_operators_and_choices():
    ids = ["c00", "c01", "c02"]
    assert nodes("default", ids) == 1
    assert nodes("c00", ids) == 1
    assert nodes("!c00", ids) == 2
    assert nodes("c00 && c01 && !c02", ids) == 5  # one `and` of three operands, one `not`
    assert nodes("(c00 || !c00) && c01", ids) == 6


@settings(max_examples=300, deadline=None)
@given(question=questions(high=8))
def test_issue_14_the_linter_finds_what_trying_every_answer_finds_on_small_questions(question):
    check(question)


@settings(max_examples=25, deadline=None)
@given(question=questions(low=12, high=15))
def test_issue_14_the_linter_finds_what_trying_every_answer_finds_on_questions_of_up_to_15_choices(
    question,
):
    check(question)


@pytest.mark.parametrize("with_none", [False, True])
def test_issue_14_the_generators_question_is_decided_exactly_within_its_operation_bound(with_none):
    ids = [f"c{n:02d}" for n in range(15)]
    tautology = " && ".join(f"({c} || !{c})" for c in ids[:14])
    choices = [practice(c) for c in ids[: 14 if with_none else 15]]
    if with_none:
        choices.append({"id": NONE_OF_THESE, "title": "None of these"})
    last = NONE_OF_THESE if with_none else "c14"
    check(
        {
            "id": "Q01",
            "title": "The issue's generator",
            "description": "Settled only at the last choice.",
            "choices": choices,
            "riskRules": [
                {"condition": f"{tautology} && {last}", "risk": "NO_RISK"},
                {"condition": f"{tautology} && !{last}", "risk": "MEDIUM_RISK"},
                {"condition": "default", "risk": "HIGH_RISK"},
            ],
        }
    )


def test_issue_14_a_lens_of_only_none_of_these_is_linted_like_the_oracle_says():
    check(
        {
            "id": "Q01",
            "title": "Only one answer",
            "description": "Only 'None of these'.",
            "choices": [{"id": NONE_OF_THESE, "title": "None of these"}],
            "riskRules": [
                {"condition": f"!{NONE_OF_THESE}", "risk": "NO_RISK"},
                {"condition": "default", "risk": "HIGH_RISK"},
            ],
        }
    )


def test_issue_14_the_generator_lens_at_the_size_cap_lints_quickly_and_exactly():
    text = generator_lens()
    assert len(text) == 500_000
    document, warnings = read_lens(text)
    started = time.perf_counter()
    findings = lint_lens(document)
    seconds = time.perf_counter() - started
    # T is always true, so `T && c14` and `T && !c14` share every answer: the default never fires,
    # and every practice selected (c14 among them) is no risk.
    assert warnings == []
    assert [(f.code, f.path) for f in findings] == [
        ("rule_never_fires", f"$.pillars[{p}].questions[{q}].riskRules[2]")
        for p, pillar in enumerate(document.pillars)
        for q in range(len(pillar.questions))
    ]
    assert len(findings) == question_count(text) >= 150
    assert seconds < 5, f"linting took {seconds:.1f} s"


@pytest.mark.django_db
def test_issue_14_the_generator_lens_at_the_size_cap_imports_through_the_api(client_for, alice):
    text = generator_lens()
    started = time.perf_counter()
    response = client_for(alice).post("/api/v1/lenses/import/", text, content_type="application/json")
    seconds = time.perf_counter() - started
    assert response.status_code == 201, response.content[:500]
    warnings = response.json()["warnings"]
    assert {w["code"] for w in warnings} == {"rule_never_fires"}
    assert len(warnings) == question_count(text)
    assert seconds < 20, f"the import took {seconds:.1f} s"


# -- no input makes import, lint or `lens risk` fail -------------------------------------------------


def test_issue_14_a_question_read_from_json_is_linted_the_same_as_its_text():
    # The linter reads the tree the reader parsed; a document read from text gives the same findings.
    question = lens_with(
        {
            "id": "Q01",
            "title": "Text and value",
            "description": "Same findings.",
            "choices": [practice("c00"), practice("c01")],
            "riskRules": [
                {"condition": "c00 || !c00", "risk": "NO_RISK"},
                {"condition": "default", "risk": "HIGH_RISK"},
            ],
        }
    )
    from_value = lint_lens(read_lens(question)[0])
    from_text = lint_lens(read_lens(json.dumps(question))[0])
    assert from_value == from_text
    assert [f.code for f in from_value] == ["rule_never_fires"]


def test_issue_14_a_refused_lens_raises_only_the_refusal():
    question = lens_with(
        {
            "id": "Q01",
            "title": "Hostile",
            "description": "Too deep.",
            "choices": [practice("c00")],
            "riskRules": [{"condition": "!" * 920 + "c00", "risk": "NO_RISK"}],
        }
    )
    with pytest.raises(LensRefused):
        read_lens(json.dumps(question))


def test_issue_14_the_deepest_lens_the_limits_allow_is_read_and_linted():
    text = deepest_lens()
    assert len(text) == 500_000
    check_depth(text)  # 64 levels: at the limit...
    with pytest.raises(JSONTooDeep):
        check_depth(text, max_depth=MAX_JSON_DEPTH - 1)  # ...and not below it
    document, warnings = read_lens(text)
    assert {w.code for w in warnings} == {"unknown_key"}
    conditions = [rule.condition for _, question in document.questions() for rule in question.risk_rules]
    for condition in conditions[:2]:  # conditions at the depth limit: one `!` more is refused
        with pytest.raises(ConditionError, match="deeper than 32"):
            parse_condition("!" + condition)
    started = time.perf_counter()
    lint_lens(document)
    assert time.perf_counter() - started < 5


def test_a_run_of_negations_keeps_only_its_parity():
    assert parse_condition("!!c00") == Choice("c00")
    assert parse_condition("!(!(c00))") == Choice("c00")
    assert parse_condition("!!!c00 && c01") == And((Not(Choice("c00")), Choice("c01")))
