"""Issue 14: POST /api/v1/workloads/{id}/transfer/ to someone who already has a workload of that
name goes through, renamed "Churn model (from alice)", instead of a 400 that told the caller of a
workload they may not see."""

import pytest

from reviews.models import Workload
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/workloads/"


def test_issue_14_a_hand_over_to_someone_with_that_name_is_a_200_renamed(api_for, alice, bob):
    mine = factories.workload(alice, "Churn model", lenses=[])
    factories.workload(bob, "churn model", lenses=[], description="Bob's secret plans.")
    client = api_for(alice)

    response = client.post(f"{URL}{mine.pk}/transfer/", {"owner": "bob"}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["owner"], body["role"]) == ("Churn model (from alice)", "bob", "CONTRIBUTOR")
    assert "already" not in response.content.decode()
    assert "secret" not in response.content.decode()
    events = client.get(f"{URL}{mine.pk}/events/").json()["results"]
    assert [(event["kind"], event["data"]) for event in events[:2]] == [
        ("UPDATED", {"changes": {"name": {"before": "Churn model", "after": "Churn model (from alice)"}}}),
        ("OWNER_CHANGED", {"before": "alice", "after": "bob"}),
    ]
    assert Workload.objects.filter(owner=bob).count() == 2


def test_issue_14_the_caller_cannot_tell_a_clash_from_none_but_by_the_name(api_for, alice, bob):
    clash = factories.workload(alice, "Churn model", lenses=[])
    free = factories.workload(alice, "Forecasting", lenses=[])
    factories.workload(bob, "Churn model", lenses=[])
    client = api_for(alice)

    with_clash = client.post(f"{URL}{clash.pk}/transfer/", {"owner": "bob"}, format="json")
    without = client.post(f"{URL}{free.pk}/transfer/", {"owner": "bob"}, format="json")

    assert with_clash.status_code == without.status_code == 200
    assert set(with_clash.json()) == set(without.json())
