"""Issue 14: a lens file nested deeper than 64 levels, or naming a key twice in one object, is refused
at its JSON path by every reader of lenses: read_lens (text or parsed value), the API import, the
browser import and `manage.py lens import|lint|risk`. Before, a duplicate key imported silently with
its last value, and deep JSON was a RecursionError (a 500)."""

import json
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from lens.format import LensRefused, keep_repeated_keys, read_lens
from lens.models import Lens
from mlwa.jsonlimits import MAX_JSON_DEPTH
from tests.factories import lens_document
from tests.lens.pages import upload, url

IMPORT = "/api/v1/lenses/import/"
TITLE_PATH = "$.pillars[0].questions[0].title"


def with_repeated_title() -> str:
    """A lens whose first question names `title` twice: the second would win, silently."""
    text = json.dumps(lens_document(name="Repeated"))
    repeated = text.replace(
        '"title": "How do you handle P1Q1?"', '"title": "How do you handle P1Q1?", "title": "Changed"', 1
    )
    assert repeated != text
    return repeated


def nested(levels: int) -> str:
    """A lens with an undocumented key on its first question whose value makes the document
    `levels` deep (the question itself sits 5 deep)."""
    document = lens_document(name="Nested")
    text = json.dumps(document)
    marker = '"title": "How do you handle P1Q1?"'
    inner = levels - 5
    return text.replace(marker, f'"_nested": {"[" * inner}{"]" * inner}, {marker}', 1)


def refusal_of(source) -> list[tuple[str, str]]:
    with pytest.raises(LensRefused) as refused:
        read_lens(source)
    return [(problem.code, problem.path) for problem in refused.value.problems]


@pytest.fixture(autouse=True)
def _no_rate_limits_used():
    cache.clear()
    yield
    cache.clear()


# read_lens


def test_issue_14_a_key_named_twice_is_refused_at_its_path():
    assert refusal_of(with_repeated_title()) == [("duplicate_key", TITLE_PATH)]


def test_issue_14_every_repeated_key_is_refused_with_the_others_problems():
    text = with_repeated_title().replace('"name": "Repeated"', '"name": "Repeated", "name": "Again"', 1)
    text = text.replace('"schemaVersion": "2021-11-01"', '"schemaVersion": "1999"', 1)
    assert refusal_of(text) == [
        ("duplicate_key", "$.name"),
        ("duplicate_key", TITLE_PATH),
        ("schema_version", "$.schemaVersion"),
    ]


def test_issue_14_a_parsed_lens_that_kept_its_repeated_keys_is_refused_too():
    # A backup holds lens files as values: parsed with keep_repeated_keys, their repeats still count.
    value = json.loads(with_repeated_title(), object_pairs_hook=keep_repeated_keys)
    assert refusal_of(value) == [("duplicate_key", TITLE_PATH)]


def test_a_lens_without_repeated_keys_parsed_with_the_hook_reads_as_before():
    value = json.loads(json.dumps(lens_document()), object_pairs_hook=keep_repeated_keys)
    document, _ = read_lens(value)
    assert document.name == "Test lens"


def test_issue_14_a_lens_at_the_json_depth_limit_is_read():
    document, warnings = read_lens(nested(MAX_JSON_DEPTH))
    assert [w.code for w in warnings] == ["unknown_key"]


@pytest.mark.parametrize("levels", [MAX_JSON_DEPTH + 1, 1000, 100_000])
def test_issue_14_a_lens_nested_past_the_limit_is_refused_at_the_path_where_it_passes(levels):
    expected_path = "$.pillars[0].questions[0]._nested" + "[0]" * (MAX_JSON_DEPTH - 5)
    assert refusal_of(nested(levels)) == [("too_deep", expected_path)]


def test_issue_14_a_parsed_lens_nested_past_the_limit_is_refused_without_recursing():
    value = json.loads(json.dumps(lens_document()))
    deep: list = []
    for _ in range(5000):
        deep = [deep]
    value["_nested"] = deep
    assert refusal_of(value) == [("too_deep", "$._nested" + "[0]" * (MAX_JSON_DEPTH - 1))]


# The API and the browser


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "code", "path"),
    [
        (with_repeated_title(), "duplicate_key", TITLE_PATH),
        (nested(1000), "too_deep", "$.pillars[0].questions[0]._nested" + "[0]" * (MAX_JSON_DEPTH - 5)),
    ],
    ids=["a repeated key", "json 1000 deep"],
)
def test_issue_14_the_api_import_refuses_it_with_a_400_at_its_path(client_for, alice, text, code, path):
    response = client_for(alice).post(IMPORT, text, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "lens_refused"
    assert list(body["fields"]) == [path]
    assert [(p["code"], p["path"]) for p in body["problems"]] == [(code, path)]
    assert not Lens.objects.filter(name__in=["Repeated", "Nested"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "path"),
    [(with_repeated_title(), TITLE_PATH), (nested(1000), "$.pillars[0].questions[0]._nested")],
    ids=["a repeated key", "json 1000 deep"],
)
def test_issue_14_the_browser_import_shows_it_at_its_path(client_for, alice, text, path):
    response = client_for(alice).post(url("import"), {"file": upload(text)})
    assert response.status_code == 400
    assert path in response.content.decode()
    assert not Lens.objects.filter(name__in=["Repeated", "Nested"]).exists()


@pytest.mark.django_db
def test_issue_14_a_lens_at_the_depth_limit_imports_through_the_api(client_for, alice):
    response = client_for(alice).post(IMPORT, nested(MAX_JSON_DEPTH), content_type="application/json")
    assert response.status_code == 201


# manage.py lens


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["import", "lint"])
@pytest.mark.parametrize(
    ("text", "code"), [(with_repeated_title(), "duplicate_key"), (nested(1000), "too_deep")]
)
def test_issue_14_lens_import_and_lint_refuse_it(tmp_path, action, text, code):
    file = tmp_path / "lens.json"
    file.write_text(text)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("lens", action, str(file), "--json", stdout=out)
    assert [problem["code"] for problem in json.loads(out.getvalue())["errors"]] == [code]


@pytest.mark.django_db
def test_issue_14_lens_risk_refuses_a_file_with_a_repeated_key(tmp_path):
    file = tmp_path / "lens.json"
    file.write_text(with_repeated_title())
    with pytest.raises(CommandError, match="appears more than once"):
        call_command("lens", "risk", str(file), stdin=StringIO(""), stdout=StringIO())
