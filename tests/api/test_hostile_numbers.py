"""Numbers out of range in the query or the path are a 400 naming the parameter (or a 404 for a path
id that cannot exist), never a 500, on SQLite and on PostgreSQL (issue 14).

The integer query parameters come from the schema, as the access matrix's operations do, so a new
one is swept without a change here; the few documented as text that hold numbers are named below.
"""

import json
import re

import pytest

from tests.api.test_access_matrix import World, body_of, build_world, path_of

#: Past every column's range, not a whole number, or below 1.
HOSTILE = ("1e20", "99999999999999999999", str(2**31), str(2**63), "-1", "1.5", "0x10")

#: The largest value each parameter takes (an id column's range, or a documented cap); a hostile
#: value at most this large is a valid number that may find nothing (200 or 404), never a 500.
LARGEST = {"workload": 2**63 - 1, "workload_id": 2**63 - 1}
INT_MAX = 2**31 - 1

#: Parameters that the schema documents as text but that hold numbers: (operationId, name).
TEXT_NUMBERS = {
    ("workloads_improvements_list", "owner"),
    ("workloads_improvements_list", "owner_id"),
    ("workloads_lens_reviews_improvements_list", "owner"),
    ("workloads_lens_reviews_improvements_list", "owner_id"),
    ("workloads_milestones_compare_retrieve", "target"),
}


def _schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _integer_query_parameters() -> list[tuple[str, str, str]]:
    """(operationId, path, name) of every GET's integer query parameter, and the TEXT_NUMBERS."""
    found = []
    for path, methods in _schema()["paths"].items():
        operation = methods.get("get")
        if operation is None:
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            numeric = parameter.get("schema", {}).get("type") in ("integer", "number")
            if numeric or (operation["operationId"], parameter["name"]) in TEXT_NUMBERS:
                found.append((operation["operationId"], path, parameter["name"]))
    return sorted(found)


def _integer_path_parameters() -> list[tuple[str, str, str, str]]:
    """(operationId, method, path, name) of every operation's numeric path parameter."""
    found = []
    for path, methods in _schema()["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                numeric = schema.get("type") == "integer" or schema.get("pattern") == r"^\d+$"
                if parameter["in"] == "path" and numeric:
                    found.append((operation["operationId"], method.upper(), path, parameter["name"]))
    return sorted(found)


def test_the_sweep_covers_the_parameters_the_issue_names():
    names = {name for _operation, _path, name in _integer_query_parameters()}
    assert {"workload", "milestone", "base", "target", "page", "page_size", "owner"} <= names
    assert {"workload_id", "owner_id"} <= names  # and the names that replace the deprecated ones
    path_names = {name for *_rest, name in _integer_path_parameters()}
    assert {"workload_id", "id", "number"} <= path_names


def _in_range(name: str, value: str) -> bool:
    return value.isdigit() and 1 <= int(value) <= LARGEST.get(name, INT_MAX)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("operation_id", "path", "name"),
    [pytest.param(*case, id=f"{case[0]}-{case[2]}") for case in _integer_query_parameters()],
)
def test_an_integer_query_parameter_out_of_range_is_a_400_naming_it_issue_14(operation_id, path, name):
    world = build_world()
    url = path_of(path, world)
    for value in HOSTILE:
        response = world.clients["owner"].get(url, {name: value})
        if _in_range(name, value):
            # A number the column holds: it finds nothing, and says so as the parameter documents.
            assert response.status_code in (200, 404), f"{name}={value}: {response.content[:300]!r}"
            continue
        assert response.status_code == 400, f"{url}?{name}={value}: {response.content[:300]!r}"
        body = response.json()
        assert name in body["fields"], f"{url}?{name}={value}: {body}"


def test_the_issue_s_report_filter_is_a_400_naming_the_workload_issue_14(db):
    world: World = build_world()

    response = world.clients["owner"].get("/api/v1/reports/?workload=1e20")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "workload" in response.json()["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("operation_id", "method", "path", "name"),
    [pytest.param(*case, id=f"{case[0]}-{case[3]}") for case in _integer_path_parameters()],
)
def test_a_path_id_past_every_column_is_a_404_issue_14(operation_id, method, path, name):
    world = build_world()
    client = world.clients["owner"]
    body = body_of(operation_id, world)
    for value in ("99999999999999999999", str(2**63), str(2**31), "0"):
        url = re.sub(r"\{%s\}" % name, value, path)  # noqa: UP031 - a regex's braces
        url = path_of(url, world)
        response = client.generic(method, url, json.dumps(body), content_type="application/json")
        assert response.status_code == 404, f"{method} {url}: {response.content[:300]!r}"
        assert response.json()["code"] == "not_found"
