"""Hand-made lens documents for tests, and a JSONPath resolver to check where problems point."""

import copy
import re


def practice(choice_id: str, title: str | None = None) -> dict:
    return {
        "id": choice_id,
        "title": title or f"Practice {choice_id}",
        "helpfulResource": {"displayText": f"Why {choice_id} matters", "url": "https://example.com/help"},
        "improvementPlan": {"displayText": f"How to start doing {choice_id}"},
    }


def none_of_these(question_id: str) -> dict:
    return {"id": f"{question_id}_no", "title": "None of these"}


def question(question_id: str, practices: int = 3, rules: list[dict] | None = None) -> dict:
    ids = [f"{question_id}_BP{n}" for n in range(1, practices + 1)]
    return {
        "id": question_id,
        "title": f"How do you handle {question_id}?",
        "description": f"Context for {question_id}.",
        "choices": [practice(choice_id) for choice_id in ids] + [none_of_these(question_id)],
        "riskRules": rules
        or [
            {"condition": " && ".join(ids), "risk": "NO_RISK"},
            {"condition": ids[0], "risk": "MEDIUM_RISK"},
            {"condition": "default", "risk": "HIGH_RISK"},
        ],
    }


def small_lens(name: str = "Small lens", questions: int = 2, pillars: int = 1) -> dict:
    """A valid lens that the linter has nothing to say about."""
    return {
        "schemaVersion": "2021-11-01",
        "name": name,
        "description": f"{name}, made for tests.",
        "pillars": [
            {
                "id": f"pillar{p}",
                "name": f"Pillar {p}",
                "questions": [question(f"P{p}Q{q}") for q in range(1, questions + 1)],
            }
            for p in range(1, pillars + 1)
        ],
    }


_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")


def resolve(document, path: str):
    """The value at a JSONPath like `$.pillars[0].questions[1].title`; KeyError/IndexError if absent."""
    assert path.startswith("$"), path
    value = document
    position = 1
    while position < len(path):
        match = _STEP.match(path, position)
        assert match, f"bad path {path!r} at {position}"
        name, index, quoted = match.groups()
        if index is not None:
            value = value[int(index)]
        else:
            key = name if name is not None else quoted.replace("\\'", "'").replace("\\\\", "\\")
            value = value[key]
        position = match.end()
    return value


def clone(document: dict) -> dict:
    return copy.deepcopy(document)


def split_last_step(path: str) -> tuple[str, str | int]:
    """`$.a[0].b` -> (`$.a[0]`, "b"); `$.a[0]` -> (`$.a`, 0)."""
    steps = list(_STEP.finditer(path, 1))
    last = steps[-1]
    name, index, quoted = last.groups()
    key = int(index) if index is not None else name if name is not None else quoted
    return path[: last.start()], key
