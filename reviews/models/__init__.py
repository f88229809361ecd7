"""Workload reviews (workloads.py), their milestones (milestones.py), the improvement work they lead
to (improvements.py), and the reports rendered from them (reports.py)."""

from reviews.models.improvements import ImprovementItem
from reviews.models.milestones import (
    ANSWER_FIELDS_FROZEN,
    MILESTONE_NAME_MAX,
    Milestone,
    MilestoneAnswer,
    MilestoneLensReview,
    MilestonePillarRiskCounts,
)
from reviews.models.reports import Report, WorkerHeartbeat
from reviews.models.workloads import (
    CHOICE_NOTES_MAX,
    NOTES_MAX,
    PERSON_NAME_MAX,
    Answer,
    AnswerChange,
    AnswerFields,
    LensReview,
    PillarRiskCounts,
    Restored,
    RiskCounts,
    Share,
    Workload,
    WorkloadEvent,
    person_name,
    restored_text,
)

__all__ = [
    "ANSWER_FIELDS_FROZEN",
    "CHOICE_NOTES_MAX",
    "MILESTONE_NAME_MAX",
    "NOTES_MAX",
    "PERSON_NAME_MAX",
    "Answer",
    "AnswerChange",
    "AnswerFields",
    "ImprovementItem",
    "LensReview",
    "Milestone",
    "MilestoneAnswer",
    "MilestoneLensReview",
    "MilestonePillarRiskCounts",
    "PillarRiskCounts",
    "Report",
    "Restored",
    "RiskCounts",
    "Share",
    "Workload",
    "WorkerHeartbeat",
    "WorkloadEvent",
    "person_name",
    "restored_text",
]
