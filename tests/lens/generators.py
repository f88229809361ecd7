"""Lenses at the format's limits, for the tests and for `make bench` (issue 14).

Plain functions, no test framework: bench/lens_bench.py imports them too. Each returns the lens as
compact JSON text of exactly `characters` characters (the format's cap by default), so that what is
measured is the largest file the format lets through.

- `generator_lens`: the issue's generator. Each question has 15 choices `c00..c14` and the rules
  `T && c14` NO_RISK, `T && !c14` MEDIUM_RISK, `default` HIGH_RISK, with
  `T = (c00 || !c00) && ... && (c13 || !c13)`: always true, but only settled once every choice has been
  looked at, which made the old search walk every answer.
- `deepest_lens`: conditions nested as deep as the parser allows (MAX_CONDITION_DEPTH, negations
  and parentheses together: `!(!(a && ...` chains and runs of 32 `!`), and every question carrying
  an undocumented key nested to the JSON limit (MAX_JSON_DEPTH), filled to the cap.
"""

import json

from lens.format.limits import MAX_CHARACTERS, MAX_PILLARS, MAX_QUESTIONS
from lens.risk import MAX_CONDITION_DEPTH
from mlwa.jsonlimits import MAX_JSON_DEPTH

CHOICES = [f"c{n:02d}" for n in range(15)]
#: How deep a question object sits: the lens, `pillars`, a pillar, `questions`, the question.
QUESTION_DEPTH = 5


def tautology() -> str:
    """T: true for every answer, and only known to be once every choice but c14 is decided."""
    return " && ".join(f"({choice} || !{choice})" for choice in CHOICES[:14])


def generator_question(question_id: str, text: int = 10) -> dict:
    """One question of the issue's generator; `text` sets how long its titles and plans are."""
    words = " ".join(["practice"] * (text // 9))
    return {
        "id": question_id,
        "title": f"How does the team handle {question_id}?",
        "description": f"Generated question {question_id}.",
        "choices": [
            {
                "id": choice,
                "title": f"{choice}: {words}",
                "helpfulResource": {"displayText": f"Why {choice} matters: {words}"},
                "improvementPlan": {"displayText": f"How to start {choice}: {words}"},
            }
            for choice in CHOICES
        ],
        "riskRules": [
            {"condition": f"{tautology()} && c14", "risk": "NO_RISK"},
            {"condition": f"{tautology()} && !c14", "risk": "MEDIUM_RISK"},
            {"condition": "default", "risk": "HIGH_RISK"},
        ],
    }


def deep_condition(ids: list[str], depth: int = MAX_CONDITION_DEPTH) -> str:
    """A condition whose innermost choice sits `depth` deep: `!(!(a && !(!(b && ...))))`, each `!(`
    two levels. Double negations leave it meaning `a && b && ...`."""
    opening, closing, level, index = [], [], 0, 0
    while level + 4 <= depth:
        opening.append(f"!(!({ids[index % len(ids)]} && ")
        closing.append("))")
        level += 4
        index += 1
    inner = "!" * (depth - level) + ids[index % len(ids)]
    return "".join(opening) + inner + "".join(reversed(closing))


def deep_extra(levels: int) -> list:
    """An undocumented value of `levels` arrays inside each other (the reader keeps it)."""
    value: list = []
    for _ in range(levels - 1):
        value = [value]
    return value


def negations(choice: str, depth: int = MAX_CONDITION_DEPTH) -> str:
    """A choice under `depth` negations in a row: the other way to nest as deep as allowed."""
    return "!" * depth + choice


def deepest_question(question_id: str, chains: int = 5) -> dict:
    """A question whose rules nest as deep as allowed in both ways (`!(!(` chains, and runs of `!`),
    many times over, and which holds a value nested to the JSON limit."""

    def rotated(offset: int) -> list[str]:
        return CHOICES[offset % 15 :] + CHOICES[: offset % 15]

    no_risk = " && ".join(deep_condition(rotated(n)) for n in range(chains))
    medium = " || ".join(negations(choice) for choice in (rotated(7) * chains)[: chains * 4])
    return {
        "id": question_id,
        "title": f"How deep is {question_id}?",
        "description": f"Generated question {question_id}.",
        "_nested": deep_extra(MAX_JSON_DEPTH - QUESTION_DEPTH),
        "choices": [
            {"id": choice, "title": choice, "improvementPlan": {"displayText": f"Do {choice}."}}
            for choice in CHOICES
        ],
        "riskRules": [
            {"condition": no_risk, "risk": "NO_RISK"},
            {"condition": medium, "risk": "MEDIUM_RISK"},
            {"condition": "default", "risk": "HIGH_RISK"},
        ],
    }


def _filled(name: str, make_question, characters: int) -> str:
    """A lens of as many questions from `make_question(id)` as fit in `characters`, and then padded to
    exactly `characters` in its last question's description."""

    def text_of(count: int) -> tuple[dict, str]:
        pillars = []
        for number in range(count):
            pillar, position = divmod(number, MAX_QUESTIONS)
            if position == 0:
                pillars.append({"id": f"pillar{pillar:02d}", "name": f"Pillar {pillar}", "questions": []})
            pillars[-1]["questions"].append(make_question(f"P{pillar:02d}Q{position:02d}"))
        document = {
            "schemaVersion": "2021-11-01",
            "name": name,
            "description": f"{name}, generated at the format's limits.",
            "pillars": pillars,
        }
        return document, json.dumps(document, separators=(",", ":"))

    low, high = 1, MAX_PILLARS * MAX_QUESTIONS
    while low < high:  # the most questions that fit
        middle = (low + high + 1) // 2
        if len(text_of(middle)[1]) <= characters:
            low = middle
        else:
            high = middle - 1
    document, text = text_of(low)
    if len(text) > characters:
        raise ValueError(f"not even one question fits in {characters} characters")
    # Plain ASCII letters need no escaping: each adds exactly one character to the text.
    document["pillars"][-1]["questions"][-1]["description"] += "x" * (characters - len(text))
    return json.dumps(document, separators=(",", ":"))


def generator_lens(characters: int = MAX_CHARACTERS) -> str:
    """The issue's generator lens, filled to `characters` (about 160 questions at the cap)."""
    return _filled("Generator lens", generator_question, characters)


def deepest_lens(characters: int = MAX_CHARACTERS) -> str:
    """The deepest conditions and JSON the limits allow, filled to `characters`."""
    return _filled("Deepest lens", deepest_question, characters)


def question_count(text: str) -> int:
    """How many questions a generated lens holds."""
    return sum(len(pillar["questions"]) for pillar in json.loads(text)["pillars"])
