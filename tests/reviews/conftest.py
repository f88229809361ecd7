"""A workload and a user for every role on it (DESIGN.md, "Who may do what")."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group, Permission

from reviews.models import Share, Workload
from reviews.services import share_grant, workload_create


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
def people(django_user_model):
    def user(name):
        return django_user_model.objects.create_user(name, f"{name}@example.com", f"{name}-password")

    return {role: user(role) for role in ("owner", "contributor", "reader", "auditor", "outsider")}


@pytest.fixture
def shared_workload(people) -> SharedWorkload:
    """The demo-like workload: the built-in lens applied, shared with a team (the contributor's
    group) and a reader; the auditor holds "see all workloads" through their group."""
    workload = workload_create(owner=people["owner"], fields={"name": "Fraud detection"})
    team = Group.objects.create(name="ml-team")
    people["contributor"].groups.add(team)
    share_grant(workload=workload, actor=people["owner"], group=team, role=Share.Role.CONTRIBUTOR)
    share_grant(workload=workload, actor=people["owner"], user=people["reader"], role=Share.Role.READER)
    auditors = Group.objects.create(name="auditors")
    auditors.permissions.add(Permission.objects.get(codename="view_all_workloads"))
    people["auditor"].groups.add(auditors)
    return SharedWorkload(workload=workload, **people)
