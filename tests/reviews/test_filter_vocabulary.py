"""One filter vocabulary (issue 15): each workload filter, and some combinations, sent to the pages
(the workload list and the dashboard), the API (the workload list and the risk summary) and a
consolidated report (asked through the API and through its page, rendered as JSON) gives the same
workloads, in the same order. The deprecated names `q` and `sort` give what `search` and `ordering`
give where they are still taken (pages, a report's `filters`); both names at once, and values that
do not parse, are refused naming them.

The expected workloads are worked out here from the world's description (WORLD), in plain Python,
never by the filter code."""

from dataclasses import dataclass
from datetime import timedelta

import orjson
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from lens.models import BUILTIN_ALIAS, Lens
from reviews.models import Answer, Report, Share, Workload
from reviews.reports.rendering import render
from reviews.services import share_grant
from tests import factories
from tests.api.conftest import token_client
from tests.reviews.pages import url

pytestmark = pytest.mark.django_db

ML, OWN = BUILTIN_ALIAS, "own-lens"  # the built-in lens, and one of Alice's


@dataclass(frozen=True)
class Spec:
    """A workload as the test builds it, and what every filter is checked against."""

    name: str
    owner: str
    environment: str
    tags: tuple[str, ...]
    description: str
    lenses: tuple[str, ...]
    high: int  # answers at high risk
    shared: str  # with Alice: "user", "team" or "" (not shared)
    changed: int  # days from now of its last change


WORLD = [
    Spec("Alpha churn", "alice", "PRODUCTION", ("retail",), "Who leaves", (ML,), 2, "", 3),
    Spec("Beta vision", "alice", "PREPRODUCTION", ("images", "ml"), "Sees cats", (), 0, "", 1),
    Spec("Gamma fraud", "bob", "PRODUCTION", ("payments", "ML"), "Catches fraud", (ML, OWN), 5, "user", 2),
    Spec("Delta forecast", "bob", "PREPRODUCTION", ("mlops",), "Leaves forecast", (OWN,), 0, "team", 4),
    Spec("Epsilon secret", "carol", "PRODUCTION", ("retail", "ml"), "Who leaves", (ML,), 3, "", 5),
]  # fmt: skip

VISIBLE = [spec for spec in WORLD if spec.owner == "alice" or spec.shared]


def _matches(spec: Spec, name: str, value: str) -> bool:
    """Whether `spec` passes the filter `name`=`value`, as the README describes each filter."""
    if name == "search":
        text = value.lower()
        return any(text in part.lower() for part in (spec.name, spec.description, *spec.tags))
    if name == "environment":
        return spec.environment == value
    if name == "ownership":
        return spec.owner == "alice" if value == "mine" else spec.owner != "alice"
    if name == "lens":
        return value in spec.lenses
    if name == "tag":
        return value.lower() in [tag.lower() for tag in spec.tags]
    if name == "owner":
        return spec.owner == value
    if name == "has_high":
        return (spec.high > 0) == (value == "true")
    raise AssertionError(name)


ORDERS = {
    "name": lambda spec: spec.name.lower(),
    "-name": lambda spec: spec.name.lower(),  # reversed: see expected()
    "high": lambda spec: (-spec.high, spec.name.lower()),  # no medium risks here
    "-high": lambda spec: (spec.high, spec.name.lower()),  # fewest first, then by name
    "changed": lambda spec: -spec.changed,
    "-changed": lambda spec: spec.changed,
}


def expected(query: dict) -> list[str]:
    """The names Alice should get for `query` (new names only), worked out from WORLD."""
    kept = [s for s in VISIBLE if all(_matches(s, n, v) for n, v in query.items() if n != "ordering")]
    ordering = query.get("ordering", "name")
    return [spec.name for spec in sorted(kept, key=ORDERS[ordering], reverse=ordering == "-name")]


@pytest.fixture
def api_for():
    """api_for(user) → an API client with a token of `user`'s."""
    return lambda user: token_client(user)


@pytest.fixture
def world(alice, bob, django_user_model) -> dict[str, Workload]:
    people = {"alice": alice, "bob": bob, "carol": django_user_model.objects.create_user("carol")}
    team = Group.objects.create(name="data-science")
    alice.groups.add(team)
    own = factories.imported_lens(owner=alice)
    Lens.objects.filter(pk=own.pk).update(alias=OWN)
    lenses = {BUILTIN_ALIAS: Lens.objects.get(alias=BUILTIN_ALIAS), OWN: Lens.objects.get(pk=own.pk)}
    made = {}
    for spec in WORLD:
        workload = factories.workload(
            people[spec.owner],
            spec.name,
            lenses=[lenses[alias] for alias in spec.lenses],
            environment=spec.environment,
            tags=list(spec.tags),
            description=spec.description,
        )
        high = Answer.objects.filter(lens_review__workload=workload).order_by("pk")[: spec.high]
        Answer.objects.filter(pk__in=list(high.values_list("pk", flat=True))).update(risk=Answer.Risk.HIGH)
        if spec.shared:
            grant = {"user": alice} if spec.shared == "user" else {"group": team}
            seen = workload.lens_reviews.values_list("lens_id", flat=True)  # their lenses stay the owner's
            share_grant(
                workload=workload, actor=people[spec.owner], role=Share.Role.READER, lenses_seen=seen, **grant
            )
        # Its last change, later than anything its making logged.
        later = timezone.now() + timedelta(days=spec.changed)
        Workload.objects.filter(pk=workload.pk).update(updated_at=later)
        made[spec.name] = workload
    return made


def _page_names(client, query: dict) -> dict[str, list[str]]:
    return {
        name: [w.name for w in client.get(url(name, **query)).context["workloads"]]
        for name in ("workload-list", "dashboard")
    }


def _report_names(report: Report) -> list[str]:
    content = orjson.loads(render(report, lambda _percent: None).content)
    return [row["name"] for row in content["workloads"]]


def _as_json(query: dict) -> dict:
    """A query as a report's `filters`: has_high a boolean, the rest text."""
    return {name: {"true": True, "false": False}.get(value, value) if name == "has_high" else value
            for name, value in query.items()}  # fmt: skip


def _asked_through_the_api(client, query: dict) -> list[str]:
    asked = {"kind": "CONSOLIDATED", "format": "JSON", "filters": _as_json(query)}
    response = client.post("/api/v1/reports/", asked, format="json")
    assert response.status_code == 202, response.content
    return _report_names(Report.objects.get(pk=response.json()["id"]))


def _asked_on_the_page(client, query: dict) -> list[str]:
    before = set(Report.objects.values_list("pk", flat=True))
    response = client.post(reverse("reviews:consolidated-reports"), {**query, "format": "JSON"})
    assert response.status_code == 302, response.content
    [report] = Report.objects.exclude(pk__in=before)
    return _report_names(report)


QUERIES = [
    {"search": "leaves"},  # a description
    {"search": "ML"},  # tags, any case, in part
    {"search": "fraud"},  # a name
    {"environment": "PRODUCTION"},
    {"environment": "PREPRODUCTION"},
    {"ownership": "mine"},
    {"ownership": "shared"},  # with her, and with her team
    {"lens": BUILTIN_ALIAS},
    {"lens": OWN},
    {"lens": "no-such-lens"},  # nothing (a page shows it among the lenses)
    {"tag": "ml"},  # whole: not "mlops"
    {"tag": "RETAIL"},
    {"owner": "bob"},
    {"owner": "alice"},
    {"has_high": "true"},
    {"has_high": "false"},
    {"ordering": "name"},
    {"ordering": "high"},
    {"ordering": "changed"},
    {"ordering": "-name"},  # each order reversed (issue 16: the table's headers toggle them)
    {"ordering": "-high"},
    {"ordering": "-changed"},
    {"has_high": "true", "ordering": "-high"},
    {"ownership": "shared", "tag": "ml"},
    {"search": "leaves", "has_high": "false"},
    {"lens": BUILTIN_ALIAS, "has_high": "true", "ordering": "high"},
    {"environment": "PRODUCTION", "has_high": "false"},  # nothing
    {"owner": "bob", "lens": OWN, "ordering": "changed"},
]


def test_the_world_makes_each_filter_narrow_the_list():
    """Each filter alone keeps some of Alice's workloads and leaves out others; each order differs."""
    for query in QUERIES:
        if len(query) == 1 and "ordering" not in query and query != {"lens": "no-such-lens"}:
            assert 0 < len(expected(query)) < len(VISIBLE), query
    assert len({tuple(expected({"ordering": order})) for order in ORDERS}) == len(ORDERS)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_each_filter_gives_the_same_workloads_on_the_pages_in_the_api_and_in_a_report(
    client_for, api_for, alice, world, query
):
    names = expected(query)
    page = client_for(alice)
    api = api_for(alice)
    assert _page_names(page, query) == {"workload-list": names, "dashboard": names}
    assert [row["name"] for row in api.get("/api/v1/workloads/", query).json()["results"]] == names
    assert [row["name"] for row in api.get("/api/v1/risk-summary/", query).json()["workloads"]] == names
    assert _asked_through_the_api(api, query) == names
    assert _asked_on_the_page(page, query) == names


DEPRECATED = [
    ({"q": "leaves"}, {"search": "leaves"}),
    ({"sort": "high"}, {"ordering": "high"}),
    (
        {"q": "ml", "sort": "changed", "has_high": "false"},
        {"search": "ml", "ordering": "changed", "has_high": "false"},
    ),
]


@pytest.mark.parametrize(("old", "new"), DEPRECATED)
def test_the_deprecated_names_still_work_on_the_pages_and_in_a_report(
    client_for, api_for, alice, world, old, new
):
    names = expected(new)
    page = client_for(alice)
    assert _page_names(page, old) == {"workload-list": names, "dashboard": names}
    assert _asked_through_the_api(api_for(alice), old) == names
    assert _asked_on_the_page(page, old) == names


def test_the_pages_links_and_forms_carry_the_new_names(client_for, alice, world):
    many = {"q": "a", "sort": "high", "has_high": "on"}  # as old links and the old checkbox said
    content = client_for(alice).get(url("dashboard", **many)).content.decode()
    assert 'name="search" id="id_search" value="a"' in content
    assert '<option value="high" selected>' in content
    assert '<option value="true" selected>' in content
    assert 'id="id_q"' not in content  # the filters' (the header's site search is q too)
    assert 'name="sort"' not in content
    for label in ("Search", "Environment", "Whose", "Lens", "Tag", "Owner", "High risks", "Sort by"):
        assert f">{label}</label>" in content
    report_page = client_for(alice).get(reverse("reviews:consolidated-reports"), many).content.decode()
    assert 'name="search" id="id_search" value="a"' in report_page
    assert '<option value="high" selected>' in report_page
    assert '<option value="true" selected>' in report_page
    assert 'id="id_q"' not in report_page


@pytest.mark.parametrize(("old", "new"), [("q", "search"), ("sort", "ordering")])
def test_a_name_and_its_deprecated_name_together_are_refused_naming_both(
    client_for, api_for, alice, world, old, new
):
    value = "high" if new == "ordering" else "a"
    query = {old: value, new: value}
    response = api_for(alice).post(
        "/api/v1/reports/", {"kind": "CONSOLIDATED", "filters": query}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {f"filters.{old}", f"filters.{new}"}
    page = client_for(alice).get(url("workload-list", **query))
    assert {old, new} <= set(page.context["form"].errors)
    posted = client_for(alice).post(reverse("reviews:consolidated-reports"), {**query, "format": "JSON"})
    assert posted.status_code == 400
    assert not Report.objects.exists()


BAD = [
    ("environment", "MOON"),
    ("ownership", "theirs"),
    ("has_high", "maybe"),
    ("ordering", "size"),
    ("tag", "x" * 201),
    ("search", "x" * 201),
    ("lens", "x" * 65),
]


@pytest.mark.parametrize(("name", "value"), BAD, ids=[name for name, _ in BAD])
def test_a_value_that_does_not_parse_is_refused_naming_its_parameter(
    client_for, api_for, alice, world, name, value
):
    api = api_for(alice)
    for path in ("/api/v1/workloads/", "/api/v1/risk-summary/"):
        response = api.get(path, {name: value, "owner": "bob"})
        assert response.status_code == 400
        assert list(response.json()["fields"]) == [name]
    asked = {"kind": "CONSOLIDATED", "filters": {name: value, "owner": "bob"}}
    response = api.post("/api/v1/reports/", asked, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [f"filters.{name}"]
    # The page shows the error on the field and applies the other filters.
    page = client_for(alice).get(url("workload-list", **{name: value, "owner": "bob"}))
    assert list(page.context["form"].errors) == [name]
    assert [w.name for w in page.context["workloads"]] == expected({"owner": "bob"})
    assert not Report.objects.exists()


def test_a_report_stored_before_the_renames_still_renders_as_it_meant(alice, world):
    """Reports stored before v1's renames named `q` and `sort`, and `has_high: false` meant "any"."""
    stored = {"q": "leaves", "environment": "", "ownership": "", "has_high": False, "lens": "",
              "tag": "", "owner": "", "sort": "changed"}  # fmt: skip
    report = Report.objects.create(
        kind=Report.Kind.CONSOLIDATED, format=Report.Format.JSON, requested_by=alice, filters=stored
    )
    assert _report_names(report) == expected({"search": "leaves", "ordering": "changed"})


def test_the_api_shows_a_reports_filters_by_their_names_and_for_v1_by_the_deprecated_ones(alice, world):
    client = token_client(alice)
    asked = {"kind": "CONSOLIDATED", "format": "JSON", "filters": {"q": "leaves", "has_high": False}}
    body = client.post("/api/v1/reports/", asked, format="json").json()
    empty = dict.fromkeys(("environment", "ownership", "lens", "tag", "owner"), "")
    assert body["filters"] == {
        **empty,
        "search": "leaves",
        "q": "leaves",
        "has_high": False,
        "ordering": "name",
        "sort": "name",
    }
    old = Report.objects.create(
        kind=Report.Kind.CONSOLIDATED,
        requested_by=alice,
        filters={"q": "", **empty, "has_high": False, "sort": "high"},  # stored before the renames
    )
    shown = client.get(f"/api/v1/reports/{old.pk}/").json()["filters"]
    assert shown == {**empty, "search": "", "q": "", "has_high": None, "ordering": "high", "sort": "high"}
