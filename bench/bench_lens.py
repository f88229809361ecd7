"""The 60-question bench lens: a generated lens of 6 pillars x 10 questions x 6 choices (5 practices
and "None of these"), published, applied to a workload, and every question answered with a
realistic mix of risks. Issue 16 measures the lens review overview on it (bench.reviews_bench);
later benchmarks reuse it: `bench_review(owner=...)` gives the answered LensReview.

Made here rather than from tests/ (bench imports nothing of the tests but lens_limits's generators):
the document is plain data, and the answers go through the same service the pages and the API use
(reviews.services.answer_update), so the kept risk counts are the ones the triggers keep.
"""

from django.db import transaction

from lens.services import lens_import, lens_publish
from reviews.api.answer_serializers import validated_answer_changes
from reviews.models import Answer, LensReview
from reviews.services import answer_update, lens_review_apply, workload_create

PILLARS, QUESTIONS, CHOICES = 6, 10, 6

#: How the questions of a pillar are answered, by position, round and round: of 10, four without
#: risk, three medium, two high and one not applicable (the mix of a review well under way).
MIX = ("none", "medium", "none", "high", "medium", "none", "not_applicable", "medium", "none", "high")


def bench_lens_document(
    *, pillars: int = PILLARS, questions: int = QUESTIONS, choices: int = CHOICES, name: str = "Bench lens"
) -> dict:
    """The lens file: `pillars` pillars (`benchP1`...) of `questions` questions (`BP1Q01`...), each
    with `choices` - 1 practices and "None of these". Every practice: no risk; the first alone, or any
    but not all: medium; nothing, or "None of these": high."""
    document_pillars = []
    for p in range(1, pillars + 1):
        document_questions = []
        for q in range(1, questions + 1):
            qid = f"BP{p}Q{q:02d}"
            practices = [f"{qid}_BP{c}" for c in range(1, choices)]
            document_questions.append(
                {
                    "id": qid,
                    "title": f"How does the team handle concern {q} of pillar {p}?",
                    "description": f"What the team does about concern {q} of pillar {p}, and why.",
                    "choices": [
                        {
                            "id": cid,
                            "title": f"Practice {c} for {qid}",
                            "helpfulResource": {"displayText": f"Why practice {c} matters."},
                            "improvementPlan": {"displayText": f"How to start practice {c}."},
                        }
                        for c, cid in enumerate(practices, start=1)
                    ]
                    + [{"id": f"{qid}_no", "title": "None of these"}],
                    "riskRules": [
                        {"condition": " && ".join(practices), "risk": "NO_RISK"},
                        {"condition": f"({' || '.join(practices)}) && !{qid}_no", "risk": "MEDIUM_RISK"},
                        {"condition": "default", "risk": "HIGH_RISK"},
                    ],
                }
            )
        document_pillars.append(
            {
                "id": f"benchP{p}",
                "name": f"Bench pillar {p}",
                "description": f"What bench pillar {p} is about.",
                "questions": document_questions,
            }
        )
    return {
        "schemaVersion": "2021-11-01",
        "name": name,
        "description": "The bench lens: generated, answered with a mix of risks.",
        "pillars": document_pillars,
    }


def _changes(kind: str, question_id: str, choices: int) -> dict:
    practices = [f"{question_id}_BP{c}" for c in range(1, choices)]
    if kind == "none":
        return {"selected_choices": practices, "notes": "Done everywhere."}
    if kind == "medium":
        return {"selected_choices": practices[:2], "notes": "Under way."}
    if kind == "high":
        return {"selected_choices": [f"{question_id}_no"]}
    return {"is_applicable": False, "reason": Answer.Reason.OUT_OF_SCOPE}


def bench_review(
    *,
    owner,
    pillars: int = PILLARS,
    questions: int = QUESTIONS,
    choices: int = CHOICES,
    name: str = "Bench workload",
    answer: bool = True,
) -> LensReview:
    """A new workload of `owner` with the bench lens (imported by `owner`, published, applied) and,
    with `answer`, every question answered by `owner` in the MIX of risks; the lens review, with its
    workload and lens."""
    document = bench_lens_document(pillars=pillars, questions=questions, choices=choices)
    lens = lens_import(source=document, owner=owner, created_by=owner).lens
    version = lens_publish(lens=lens, label="1", major=True)
    workload = workload_create(owner=owner, fields={"name": name}, lens_versions=[])
    review = lens_review_apply(workload=workload, lens_version=version, actor=owner)
    if answer:
        ordered = review.answers.select_related("question").order_by(
            "question__pillar__position", "question__position"
        )
        with transaction.atomic():
            for index, stored in enumerate(ordered):
                changes = _changes(MIX[index % len(MIX)], stored.question.question_id, choices)
                answer_update(
                    answer=stored,
                    actor=owner,
                    changes=validated_answer_changes(changes),
                    expected_version=stored.version,
                )
    return LensReview.objects.select_related("workload", "lens", "lens_version").get(pk=review.pk)
