"""Who may call what: every operation of the OpenAPI schema, for every kind of caller.

The operations come from the schema itself, so a new endpoint without an expected result here fails
`test_every_operation_has_an_expected_result`. Each case runs against the same small world (below),
and a refusal must leave the database exactly as it was. Lists and summaries must never show what
the caller may not see: the world holds a stranger's workload and lens that only "see all" (for the
workload) reaches.
"""

import json
import re
from dataclasses import dataclass
from functools import cache

import pytest
from django.contrib.auth.models import Permission
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.services import token_create
from lens.models import BUILTIN_ALIAS
from lens.services import lens_import, lens_publish, lens_share
from notifications.models import Notification
from reviews.models import Report, Share
from reviews.reports.services import report_store
from reviews.services import lens_review_apply, share_grant, workload_create
from reviews.services.milestones import milestone_create
from tests import factories
from tests.api.conftest import revoked_token_client, token_client
from tests.factories import GroupFactory, UserFactory
from tests.reviews.stored import database_state

CALLERS = ("owner", "contributor", "reader", "outsider", "see_all", "anonymous", "revoked", "read_only")
OK = "ok"  # the operation's documented success status (200, 201 or 204)

# Expected status per caller, in CALLERS order. The workload is shared with the contributor (through
# a group) and the reader; "see all" reads everything; the read-only and revoked tokens are the owner's.
SEES = (OK, OK, OK, 404, OK, 401, 401, OK)
ANSWERS = (OK, OK, 403, 404, 403, 401, 401, 403)
OWNS = (OK, 403, 403, 404, 403, 401, 401, 403)
OWNER_READS = (OK, 403, 403, 404, 403, 401, 401, OK)  # what only the owner may do, previewed
ANY_USER_READS = (OK, OK, OK, OK, OK, 401, 401, OK)
ANY_USER_WRITES = (OK, OK, OK, OK, OK, 401, 401, 403)
# The team lens is the owner's, shared with the contributor and the reader; "see all" is about
# workloads and shows no lens.
SEES_LENS = (OK, OK, OK, 404, 404, 401, 401, OK)
MANAGES_LENS = (OK, 403, 403, 404, 404, 401, 401, 403)
MANAGER_READS = (OK, 403, 403, 404, 404, 401, 401, OK)  # who a lens is shared with
# Anyone who sees the workload may ask for its reports; a read-only token may not ask.
ASKS_REPORT = (OK, OK, OK, 404, OK, 401, 401, 403)
# The world's report is the owner's: anyone else's request for it is a 404.
OWN_REPORT = (OK, 404, 404, 404, 404, 401, 401, OK)
OWN_REPORT_WRITES = (OK, 404, 404, 404, 404, 401, 401, 403)
# Tokens are made with a password or a session, never with a token.
MAKES_TOKEN = (403, 403, 403, 403, 403, 401, 401, 403)
# The spare token is the owner's: anyone else's request for it is a 404.
OWN_TOKEN = (OK, 404, 404, 404, 404, 401, 401, 403)
OWN_TOKEN_READ = (OK, 404, 404, 404, 404, 401, 401, OK)

#: operationId: expected status per caller.
EXPECTED = {
    "tokens_list": ANY_USER_READS,
    "people_list": ANY_USER_READS,
    "tokens_create": MAKES_TOKEN,
    "tokens_retrieve": OWN_TOKEN_READ,
    "tokens_destroy": OWN_TOKEN,
    "tokens_revoke_all_create": ANY_USER_WRITES,  # one's own tokens only (issue 14)
    "workloads_list": ANY_USER_READS,
    "workloads_create": ANY_USER_WRITES,
    "workloads_retrieve": SEES,
    "workloads_partial_update": OWNS,
    "workloads_destroy": OWNS,
    "workloads_transfer_create": OWNS,
    "workloads_events_list": SEES,
    "workloads_export_retrieve": SEES,
    "workloads_import_create": ANY_USER_WRITES,
    "workloads_shares_list": SEES,
    "workloads_shares_retrieve": SEES,
    "workloads_shares_create": OWNS,
    "workloads_shares_partial_update": OWNS,
    "workloads_shares_destroy": OWNS,
    "workloads_lens_reviews_list": SEES,
    "workloads_lens_reviews_create": OWNS,
    "workloads_lens_reviews_retrieve": SEES,
    "workloads_lens_reviews_partial_update": ANSWERS,
    "workloads_lens_reviews_destroy": OWNS,
    "workloads_lens_reviews_upgrade_create": OWNS,
    "workloads_lens_reviews_upgrade_retrieve": OWNER_READS,
    "workloads_lens_reviews_answers_list": SEES,
    "workloads_lens_reviews_answers_retrieve": SEES,
    "workloads_lens_reviews_answers_partial_update": ANSWERS,
    "workloads_lens_reviews_answers_history_list": SEES,
    "workloads_lens_reviews_improvements_list": SEES,
    "workloads_improvements_list": SEES,
    "workloads_improvements_partial_update": ANSWERS,
    "workloads_improvements_bulk_status_create": ANSWERS,
    "improvements_mine_list": ANY_USER_READS,
    "workloads_risk_summary_retrieve": SEES,
    "workloads_milestones_list": SEES,
    "workloads_milestones_create": OWNS,
    "workloads_milestones_retrieve": SEES,
    "workloads_milestones_compare_retrieve": SEES,
    "workloads_trend_retrieve": SEES,
    "risk_summary_retrieve": ANY_USER_READS,
    "risk_summary_csv_retrieve": ANY_USER_READS,
    "lenses_list": ANY_USER_READS,
    "lenses_import_create": ANY_USER_WRITES,
    "lenses_retrieve": SEES_LENS,
    "lenses_destroy": MANAGES_LENS,
    "lenses_diff_retrieve": SEES_LENS,
    "lenses_export_retrieve": SEES_LENS,
    "lenses_versions_list": SEES_LENS,
    "lenses_versions_create": MANAGES_LENS,
    "lenses_shares_retrieve": MANAGER_READS,
    "lenses_shares_update": MANAGES_LENS,
    # The world has no catalog, and its only fetchable URL would be internal: every caller who gets
    # past the permissions is refused by the catalog or the guarded client (400), storing nothing.
    "lens_catalog_list": ANY_USER_READS,
    "lens_catalog_add_create": (400, 400, 400, 400, 400, 401, 401, 403),
    "lenses_catalog_update_create": (400, 403, 403, 404, 404, 401, 401, 403),  # not from the catalog
    "lenses_import_url_create": (400, 400, 400, 400, 400, 401, 401, 403),
    "reports_list": ANY_USER_READS,
    "reports_create": ASKS_REPORT,
    "reports_retrieve": OWN_REPORT,
    "reports_destroy": OWN_REPORT_WRITES,
    "reports_download_retrieve": OWN_REPORT,
    # One's own notifications only (issue 17): the world's notification is the owner's.
    "notifications_list": ANY_USER_READS,
    "notifications_unread_count_retrieve": ANY_USER_READS,
    "notifications_read_all_create": ANY_USER_WRITES,
    "notifications_read_create": OWN_REPORT_WRITES,
}

SECRET_WORKLOAD, SECRET_LENS = "Stranger's secret workload", "strangers-secret-lens"


@dataclass
class World:
    """What every case runs against; `ids` fills the path parameters."""

    clients: dict[str, APIClient]
    ids: dict[str, str]


def build_world() -> World:
    def user(name):
        return UserFactory(username=name)

    people = {
        name: user(name) for name in ("owner", "contributor", "reader", "outsider", "see_all", "stranger")
    }
    workload = workload_create(owner=people["owner"], fields={"name": "Fraud detection"})
    team = GroupFactory(name="ml-team")
    people["contributor"].groups.add(team)
    share_grant(workload=workload, actor=people["owner"], group=team, role=Share.Role.CONTRIBUTOR)
    reader_share = share_grant(
        workload=workload, actor=people["owner"], user=people["reader"], role=Share.Role.READER
    )
    people["see_all"].user_permissions.add(Permission.objects.get(codename="view_all_workloads"))
    GroupFactory(name="newcomers")
    UserFactory(username="newcomer")

    team_lens = factories.imported_lens(owner=people["owner"], document=factories.lens_document("Team lens"))
    lens_import(
        source=factories.lens_document("Team lens", questions=3), owner=people["owner"], alias=team_lens.alias
    )
    lens_share(lens=team_lens, users=[people["contributor"], people["reader"]])
    secret = factories.imported_lens(owner=people["stranger"], document=factories.lens_document("Secret"))
    secret.alias = SECRET_LENS
    secret.save(update_fields=["alias"])
    # A lens the workload reviews at version 1 while version 2, a major one, is out: to upgrade.
    upgradable = factories.imported_lens(
        owner=people["owner"], document=factories.lens_document("Upgradable")
    )
    lens_review_apply(workload=workload, lens_version=upgradable.versions.get(), actor=people["owner"])
    lens_import(
        source=factories.lens_document("Upgradable", questions=3),
        owner=people["owner"],
        alias=upgradable.alias,
    )
    lens_publish(lens=upgradable, label="2", major=True)
    workload_create(owner=people["stranger"], fields={"name": SECRET_WORKLOAD})
    # Milestone 1 of the workload, for the milestone reads and every `?milestone=` read.
    milestone = milestone_create(workload=workload, actor=people["owner"], name="Baseline")
    # A report the owner asked for, done, with its file (in the test's MLWA_REPORTS_DIR).
    report = Report.objects.create(
        kind=Report.Kind.IMPROVEMENT_PLAN, format="CSV", requested_by=people["owner"], workload=workload
    )
    path, size = report_store(report, b"Lens,Question\r\n")
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DONE, progress=100, file_path=path, file_name=path, file_size=size
    )

    # A notification of the owner's (issue 17), for marking it read.
    notification = Notification.objects.create(
        recipient=people["owner"],
        kind=Notification.Kind.SHARED,
        workload_event=workload.events.first(),
        text="Shared.",
        url="/",
        created_at=workload.created_at,
    )

    clients = {
        name: token_client(people[name]) for name in ("owner", "contributor", "reader", "outsider", "see_all")
    }
    clients["anonymous"] = APIClient()
    clients["revoked"] = revoked_token_client(people["owner"])
    clients["read_only"] = token_client(people["owner"], read_only=True, name="read-only")
    spare, _key = token_create(user=people["owner"], name="spare")
    return World(
        clients=clients,
        ids={
            "workload": str(workload.pk),
            "share": str(reader_share.pk),
            "token": str(spare.pk),
            "team_lens": team_lens.alias,
            "upgradable_lens": upgradable.alias,
            "milestone": str(milestone.number),
            "report": str(report.pk),
            "notification": str(notification.pk),
        },
    )


def path_of(template: str, world: World) -> str:
    """The operation's path with its parameters filled from the world."""
    values = {
        "workload_id": world.ids["workload"],
        # The built-in lens is the one applied (improvement items name their lens without "lens-reviews").
        "alias": BUILTIN_ALIAS
        if "/lens-reviews/" in template or "/improvements/" in template
        else world.ids["team_lens"],
        "question_id": "MLOPS01",
        "number": world.ids["milestone"],
    }
    if template.endswith("/upgrade/"):  # the built-in lens has no newer version to upgrade to
        values["alias"] = world.ids["upgradable_lens"]
    if template.startswith("/api/v1/tokens/"):
        values["id"] = world.ids["token"]
    elif template.startswith("/api/v1/reports/"):
        values["id"] = world.ids["report"]
    elif template.startswith("/api/v1/notifications/"):
        values["id"] = world.ids["notification"]
    elif "/shares/" in template:
        values["id"] = world.ids["share"]
    else:
        values["id"] = world.ids["workload"]
    if template == "/api/v1/people/":  # a search is required: everyone's name holds "er"
        return template + "?search=er"
    return re.sub(r"\{(\w+)\}", lambda match: values[match.group(1)], template)


def body_of(operation_id: str, world: World) -> dict:
    """A valid body for each writing operation, so that a caller who may act gets the success status."""
    return {
        "tokens_create": {"name": "new"},
        "workloads_create": {"name": "New workload"},
        "workloads_partial_update": {"industry": "Banking"},
        "workloads_transfer_create": {"owner": "outsider"},
        # The workload uses the owner's lenses, which the newcomers cannot open: shared with them too.
        "workloads_shares_create": {"group": "newcomers", "role": "READER", "share_lenses": True},
        "workloads_shares_partial_update": {"role": "CONTRIBUTOR"},
        "workloads_lens_reviews_create": {"lens": world.ids["team_lens"]},
        "workloads_lens_reviews_partial_update": {"notes": "Seen."},
        "workloads_lens_reviews_answers_partial_update": {"selected_choices": ["MLOPS01_BP01"]},
        "workloads_improvements_partial_update": {"status": "IN_PROGRESS", "note": "Started."},
        "workloads_improvements_bulk_status_create": {
            "status": "IN_PROGRESS",
            "items": [{"lens": BUILTIN_ALIAS, "question_id": "MLOPS01", "version": 0}],
        },
        "workloads_milestones_create": {"name": "Before launch"},
        "reports_create": {
            "kind": "IMPROVEMENT_PLAN",
            "format": "CSV",
            "workload": int(world.ids["workload"]),
        },
        "lenses_import_create": factories.lens_document("Imported lens"),
        "lenses_versions_create": {"label": "2", "major": False},
        "lens_catalog_add_create": {"file": "machine-learning-lens.json", "scope": "MINE"},
        "lenses_import_url_create": {"url": "https://127.0.0.1/lens.json"},
        # The smallest backup: a workload with no lens (tests/api/test_backup.py restores whole ones).
        "workloads_import_create": {
            "format": "mlwa-workload-backup",
            "schema_version": 1,
            "document_id": "6f1c1f3e-8f0e-4f7a-9d55-0e3c0b1d2a11",
            "exported_at": "2026-01-01T00:00:00+00:00",
            "exported_by": "someone",
            "workload": {
                **dict.fromkeys(("description", "review_owner", "industry", "notes"), ""),
                **{field: [] for field in ("regions", "tags", "pillar_priorities")},
                "name": "Restored workload",
                "environment": "PRODUCTION",
                "architectural_design_url": "",
                "created_at": "2026-01-01T00:00:00+00:00",
                "updated_at": "2026-01-01T00:00:00+00:00",
            },
            **{part: [] for part in ("lens_versions", "lens_reviews", "audit_trail", "events", "milestones")},
            **{part: [] for part in ("improvement_items", "shares")},
        },
        "lenses_shares_update": {"everyone": True, "users": ["reader"], "groups": []},
    }.get(operation_id, {})


@cache
def operations() -> tuple[tuple[str, str, str, str], ...]:
    """(operationId, method, path, success status) of every operation in the schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            success = min(code for code in operation["responses"] if code.startswith("2"))
            found.append((operation["operationId"], method.upper(), path, success))
    return tuple(sorted(found))


def test_every_operation_has_an_expected_result():
    ids = {operation_id for operation_id, *_rest in operations()}
    assert not sorted(ids - set(EXPECTED)), "operations without an expected result in EXPECTED"
    assert not sorted(set(EXPECTED) - ids), "EXPECTED names operations that no longer exist"


def _cases():
    for operation_id, method, path, success in operations():
        for index, caller in enumerate(CALLERS):
            expected = EXPECTED.get(operation_id, (None,) * len(CALLERS))[index]
            yield pytest.param(
                operation_id,
                method,
                path,
                caller,
                int(success) if expected == OK else expected,
                id=f"{operation_id}-{caller}",
            )


@pytest.mark.django_db
@pytest.mark.parametrize(("operation_id", "method", "path", "caller", "expected"), list(_cases()))
def test_access(operation_id, method, path, caller, expected):
    assert expected is not None, f"{operation_id} has no expected result"
    world = build_world()
    client = world.clients[caller]
    url = path_of(path, world)
    before = database_state()
    response = client.generic(
        method, url, json.dumps(body_of(operation_id, world)), content_type="application/json"
    )
    assert response.status_code == expected, f"{method} {url} as {caller}: {response.content[:300]!r}"
    if expected >= 400:
        assert database_state() == before, f"{method} {url} as {caller} was refused but changed the database"
        assert set(response.json()) >= {"code", "message", "fields"}
    elif method == "GET":
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode()
        assert SECRET_LENS not in text, f"{url} shows a stranger's lens to {caller}"
        if caller != "see_all":
            assert SECRET_WORKLOAD not in text, f"{url} shows a stranger's workload to {caller}"
