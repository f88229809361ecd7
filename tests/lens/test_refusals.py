"""Bad lens files are refused with problems at JSON paths that exist in the document, and nothing is
stored; mutated documents only ever meet the importer's own refusal."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lens.format import LensRefused
from lens.models import Choice, Lens, LensVersion, Question, Resource, RiskRule
from lens.services import lens_import
from tests.factories import lens_document, question
from tests.lens.documents import clone, resolve

pytestmark = pytest.mark.django_db


def _stored() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Lens, LensVersion, Question, Choice, RiskRule, Resource))


def _refusal(source) -> list:
    before = _stored()
    with pytest.raises(LensRefused) as refused:
        lens_import(source=source)
    assert _stored() == before, "a refused import stored something"
    return refused.value.problems


def _refused_at(document: dict, code: str) -> list[str]:
    """Import the document, expect a refusal with `code`, check each path resolves; return them."""
    problems = _refusal(json.dumps(document))
    paths = [problem.path for problem in problems if problem.code == code]
    assert paths, f"no {code!r} among {problems}"
    for problem in problems:
        resolve(document, problem.path)  # raises if the path does not exist in the document
    return paths


def test_text_that_is_not_json_is_refused_at_the_root():
    assert [(p.path, p.code) for p in _refusal("{'pillars': [")] == [("$", "not_json")]


def test_bytes_that_are_not_utf8_are_refused():
    assert [(p.path, p.code) for p in _refusal(b'{"name": "\xff"}')] == [("$", "not_utf8")]


@pytest.mark.parametrize("value", [[], "lens", 3, None])
def test_a_document_that_is_not_an_object_is_refused(value):
    assert [(p.path, p.code) for p in _refusal(json.dumps(value))] == [("$", "not_an_object")]


def test_a_wrong_schema_version_is_refused():
    document = lens_document()
    document["schemaVersion"] = "2020-01-01"
    assert _refused_at(document, "schema_version") == ["$.schemaVersion"]


def test_a_document_over_500000_characters_is_refused_before_parsing():
    document = lens_document()
    document["description"] = "x" * 500_001
    assert [(p.path, p.code) for p in _refusal(json.dumps(document))] == [("$", "too_large")]


def test_eleven_pillars_are_refused():
    assert _refused_at(lens_document(pillars=11, questions=1), "count") == ["$.pillars"]


def test_21_questions_in_a_pillar_are_refused():
    assert _refused_at(lens_document(questions=21), "count") == ["$.pillars[0].questions"]


def test_16_choices_are_refused():
    document = lens_document()
    document["pillars"][0]["questions"][0] = question("BIG", practices=15)
    assert _refused_at(document, "count") == ["$.pillars[0].questions[0].choices"]


def test_duplicate_ids_are_refused_where_the_second_one_is():
    document = lens_document(pillars=2, questions=2)
    document["pillars"][1]["id"] = document["pillars"][0]["id"]
    document["pillars"][1]["questions"][1]["id"] = document["pillars"][0]["questions"][0]["id"]
    choices = document["pillars"][0]["questions"][1]["choices"]
    choices[1]["id"] = choices[0]["id"]

    assert _refused_at(document, "duplicate_id") == [
        "$.pillars[0].questions[1].choices[1].id",
        "$.pillars[1].id",
        "$.pillars[1].questions[1].id",
    ]


def test_the_same_choice_id_in_two_questions_is_accepted():
    document = lens_document()
    first, second = document["pillars"][0]["questions"]
    second["choices"][0]["id"] = first["choices"][0]["id"]
    second["riskRules"] = [{"condition": "default", "risk": "NO_RISK"}]
    lens_import(source=json.dumps(document))


@pytest.mark.parametrize("bad_id", ["ab", "has space", "dash-ed", "x" * 129, ""])
def test_a_bad_id_is_refused(bad_id):
    document = lens_document()
    document["pillars"][0]["id"] = bad_id
    assert _refused_at(document, "empty" if not bad_id else "bad_id") == ["$.pillars[0].id"]


@pytest.mark.parametrize(
    ("condition", "where"),
    [
        ("P1Q1_BP1 &&", 12),
        ("(P1Q1_BP1 || P1Q1_BP2", 22),
        ("P1Q1_BP1 & P1Q1_BP2", 10),
        ("P1Q1_BP1 P1Q1_BP2", 10),
    ],
)
def test_a_condition_that_does_not_parse_is_refused_with_the_position(condition, where):
    document = lens_document()
    document["pillars"][0]["questions"][0]["riskRules"][1]["condition"] = condition

    problems = _refusal(json.dumps(document))

    assert [(p.path, p.code) for p in problems] == [
        ("$.pillars[0].questions[0].riskRules[1].condition", "bad_condition")
    ]
    assert f"at character {where}" in problems[0].message


def test_a_condition_naming_a_choice_of_another_question_is_refused():
    document = lens_document()
    document["pillars"][0]["questions"][0]["riskRules"][1]["condition"] = "P1Q2_BP1"
    assert _refused_at(document, "unknown_choice") == ["$.pillars[0].questions[0].riskRules[1].condition"]


def test_two_none_of_these_choices_are_refused():
    document = lens_document()
    document["pillars"][0]["questions"][0]["choices"].append({"id": "other_no", "title": "Nothing"})
    assert _refused_at(document, "two_none_of_these") == ["$.pillars[0].questions[0].choices[4].id"]


def test_a_missing_improvement_plan_is_refused_at_its_choice():
    document = lens_document()
    del document["pillars"][0]["questions"][0]["choices"][1]["improvementPlan"]
    assert _refused_at(document, "missing_improvement_plan") == ["$.pillars[0].questions[0].choices[1]"]


def test_a_nul_character_anywhere_is_refused_since_no_database_text_can_hold_it():
    document = lens_document()
    document["pillars"][0]["questions"][0]["description"] = "before\x00after"
    document["_note"] = {"deep": ["\x00"]}
    assert sorted(_refused_at(document, "nul_character")) == [
        "$._note.deep[0]",
        "$.pillars[0].questions[0].description",
    ]


def test_a_url_without_display_text_is_refused():
    document = lens_document()
    document["pillars"][0]["questions"][0]["choices"][0]["helpfulResource"] = {"url": "https://example.com"}
    assert _refused_at(document, "missing") == ["$.pillars[0].questions[0].choices[0].helpfulResource"]


@pytest.mark.parametrize("value", ["NaN", "null", "12", '""', '"   "'])
def test_a_required_text_that_is_not_a_non_empty_string_is_refused(value):
    document = lens_document()
    text = json.dumps(document).replace('"name": "Pillar 1"', f'"name": {value}')
    problems = _refusal(text)
    assert [p.path for p in problems] == ["$.pillars[0].name"]


def test_rules_are_refused_beyond_three_or_with_a_repeated_level_or_unknown_risk():
    document = lens_document()
    rules = document["pillars"][0]["questions"][0]["riskRules"]
    rules.append({"condition": "default", "risk": "HIGH_RISK"})
    document["pillars"][0]["questions"][1]["riskRules"][1]["risk"] = "NO_RISK"
    document["pillars"][0]["questions"][1]["riskRules"][2]["risk"] = "LOW_RISK"
    problems = _refusal(json.dumps(document))
    assert {(p.path, p.code) for p in problems} == {
        ("$.pillars[0].questions[0].riskRules", "count"),
        ("$.pillars[0].questions[0].riskRules[3].risk", "duplicate_risk"),
        ("$.pillars[0].questions[1].riskRules[1].risk", "duplicate_risk"),
        ("$.pillars[0].questions[1].riskRules[2].risk", "bad_risk"),
    }


def test_additional_resources_are_limited_to_two_entries_of_one_to_five_resources():
    document = lens_document()
    choices = document["pillars"][0]["questions"][0]["choices"]
    resource = {"displayText": "Read this", "url": "https://example.com"}
    choices[0]["additionalResources"] = [
        {"type": "HELPFUL_RESOURCE", "content": [resource] * 6},
        {"type": "HELPFUL_RESOURCE", "content": [resource]},
        {"type": "IMPROVEMENT_PLAN", "content": []},
    ]
    problems = _refusal(json.dumps(document))
    assert {(p.path, p.code) for p in problems} == {
        ("$.pillars[0].questions[0].choices[0].additionalResources", "count"),
        ("$.pillars[0].questions[0].choices[0].additionalResources[0].content", "count"),
        ("$.pillars[0].questions[0].choices[0].additionalResources[1].type", "duplicate_type"),
        ("$.pillars[0].questions[0].choices[0].additionalResources[2].content", "count"),
    }


def test_every_problem_is_listed_at_once():
    document = lens_document(questions=3)
    document["schemaVersion"] = "1"
    document["pillars"][0]["questions"][0]["riskRules"][0]["condition"] = "(("
    del document["pillars"][0]["questions"][2]["choices"][0]["improvementPlan"]
    assert len(_refusal(json.dumps(document))) == 3


def test_additional_resources_and_their_undocumented_keys_round_trip():
    from lens.format.writer import write_lens
    from lens.selectors import version_document

    document = lens_document()
    choice = document["pillars"][0]["questions"][0]["choices"][0]
    choice["additionalResources"] = [
        {
            "type": "IMPROVEMENT_PLAN",
            "content": [{"displayText": "Plan A", "url": "https://a.example"}, {"displayText": "Plan B"}],
            "_entryNote": 1,
        },
        {"type": "HELPFUL_RESOURCE", "content": [{"displayText": "Help", "Url": "https://b.example"}]},
    ]
    document["pillars"][0]["questions"][1]["choices"][0]["additionalResources"] = []
    document["pillars"][0]["questions"][0]["helpfulResource"] = {"displayText": "About", "url": ""}

    result = lens_import(source=json.dumps(document))

    assert write_lens(version_document(result.version)) == document
    assert {(w.path, w.code) for w in result.warnings} == {
        ("$.pillars[0].questions[0].choices[0].additionalResources[0]._entryNote", "unknown_key"),
        ("$.pillars[0].questions[0].choices[0].additionalResources[1].content[0].Url", "unknown_key"),
        ("$.pillars[0].questions[0].helpfulResource.url", "url_empty"),
    }


# --- the property test --------------------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 20)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["default", "HIGH_RISK", "NO_RISK", "P1Q1_BP1", "P1Q1_no", "2021-11-01", "&&", "(("]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _containers(value, path=()):
    """Every (path, container) in a JSON value, depth first."""
    yield path, value
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(item, dict | list):
            yield from _containers(item, (*path, key))


@st.composite
def mutated_documents(draw):
    document = clone(lens_document(questions=2))
    document["pillars"][0]["questions"][0]["choices"][0]["additionalResources"] = [
        {"type": "HELPFUL_RESOURCE", "content": [{"displayText": "x", "url": "https://x.example"}]}
    ]
    for _ in range(draw(st.integers(1, 4))):
        containers = list(_containers(document))
        _, target = draw(st.sampled_from(containers))
        keys = list(target.keys()) if isinstance(target, dict) else list(range(len(target)))
        action = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        if action == "replace" and keys:
            target[draw(st.sampled_from(keys))] = draw(json_values)
        elif action == "delete" and keys:
            del target[draw(st.sampled_from(keys))]
        elif action == "duplicate" and isinstance(target, list) and keys:
            target.append(clone(target[draw(st.sampled_from(keys))]))
        elif isinstance(target, dict):
            target[draw(st.sampled_from(["id", "title", "url", "risk", "condition", "_x", "choices"]))] = (
                draw(json_values)
            )
        else:
            target.append(draw(json_values))
    return document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=mutated_documents())
def test_mutated_documents_meet_only_the_importers_own_refusal(document):
    problems = None
    try:
        lens_import(source=json.dumps(document))
    except LensRefused as refused:  # anything else fails the test
        problems = refused.problems
    if problems is not None:
        assert problems
        for problem in problems:
            resolve(document, problem.path)


def test_a_long_name_is_only_warned_and_stored_whole():
    document = lens_document()
    document["name"] = "N" * 5000
    result = lens_import(source=json.dumps(document))
    assert [(w.path, w.code) for w in result.warnings] == [("$.name", "too_long_for_aws")]
    assert Lens.objects.get(pk=result.lens.pk).name == "N" * 5000
