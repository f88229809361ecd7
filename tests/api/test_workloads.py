"""/api/v1/workloads/: list, filters, create, read, change, hand over, delete; shares and events."""

import pytest
from django.contrib.auth.models import Group

from reviews.models import Share, Workload, WorkloadEvent
from tests import factories
from tests.reviews.stored import database_state

pytestmark = pytest.mark.django_db

URL = "/api/v1/workloads/"


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_the_list_shows_what_the_caller_may_see_with_their_role(api_for, shared_workload):
    other = factories.workload(shared_workload.outsider, "Outsider's own")
    assert names(api_for(shared_workload.reader).get(URL)) == ["Fraud detection"]
    assert names(api_for(shared_workload.outsider).get(URL)) == ["Outsider's own"]
    rows = api_for(shared_workload.auditor).get(URL).json()["results"]
    assert [(row["name"], row["role"]) for row in rows] == [
        ("Fraud detection", "AUDITOR"),
        ("Outsider's own", "AUDITOR"),
    ]
    row = api_for(shared_workload.contributor).get(URL).json()["results"][0]
    assert row["role"] == "CONTRIBUTOR"
    assert row["owner"] == "owner"
    assert row["lenses"] == ["ml-lens-2021"]
    assert row["counts"]["questions"] == row["counts"]["unanswered"] > 0
    assert other.pk not in [r["id"] for r in api_for(shared_workload.contributor).get(URL).json()["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("environment=PRODUCTION", ["Beta"]),
        ("tag=payments", ["Alpha"]),
        ("tag=PAY", []),  # a tag matches whole
        ("search=bet", ["Beta"]),
        ("owner=owner", ["Alpha", "Beta", "Fraud detection"]),
        ("owner=nobody", []),
        ("lens=test-lens", ["Alpha"]),
        ("ordering=name", ["Alpha", "Beta", "Fraud detection"]),
        ("ownership=shared", []),
    ],
)
def test_filters(api_for, shared_workload, query, expected):
    owner = shared_workload.owner
    lens = factories.imported_lens(owner=owner)
    alpha = factories.workload(owner, "Alpha", lenses=[lens])
    Workload.objects.filter(pk=alpha.pk).update(tags=["payments", "ml"])
    factories.workload(owner, "Beta", environment="PRODUCTION")
    assert names(api_for(owner).get(f"{URL}?{query}")) == expected


def test_has_high_and_ordering_by_high_risks(api_for, shared_workload):
    owner = shared_workload.owner
    factories.workload(owner, "Calm")
    factories.answered(shared_workload.answer("MLOPS01"), actor=owner, selected_choices=["MLOPS01_no"])
    client = api_for(owner)
    assert names(client.get(f"{URL}?has_high=true")) == ["Fraud detection"]
    assert names(client.get(f"{URL}?ordering=high")) == ["Fraud detection", "Calm"]
    assert names(client.get(f"{URL}?ordering=name")) == ["Calm", "Fraud detection"]
    row = client.get(f"{URL}{shared_workload.workload.pk}/").json()
    assert (row["counts"]["high"], row["counts"]["answered"]) == (1, 1)


@pytest.mark.parametrize("query", ["environment=MOON", "ordering=size", "has_high=maybe", "ownership=theirs"])
def test_a_bad_filter_is_400_naming_it(api_for, shared_workload, query):
    response = api_for(shared_workload.owner).get(f"{URL}?{query}")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [query.split("=")[0]]


def test_list_queries_do_not_grow_with_workloads(api_for, shared_workload, django_assert_num_queries):
    client = api_for(shared_workload.auditor)
    client.get(URL)  # the token's first use marks it used: one more query, once
    # token, count, rows (with counts, role, last change), their lenses
    with django_assert_num_queries(4):
        assert len(client.get(URL).json()["results"]) == 1
    for number in range(6):
        factories.workload(shared_workload.outsider, f"Many {number}")
    with django_assert_num_queries(4):
        assert len(client.get(URL).json()["results"]) == 7


def test_create_with_the_builtin_lens_by_default(api_for, shared_workload):
    response = api_for(shared_workload.outsider).post(
        URL, {"name": " Churn model ", "environment": "PRODUCTION", "tags": ["b2c"]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["role"], body["lenses"], body["tags"]) == (
        "Churn model",
        "OWNER",
        ["ml-lens-2021"],
        ["b2c"],
    )
    assert WorkloadEvent.objects.filter(workload_id=body["id"], kind="CREATED").exists()
    assert response["Location"] == f"http://testserver{URL}{body['id']}/"


def test_create_with_chosen_lenses(api_for, shared_workload):
    lens = factories.imported_lens(owner=shared_workload.outsider)
    client = api_for(shared_workload.outsider)
    response = client.post(URL, {"name": "Mine", "lenses": [lens.alias]}, format="json")
    assert response.json()["lenses"] == [lens.alias]
    assert client.post(URL, {"name": "Bare", "lenses": []}, format="json").json()["lenses"] == []


def test_a_lens_the_caller_may_not_see_is_refused_and_nothing_is_made(api_for, shared_workload):
    private = factories.imported_lens(owner=shared_workload.owner)
    client = api_for(shared_workload.outsider)
    before = database_state()
    response = client.post(URL, {"name": "X", "lenses": [private.alias]}, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["lenses.0"]
    assert database_state() == before


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({}, "name", "invalid"),
        ({"name": ""}, "name", "invalid"),
        ({"name": "Fraud detection"}, "name", "name_taken"),  # taken, any case
        # Text, as the schema says, but not a URL: a rule's refusal.
        ({"name": "X", "architectural_design_url": "not a url"}, "architectural_design_url", "refused"),
        ({"name": "X", "tags": ["x" * 200]}, "tags", "invalid"),
        ({"name": "X", "notes": "n" * 3000}, "notes", "invalid"),
        ({"name": "X", "environment": "MOON"}, "environment", "invalid"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_changes_nothing(api_for, shared_workload, body, field, code):
    client = api_for(shared_workload.owner)
    before = database_state()
    response = client.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert (list(response.json()["fields"]), response.json()["code"]) == ([field], code)
    assert database_state() == before


def test_owner_changes_fields_and_the_event_says_what(api_for, shared_workload):
    url = f"{URL}{shared_workload.workload.pk}/"
    response = api_for(shared_workload.owner).patch(url, {"industry": "Banking"}, format="json")
    assert response.status_code == 200
    assert response.json()["industry"] == "Banking"
    event = WorkloadEvent.objects.filter(kind="UPDATED").get()
    assert event.data["changes"] == {"industry": {"before": "", "after": "Banking"}}


@pytest.mark.parametrize(
    ("role", "status"), [("contributor", 403), ("reader", 403), ("auditor", 403), ("outsider", 404)]
)
def test_only_the_owner_changes_or_deletes(api_for, shared_workload, role, status):
    client = api_for(getattr(shared_workload, role))
    url = f"{URL}{shared_workload.workload.pk}/"
    before = database_state()
    assert client.patch(url, {"industry": "x"}, format="json").status_code == status
    assert client.delete(url).status_code == status
    assert client.post(f"{url}transfer/", {"owner": role}, format="json").status_code == status
    assert database_state() == before


def test_delete_keeps_the_event(api_for, shared_workload):
    pk = shared_workload.workload.pk
    assert api_for(shared_workload.owner).delete(f"{URL}{pk}/").status_code == 204
    assert not Workload.objects.filter(pk=pk).exists()
    assert WorkloadEvent.objects.get(kind="DELETED").workload_name == "Fraud detection"


def test_transfer(api_for, shared_workload):
    url = f"{URL}{shared_workload.workload.pk}/transfer/"
    client = api_for(shared_workload.owner)
    assert client.post(url, {"owner": "nobody"}, format="json").json()["fields"] == {
        "owner": ["No active user with this username."]
    }
    response = client.post(url, {"owner": "reader"}, format="json")
    assert response.status_code == 200
    assert (response.json()["owner"], response.json()["role"]) == ("reader", "CONTRIBUTOR")


def test_shares(api_for, shared_workload):
    url = f"{URL}{shared_workload.workload.pk}/shares/"
    assert [
        (s["user"], s["group"], s["role"]) for s in api_for(shared_workload.reader).get(url).json()["results"]
    ] == [
        ("reader", None, "READER"),
        (None, "ml-team", "CONTRIBUTOR"),
    ]
    owner = api_for(shared_workload.owner)
    Group.objects.create(name="auditors-2")
    created = owner.post(url, {"group": "auditors-2", "role": "READER"}, format="json")
    assert created.status_code == 201, created.content
    share_url = f"{url}{created.json()['id']}/"
    assert owner.patch(share_url, {"role": "CONTRIBUTOR"}, format="json").json()["role"] == "CONTRIBUTOR"
    assert owner.delete(share_url).status_code == 204
    assert not Share.objects.filter(group__name="auditors-2").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "READER"}, "user"),
        ({"user": "reader", "group": "ml-team", "role": "READER"}, "user"),
        ({"user": "nobody", "role": "READER"}, "user"),
        ({"group": "nobody", "role": "READER"}, "group"),
        ({"user": "outsider", "role": "OWNER"}, "role"),
        ({"user": "owner", "role": "READER"}, "user"),  # the owner needs no share
    ],
)
def test_bad_shares_are_400_naming_the_field(api_for, shared_workload, body, field):
    client = api_for(shared_workload.owner)
    before = database_state()
    response = client.post(f"{URL}{shared_workload.workload.pk}/shares/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert database_state() == before


def test_a_share_of_another_workload_is_404(api_for, shared_workload):
    mine = factories.workload(shared_workload.owner, "Mine")
    share = shared_workload.workload.shares.first()
    response = api_for(shared_workload.owner).delete(f"{URL}{mine.pk}/shares/{share.pk}/")
    assert response.status_code == 404


def test_events_newest_first(api_for, shared_workload):
    response = api_for(shared_workload.reader).get(f"{URL}{shared_workload.workload.pk}/events/")
    kinds = [event["kind"] for event in response.json()["results"]]
    assert kinds[-1] == "CREATED"
    assert response.json()["results"][0]["actor"] == "owner"


def test_shares_and_events_queries_do_not_grow(api_for, shared_workload, django_assert_num_queries):
    client = api_for(shared_workload.owner)
    base = f"{URL}{shared_workload.workload.pk}"
    client.get(f"{base}/shares/")
    for url in (f"{base}/shares/", f"{base}/events/"):
        # token, workload with role, count, page
        with django_assert_num_queries(4):
            client.get(url)
    for number in range(5):
        group = Group.objects.create(name=f"team {number}")
        api_for(shared_workload.owner).post(
            f"{base}/shares/", {"group": group.name, "role": "READER"}, format="json"
        )
    for url in (f"{base}/shares/", f"{base}/events/"):
        with django_assert_num_queries(4):
            client.get(url)
