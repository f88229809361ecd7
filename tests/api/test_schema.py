"""The OpenAPI schema documents every operation: a summary, every parameter described, the errors
it can answer in the one error shape, and an example of every request body."""

import pytest
from drf_spectacular.generators import SchemaGenerator

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", method, operation


def test_every_operation_has_a_summary(schema):
    missing = [name for name, _method, operation in operations(schema) if not operation.get("summary")]
    assert not missing


def test_every_parameter_is_described(schema):
    missing = [
        f"{name}: {parameter['name']}"
        for name, _method, operation in operations(schema)
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert not missing


def test_every_operation_documents_its_errors_in_the_error_shape(schema):
    for name, method, operation in operations(schema):
        expected = {"400", "401", "403", "404", "429"} | (
            {"413"} if method in {"post", "put", "patch"} else set()
        )
        responses = operation["responses"]
        assert expected <= set(responses), name
        for code in expected:
            reference = responses[code]["content"]["application/json"]["schema"]["$ref"]
            component = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]
            # The error shape, or one that adds to it (a lens refusal lists its problems too).
            assert {"code", "message", "fields"} <= set(component["properties"]), (name, code)


def test_every_request_body_has_an_example(schema):
    missing = []
    for name, _method, operation in operations(schema):
        body = operation.get("requestBody")
        if body is None:
            continue
        for media_type, content in body["content"].items():
            if media_type == "application/json" and not (content.get("examples") or content.get("example")):
                missing.append(name)
    assert not missing


def test_token_authentication_is_documented(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
