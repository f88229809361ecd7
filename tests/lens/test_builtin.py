"""The built-in lens: written from the 2021 slides, loaded by migrate, idempotently."""

import json

import pytest

from lens.builtin import BUILTIN_FILE, load_builtin_lens
from lens.format import lint_lens, read_lens
from lens.models import BUILTIN_ALIAS, Lens, LensVersion
from lens.selectors import version_document

pytestmark = pytest.mark.django_db

STANDARD_PILLARS = ["operationalExcellence", "security", "reliability", "performance", "costOptimization"]


def test_migrate_loaded_the_built_in_lens_as_a_published_instance_lens():
    lens = Lens.objects.get(alias=BUILTIN_ALIAS)
    version = LensVersion.objects.get(lens=lens)

    assert lens.name == "Machine Learning Lens (2021 slides)"
    assert lens.owner is None
    assert (version.status, version.label) == ("PUBLISHED", "1")


def test_the_built_in_lens_has_the_slides_pillars_and_questions():
    document = version_document(LensVersion.objects.get(lens__alias=BUILTIN_ALIAS))

    assert [pillar.id for pillar in document.pillars] == STANDARD_PILLARS
    assert [len(pillar.questions) for pillar in document.pillars] == [3, 3, 2, 3, 3]
    assert all(pillar.description for pillar in document.pillars)
    for _, question in document.questions():
        practices = [choice for choice in question.choices if not choice.is_none_of_these]
        assert len(practices) >= 2, question.id
        assert question.choices[-1].is_none_of_these, question.id
        assert all(choice.improvement_plan and choice.improvement_plan.display_text for choice in practices)


def test_the_linter_reports_nothing_on_the_built_in_lens():
    document, warnings = read_lens(BUILTIN_FILE.read_bytes())
    assert warnings == []
    assert lint_lens(document) == []


def test_every_practice_gives_no_risk_and_none_of_these_gives_high():
    document = version_document(LensVersion.objects.get(lens__alias=BUILTIN_ALIAS))
    rules = document.question_rules()
    mediums = 0
    for _, question in document.questions():
        practices = [c.id for c in question.choices if not c.is_none_of_these]
        none_of_these = next(c.id for c in question.choices if c.is_none_of_these)
        assert rules[question.id].evaluate(practices) == "NONE"
        assert rules[question.id].evaluate([none_of_these]) == "HIGH"
        mediums += any(rules[question.id].evaluate([p]) == "MEDIUM" for p in practices)
    assert mediums == len(rules)  # every question can give a medium risk too


def test_loading_the_built_in_lens_again_changes_nothing():
    before = list(LensVersion.objects.values_list("pk", "content_hash"))
    assert load_builtin_lens() is None
    assert list(LensVersion.objects.values_list("pk", "content_hash")) == before


def test_a_changed_file_becomes_a_minor_version_and_a_removal_a_major_one(tmp_path):
    document = json.loads(BUILTIN_FILE.read_bytes())
    document["pillars"][0]["questions"][0]["description"] += " Reworded."
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(document))

    assert load_builtin_lens(changed) == "2"
    del document["pillars"][0]["questions"][0]["choices"][0]
    removed = tmp_path / "removed.json"
    document["pillars"][0]["questions"][0]["riskRules"] = [{"condition": "default", "risk": "HIGH_RISK"}]
    removed.write_text(json.dumps(document))
    assert load_builtin_lens(removed) == "3"

    kinds = list(
        LensVersion.objects.filter(lens__alias=BUILTIN_ALIAS)
        .order_by("published_at")
        .values_list("label", "kind")
    )
    assert kinds == [("1", "MAJOR"), ("2", "MINOR"), ("3", "MAJOR")]
