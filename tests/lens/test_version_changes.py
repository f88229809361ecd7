"""Lens changes a reviewer can judge (issue 17, item 8): every changed field of the version
difference before and after, in words (lens.diff_words), with risk rules as conditions in words
(lens.rule_text), on the lens's compare page too. The upgrade page's risk changes are in
tests/reviews/test_upgrade_pages.py; the API's in tests/api/test_lenses_versions.py and
tests/api/test_upgrades.py."""

import json

import pytest

from lens.diff import Status, version_diff
from lens.diff_words import FieldChange
from lens.format.reader import read_lens
from lens.risk import parse_condition
from lens.rule_text import condition_words, rule_words, rules_words
from lens.selectors import version_document
from lens.services import lens_import, lens_publish
from tests.conftest import shared_lens_params
from tests.factories import imported_lens, lens_document
from tests.lens.documents import clone
from tests.lens.pages import upload, url


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ("BP01", "BP01 is selected"),
        ("!BP01", "BP01 is not selected"),
        ("!(BP01 || BP02)", "none of BP01, BP02 is selected"),
        ("!BP01 && !BP02", "none of BP01, BP02 is selected"),
        ("BP01 && BP02 && BP03", "all of BP01, BP02, BP03 are selected"),
        ("BP01 || BP02", "any of BP01, BP02 is selected"),
        ("!(BP01 && BP02)", "not all of BP01, BP02 are selected"),
        ("!BP01 || !BP02", "not all of BP01, BP02 are selected"),
        ("BP01 && BP02 && !BP03", "all of BP01, BP02 are selected and BP03 is not selected"),
        ("BP01 || (BP02 && !BP03)", "BP01 is selected or (BP02 is selected and BP03 is not selected)"),
        ("BP01 && (BP02 || BP03)", "BP01 is selected and any of BP02, BP03 is selected"),
        ("!!BP01", "BP01 is selected"),
        # Ids that are prefixes of others stay whole (tokens, never substrings).
        ("SEC10_1 && !SEC10_10", "SEC10_1 is selected and SEC10_10 is not selected"),
    ],
)
def test_a_condition_reads_as_words(condition, words):
    assert condition_words(parse_condition(condition)) == words


def test_rules_read_in_order_with_default_as_otherwise():
    rules = [("!(BP01 || BP02)", "HIGH_RISK"), ("BP01 && BP02", "NO_RISK"), ("default", "MEDIUM_RISK")]
    assert rules_words(rules) == [
        "High risk when none of BP01, BP02 is selected",
        "No risk when all of BP01, BP02 are selected",
        "Medium risk otherwise",
    ]
    # No `default` rule: no matching rule gives HIGH (LENS_FORMAT.md), and the words say so.
    assert rules_words([("BP01", "NO_RISK")]) == [
        "No risk when BP01 is selected",
        "High risk when no rule above holds",
    ]
    assert rule_words("default", "NO_RISK", first=True) == "No risk in every case"


def test_the_words_that_differ_are_marked_line_by_line_and_word_by_word():
    change = FieldChange(
        "riskRules",
        "Risk rules",
        ("No risk when all of A, B are selected", "High risk otherwise"),
        ("No risk when all of A, B, C are selected", "Medium risk when A is selected", "High risk otherwise"),
    )
    before, after = change.marked
    # Nothing of the first line went: only the second side marks it, where ", C" came in.
    assert before == [[("No risk when all of A, B are selected", False)], [("High risk otherwise", False)]]
    assert after == [
        [("No risk when all of A, B", False), (", C", True), (" are selected", False)],
        [("Medium risk when A is selected", True)],
        [("High risk otherwise", False)],
    ]
    title = FieldChange("title", "Title", ("How do you track models?",), ("How do you version models?",))
    assert title.marked == (
        [[("How do you ", False), ("track", True), (" models?", False)]],
        [[("How do you ", False), ("version", True), (" models?", False)]],
    )


def _changed_document() -> tuple[dict, dict]:
    old = lens_document(questions=2)
    new = clone(old)
    pillar = new["pillars"][0]
    pillar["name"] = "Renamed pillar"
    pillar["description"] = "Now described."
    first = pillar["questions"][0]
    first["title"] = "A clearer title?"
    first["description"] = "What the team does about it, said better."
    first["helpfulResource"] = {"displayText": "Why it matters.", "url": "https://example.com/why-now"}
    first["riskRules"] = [
        {"condition": "!(P1Q1_BP1 || P1Q1_BP2)", "risk": "HIGH_RISK"},
        {"condition": "default", "risk": "NO_RISK"},
    ]
    choice = first["choices"][1]
    choice["title"] = "A renamed practice"
    choice["improvementPlan"]["displayText"] = "A better plan"
    choice["additionalResources"] = [
        {"type": "HELPFUL_RESOURCE", "content": [{"displayText": "More", "url": "https://example.com/more"}]}
    ]
    return old, new


@pytest.mark.django_db
def test_every_changed_field_is_shown_before_and_after(alice):
    old, new = _changed_document()
    before = lens_import(source=json.dumps(old), owner=alice)
    lens_publish(lens=before.lens, label="1", major=True)
    after = lens_import(source=json.dumps(new), owner=alice, alias=before.lens.alias)

    changes = version_diff(version_document(before.version), version_document(after.version))

    details = {
        (c.kind, c.question_id, c.choice_id, d.field): (d.label, d.before, d.after)
        for c in changes
        if c.status == Status.UPDATED
        for d in c.details
    }
    assert details == {
        ("pillar", None, None, "name"): ("Name", ("Pillar 1",), ("Renamed pillar",)),
        ("pillar", None, None, "description"): (
            "Description",
            ("What pillar 1 is about.",),
            ("Now described.",),
        ),
        ("question", "P1Q1", None, "title"): ("Title", ("How do you handle P1Q1?",), ("A clearer title?",)),
        ("question", "P1Q1", None, "description"): (
            "Description",
            ("What the team does about P1Q1.",),
            ("What the team does about it, said better.",),
        ),
        ("question", "P1Q1", None, "helpfulResource"): (
            "Helpful resource",
            ("Why it matters. (https://example.com/why)",),
            ("Why it matters. (https://example.com/why-now)",),
        ),
        ("question", "P1Q1", None, "riskRules"): (
            "Risk rules",
            (
                "No risk when all of P1Q1_BP1, P1Q1_BP2, P1Q1_BP3 are selected",
                "Medium risk when P1Q1_BP1 is selected",
                "High risk otherwise",
            ),
            ("High risk when none of P1Q1_BP1, P1Q1_BP2 is selected", "No risk otherwise"),
        ),
        ("choice", "P1Q1", "P1Q1_BP2", "title"): ("Title", ("Practice P1Q1_BP2",), ("A renamed practice",)),
        ("choice", "P1Q1", "P1Q1_BP2", "improvementPlan"): (
            "Improvement plan",
            ("How to start doing P1Q1_BP2. (https://example.com/plan)",),
            ("A better plan (https://example.com/plan)",),
        ),
        ("choice", "P1Q1", "P1Q1_BP2", "additionalResources"): (
            "Additional resources",
            (),
            ("Helpful resource: More (https://example.com/more)",),
        ),
    }
    # `fields` still names the same changes, in the same order, as the file's keys.
    for change in changes:
        assert change.fields == tuple(detail.field for detail in change.details)


@pytest.mark.django_db
def test_the_compare_page_shows_before_and_after_and_marks_what_differs(client_for, bob):
    lens = imported_lens(owner=bob, document=lens_document(questions=1))
    document = lens_document(questions=1)
    question = document["pillars"][0]["questions"][0]
    question["title"] = "How do you <b>really</b> handle P1Q1?"
    question["riskRules"][0]["condition"] = "P1Q1_BP1 && P1Q1_BP2"
    client = client_for(bob)
    client.post(url("import"), {"file": upload(document), "alias": lens.alias})

    content = client.get(url("diff", lens)).content.decode()

    assert "<dt>Title</dt>" in content
    # Words compared, not characters; lens text shown as text.
    assert "How do you <ins>&lt;b&gt;really&lt;/b&gt;</ins> handle P1Q1?" in content
    assert "<b>really</b>" not in content
    assert "<dt>Risk rules</dt>" in content
    assert "No risk when all of P1Q1_BP1, P1Q1_BP2<del>, P1Q1_BP3</del> are selected" in content
    assert '<p class="field-line">No risk when all of P1Q1_BP1, P1Q1_BP2 are selected</p>' in content
    assert "css/lens-changes" in content


RISKS = {"High risk", "Medium risk", "No risk"}


@pytest.mark.parametrize("path", shared_lens_params())
def test_every_rule_of_the_published_lenses_reads_as_words(path):
    document, _problems = read_lens(path.read_bytes())
    for _pillar, question in document.questions():
        for line in rules_words((rule.condition, rule.risk) for rule in question.risk_rules):
            # Words, never the condition's operators (a fallback to the text as written).
            assert not any(operator in line for operator in ("&&", "||", "!")), (question.id, line)
            assert line.split(" when ")[0] in RISKS or line.endswith((" otherwise", " in every case")), line


@pytest.mark.django_db
def test_the_lens_page_reads_each_rule_in_words_under_its_condition(client_for, bob):
    document = lens_document(questions=1)
    document["pillars"][0]["questions"][0]["riskRules"][0]["condition"] = "!(P1Q1_BP1 || P1Q1_BP2)"
    document["pillars"][0]["questions"][0]["riskRules"][0]["risk"] = "HIGH_RISK"
    document["pillars"][0]["questions"][0]["riskRules"][2]["risk"] = "NO_RISK"
    lens = imported_lens(owner=bob, document=document)

    content = client_for(bob).get(url("detail", lens)).content.decode()

    assert "<code>!(P1Q1_BP1 || P1Q1_BP2)</code>" in content
    assert "High risk when none of P1Q1_BP1, P1Q1_BP2 is selected" in content
    assert "Medium risk when P1Q1_BP1 is selected" in content
    assert "No risk otherwise" in content
