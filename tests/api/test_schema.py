"""The OpenAPI schema documents every operation: a summary and a description, every parameter
described, the errors it can answer in the one error shape, and an example of every request body."""

import inspect

import pytest
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator

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


def test_every_operation_has_a_description_beyond_its_summary(schema):
    missing = [
        name
        for name, _method, operation in operations(schema)
        if len(operation.get("description", "").strip()) < 20
        or operation["description"].strip() == operation["summary"].strip()
    ]
    assert not missing


def code_docstrings() -> set[str]:
    """The docstrings of the API's view classes and of their methods (and their bases'), whose
    text is written for the code's readers, not the API's."""
    texts = set()
    for _path, _regex, _method, callback in EndpointEnumerator().get_api_endpoints():
        for cls in callback.cls.__mro__:
            for owner in (cls, *(f for f in vars(cls).values() if inspect.isfunction(f))):
                if owner.__doc__:
                    texts.add(" ".join(inspect.cleandoc(owner.__doc__).split()))
    return texts


def test_no_operation_is_described_by_a_docstring_of_the_code(schema):
    # drf-spectacular falls back to the view's docstring, which speaks of the code.
    docstrings = code_docstrings()
    leaked = [
        name
        for name, _method, operation in operations(schema)
        if " ".join(operation.get("description", "").split()) in docstrings
    ]
    assert not leaked


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
