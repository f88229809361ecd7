"""An oracle for risk rules, independent of lens/risk.py and the linter.

It reads a condition with Python's own parser: the format's operators map onto `not`, `and`, `or`,
whose precedence (not over and over or) is the format's, and each choice id becomes a lookup. The
tokens are checked against a whitelist first, so nothing but the condition is ever evaluated.
"""

import re
from collections.abc import Callable

_TOKEN = re.compile(r"\s*(&&|\|\||!|\(|\)|[A-Za-z0-9_]+)")
_OPERATORS = {"&&": " and ", "||": " or ", "!": " not ", "(": "(", ")": ")"}
RISK_NAMES = {"NO_RISK": "NONE", "MEDIUM_RISK": "MEDIUM", "HIGH_RISK": "HIGH"}


def condition_expression(condition: str, choice_ids: list[str]) -> str:
    """The condition as a Python expression over `answer`, the set of choices that count as selected
    (`"True"` for `default`)."""
    text = condition.strip()
    if text == "default":
        return "True"
    pieces = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        assert match, f"unexpected text in {condition!r}"
        token = match.group(1)
        if token in _OPERATORS:
            pieces.append(_OPERATORS[token])
        else:
            assert token in choice_ids, token
            pieces.append(f"({token!r} in answer)")
        position = match.end()
    return "".join(pieces).strip()


def condition_oracle(condition: str, choice_ids: list[str]) -> Callable[[set[str]], bool]:
    """A predicate over the set of choices that count as selected."""
    code = compile(condition_expression(condition, choice_ids), "<condition>", "eval")
    return lambda answer: bool(eval(code, {"__builtins__": {}}, {"answer": answer}))  # noqa: S307


def question_oracle(question: dict) -> Callable[[set[str], set[str]], str]:
    """A function from (selected, not applicable) to the risk name, straight from the question's JSON."""
    choice_ids = [choice["id"] for choice in question["choices"]]
    rules = [
        (condition_oracle(r["condition"], choice_ids), RISK_NAMES[r["risk"]]) for r in question["riskRules"]
    ]

    def risk(selected: set[str], not_applicable: set[str]) -> str:
        if not selected and not not_applicable:
            return "UNANSWERED"
        answer = set(selected) | set(not_applicable)
        return next((level for holds, level in rules if holds(answer)), "HIGH")

    return risk
