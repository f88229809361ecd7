"""Every write to a review, one transaction per user action, with its audit trail or event.

Callers (views, the API) have checked the actor's role (reviews.permissions); the services check
the input and raise ReviewRefused subclasses, which name the fields at fault, when they refuse.
"""

from mlwa.errors import InvalidInput, ReviewRefused, StaleAnswer, StaleItem
from reviews.services.answers import (
    ANSWER_FIELDS,
    answer_keep_theirs,
    answer_state,
    answer_update,
    question_facts,
)
from reviews.services.improvements import improvement_item_update
from reviews.services.lens_reviews import lens_review_apply, lens_review_notes, lens_review_remove
from reviews.services.sharing import share_change_role, share_grant, share_revoke
from reviews.services.upgrades import UpgradeSummary, lens_review_upgrade
from reviews.services.workloads import (
    WORKLOAD_FIELDS,
    workload_create,
    workload_delete,
    workload_transfer,
    workload_update,
)

__all__ = [
    "ANSWER_FIELDS",
    "WORKLOAD_FIELDS",
    "InvalidInput",
    "ReviewRefused",
    "StaleAnswer",
    "StaleItem",
    "UpgradeSummary",
    "answer_keep_theirs",
    "answer_state",
    "answer_update",
    "improvement_item_update",
    "lens_review_apply",
    "lens_review_notes",
    "lens_review_remove",
    "lens_review_upgrade",
    "question_facts",
    "share_change_role",
    "share_grant",
    "share_revoke",
    "workload_create",
    "workload_delete",
    "workload_transfer",
    "workload_update",
]
