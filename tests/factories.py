"""Test data: valid lens documents (the linter has nothing to say about them), and lenses imported
(and published) from them."""

from typing import Any

from lens.models import Lens
from lens.services import lens_import, lens_publish


def practice(choice_id: str, title: str | None = None) -> dict[str, Any]:
    """A best-practice choice with its helpful resource and improvement plan."""
    return {
        "id": choice_id,
        "title": title or f"Practice {choice_id}",
        "helpfulResource": {"displayText": f"Why {choice_id} matters."},
        "improvementPlan": {
            "displayText": f"How to start doing {choice_id}.",
            "url": "https://example.com/plan",
        },
    }


def question(question_id: str, practices: int = 3) -> dict[str, Any]:
    """A question with `practices` practices (`<id>_BP1`...) and "None of these" (`<id>_no`): every
    practice gives no risk, the first one alone a medium risk, anything else a high risk."""
    ids = [f"{question_id}_BP{n}" for n in range(1, practices + 1)]
    return {
        "id": question_id,
        "title": f"How do you handle {question_id}?",
        "description": f"What the team does about {question_id}.",
        "helpfulResource": {"displayText": "Why it matters.", "url": "https://example.com/why"},
        "choices": [practice(choice_id) for choice_id in ids]
        + [{"id": f"{question_id}_no", "title": "None of these"}],
        "riskRules": [
            {"condition": " && ".join(ids), "risk": "NO_RISK"},
            {"condition": ids[0], "risk": "MEDIUM_RISK"},
            {"condition": "default", "risk": "HIGH_RISK"},
        ],
    }


def lens_document(
    name: str = "Test lens", *, pillars: int = 1, questions: int = 2, practices: int = 3
) -> dict[str, Any]:
    """A lens of `pillars` pillars (`pillar1`...) of `questions` questions each (`P1Q1`...), each with
    `practices` practices and "None of these"."""
    return {
        "schemaVersion": "2021-11-01",
        "name": name,
        "description": f"{name}, made for a test.",
        "pillars": [
            {
                "id": f"pillar{p}",
                "name": f"Pillar {p}",
                "description": f"What pillar {p} is about.",
                "questions": [question(f"P{p}Q{q}", practices) for q in range(1, questions + 1)],
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


def workload(owner, name: str = "Fraud detection", *, lenses: list[Lens] | None = None, **fields: Any):
    """A workload of `owner` made through reviews.services.workload_create, with `fields` besides its
    name, and the newest published version of each of `lenses` applied (None: the built-in lens)."""
    from lens.selectors import latest_published_version
    from reviews.services import workload_create

    versions = None if lenses is None else [latest_published_version(lens) for lens in lenses]
    return workload_create(owner=owner, fields={"name": name, **fields}, lens_versions=versions)


def answered(answer, *, actor, expected_version: int | None = None, **changes: Any):
    """`answer` after `changes`, validated as the API and the page validate them, are written through
    reviews.services.answer_update (the version check skipped unless `expected_version` is given)."""
    from reviews.api.answer_serializers import validated_answer_changes
    from reviews.services import answer_update

    return answer_update(
        answer=answer,
        actor=actor,
        changes=validated_answer_changes(changes),
        expected_version=expected_version,
    )
