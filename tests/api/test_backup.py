"""GET /api/v1/workloads/{id}/export/ and POST /api/v1/workloads/import/ (issues 7 and 14)."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from mlwa.errors import ReviewRefused
from reviews.backup import workload_restore
from reviews.backup.document import parse
from reviews.demo import DEMO_WORKLOAD, demo_workload
from reviews.models import Workload, WorkloadEvent
from tests.api.conftest import token_client
from tests.reviews.backups import normalised
from tests.reviews.backups_forged import COUNTS, LIVE_RISK, QUESTION, forge
from tests.reviews.stored import database_state

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/workloads/import/"


def export_url(workload) -> str:
    return f"/api/v1/workloads/{workload.pk}/export/"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 200), ("contributor", 200), ("reader", 200), ("auditor", 200), ("outsider", 404)],
)
def test_whoever_sees_the_workload_may_export_it(shared_workload, role, expected):
    response = token_client(getattr(shared_workload, role)).get(export_url(shared_workload.workload))
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["workload"]["name"] == "Fraud detection"
        assert response.json()["shares"][0]["group"] == "ml-team"


def test_an_anonymous_export_is_401_and_records_nothing(shared_workload):
    response = APIClient().get(export_url(shared_workload.workload))
    assert response.status_code == 401
    assert not WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.EXPORTED).exists()


def test_a_backup_exported_and_imported_through_the_api_is_the_callers_with_the_shares_listed(
    shared_workload,
):
    s = shared_workload
    document = token_client(s.reader).get(export_url(s.workload)).json()

    response = token_client(s.outsider).post(IMPORT, document, format="json")

    assert response.status_code == 201
    restored = Workload.objects.get(owner=s.outsider)
    body = response.json()
    assert response["Location"] == f"/api/v1/workloads/{restored.pk}/" == body["url"]
    assert body["id"] == restored.pk
    assert (body["name"], body["owner"], body["lenses_created"]) == ("Fraud detection", "outsider", [])
    assert body["dropped_shares"] == [
        {"group": "ml-team", "role": "CONTRIBUTOR"},
        {"user": "reader", "role": "READER"},
    ]
    assert normalised(restored) == normalised(s.workload)


def test_a_second_import_is_409_unless_as_a_copy(alice):
    client = token_client(alice)
    document = client.get(export_url(demo_workload(owner=alice))).json()
    assert client.post(IMPORT, document, format="json").status_code == 201
    before = database_state()

    again = client.post(IMPORT, document, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_restored"
    assert database_state() == before

    copied = client.post(f"{IMPORT}?as_copy=true", document, format="json")
    assert copied.status_code == 201
    assert copied.json()["name"] == f"{DEMO_WORKLOAD} (restored 2)"


def test_a_newer_schema_is_422_naming_it(alice):
    client = token_client(alice)
    document = client.get(export_url(demo_workload(owner=alice))).json()
    document["schema_version"] = 5
    before = database_state()
    response = client.post(IMPORT, document, format="json")
    assert response.status_code == 422
    assert response.json()["code"] == "newer_schema"
    assert "schema_version 5" in response.json()["message"]
    assert database_state() == before


def test_a_malformed_document_is_400_naming_the_json_path(alice):
    client = token_client(alice)
    document = client.get(export_url(demo_workload(owner=alice))).json()
    document["milestones"][0]["lens_reviews"][0]["answers"][2]["risk"] = "DIRE"
    before = database_state()
    response = client.post(IMPORT, document, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "backup_refused"
    assert list(body["fields"]) == ["milestones[0].lens_reviews[0].answers[2].risk"]
    assert body["message"].startswith("milestones[0].lens_reviews[0].answers[2].risk: Must be one of")
    assert database_state() == before


def test_a_body_that_is_not_an_object_is_400(alice):
    response = token_client(alice).post(IMPORT, [1, 2], format="json")
    assert response.status_code == 400


def test_a_read_only_token_may_export_but_not_import(alice):
    workload = demo_workload(owner=alice)
    client = token_client(alice, read_only=True)
    document = client.get(export_url(workload)).json()
    response = client.post(f"{IMPORT}?as_copy=true", document, format="json")
    assert response.status_code == 403


# --- issue 14: an honest restore ---------------------------------------------------------------------


def _answers_url(workload, alias, *rest) -> str:
    return "/".join([f"/api/v1/workloads/{workload.pk}/lens-reviews/{alias}/answers", *rest, ""])


def test_issue_14_a_forged_backup_restores_as_computed_with_warnings_and_its_authorship_marked(alice, bob):
    demo = demo_workload(owner=alice)
    document = forge(token_client(alice).get(export_url(demo)).json())
    client = token_client(bob)

    response = client.post(IMPORT, document, format="json")

    assert response.status_code == 201
    warnings = response.json()["warnings"]
    assert {"path": LIVE_RISK[0], "stored": "NONE", "computed": "HIGH"}.items() <= warnings[0].items()
    assert warnings[0]["message"] == "The backup says NONE; restored as HIGH, as its answers compute."
    restored = Workload.objects.get(owner=bob)
    alias = restored.lens_reviews.get().lens.alias
    # The list, one answer (the API's hand-built fast path), and the milestone's frozen answer.
    listed = next(
        a for a in client.get(_answers_url(restored, alias)).json()["results"] if a["question_id"] == QUESTION
    )
    detail = client.get(_answers_url(restored, alias, QUESTION)).json()
    frozen = client.get(_answers_url(restored, alias, QUESTION) + "?milestone=1").json()
    for answer in (listed, detail, frozen):
        assert (answer["risk"], answer["updated_by"], answer["restored_by"]) == ("HIGH", "carol", "bob")
        assert answer["restored_at"] is not None
    history = client.get(_answers_url(restored, alias, QUESTION, "history")).json()["results"]
    assert history
    assert all(entry["restored_by"] == "bob" and entry["restored_at"] for entry in history)
    assert {entry["changed_by"] for entry in history} == {"alice"}
    events = client.get(f"/api/v1/workloads/{restored.pk}/events/").json()["results"]
    restoring = next(e for e in events if e["kind"] == WorkloadEvent.Kind.RESTORED)
    assert (restoring["actor"], restoring["restored_by"], restoring["restored_at"]) == ("bob", None, None)
    assert {(e["actor"], e["restored_by"]) for e in events if e is not restoring} == {("alice", "bob")}
    milestones = client.get(f"/api/v1/workloads/{restored.pk}/milestones/").json()["results"]
    one = client.get(f"/api/v1/workloads/{restored.pk}/milestones/1/").json()
    for milestone in (*milestones, one):
        assert (milestone["created_by"], milestone["restored_by"]) == ("alice", "bob")
    frozen_one = restored.milestones.get(number=1)
    assert {column: one["totals"][column] for column in COUNTS} == {
        column: getattr(frozen_one, column) for column in COUNTS
    }
    assert frozen_one.high == document["milestones"][0]["totals"]["high"] + 1  # MLOPS01 is HIGH now

    written = client.patch(_answers_url(restored, alias, QUESTION), {"notes": "Checked."}, format="json")

    assert written.status_code == 200
    assert (written.json()["updated_by"], written.json()["restored_by"], written.json()["restored_at"]) == (
        "bob",
        None,
        None,
    )


def test_an_answer_of_a_workload_made_here_has_no_restored_marks(shared_workload):
    s = shared_workload
    alias = s.workload.lens_reviews.get().lens.alias
    answer = token_client(s.owner).get(_answers_url(s.workload, alias)).json()["results"][0]
    assert (answer["restored_by"], answer["restored_at"]) == (None, None)


@pytest.mark.parametrize(
    ("where", "value", "path"),
    [
        (("milestones", 0, "number"), 2**63, "milestones[0].number"),
        (("lens_reviews", 0, "answers", 0, "version"), 2**31, "lens_reviews[0].answers[0].version"),
        (("events", 0, "at"), "0001-01-01T00:00:00+05:00", "events[0].at"),
        (("improvement_items", 0, "lens_alias"), "not-reviewed", "improvement_items[0].lens_alias"),
    ],
    ids=["2^63", "2^31", "before-year-1", "item-of-another-lens"],
)
def test_issue_14_a_hostile_value_is_400_naming_its_path(alice, where, value, path):
    client = token_client(alice)
    document = client.get(export_url(demo_workload(owner=alice))).json()
    *parents, last = where
    target = document
    for key in parents:
        target = target[key]
    target[last] = value
    before = database_state()

    response = client.post(f"{IMPORT}?as_copy=true", document, format="json")

    assert response.status_code == 400
    assert (response.json()["code"], list(response.json()["fields"])) == ("backup_refused", [path])
    assert database_state() == before


@pytest.mark.parametrize(
    ("selected", "not_applicable", "path"),
    [
        (["MLOPS01_no", "MLOPS01_BP01"], {}, "selected_choices"),
        ([], {"MLOPS01_no": {"reason": "OTHER", "notes": ""}}, "not_applicable_choices.MLOPS01_no"),
        (
            ["MLOPS01_BP01"],
            {"MLOPS01_BP01": {"reason": "OTHER", "notes": ""}},
            "not_applicable_choices.MLOPS01_BP01",
        ),
    ],
    ids=["none-of-these-with-a-practice", "none-of-these-not-applicable", "selected-and-not-applicable"],
)
def test_issue_14_a_restore_refuses_an_answer_the_answer_service_would_refuse(
    alice, selected, not_applicable, path
):
    """A backup cannot make an answer that no person could have saved, now or in a milestone."""
    client = token_client(alice)
    document = client.get(export_url(demo_workload(owner=alice))).json()
    for where, answers in (
        ("lens_reviews[0]", document["lens_reviews"][0]["answers"]),
        ("milestones[0].lens_reviews[0]", document["milestones"][0]["lens_reviews"][0]["answers"]),
    ):
        index = next(i for i, answer in enumerate(answers) if answer["question_id"] == "MLOPS01")
        original = dict(answers[index])
        answers[index].update(selected_choices=selected, not_applicable_choices=not_applicable)
        before = database_state()

        response = client.post(f"{IMPORT}?as_copy=true", document, format="json")

        assert response.status_code == 400, response.content
        assert list(response.json()["fields"]) == [f"{where}.answers[{index}].{path}"]
        assert database_state() == before
        answers[index] = original


def test_the_schema_documents_the_restore_warnings_and_the_restored_marks():
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    assert "warnings" in schemas["RestoreResult"]["properties"]
    assert set(schemas["RestoreWarning"]["properties"]) == {"path", "stored", "computed", "message"}
    for component in ("Answer", "AnswerDetail", "AnswerChange", "Event", "Milestone", "MilestoneDetail"):
        properties = schemas[component]["properties"]
        assert properties["restored_by"]["nullable"] is True, component
        assert properties["restored_at"]["nullable"] is True, component


def test_issue_14_a_key_named_twice_in_a_backups_lens_file_is_400_naming_its_path(alice):
    """json keeps the last of two equal keys silently; a lens file inside a backup is refused at the
    repeated key, as importing that lens file would be, through the API and through a file."""
    client = token_client(alice)
    text = client.get(export_url(demo_workload(owner=alice))).content.decode()
    repeated = text.replace(
        '"file":{"schemaVersion":"2021-11-01"', '"file":{"name":"Twice","schemaVersion":"2021-11-01"', 1
    )
    assert repeated != text
    before = database_state()

    response = client.post(IMPORT, repeated, content_type="application/json")

    assert response.status_code == 400, response.content
    assert [path for path in response.json()["fields"] if path.endswith(".name")], response.json()
    assert database_state() == before
    with pytest.raises(ReviewRefused) as refused:
        workload_restore(document=parse(repeated.encode()), user=alice, as_copy=True)
    assert "name" in str(refused.value)
    assert database_state() == before
