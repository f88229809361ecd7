"""The lens of the upgrade tests (tests/reviews/test_upgrades.py, test_upgrade_pages.py,
test_upgrades_concurrency.py and tests/api/test_upgrades.py), version 1 → version 2:

- P1Q1 is the same; P2Q2 moves from pillar2 to pillar1, otherwise the same;
- P1Q2 loses the practice BP3 and gains BP4, which its no-risk rule now needs;
- P1Q3 keeps its practices; its rules change (BP1 alone is now no risk);
- P1Q6 loses the practice OLD (the only one the review selected);
- P1Q4 and P2Q1 (and with them pillar2) go; P1Q5 and pillar3's P3Q1 are new.

`answer_all` answers version 1 so that each case shows (see CARRIED for what version 2 makes of it).
"""

from lens.services import lens_import, lens_publish
from reviews.models import Answer, PillarRiskCounts
from reviews.services import lens_review_notes
from tests import factories
from tests.reviews.test_pillar_risk_counts import counted, kept


def question(question_id: str, choices: list[str] | None = None, rules=None) -> dict:
    """factories.question's question, with other practices (before "None of these") or rules."""
    value = factories.question(question_id)
    if choices is not None:
        value["choices"] = [factories.practice(f"{question_id}_{c}") for c in choices] + [
            {"id": f"{question_id}_no", "title": "None of these"}
        ]
    if rules is not None:
        value["riskRules"] = [{"condition": condition, "risk": risk} for condition, risk in rules]
    return value


def document(pillars: dict[str, list[dict]], name: str = "Upgrade lens") -> dict:
    return {
        "schemaVersion": "2021-11-01",
        "name": name,
        "description": f"{name}, made for a test.",
        "pillars": [
            {"id": pillar_id, "name": pillar_id.title(), "questions": questions}
            for pillar_id, questions in pillars.items()
        ],
    }


def version_1() -> dict:
    return document(
        {
            "pillar1": [
                question("P1Q1"),
                question("P1Q2"),
                question("P1Q3"),
                question("P1Q4"),
                question("P1Q6", ["BP1", "BP2", "BP3", "OLD"]),
            ],
            "pillar2": [question("P2Q1"), question("P2Q2")],
        }
    )


def version_2() -> dict:
    return document(
        {
            "pillar1": [
                question("P1Q1"),
                question(
                    "P1Q2",
                    ["BP1", "BP2", "BP4"],
                    [
                        ("P1Q2_BP1 && P1Q2_BP2 && P1Q2_BP4", "NO_RISK"),
                        ("P1Q2_BP1", "MEDIUM_RISK"),
                        ("default", "HIGH_RISK"),
                    ],
                ),
                question("P1Q3", rules=[("P1Q3_BP1", "NO_RISK"), ("default", "HIGH_RISK")]),
                question("P1Q5"),
                question("P1Q6"),
                question("P2Q2"),
            ],
            "pillar3": [question("P3Q1")],
        }
    )


def new_version(lens, *, label: str = "2", major: bool = True, source: dict | None = None, actor=None):
    """`source` (version 2 by default) imported as the lens's draft and published."""
    lens_import(source=source or version_2(), owner=lens.owner, alias=lens.alias)
    return lens_publish(lens=lens, label=label, major=major, actor=actor)


def upgradable(owner, name: str = "Fraud detection", *, lenses=()):
    """A workload with the lens at version 1 (and `lenses` besides), answered as the module says."""
    lens = factories.imported_lens(owner=owner, document=version_1())
    workload = factories.workload(owner, name, lenses=[lens, *lenses])
    review = workload.lens_reviews.get(lens=lens)
    answer_all(review, owner)
    return lens, workload, review


def answer_all(review, owner) -> None:
    def answer(question_id, **changes):
        stored = review.answers.get(question__question_id=question_id)
        factories.answered(stored, actor=owner, **changes)

    answer("P1Q1", selected_choices=["P1Q1_BP1", "P1Q1_BP2", "P1Q1_BP3"])
    answer(
        "P1Q2",
        selected_choices=["P1Q2_BP1", "P1Q2_BP3"],
        not_applicable_choices={"P1Q2_BP2": {"reason": "OTHER", "notes": "Not here."}},
    )
    answer("P1Q3", selected_choices=["P1Q3_BP1"])
    answer("P1Q4", selected_choices=["P1Q4_no"])
    answer("P1Q6", selected_choices=["P1Q6_OLD"], notes="Only the old way.")
    answer("P2Q1", selected_choices=["P2Q1_BP1"])
    answer("P2Q2", selected_choices=["P2Q2_BP1", "P2Q2_BP2", "P2Q2_BP3"])
    lens_review_notes(
        lens_review=review, actor=owner, pillar_notes={"pillar1": "Kept.", "pillar2": "Dropped."}
    )


def answers_of(review) -> dict[str, tuple]:
    """question id → (selected, not applicable, risk, version, notes) of the review's answers."""
    rows = Answer.objects.filter(lens_review=review).values_list(
        "question__question_id", "selected_choices", "not_applicable_choices", "risk", "version", "notes"
    )
    return {row[0]: row[1:] for row in rows}


CARRIED = {
    "P1Q1": (["P1Q1_BP1", "P1Q1_BP2", "P1Q1_BP3"], {}, "NONE", 1, ""),  # the same: only moved
    "P1Q2": (["P1Q2_BP1"], {"P1Q2_BP2": {"reason": "OTHER", "notes": "Not here."}}, "MEDIUM", 2, ""),
    "P1Q3": (["P1Q3_BP1"], {}, "NONE", 2, ""),
    "P1Q5": ([], {}, "UNANSWERED", 0, ""),
    "P1Q6": ([], {}, "UNANSWERED", 2, "Only the old way."),
    "P2Q2": (["P2Q2_BP1", "P2Q2_BP2", "P2Q2_BP3"], {}, "NONE", 1, ""),  # moved to pillar1
    "P3Q1": ([], {}, "UNANSWERED", 0, ""),
}
SUMMARY = {
    "carried": 5,
    "added": 2,
    "removed": 2,
    "removed_answered": 2,
    "answers_changed": 3,
    "risk_changed": 3,
    "dropped_pillar_notes": ["pillar2"],
}


def assert_on_version_2(review, version) -> None:
    review.refresh_from_db()
    assert review.lens_version == version
    assert answers_of(review) == CARRIED
    assert set(review.answers.values_list("question__version", flat=True)) == {version.pk}
    assert review.pillar_notes == {"pillar1": "Kept."}
    # The triggers followed every move: counts equal a recount, and no row of the old pillars is left.
    assert kept() == counted()
    assert not PillarRiskCounts.objects.filter(lens_review=review).exclude(pillar__version=version).exists()
    by_pillar = {
        row.pillar.pillar_id: (row.high, row.medium, row.none, row.unanswered)
        for row in PillarRiskCounts.objects.filter(lens_review=review).select_related("pillar")
    }
    assert by_pillar == {"pillar1": (0, 1, 3, 2), "pillar3": (0, 0, 0, 1)}
