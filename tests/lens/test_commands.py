"""`manage.py lens import|export|lint` as lens authors and automation use them."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lens.models import Lens, LensVersion
from tests.factories import lens_document

pytestmark = pytest.mark.django_db


def lens_command(*args) -> tuple[dict | str, int]:
    """Run `manage.py lens ...`; return (parsed JSON or text output, exit code)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("lens", *args, stdout=out, stderr=err)
        code = 0
    except CommandError as error:
        code = error.returncode
        err.write(str(error))
    text = out.getvalue()
    return (json.loads(text) if "--json" in args else text + err.getvalue()), code


@pytest.fixture
def lens_file(tmp_path):
    def write(document, name="lens.json") -> str:
        path = tmp_path / name
        path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
        return str(path)

    return write


def test_import_prints_one_json_object_and_exits_0(lens_file):
    document = lens_document(questions=3)
    document["pillars"][0]["questions"][0]["title"] = "T" * 130

    report, code = lens_command("import", lens_file(document), "--json")

    assert code == 0
    assert report["alias"] == "test-lens"
    assert report["version"] == "draft"
    assert report["counts"] == {"pillars": 1, "questions": 3, "choices": 12, "risk_rules": 9}
    assert [(w["path"], w["code"]) for w in report["warnings"]] == [
        ("$.pillars[0].questions[0].title", "too_long_for_aws")
    ]
    assert report["errors"] == []
    assert Lens.objects.get(alias="test-lens").owner is None  # no --owner: the instance's


def test_import_of_a_refused_file_exits_1_with_every_error_at_its_path(lens_file):
    document = lens_document()
    document["pillars"][0]["questions"][1]["riskRules"][0]["condition"] = "P1Q2_BP1 &&& P1Q2_BP2"
    del document["pillars"][0]["questions"][0]["choices"][0]["improvementPlan"]
    lenses = Lens.objects.count()

    report, code = lens_command("import", lens_file(document), "--json")

    assert code == 1
    assert report["alias"] is None
    assert [(e["path"], e["code"]) for e in report["errors"]] == [
        ("$.pillars[0].questions[0].choices[0]", "missing_improvement_plan"),
        ("$.pillars[0].questions[1].riskRules[0].condition", "bad_condition"),
    ]
    assert Lens.objects.count() == lenses


def test_import_can_publish_for_an_owner(lens_file, alice):
    report, code = lens_command(
        "import",
        lens_file(lens_document()),
        "--owner",
        "alice",
        "--alias",
        "ours",
        "--publish",
        "2024.1",
        "--major",
        "--json",
    )

    assert (code, report["alias"], report["version"]) == (0, "ours", "2024.1")
    version = LensVersion.objects.get(lens__alias="ours")
    assert (version.lens.owner, version.status, version.kind) == (alice, "PUBLISHED", "MAJOR")


def test_import_into_someone_elses_alias_is_refused(lens_file, alice):
    lens_command("import", lens_file(lens_document()), "--owner", "alice", "--alias", "hers")

    report, code = lens_command("import", lens_file(lens_document()), "--alias", "hers", "--json")

    assert code == 1
    assert report["errors"][0]["field"] == "alias"


def test_lint_stores_nothing_and_reports_the_linter(lens_file):
    document = lens_document()
    document["pillars"][0]["questions"][0]["riskRules"] = [
        {"condition": "default", "risk": "MEDIUM_RISK"},
        {"condition": "P1Q1_BP2", "risk": "HIGH_RISK"},
    ]
    versions = LensVersion.objects.count()

    report, code = lens_command("lint", lens_file(document), "--json")

    assert code == 0
    codes = {(w["path"], w["code"]) for w in report["warnings"]}
    assert ("$.pillars[0].questions[0].riskRules[0]", "default_not_last") in codes
    assert ("$.pillars[0].questions[0].riskRules[1]", "rule_never_fires") in codes
    assert LensVersion.objects.count() == versions


def test_lint_of_a_refused_file_exits_1(lens_file):
    report, code = lens_command("lint", lens_file("[1, 2"), "--json")
    assert (code, [e["code"] for e in report["errors"]]) == (1, ["not_json"])


def test_export_writes_the_newest_published_version_to_a_file(lens_file, tmp_path):
    document = lens_document()
    lens_command("import", lens_file(document), "--alias", "mine", "--publish", "1")
    output = tmp_path / "out.json"

    _, code = lens_command("export", "mine", "-o", str(output))

    assert code == 0
    assert json.loads(output.read_text()) == document


def test_export_for_aws_lists_what_breaks_its_limits(lens_file):
    document = lens_document()
    document["pillars"][0]["questions"][0]["choices"][0]["title"] = "C" * 129
    document["_teams"] = ["platform"]
    lens_command("import", lens_file(document), "--alias", "long")

    text, code = lens_command("export", "long", "--aws")

    assert code == 1
    assert "$.pillars[0].questions[0].choices[0].title" in text


def test_export_for_aws_drops_undocumented_keys(lens_file):
    document = lens_document()
    document["_teams"] = ["platform"]
    document["pillars"][0]["questions"][0]["url"] = "https://example.com"
    lens_command("import", lens_file(document), "--alias", "extras")

    text, code = lens_command("export", "extras", "--aws")

    exported = json.loads(text)
    del document["_teams"], document["pillars"][0]["questions"][0]["url"]
    assert (code, exported) == (0, document)


def test_export_of_an_unknown_alias_fails():
    _, code = lens_command("export", "nope")
    assert code == 1
