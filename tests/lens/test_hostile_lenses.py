"""Issue 14: no lens file makes an import, `lens lint` or `lens risk` fail with anything but a
refusal, and none gets a 500 through the API or the browser.

Generated lenses carry conditions made of any tokens (unbalanced, unknown ids, nested past the
parser's limit); a few hand-made hostile files go through the API and the browser import.
"""

import json
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lens.format import LensRefused
from lens.risk import MAX_CONDITION_DEPTH
from lens.services import lens_import
from tests.factories import lens_document, practice
from tests.lens.pages import upload, url

TOKENS = ["c00", "c01", "c14", "c_no", "nope", "default", "!", "(", ")", "&&", "||", "&", " ", "é"]


@st.composite
def hostile_conditions(draw) -> str:
    kind = draw(st.sampled_from(["tokens", "negations", "parentheses", "mixed"]))
    depth = draw(st.integers(MAX_CONDITION_DEPTH - 2, MAX_CONDITION_DEPTH + 40))
    if kind == "tokens":
        return "".join(draw(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=40)))
    if kind == "negations":
        return "!" * depth + "c00"
    if kind == "parentheses":
        return "(" * depth + "c00" + ")" * depth
    return "!(" * (depth // 2) + "c00 && !c01" + ")" * (depth // 2)


@st.composite
def hostile_lenses(draw) -> str:
    count = draw(st.integers(1, 15))
    with_none = draw(st.booleans())
    ids = [f"c{n:02d}" for n in range(count - 1 if with_none else count)]
    choices = [practice(choice_id) for choice_id in ids]
    if with_none:
        choices.append({"id": "c_no", "title": "None of these"})
    levels = draw(st.permutations(["NO_RISK", "MEDIUM_RISK", "HIGH_RISK"]))
    rules = [
        {"condition": draw(hostile_conditions()), "risk": level}
        for level in levels[: draw(st.integers(1, 3))]
    ]
    document = lens_document(name="Hostile lens", questions=1)
    document["pillars"][0]["questions"][0].update(choices=choices, riskRules=rules)
    return json.dumps(document)


def answer_lines(text: str) -> str:
    """Answers for `lens risk`, with lines that are not answers among them."""
    lines = [
        json.dumps({"question": "P1Q1", "selected": ["c00"], "not_applicable": []}),
        json.dumps({"question": "P1Q1", "selected": ["c_no"]}),
        "[" * 5000 + "]" * 5000,
        '{"question": ' * 2000,
        "not json",
    ]
    return "\n".join(lines) + "\n"


def refusal(call) -> Exception | None:
    """The refusal `call()` raised (LensRefused or CommandError), or None; anything else propagates."""
    try:
        call()
    except (LensRefused, CommandError) as error:
        return error
    return None


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hostile_lenses())
def test_issue_14_import_lint_and_risk_refuse_a_hostile_lens_or_take_it(tmp_path, text):
    refused = refusal(lambda: lens_import(source=text))
    imported = refused is None
    if not imported:
        assert all(problem.path.startswith("$.") for problem in refused.problems)

    file = tmp_path / "lens.json"
    file.write_text(text)
    out = StringIO()
    linted = refusal(lambda: call_command("lens", "lint", str(file), "--json", stdout=out)) is None
    assert linted == imported
    assert bool(json.loads(out.getvalue())["errors"]) is not imported

    out = StringIO()
    lines = StringIO(answer_lines(text))
    refused = refusal(lambda: call_command("lens", "risk", str(file), stdin=lines, stdout=out))
    if imported:
        assert refused is None
        results = [json.loads(line) for line in out.getvalue().splitlines()]
        assert len(results) == 5
        assert "nested deeper than 64" in results[2]["error"]
    else:
        assert "is refused" in str(refused)


CHOICE = "P1Q1_BP1"  # a choice of lens_document's first question
HOSTILE_FILES = {
    "a condition of 920 negations": "!" * 920 + CHOICE,
    "a condition of 300 nested parentheses": "(" * 300 + CHOICE + ")" * 300,
    "a condition one level past the limit": "!(" * 16 + "!" + CHOICE + ")" * 16,
}


def _lens_with_condition(condition: str) -> str:
    document = lens_document(name="Hostile lens", questions=1)
    document["pillars"][0]["questions"][0]["riskRules"][0]["condition"] = condition
    return json.dumps(document)


@pytest.fixture
def _no_rate_limits_used():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
@pytest.mark.usefixtures("_no_rate_limits_used")
@pytest.mark.parametrize("condition", list(HOSTILE_FILES.values()), ids=list(HOSTILE_FILES))
def test_issue_14_a_condition_too_deep_is_a_400_at_its_path_through_the_api(client_for, alice, condition):
    response = client_for(alice).post(
        "/api/v1/lenses/import/", _lens_with_condition(condition), content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    where = "$.pillars[0].questions[0].riskRules[0].condition"
    assert body["code"] == "lens_refused"
    assert list(body["fields"]) == [where]
    assert "deeper than 32" in body["fields"][where][0]


@pytest.mark.django_db
@pytest.mark.usefixtures("_no_rate_limits_used")
@pytest.mark.parametrize("condition", list(HOSTILE_FILES.values()), ids=list(HOSTILE_FILES))
def test_issue_14_a_condition_too_deep_is_shown_at_its_path_by_the_browser_import(
    client_for, alice, condition
):
    response = client_for(alice).post(url("import"), {"file": upload(_lens_with_condition(condition))})
    assert response.status_code == 400
    page = response.content.decode()
    assert "$.pillars[0].questions[0].riskRules[0].condition" in page
    assert "deeper than 32" in page


@pytest.mark.django_db
def test_issue_14_a_condition_at_the_depth_limit_imports(client_for, alice):
    condition = "!(" * 15 + "!!" + CHOICE + ")" * 15  # 30 + 2 = 32 levels
    response = client_for(alice).post(
        "/api/v1/lenses/import/", _lens_with_condition(condition), content_type="application/json"
    )
    assert response.status_code == 201
