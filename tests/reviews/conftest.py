"""A workload and a user for every role on it (DESIGN.md, "Who may do what")."""

from dataclasses import dataclass

import pytest

from reviews.models import Share, Workload
from reviews.services import share_grant
from tests.factories import GroupFactory, UserFactory, WorkloadFactory


@dataclass
class SharedWorkload:
    """A workload with its owner, a contributor (through a group), a reader, an auditor (who holds
    "see all workloads") and an outsider."""

    workload: Workload
    owner: object
    contributor: object
    reader: object
    auditor: object
    outsider: object

    @property
    def review(self):
        return self.workload.lens_reviews.get()

    def answer(self, question_id: str):
        return self.review.answers.select_related("question").get(question__question_id=question_id)


@pytest.fixture
def people(db):
    return {
        role: UserFactory(username=role) for role in ("owner", "contributor", "reader", "auditor", "outsider")
    }


@pytest.fixture
def shared_workload(people) -> SharedWorkload:
    """The demo-like workload: the built-in lens applied, shared with a team (the contributor's
    group) and a reader; the auditor holds "see all workloads" through their group."""
    workload = WorkloadFactory(owner=people["owner"], name="Fraud detection")
    team = GroupFactory(name="ml-team")
    people["contributor"].groups.add(team)
    share_grant(workload=workload, actor=people["owner"], group=team, role=Share.Role.CONTRIBUTOR)
    share_grant(workload=workload, actor=people["owner"], user=people["reader"], role=Share.Role.READER)
    people["auditor"].groups.add(GroupFactory(name="auditors", permissions=["view_all_workloads"]))
    return SharedWorkload(workload=workload, **people)
