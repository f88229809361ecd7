"""Risk rules in words a reviewer reads: "High risk when none of BP01, BP02 is selected".

The words come from the condition's parsed tree (lens.risk.parse_condition), the tree the risk
engine evaluates, so what is read is what is evaluated: runs of plain choices are grouped ("all of",
"any of", "none of", "not all of"), and a compound part inside another is put in parentheses.
Rules are tried in order and the first that holds gives the risk (LENS_FORMAT.md "Risk rules"), so
a `default` rule reads "otherwise", and a list of rules without one ends with the HIGH risk that no
matching rule gives.
"""

from collections.abc import Iterable

from lens.risk import (
    RISK_FROM_FILE,
    Always,
    And,
    Choice,
    ConditionError,
    Node,
    Not,
    Or,
    Risk,
    parse_condition,
)

#: A risk as people read it (the same words as reviews.models.Answer.Risk's labels).
RISK_WORDS = {
    Risk.UNANSWERED: "Unanswered",
    Risk.NOT_APPLICABLE: "Not applicable",
    Risk.NONE: "No risk",
    Risk.MEDIUM: "Medium risk",
    Risk.HIGH: "High risk",
}


def _ids(choices: list[str]) -> str:
    return ", ".join(choices)


def _all_selected(choices: list[str]) -> str:
    return f"{choices[0]} is selected" if len(choices) == 1 else f"all of {_ids(choices)} are selected"


def _none_selected(choices: list[str]) -> str:
    return f"{choices[0]} is not selected" if len(choices) == 1 else f"none of {_ids(choices)} is selected"


def _any_selected(choices: list[str]) -> str:
    return f"{choices[0]} is selected" if len(choices) == 1 else f"any of {_ids(choices)} is selected"


def _not_all_selected(choices: list[str]) -> str:
    if len(choices) == 1:
        return f"{choices[0]} is not selected"
    return f"not all of {_ids(choices)} are selected"


def _plain(operands: Iterable[Node]) -> tuple[list[str], list[str], list[Node]]:
    """The ids of the plain choices among `operands`, of the negated ones, and the other operands,
    each in the order written."""
    positive: list[str] = []
    negative: list[str] = []
    rest: list[Node] = []
    for operand in operands:
        if isinstance(operand, Choice):
            positive.append(operand.id)
        elif isinstance(operand, Not) and isinstance(operand.operand, Choice):
            negative.append(operand.operand.id)
        else:
            rest.append(operand)
    return positive, negative, rest


def _part(node: Node) -> str:
    """A compound operand inside another condition, in parentheses so that the reading is not
    ambiguous ("A is selected and (B is selected or C is selected)")."""
    text = condition_words(node)
    return f"({text})" if isinstance(node, And | Or) and (" and " in text or " or " in text) else text


def condition_words(node: Node) -> str:
    """A condition's tree in words. Recursive: a tree is at most MAX_CONDITION_DEPTH deep."""
    if isinstance(node, Always):
        return "always"
    if isinstance(node, Choice):
        return f"{node.id} is selected"
    if isinstance(node, Not):
        inner = node.operand
        if isinstance(inner, Choice):
            return f"{inner.id} is not selected"
        if isinstance(inner, Or | And):
            positive, negative, rest = _plain(inner.operands)
            if not negative and not rest:  # !(A || B): none of them; !(A && B): not all of them
                return _none_selected(positive) if isinstance(inner, Or) else _not_all_selected(positive)
        return f"it is not so that {_part(inner) if isinstance(inner, And | Or) else condition_words(inner)}"
    positive, negative, rest = _plain(node.operands)
    if isinstance(node, And):
        parts = [_all_selected(positive)] if positive else []
        parts += [_none_selected(negative)] if negative else []
        joiner = " and "
    else:
        parts = [_any_selected(positive)] if positive else []
        parts += [_not_all_selected(negative)] if negative else []
        joiner = " or "
    parts += [_part(operand) for operand in rest]
    return joiner.join(parts)


def rule_words(condition: str, risk: str, *, first: bool = False) -> str:
    """One rule (its condition's text, its risk as the file names it: HIGH_RISK, ...) in words:
    "High risk when BP01 is not selected"; a `default` rule reads "otherwise" ("in every case" when
    it comes first). A condition that does not parse (never stored: the import refuses it) is shown
    as written."""
    words = RISK_WORDS[RISK_FROM_FILE[risk]] if risk in RISK_FROM_FILE else risk
    try:
        tree = parse_condition(condition)
    except ConditionError:
        return f"{words} when {condition.strip()}"
    if isinstance(tree, Always):
        return f"{words} {'in every case' if first else 'otherwise'}"
    return f"{words} when {condition_words(tree)}"


def rules_words(rules: Iterable[tuple[str, str]]) -> list[str]:
    """A question's rules ((condition, risk) pairs, in order) in words, one line each; without a
    `default` rule, a last line says what no matching rule gives (High risk)."""
    lines = []
    has_default = False
    for index, (condition, risk) in enumerate(rules):
        lines.append(rule_words(condition, risk, first=index == 0))
        has_default = has_default or condition.strip() == "default"
    if not has_default:
        lines.append(f"{RISK_WORDS[Risk.HIGH]} when no rule above holds")
    return lines
