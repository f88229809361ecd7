"""The backup pages: “Back up” on the workload page (a download) and “Restore a backup” (an upload)."""

import json

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reviews.backup import workload_restore
from reviews.demo import DEMO_WORKLOAD, demo_workload
from reviews.models import Workload, WorkloadEvent
from tests.reviews.backups import backup_of
from tests.reviews.backups_forged import LIVE_RISK, QUESTION, forge
from tests.reviews.pages import ROLES, client_as, is_login_redirect, url
from tests.reviews.stored import database_state

pytestmark = pytest.mark.django_db

DOWNLOADS = dict(zip(ROLES, (200, 200, 200, 200, 404, "login"), strict=True))


def _upload(document, name="backup.json") -> SimpleUploadedFile:
    content = document if isinstance(document, bytes) else json.dumps(document).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_whoever_sees_the_workload_may_download_its_backup(client, shared_workload, role):
    response = client_as(client, shared_workload, role).get(url("workload-export", shared_workload.workload))
    expected = DOWNLOADS[role]
    if expected == "login":
        assert is_login_redirect(response)
        return
    assert response.status_code == expected
    if expected != 200:
        return
    day = timezone.localdate().isoformat()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="fraud-detection-backup-{day}.json"'
    document = json.loads(response.content)
    assert document["format"] == "mlwa-workload-backup"
    assert document["workload"]["name"] == "Fraud detection"
    event = shared_workload.workload.events.get(kind=WorkloadEvent.Kind.EXPORTED)
    assert event.actor == getattr(shared_workload, role)
    assert event.data == {"document_id": document["document_id"]}


def test_the_workload_page_links_to_the_backup_for_a_reader(client, shared_workload):
    response = client_as(client, shared_workload, "reader").get(url("workload", shared_workload.workload))
    assert url("workload-export", shared_workload.workload).encode() in response.content


def test_the_workload_list_and_dashboard_link_to_the_restore_page(client_for, alice):
    client = client_for(alice)
    for page in ("dashboard", "workload-list"):
        assert url("workload-import").encode() in client.get(url(page)).content


def test_the_restore_form_uploads_a_file_with_the_csrf_token(client_for, alice):
    response = client_for(alice).get(url("workload-import"))
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b"csrfmiddlewaretoken" in response.content
    assert b'name="as_copy"' in response.content


def test_a_restored_backup_is_the_users_with_the_dropped_shares_listed(client, shared_workload):
    s = shared_workload
    document = backup_of(s.workload, s.owner)
    client.force_login(s.outsider)

    response = client.post(url("workload-import"), {"file": _upload(document)})

    restored = Workload.objects.get(owner=s.outsider)
    assert response.status_code == 302
    assert response["Location"] == url("workload", restored)
    notes = [str(message) for message in get_messages(response.wsgi_request)]
    assert notes[0] == "Restored the workload “Fraud detection”; you own it."
    assert notes[1].endswith("team ml-team (contributor), reader (reader)")
    assert not restored.shares.exists()


def test_the_people_of_a_restored_workload_show_as_names_on_its_pages(client_for, alice, bob):
    workload = demo_workload(owner=alice)
    document = backup_of(workload, alice)
    document["events"][0]["actor"] = "<b>carol</b>"
    restored = workload_restore(document=document, user=bob).workload
    alias = restored.lens_reviews.get().lens.alias
    question_id = restored.improvement_items.get().question_id
    client = client_for(bob)

    events = client.get(url("workload-events", restored)).content.decode()
    assert "&lt;b&gt;carol&lt;/b&gt;" in events
    assert "a deleted user" not in events
    milestones = client.get(url("milestones", restored)).content.decode()
    assert milestones.count(">alice, restored from a backup by bob</td>") == 2
    history = client.get(url("history", restored, alias, question_id)).content.decode()
    assert "by alice" in history
    assert "a deleted user" not in history
    question = client.get(url("question", restored, alias, question_id)).content.decode()
    assert "changed by alice" in question
    improvements = client.get(url("improvements", restored)).content.decode()
    assert "Restored from a backup: owned by alice." in improvements  # the row says so (issue 17)
    restored.shares.create(user=alice, role="READER")  # a reader sees the tracking as text
    assert (
        '<dd class="plan-owner">alice</dd>'
        in client_for(alice).get(url("improvements", restored)).content.decode()
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "Not a JSON file"),
        (
            json.dumps({"format": "mlwa-workload-backup", "schema_version": 9}).encode(),
            "schema_version 9, newer",
        ),
        (json.dumps({"format": "spreadsheet"}).encode(), "format: Not an MLWA workload backup"),
    ],
    ids=["not-json", "newer-schema", "not-a-backup"],
)
def test_a_refused_backup_is_named_on_the_form_and_nothing_is_written(client_for, alice, content, message):
    client = client_for(alice)
    before = database_state()
    response = client.post(url("workload-import"), {"file": _upload(content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert database_state() == before


def test_a_post_without_a_file_is_refused_on_the_form(client_for, alice):
    response = client_for(alice).post(url("workload-import"))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


def test_a_backup_restored_already_is_refused_on_the_form_unless_restored_as_a_copy(client_for, alice):
    workload = demo_workload(owner=alice)
    document = backup_of(workload, alice)
    client = client_for(alice)
    assert client.post(url("workload-import"), {"file": _upload(document)}).status_code == 302
    before = database_state()

    refused = client.post(url("workload-import"), {"file": _upload(document)})
    assert refused.status_code == 400
    assert "restored on this instance already" in refused.content.decode()
    assert database_state() == before

    copied = client.post(url("workload-import"), {"file": _upload(document), "as_copy": "on"})
    assert copied.status_code == 302
    names = set(Workload.objects.filter(owner=alice).values_list("name", flat=True))
    assert names == {DEMO_WORKLOAD, f"{DEMO_WORKLOAD} (restored)", f"{DEMO_WORKLOAD} (restored 2)"}


# --- issue 14: an honest restore ---------------------------------------------------------------------


def test_issue_14_a_forged_backup_restored_in_the_browser_says_what_it_computed_and_who_restored_it(
    client_for, alice, bob
):
    document = forge(backup_of(demo_workload(owner=alice), alice), colleague="<b>carol</b>")
    client = client_for(bob)

    response = client.post(url("workload-import"), {"file": _upload(document)}, follow=True)

    restored = Workload.objects.get(owner=bob)
    shown = [str(message) for message in response.context["messages"]]
    assert any("disagreed with its own answers" in message for message in shown)
    assert f"{LIVE_RISK[0]}: The backup says NONE; restored as HIGH, as its answers compute." in shown
    page = response.content.decode()
    assert "milestones[1].totals.none: The backup says 42" in page
    alias = restored.lens_reviews.get().lens.alias
    question = client.get(url("question", restored, alias, QUESTION)).content.decode()
    assert "changed by &lt;b&gt;carol&lt;/b&gt;, restored from a backup by bob" in question
    history = client.get(url("history", restored, alias, QUESTION)).content.decode()
    assert "by alice, restored from a backup by bob" in history
    events = client.get(url("workload-events", restored)).content.decode()
    assert "alice, restored from a backup by bob" in events
    milestone = client.get(url("milestone", restored, 1)).content.decode()
    assert "by alice, restored from a backup by bob" in milestone


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": "mlwa-workload-backup", "schema_version": NaN}', "NaN is not a JSON number"),
        (b'{"format": "mlwa-workload-backup", "x": [Infinity]}', "Infinity is not a JSON number"),
        (b'{"format": "mlwa-workload-backup", "x": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"x": ' + b"[" * 1000 + b"]" * 1000 + b"}", "nested deeper than 64 levels at $.x"),
    ],
    ids=["nan", "infinity", "minus-infinity", "1000-deep"],
)
def test_issue_14_a_file_that_is_not_plain_json_is_refused_at_the_file_field(
    client_for, alice, content, message
):
    before = database_state()

    response = client_for(alice).post(url("workload-import"), {"file": _upload(content)})

    assert response.status_code == 400
    [error] = response.context["form"].errors["file"]
    assert error.startswith("Not a JSON file: ")
    assert message in error
    assert database_state() == before


def test_issue_14_a_number_past_the_databases_range_is_refused_on_the_form(client_for, alice):
    document = backup_of(demo_workload(owner=alice), alice)
    document["milestones"][0]["number"] = 2**63
    before = database_state()

    response = client_for(alice).post(url("workload-import"), {"file": _upload(document)})

    assert response.status_code == 400
    assert "milestones[0].number: Must be a whole number from 1 to 2147483647." in response.content.decode()
    assert database_state() == before
