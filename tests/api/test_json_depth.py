"""A JSON body nested deeper than 64 is a 400 naming the path where the limit was passed, on every
operation that takes JSON, never a 500 (issue 14: a body nested ~1,000 deep was a RecursionError).

The operations come from the schema, as the access matrix's do: a new operation taking JSON is covered
without a change here.
"""

import json
from functools import cache

import pytest
from django.test import RequestFactory
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from mlwa.api.parsers import JSONParser, JSONTooDeepError
from mlwa.jsonlimits import MAX_JSON_DEPTH
from tests.api.test_access_matrix import build_world, operations, path_of
from tests.reviews.stored import database_state

DEEP = 1000


def nested(depth: int) -> str:
    """An object whose `name` holds arrays nested so that the whole is `depth` deep."""
    return '{"name": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@cache
def json_operations() -> tuple[tuple[str, str, str], ...]:
    """(operationId, method, path) of every operation whose request body may be JSON."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                found.append((operation["operationId"], method.upper(), path))
    return tuple(sorted(found))


def test_the_sweep_covers_every_kind_of_json_body():
    ids = {operation_id for operation_id, *_rest in json_operations()}
    assert {"workloads_create", "lenses_import_create", "workloads_import_create", "tokens_create"} <= ids
    # Every one of them is an operation the access matrix knows.
    assert ids <= {operation_id for operation_id, *_rest in operations()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("operation_id", "method", "path"), [pytest.param(*case, id=case[0]) for case in json_operations()]
)
def test_a_body_nested_a_thousand_deep_is_a_400_naming_its_path_issue_14(operation_id, method, path):
    world = build_world()
    # The owner, signed in: they may take every operation (tokens are made with a session, not a token).
    from django.contrib.auth.models import User

    client = APIClient()
    client.force_login(User.objects.get(username="owner"))
    url = path_of(path, world)
    before = database_state()

    response = client.generic(method, url, nested(DEEP), content_type="application/json")

    assert response.status_code == 400, f"{method} {url}: {response.content[:300]!r}"
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}
    # The path where the limit was passed: `name`, then arrays down to the limit.
    paths = list(body["fields"])
    assert any(p.startswith("$.name[0]") for p in paths), body
    assert database_state() == before


def _parse(text: str):
    request = RequestFactory().post("/", data=text, content_type="application/json")
    return JSONParser().parse(request, parser_context={"encoding": "utf-8"})


def test_the_parser_takes_a_body_at_the_limit():
    assert _parse(nested(MAX_JSON_DEPTH)) == json.loads(nested(MAX_JSON_DEPTH))


def test_the_parser_refuses_one_level_more_at_the_first_container_past_the_limit():
    with pytest.raises(JSONTooDeepError) as refused:
        _parse(nested(MAX_JSON_DEPTH + 1))

    path = "$.name" + "[0]" * (MAX_JSON_DEPTH - 1)
    assert refused.value.fields == {path: [f"Nested deeper than {MAX_JSON_DEPTH} levels."]}
    assert refused.value.status_code == 400


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_the_parser_still_refuses_nan_and_infinity(constant):
    with pytest.raises(ParseError):
        _parse(f'{{"name": {constant}}}')


@pytest.mark.django_db
def test_an_api_client_gets_the_depth_refusal_in_the_json_error_shape(alice):
    client = APIClient()
    client.force_login(alice)

    response = client.post("/api/v1/workloads/", nested(DEEP), content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "json_too_deep"
    assert f"deeper than {MAX_JSON_DEPTH}" in body["message"]
    assert list(body["fields"]) == ["$.name" + "[0]" * (MAX_JSON_DEPTH - 1)]
