"""Test data: small valid lens documents, and lenses imported (and published) from them."""

from typing import Any

from lens.models import Lens
from lens.services import lens_import, lens_publish


def question_document(question_id: str, *, choices: int = 2) -> dict[str, Any]:
    """A question with `choices` practices and a "None of these" choice: all practices give no
    risk, anything else a high risk."""
    practice_ids = [f"{question_id}_{number}" for number in range(1, choices + 1)]
    return {
        "id": question_id,
        "title": f"How do you handle {question_id}?",
        "description": f"What the team does about {question_id}.",
        "helpfulResource": {"displayText": "Why it matters.", "url": "https://example.com/why"},
        "choices": [
            *(
                {
                    "id": choice_id,
                    "title": f"Practice {choice_id}",
                    "helpfulResource": {"displayText": "What it is."},
                    "improvementPlan": {"displayText": "How to start.", "url": "https://example.com/plan"},
                }
                for choice_id in practice_ids
            ),
            {"id": f"{question_id}_no", "title": "None of these"},
        ],
        "riskRules": [
            {"condition": " && ".join(practice_ids), "risk": "NO_RISK"},
            {"condition": "default", "risk": "HIGH_RISK"},
        ],
    }


def lens_document(*, name: str = "Test lens", pillars: int = 1, questions: int = 1) -> dict[str, Any]:
    """A valid lens document with `pillars` pillars of `questions` questions each (at most 20)."""
    return {
        "schemaVersion": "2021-11-01",
        "name": name,
        "description": f"{name}, made for a test.",
        "pillars": [
            {
                "id": f"pillar{p}",
                "name": f"Pillar {p}",
                "description": f"What pillar {p} is about.",
                "questions": [question_document(f"P{p}Q{q}") for q in range(1, questions + 1)],
            }
            for p in range(1, pillars + 1)
        ],
    }


def imported_lens(*, owner, document: dict | None = None, publish: str | None = "1") -> Lens:
    """A lens imported by `owner` (None: the instance's) and, unless `publish` is None, published
    under that label as a major version."""
    result = lens_import(source=document or lens_document(), owner=owner, created_by=owner)
    if publish is not None:
        lens_publish(lens=result.lens, label=publish, major=True)
    return result.lens
