"""`manage.py workload export|import` (issue 7)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from reviews.demo import DEMO_WORKLOAD, demo_workload
from reviews.models import Share, Workload, WorkloadEvent
from reviews.services import share_grant
from tests.reviews.backups import backup_of, normalised
from tests.reviews.backups_forged import LIVE_RISK, QUESTION, forge
from tests.reviews.stored import database_state

pytestmark = pytest.mark.django_db


def test_a_workload_exported_to_a_file_is_imported_as_the_users(alice, bob, tmp_path):
    workload = demo_workload(owner=alice)
    share_grant(workload=workload, actor=alice, user=bob, role=Share.Role.READER)
    backup = tmp_path / "backup.json"

    call_command("workload", "export", str(workload.pk), "-o", str(backup))
    out = io.StringIO()
    call_command("workload", "import", str(backup), "--user", "bob", stdout=out)

    restored = Workload.objects.get(owner=bob)
    assert out.getvalue().splitlines() == [
        f"Restored workload {restored.pk}: {DEMO_WORKLOAD}",
        "Not restored: the share with bob (reader)",
    ]
    assert normalised(restored) == normalised(workload)
    exported = workload.events.get(kind=WorkloadEvent.Kind.EXPORTED)
    assert (exported.actor, exported.summary) == (None, "Backed up with manage.py workload export.")
    assert json.loads(backup.read_text())["exported_by"] is None


def test_export_writes_to_stdout_and_import_refuses_a_second_time_unless_as_a_copy(alice, tmp_path):
    workload = demo_workload(owner=alice)
    out = io.StringIO()
    call_command("workload", "export", str(workload.pk), stdout=out)
    backup = tmp_path / "backup.json"
    backup.write_text(out.getvalue())
    call_command("workload", "import", str(backup), "--user", "alice", stdout=io.StringIO())
    before = database_state()

    with pytest.raises(CommandError, match="refused, nothing written: This backup was restored"):
        call_command("workload", "import", str(backup), "--user", "alice")
    assert database_state() == before

    out = io.StringIO()
    call_command("workload", "import", str(backup), "--user", "alice", "--as-copy", stdout=out)
    assert out.getvalue().strip().endswith(f"{DEMO_WORKLOAD} (restored 2)")


def test_import_names_the_path_of_a_malformed_document(alice, tmp_path):
    workload = demo_workload(owner=alice)
    out = io.StringIO()
    call_command("workload", "export", str(workload.pk), stdout=out)
    document = json.loads(out.getvalue())
    document["improvement_items"][0]["due_date"] = "soon"
    backup = tmp_path / "backup.json"
    backup.write_text(json.dumps(document))
    with pytest.raises(CommandError, match=r"improvement_items\[0\]\.due_date: Must be a date"):
        call_command("workload", "import", str(backup), "--user", "alice", "--as-copy")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["export", "999999"], "no workload with the id 999999"),
        (["import", "backup.json", "--user", "nobody"], "no active user 'nobody'"),
        (["import", "missing.json", "--user", "alice"], "cannot read missing.json"),
    ],
)
def test_the_command_refuses_what_it_cannot_find(alice, arguments, message, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("workload", *arguments)


def test_issue_14_import_prints_each_value_it_restored_as_computed(alice, bob, tmp_path):
    backup = tmp_path / "backup.json"
    backup.write_text(json.dumps(forge(backup_of(demo_workload(owner=alice), alice))))
    out = io.StringIO()

    call_command("workload", "import", str(backup), "--user", "bob", stdout=out)

    lines = out.getvalue().splitlines()
    assert (
        f"Warning: {LIVE_RISK[0]}: The backup says NONE; restored as HIGH, as its answers compute." in lines
    )
    assert (
        Workload.objects.get(owner=bob).lens_reviews.get().answers.get(question__question_id=QUESTION).risk
        == "HIGH"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema_version": NaN}', "NaN is not a JSON number"),
        ('{"x": ' + "[" * 100 + "]" * 100 + "}", "nested deeper than 64 levels at"),
    ],
    ids=["nan", "100-deep"],
)
def test_issue_14_import_refuses_a_file_that_is_not_plain_json(alice, tmp_path, content, message):
    backup = tmp_path / "backup.json"
    backup.write_text(content)
    before = database_state()
    with pytest.raises(CommandError, match=f"cannot read .*: {message}"):
        call_command("workload", "import", str(backup), "--user", "alice")
    assert database_state() == before
