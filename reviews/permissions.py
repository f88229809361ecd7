"""Who may do what with a workload, in one place (DESIGN.md, "Who may do what").

A user's role on a workload is the strongest of: owner; a share with them or with one of their groups
(contributor, reader); the "see all workloads" permission (auditor). Anyone else may not know that
the workload exists: selectors leave it out of every list, and views answer 404.
"""

import enum


class Role(enum.StrEnum):
    OWNER = "OWNER"
    CONTRIBUTOR = "CONTRIBUTOR"
    READER = "READER"
    AUDITOR = "AUDITOR"


class Action(enum.StrEnum):
    VIEW = "view"  # see it, its reports and exports
    ANSWER = "answer"  # answers, notes, improvement tracking
    EDIT = "edit"  # workload fields, lenses, milestones
    ADMINISTER = "administer"  # shares, ownership, delete


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.VIEW: frozenset(Role),
    Action.ANSWER: frozenset({Role.OWNER, Role.CONTRIBUTOR}),
    Action.EDIT: frozenset({Role.OWNER}),
    Action.ADMINISTER: frozenset({Role.OWNER}),
}


def can(role: Role | None, action: Action) -> bool:
    """Whether a user with `role` (None: no role at all) may take `action`."""
    return role is not None and role in ALLOWED[action]
