"""Who may do what, route by route, generated from the URL configuration (DESIGN.md, "Who may do
what"): every named route must have an expected result here for each role, so a new page cannot
ship without one, and every refusal (403, 404, the login page) must leave the database unchanged.

Roles: the workload's owner, a contributor (through a team), a reader, an auditor (who holds "see
all workloads"), an outsider, and someone not logged in. Lens pages are about the built-in lens,
which everyone sees and only administrators manage.
"""

import pytest
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from lens.models import BUILTIN_ALIAS
from reviews.models import Report
from reviews.reports.services import report_store
from reviews.services.milestones import milestone_create
from reviews.views.lens_notes import notes_form_seen
from reviews.views.people import role_form_seen
from reviews.views.workloads import edit_form_seen
from tests.reviews.stored import database_state

pytestmark = pytest.mark.django_db

ROLES = ("owner", "contributor", "reader", "auditor", "outsider", "anonymous")
OK = "allowed"  # any answer but a refusal: 2xx, a redirect elsewhere than the login page, or 400
LOGIN = "login page"

EVERYONE = (OK, OK, OK, OK, OK, OK)
ANY_USER = (OK, OK, OK, OK, OK, LOGIN)
SEES = (OK, OK, OK, OK, 404, LOGIN)
ANSWERS = (OK, OK, 403, 403, 404, LOGIN)
OWNS = (OK, 403, 403, 403, 404, LOGIN)
LENS_ADMIN = (403, 403, 403, 403, 403, LOGIN)  # managing the instance's lens: administrators only
REQUESTER = (OK, 404, 404, 404, 404, LOGIN)  # a report: the owner's (_a_report), no one else's
NOT_THEIRS = (
    404,
    404,
    404,
    404,
    404,
    LOGIN,
)  # another user's API token: the one the URL names is none of theirs

#: route name: {method: expected result per role, in ROLES order}
EXPECTED = {
    "reviews:dashboard": {"GET": ANY_USER},
    "reviews:workload-list": {"GET": ANY_USER},
    "reviews:workload-create": {"GET": ANY_USER, "POST": ANY_USER},
    "reviews:workload": {"GET": SEES},
    "reviews:workload-edit": {"GET": OWNS, "POST": OWNS},
    "reviews:workload-delete": {"GET": OWNS, "POST": OWNS},
    "reviews:workload-transfer": {"GET": OWNS, "POST": OWNS},
    "reviews:workload-events": {"GET": SEES},
    "reviews:workload-export": {"GET": SEES},
    "reviews:workload-import": {"GET": ANY_USER, "POST": ANY_USER},
    "reviews:people": {"GET": SEES, "POST": OWNS},
    "reviews:share-role": {"POST": OWNS},
    "reviews:share-revoke": {"GET": OWNS, "POST": OWNS},
    "reviews:people-search": {"GET": ANY_USER},
    "reviews:lens-apply": {"POST": OWNS},
    "reviews:review": {"GET": SEES},
    "reviews:lens-remove": {"GET": OWNS, "POST": OWNS},
    "reviews:lens-notes": {"GET": SEES, "POST": ANSWERS},
    "reviews:lens-upgrade": {"GET": OWNS, "POST": OWNS},
    "reviews:changes": {"GET": SEES},
    "reviews:question": {"GET": SEES},
    "reviews:answer": {"POST": ANSWERS},
    "reviews:history": {"GET": SEES},
    "reviews:milestones": {"GET": SEES, "POST": OWNS},
    "reviews:milestone": {"GET": SEES},
    "reviews:milestone-review": {"GET": SEES},
    "reviews:milestone-question": {"GET": SEES},
    "reviews:improvements": {"GET": SEES},
    "reviews:improvement-item": {"GET": SEES, "POST": ANSWERS},
    "reviews:improvements-bulk": {"POST": ANSWERS},
    "reviews:my-improvements": {"GET": ANY_USER},
    "reviews:compare": {"GET": SEES},
    "reviews:trend": {"GET": SEES},
    "reviews:reports": {"GET": SEES, "POST": SEES},
    "reviews:consolidated-reports": {"GET": ANY_USER, "POST": ANY_USER},
    "reviews:report-status": {"GET": REQUESTER},
    "reviews:report-download": {"GET": REQUESTER},
    "reviews:report-delete": {"POST": REQUESTER},
    "reviews:search": {"GET": ANY_USER},
    "lens:library": {"GET": ANY_USER},
    "lens:import": {"GET": ANY_USER, "POST": ANY_USER},
    "lens:import_url": {"GET": ANY_USER, "POST": ANY_USER},
    "lens:catalog_add": {"POST": ANY_USER},  # no catalog set: nothing to add, back to the library
    "lens:catalog_update": {"POST": LENS_ADMIN},
    "lens:detail": {"GET": ANY_USER},
    "lens:publish": {"POST": LENS_ADMIN},
    "lens:diff": {"GET": ANY_USER},
    "lens:export": {"GET": ANY_USER},
    "lens:share": {"GET": LENS_ADMIN, "POST": LENS_ADMIN},
    "lens:unshare": {"POST": LENS_ADMIN},
    "lens:delete": {"GET": LENS_ADMIN, "POST": LENS_ADMIN},
    "login": {"GET": EVERYONE},
    "logout": {"POST": EVERYONE},
    "healthz": {"GET": EVERYONE},
    "readyz": {"GET": EVERYONE},
    "profile": {"GET": ANY_USER, "POST": ANY_USER},
    "accounts:token-create": {"GET": ANY_USER, "POST": ANY_USER},
    "accounts:token-revoke": {"GET": NOT_THEIRS, "POST": NOT_THEIRS},
    "accounts:tokens-revoke-all": {"GET": ANY_USER, "POST": ANY_USER},  # one's own tokens only
    # One's own notifications only (issue 17).
    "notifications:list": {"GET": ANY_USER},
    "notifications:read-all": {"GET": ANY_USER, "POST": ANY_USER},
    "notifications:bell": {"GET": ANY_USER},
}
#: Django's admin is staff-only as a whole; tests/reviews/test_access_by_route.py checks its index.
#: The REST API has its own matrix, made from its OpenAPI schema (tests/api/test_access_matrix.py).
SKIPPED_NAMESPACES = {"admin", "api"}


def named_routes(resolver=None, namespace: str = "") -> set[str]:
    """Every named route of the URL configuration, as "namespace:name"."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or ""
            if inner in SKIPPED_NAMESPACES:
                continue
            prefix = f"{namespace}{inner}:" if inner else namespace
            names |= named_routes(pattern, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


@pytest.fixture(autouse=True)
def _a_milestone(request):
    """Milestone 1 of the shared workload, for the milestone pages (saved before any request)."""
    if "shared_workload" in request.fixturenames:
        s = request.getfixturevalue("shared_workload")
        milestone_create(workload=s.workload, actor=s.owner, name="Saved for the route matrix")


def test_every_route_has_an_expected_result_for_every_role():
    missing = sorted(named_routes() - set(EXPECTED))
    assert not missing, f"routes without an expected result in EXPECTED: {missing}"
    stale = sorted(set(EXPECTED) - named_routes())
    assert not stale, f"EXPECTED names routes that no longer exist: {stale}"


@pytest.fixture(autouse=True)
def _a_report(request, settings, tmp_path):
    """A report the owner asked for, done, with its file (in a folder of the test's own)."""
    if "shared_workload" in request.fixturenames:
        s = request.getfixturevalue("shared_workload")
        settings.MLWA_REPORTS_DIR = tmp_path / "reports"
        report = Report.objects.create(
            kind=Report.Kind.IMPROVEMENT_PLAN, format="CSV", requested_by=s.owner, workload=s.workload
        )
        path, size = report_store(report, b"Lens,Question\r\n")
        Report.objects.filter(pk=report.pk).update(
            status=Report.Status.DONE, progress=100, file_path=path, file_name=path, file_size=size
        )


def _url(route: str, s) -> str:
    """The route's URL for the shared workload, its built-in lens review and first question."""
    kwargs = {
        "pk": s.workload.pk,
        "alias": BUILTIN_ALIAS,
        "question_id": s.review.answers.order_by("pk").first().question.question_id,
        "share_pk": s.workload.shares.get(user=s.reader).pk,
    }
    for attempt in (  # the smallest set of keyword arguments the route takes
        {},
        {"alias": BUILTIN_ALIAS},
        {"pk": kwargs["pk"]},
        {"pk": kwargs["pk"], "alias": BUILTIN_ALIAS},
        {"pk": kwargs["pk"], "share_pk": kwargs["share_pk"]},
        {"pk": kwargs["pk"], "alias": BUILTIN_ALIAS, "question_id": kwargs["question_id"]},
        # the milestone that _a_milestone saves
        {"pk": kwargs["pk"], "number": 1},
        {"pk": kwargs["pk"], "number": 1, "alias": BUILTIN_ALIAS},
        {"pk": kwargs["pk"], "number": 1, "alias": BUILTIN_ALIAS, "question_id": kwargs["question_id"]},
        # the report that _a_report makes
        {"report_pk": Report.objects.filter(requested_by=s.owner).order_by("pk").first().pk},
    ):
        try:
            return reverse(route, kwargs=attempt)
        except NoReverseMatch:  # try the next set
            continue
    raise AssertionError(f"no keyword arguments fit {route}")


def _data(route: str, s) -> dict:
    """A body that would change something if the write were accepted, so that a refusal shows."""
    first = s.answer(s.review.answers.order_by("pk").first().question.question_id)
    practice = first.question.choices.order_by("position").first().choice_id
    return {
        "reviews:workload-create": {"name": "Another workload", "environment": "PRODUCTION"},
        "reviews:workload-edit": {
            "name": "Renamed",
            "environment": "PRODUCTION",
            "seen": edit_form_seen(s.workload),
        },
        "reviews:workload-delete": {"confirm": s.workload.name},
        "reviews:workload-transfer": {"username": s.outsider.username, "owner": s.outsider.username},
        "reviews:people": {"username": s.outsider.username, "user": s.outsider.username, "role": "READER"},
        "reviews:share-role": {
            "role": "CONTRIBUTOR",
            "seen": role_form_seen(s.workload.shares.get(user=s.reader)),
        },
        "reviews:lens-notes": {"notes": "Changed notes", "seen": notes_form_seen(s.review)},
        "reviews:answer": {"version": "0", "selected": [practice], "is_applicable": "true"},
        "reviews:milestones": {"name": "Another milestone"},
        "reviews:improvement-item": {"version": "0", "status": "IN_PROGRESS", "note": "Started."},
        "reviews:improvements-bulk": {
            "status": "IN_PROGRESS",
            "item": f"{BUILTIN_ALIAS}/{first.question.question_id}/0",
        },
        "reviews:reports": {"kind": "IMPROVEMENT_PLAN", "plan-format": "PDF"},
        "reviews:consolidated-reports": {"format": "PDF"},
        "lens:publish": {"label": "2", "kind": "MAJOR"},
        "lens:share": {"everyone": "on"},
        "lens:unshare": {"everyone": "1"},
        "logout": {},
        "accounts:token-create": {"name": "A new token"},
    }.get(route, {})


def _cases():
    for route, methods in sorted(EXPECTED.items()):
        for method, expected in methods.items():
            for role, result in zip(ROLES, expected, strict=True):
                yield pytest.param(route, method, role, result, id=f"{route}-{method}-{role}")


@pytest.mark.parametrize(("route", "method", "role", "expected"), list(_cases()))
def test_route_answers_each_role_as_expected(client, shared_workload, route, method, role, expected):
    s = shared_workload
    if role != "anonymous":
        client.force_login(getattr(s, role))
    url = _url(route, s)
    before = database_state()

    response = client.get(url) if method == "GET" else client.post(url, _data(route, s))

    login = reverse("login")
    refused_to_login = response.status_code == 302 and response["Location"].startswith(login)
    if expected == OK:
        assert response.status_code < 500
        assert response.status_code not in (403, 404), f"{route} refused {role}"
        # Logging out ends on the login page, as it should.
        assert route in ("login", "logout") or not refused_to_login, f"{route} sent {role} to the login page"
        return
    if expected == LOGIN:
        assert refused_to_login, f"{route} answered {response.status_code} to someone not logged in"
    else:
        assert response.status_code == expected, f"{route} answered {response.status_code} to {role}"
    assert database_state() == before, f"{method} {route} as {role} was refused but changed the database"


@pytest.mark.parametrize("role", ROLES)
def test_the_admin_lets_in_staff_only(client, shared_workload, role):
    if role != "anonymous":
        client.force_login(getattr(shared_workload, role))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_htmx_request_without_a_session_is_sent_to_the_login_page_as_a_whole(client, shared_workload):
    page = reverse("reviews:workload", args=[shared_workload.workload.pk])
    response = client.get(
        _url("reviews:changes", shared_workload),
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={page}"


def test_a_superuser_is_an_auditor_of_other_peoples_workloads(client, shared_workload):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "root-password")
    client.force_login(admin)
    assert client.get(_url("reviews:workload", shared_workload)).status_code == 200
    answer = _url("reviews:answer", shared_workload)
    before = database_state()
    assert client.post(answer, _data("reviews:answer", shared_workload)).status_code == 403
    assert database_state() == before
