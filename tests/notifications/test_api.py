"""REST v1: /api/v1/notifications/ (the caller's own, newest first, `?unread=`), the unread count,
and marking read, one or all (issue 17)."""

import pytest
from rest_framework.test import APIClient

from notifications.models import Notification
from tests.api.conftest import token_client
from tests.factories import workload
from tests.notifications.making import bulk_notifications

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"


def test_the_list_holds_mine_newest_first_and_reading_it_marks_nothing(alice, bob):
    fraud = workload(alice)
    mine = bulk_notifications(bob, fraud, 3)
    bulk_notifications(alice, fraud, 2)
    body = token_client(bob).get(URL).json()
    assert body["count"] == 3
    first = body["results"][0]
    assert first["id"] == mine[-1].pk
    assert first == {
        "id": mine[-1].pk,
        "kind": "SHARED",
        "text": f"Notice 2: <b>{fraud.name}</b> shared with you.",
        "url": f"/workloads/{fraud.pk}/",
        "created_at": first["created_at"],
        "read": False,
        "read_at": None,
        "workload_event": mine[-1].workload_event_id,
    }
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 3


def test_unread_filters_and_counts(alice, bob):
    fraud = workload(alice)
    bulk_notifications(bob, fraud, 2, read=True)
    bulk_notifications(bob, fraud, 3)
    client = token_client(bob)
    assert client.get(URL, {"unread": "true"}).json()["count"] == 3
    assert client.get(URL, {"unread": "false"}).json()["count"] == 2
    assert client.get(URL + "unread-count/").json() == {"unread": 3}


def test_marking_one_read_and_all_read(alice, bob):
    fraud = workload(alice)
    first, *_rest = bulk_notifications(bob, fraud, 3)
    theirs = bulk_notifications(alice, fraud, 1)[0]
    client = token_client(bob)
    one = client.post(f"{URL}{first.pk}/read/")
    assert one.status_code == 200
    assert one.json()["read"] is True
    assert client.post(f"{URL}{theirs.pk}/read/").status_code == 404  # someone else's
    assert client.post(URL + "read-all/").json() == {"read": 2}
    assert client.get(URL + "unread-count/").json() == {"unread": 0}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_not_logged_in_is_401():
    assert APIClient().get(URL).status_code == 401
    assert APIClient().get(URL + "unread-count/").status_code == 401


@pytest.mark.parametrize("count", [10, 1000])
def test_the_list_costs_the_same_queries_for_any_number(alice, bob, count, django_assert_max_num_queries):
    bulk_notifications(bob, workload(alice), count)
    client = token_client(bob)
    # token, count, page (and the token's last use, at most once a while)
    with django_assert_max_num_queries(4):
        assert client.get(URL).status_code == 200


def test_the_schema_documents_the_endpoints():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "get" in paths["/api/v1/notifications/"]
    assert "get" in paths["/api/v1/notifications/unread-count/"]
    assert "post" in paths["/api/v1/notifications/read-all/"]
    assert "post" in paths["/api/v1/notifications/{id}/read/"]
    parameters = {p["name"] for p in paths["/api/v1/notifications/"]["get"]["parameters"]}
    assert "unread" in parameters
