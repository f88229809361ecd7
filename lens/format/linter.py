"""The linter: what a lens's risk rules do that its author probably did not mean.

An answer, here, is what a team can submit: a non-empty set of practices (choices marked not
applicable count as selected, so they add nothing new), or "None of these" alone. Whether some answer
makes a rule the first true one is a small satisfiability question; `_satisfiable` answers it by a
depth-first search over the choices that the rules name, with three-valued (Kleene) evaluation so that
a branch is cut as soon as its outcome is settled. Questions have at most 15 choices, and real rules
settle after a few choices, so this stays fast even for the largest lens.
"""

import re
from collections.abc import Sequence

from lens import risk
from lens.format.document import LensDocument, QuestionDoc
from lens.format.problems import Problem, child

_NONE_LIKE_TITLE = re.compile(r"^\W*none( of (these|the above|this))?\W*$", re.IGNORECASE)
_NO_RISK_FROM_FILE = "NO_RISK"


def _kleene(node: risk.Node, values: dict[str, bool | None]) -> bool | None:
    """The value of a condition under a partial assignment: None when it is not settled yet."""
    match node:
        case risk.Always():
            return True
        case risk.Choice(id=choice_id):
            return values.get(choice_id, False)
        case risk.Not(operand=operand):
            value = _kleene(operand, values)
            return None if value is None else not value
        case risk.And(operands=operands):
            result: bool | None = True
            for operand in operands:
                value = _kleene(operand, values)
                if value is False:
                    return False
                if value is None:
                    result = None
            return result
        case risk.Or(operands=operands):
            result = False
            for operand in operands:
                value = _kleene(operand, values)
                if value is True:
                    return True
                if value is None:
                    result = None
            return result
    raise TypeError(f"not a condition node: {node!r}")


def _all_hold(parts: Sequence[tuple[risk.Node, bool]], values: dict[str, bool | None]) -> bool | None:
    """Whether every condition in `parts` has its wanted truth value (None: not settled)."""
    result: bool | None = True
    for tree, wanted in parts:
        value = _kleene(tree, values)
        if value is None:
            result = None
        elif value is not wanted:
            return False
    return result


def _satisfiable(
    parts: Sequence[tuple[risk.Node, bool]], practices: Sequence[str], none_of_these: str | None
) -> bool:
    """Whether some answer gives every condition in `parts` its wanted truth value."""
    if none_of_these is not None:
        alone = dict.fromkeys(practices, False) | {none_of_these: True}
        if _all_hold(parts, alone):
            return True
    named = set().union(*(risk.choice_ids_in(tree) for tree, _ in parts))
    variables = [practice for practice in practices if practice in named]
    has_unnamed_practice = len(variables) < len(practices)
    values: dict[str, bool | None] = dict.fromkeys(variables)
    if none_of_these is not None:
        values[none_of_these] = False

    def search(index: int, any_selected: bool) -> bool:
        settled = _all_hold(parts, values)
        if settled is False:
            return False
        if settled is True:
            # The choices left open do not change the outcome: pick any to make the set non-empty.
            return any_selected or has_unnamed_practice or index < len(variables)
        if index == len(variables):
            return False  # unreachable: with every variable set, the outcome is settled
        variable = variables[index]
        for value in (True, False):
            values[variable] = value
            if search(index + 1, any_selected or value):
                values[variable] = None
                return True
        values[variable] = None
        return False

    return search(0, False)


def _none_of_these(question: QuestionDoc) -> str | None:
    return next((choice.id for choice in question.choices if choice.is_none_of_these), None)


def lint_question(question: QuestionDoc, path: str) -> list[Problem]:
    """The linter's findings on one question; `path` is the question's JSON path."""
    findings = []
    none_of_these = _none_of_these(question)
    practices = [choice.id for choice in question.choices if not choice.is_none_of_these]
    rules = [(risk.parse_condition(rule.condition), rule.risk) for rule in question.risk_rules]
    rules_path = child(path, "riskRules")

    for index, (tree, level) in enumerate(rules):
        parts = [(tree, True)] + [(earlier, False) for earlier, _ in rules[:index]]
        if not _satisfiable(parts, practices, none_of_these):
            findings.append(
                Problem(
                    child(rules_path, index),
                    "rule_never_fires",
                    f"no answer makes this {level} rule the first that matches, so it never applies",
                )
            )

    if not any(isinstance(tree, risk.Always) for tree, _ in rules) and _satisfiable(
        [(tree, False) for tree, _ in rules], practices, none_of_these
    ):
        findings.append(
            Problem(
                rules_path,
                "answer_matches_no_rule",
                "some answers match no rule; they are a high risk",
            )
        )

    if practices:
        everything = dict.fromkeys(practices, True)
        if none_of_these is not None:
            everything[none_of_these] = False
        outcome = next((level for tree, level in rules if _kleene(tree, everything)), None)
        if outcome != _NO_RISK_FROM_FILE:
            findings.append(
                Problem(
                    rules_path,
                    "all_practices_still_risky",
                    f"selecting every practice gives {outcome or 'HIGH_RISK (no rule matches)'}",
                )
            )

    # A choice that a risky rule names un-negated counts against the team, so marking it not
    # applicable (which counts as selecting it) raises the risk: typically a "No" answer. A practice
    # that the no-risk rule asks for is a good practice named in a risky rule only as a partial
    # answer; marking it not applicable counts it as done, which never hurts.
    wanted = set().union(
        *(risk.positive_choice_ids_in(tree) for tree, level in rules if level == _NO_RISK_FROM_FILE)
    )
    flagged: set[str] = set(wanted)
    if none_of_these is not None:
        flagged.add(none_of_these)  # "None of these" cannot be marked not applicable
    for index, (tree, level) in enumerate(rules):
        if level == _NO_RISK_FROM_FILE:
            continue
        for choice_id in sorted(risk.positive_choice_ids_in(tree) - flagged):
            flagged.add(choice_id)
            findings.append(
                Problem(
                    child(child(rules_path, index), "condition"),
                    "not_applicable_raises_risk",
                    f"{choice_id} counts towards {level} here, so marking it not applicable raises the risk",
                )
            )

    for index, choice in enumerate(question.choices):
        if not choice.is_none_of_these and _NONE_LIKE_TITLE.match(choice.title):
            findings.append(
                Problem(
                    child(child(path, "choices"), index),
                    "none_like_choice",
                    f"{choice.title!r} reads like 'None of these' but its id does not end in '_no', "
                    "so it is an ordinary practice",
                )
            )
    return findings


def lint_lens(document: LensDocument) -> list[Problem]:
    """The linter's findings on a whole (valid) lens, in document order."""
    findings = []
    for pillar_index, pillar in enumerate(document.pillars):
        for question_index, question in enumerate(pillar.questions):
            path = f"$.pillars[{pillar_index}].questions[{question_index}]"
            findings.extend(lint_question(question, path))
    return findings
