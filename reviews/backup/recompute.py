"""What a restore computes instead of taking the document's word for it (issue 14): every answer's
risk, live or frozen, from its choices under its lens version's rules (lens.risk, as the answer
service evaluates them), and every milestone's pillar counts and totals from its frozen answers.

A backup that this MLWA exported always agrees with what is computed here: risks are computed when
answers are written, and a milestone's counts from the answers it freezes. So a disagreement means
the file was edited. The restore goes through with the computed values and says so: one
RestoreWarning per disagreement, naming the JSON path, the value stored in the file and the value
restored.
"""

from dataclasses import dataclass
from typing import Any

from lens.risk import evaluate
from reviews.backup.document import COUNTS
from reviews.models import Answer
from reviews.services.milestones import COUNT_COLUMNS


@dataclass(frozen=True)
class RestoreWarning:
    """A value of the document that disagrees with what its own content computes: restored as
    `computed`, not as `stored` (None: the document has no value there)."""

    path: str
    stored: Any
    computed: Any

    @property
    def message(self) -> str:
        stored = "nothing" if self.stored is None else f"{self.stored}"
        return f"The backup says {stored}; restored as {self.computed}, as its answers compute."

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "stored": self.stored, "computed": self.computed, "message": self.message}


def _risks(review: dict) -> list[RestoreWarning]:
    """Each answer of `review` (a checked lens review, live or frozen) given the risk its choices
    have under its lens version's rules; a warning for each that the document had otherwise."""
    rules, warnings = review["lens_file"].rules, []
    for question_id, fields in review["answers"].items():
        computed = evaluate(
            rules[question_id],
            fields["selected_choices"],
            fields["not_applicable_choices"],
            question_applicable=fields["is_applicable"],
        ).value
        if computed != fields["risk"]:
            path = f"{review['answer_paths'][question_id]}.risk"
            warnings.append(RestoreWarning(path, fields["risk"], computed))
            fields["risk"] = computed
    return warnings


def _counted(review: dict) -> dict[str, dict[str, int]]:
    """A frozen review's counts per pillar: one answer a question of its version, unanswered when
    the document leaves it out (as the restore writes it), so one row for each pillar with questions."""
    counted: dict[str, dict[str, int]] = {}
    for question_id, (pillar_id, _choices) in review["lens_file"].questions.items():
        fields = review["answers"].get(question_id)
        risk = fields["risk"] if fields else Answer.Risk.UNANSWERED
        row = counted.setdefault(pillar_id, dict.fromkeys(COUNTS, 0))
        row[COUNT_COLUMNS[risk]] += 1  # as a milestone made here counts (milestone_create)
    return counted


def _compare(
    path: str, stored: dict[str, int] | None, computed: dict[str, int] | None
) -> list[RestoreWarning]:
    """A warning for each count of `computed` that `stored` has otherwise (or lacks: one for the row)."""
    if stored is None or computed is None:
        return [RestoreWarning(path, stored, computed)]
    return [
        RestoreWarning(f"{path}.{column}", stored[column], computed[column])
        for column in COUNTS
        if stored[column] != computed[column]
    ]


def _milestone(milestone: dict) -> list[RestoreWarning]:
    """A milestone's frozen risks, pillar counts and totals, computed; the warnings for the rest."""
    warnings: list[RestoreWarning] = []
    totals = dict.fromkeys(COUNTS, 0)
    for review in milestone["lens_reviews"]:
        warnings += _risks(review)
        counted, stored, paths = _counted(review), review["pillar_counts"], review["pillar_count_paths"]
        # The document's rows in its order, then the pillars it has no row for, in the lens's.
        for pillar_id in [*stored, *(p for p in counted if p not in stored)]:
            where = paths.get(pillar_id, f"{review['path']}.pillar_counts")
            if pillar_id not in stored:
                where = f"{where}[pillar_id={pillar_id}]"
            warnings += _compare(where, stored.get(pillar_id), counted.get(pillar_id))
        review["pillar_counts"] = counted
        for row in counted.values():
            for column in COUNTS:
                totals[column] += row[column]
    warnings += _compare(f"{milestone['path']}.totals", milestone["totals"], totals)
    milestone["totals"] = totals
    return warnings


def recompute(checked: dict) -> list[RestoreWarning]:
    """Set every risk and count of `checked` (reviews.backup.restore's checked document) to what
    its answers compute, in place; the warnings, in the document's order."""
    warnings: list[RestoreWarning] = []
    for review in checked["reviews"]:
        warnings += _risks(review)
    for milestone in checked["milestones"]:
        warnings += _milestone(milestone)
    return warnings
