"""The dashboard (the home page) and the workload list: who sees which workloads, their counts, the
filters, the htmx table, the empty state, and queries that do not grow with the workloads."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from bench.workloads import bulk_workloads
from lens.models import BUILTIN_ALIAS, Lens
from lens.selectors import latest_published_version
from reviews.models import Answer, Share, WorkloadEvent
from reviews.services import share_grant, workload_create
from tests.factories import GroupFactory, UserFactory, imported_lens, lens_document
from tests.reviews.pages import is_login_redirect, url

pytestmark = pytest.mark.django_db

R = Answer.Risk


def names(response) -> list[str]:
    return [workload.name for workload in response.context["workloads"]]


@pytest.fixture
def alices_view(alice, bob):
    """Alice owns "Churn"; Bob shares "Fraud" with her and "Vision" with her team; "Secret" (Carol's)
    she cannot see."""
    carol = UserFactory(username="carol")
    team = GroupFactory(name="data-science")
    alice.groups.add(team)
    churn = workload_create(
        owner=alice, fields={"name": "Churn", "description": "Who leaves", "tags": ["retail"]}
    )
    fraud = workload_create(owner=bob, fields={"name": "Fraud", "environment": "PRODUCTION"})
    vision = workload_create(owner=bob, fields={"name": "Vision", "tags": ["images"]}, lens_versions=[])
    secret = workload_create(owner=carol, fields={"name": "Secret"})
    share_grant(workload=fraud, actor=bob, user=alice, role=Share.Role.READER)
    share_grant(workload=vision, actor=bob, group=team, role=Share.Role.CONTRIBUTOR)
    return {"churn": churn, "fraud": fraud, "vision": vision, "secret": secret, "carol": carol}


# Who sees what


@pytest.mark.parametrize("name", ["dashboard", "workload-list"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, name):
    assert is_login_redirect(client.get(url(name)))


@pytest.mark.parametrize("name", ["dashboard", "workload-list"])
def test_a_user_sees_their_own_and_shared_workloads_and_no_other(client_for, alice, alices_view, name):
    response = client_for(alice).get(url(name))
    assert response.status_code == 200
    assert names(response) == ["Churn", "Fraud", "Vision"]
    assert b"Secret" not in response.content


def test_the_role_of_the_reader_is_on_each_row(client_for, alice, alices_view):
    rows = client_for(alice).get(url("workload-list")).context["workloads"]
    assert [str(w.role) for w in rows] == ["OWNER", "READER", "CONTRIBUTOR"]


@pytest.mark.parametrize("through", ["user", "group"])
def test_see_all_shows_every_workload(client_for, alice, alices_view, through):
    auditor = UserFactory(username="auditor")
    permission = Permission.objects.get(codename="view_all_workloads")
    if through == "user":
        auditor.user_permissions.add(permission)
    else:
        group = GroupFactory(name="auditors")
        group.permissions.add(permission)
        auditor.groups.add(group)
    assert names(client_for(auditor).get(url("workload-list"))) == ["Churn", "Fraud", "Secret", "Vision"]


# What each row says


def test_each_row_has_its_risk_counts_progress_lenses_owner_and_last_change(client_for, alice, bob):
    extra = imported_lens(owner=None, document=lens_document(name="Data lens"))
    workload = workload_create(
        owner=bob,
        fields={"name": "Fraud"},
        lens_versions=[
            latest_published_version(Lens.objects.get(alias=BUILTIN_ALIAS)),
            latest_published_version(extra),
        ],
    )
    share_grant(workload=workload, actor=bob, user=alice, role=Share.Role.READER)
    answers = list(Answer.objects.filter(lens_review__workload=workload).order_by("pk"))
    later = timezone.now() + timedelta(hours=1)
    Answer.objects.filter(pk__in=[a.pk for a in answers[:2]]).update(risk=R.HIGH)
    Answer.objects.filter(pk=answers[2].pk).update(risk=R.MEDIUM, updated_at=later)

    response = client_for(alice).get(url("workload-list"))
    [row] = response.context["workloads"]
    assert (row.high, row.medium, row.answered, row.questions) == (2, 1, 3, 16)
    assert [review.lens.name for review in row.applied] == [
        "Machine Learning Lens (2021 slides)",
        "Data lens",
    ]
    assert row.last_change == later
    assert row.owner == bob
    content = response.content.decode()
    assert "Machine Learning Lens (2021 slides), Data lens" in content
    assert '<progress max="16" value="3"' in content


def test_an_event_counts_as_a_change(client_for, alice):
    workload = workload_create(owner=alice, fields={"name": "W"})
    later = timezone.now() + timedelta(days=1)
    WorkloadEvent.objects.filter(workload=workload).update(at=later)
    [row] = client_for(alice).get(url("workload-list")).context["workloads"]
    assert row.last_change == later


# Filters, sorting, pages


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"search": "churn"}, ["Churn"]),
        ({"search": "LEAVES"}, ["Churn"]),  # the description
        ({"search": "images"}, ["Vision"]),  # a tag
        ({"environment": "PRODUCTION"}, ["Fraud"]),
        ({"ownership": "mine"}, ["Churn"]),
        ({"ownership": "shared"}, ["Fraud", "Vision"]),
        ({"lens": BUILTIN_ALIAS}, ["Churn", "Fraud"]),
        ({"tag": "retail"}, ["Churn"]),
        ({"owner": "bob"}, ["Fraud", "Vision"]),
        ({"has_high": "true"}, ["Fraud"]),
        ({"has_high": "false"}, ["Churn", "Vision"]),
        ({"environment": "BOGUS"}, ["Churn", "Fraud", "Vision"]),  # a value that does not parse: no filter
        ({"environment": "BOGUS", "owner": "bob"}, ["Fraud", "Vision"]),  # ... and the others still apply
    ],
)
def test_the_filters_narrow_the_list(client_for, alice, alices_view, query, expected):
    Answer.objects.filter(lens_review__workload=alices_view["fraud"]).update(risk=R.HIGH)
    Answer.objects.filter(lens_review__workload=alices_view["secret"]).update(risk=R.HIGH)
    for name in ("workload-list", "dashboard"):
        assert names(client_for(alice).get(url(name, **query))) == expected


def test_the_list_sorts_by_name_last_change_or_high_risks(client_for, alice, alices_view):
    Answer.objects.filter(lens_review__workload=alices_view["fraud"]).update(risk=R.HIGH)
    Answer.objects.filter(
        pk=Answer.objects.filter(lens_review__workload=alices_view["churn"]).first().pk
    ).update(risk=R.HIGH, updated_at=timezone.now() + timedelta(hours=1))
    client = client_for(alice)
    assert names(client.get(url("workload-list", ordering="name"))) == ["Churn", "Fraud", "Vision"]
    assert names(client.get(url("workload-list", ordering="changed")))[0] == "Churn"
    assert names(client.get(url("workload-list", ordering="high"))) == ["Fraud", "Churn", "Vision"]


def test_the_list_has_25_workloads_a_page_and_keeps_the_filters_across_pages(client_for, alice):
    bulk_workloads(alice, 30)
    client = client_for(alice)
    first = client.get(url("workload-list", search="W0"))
    assert len(first.context["workloads"]) == 25
    assert "?search=W0&amp;page=2" in first.content.decode()
    second = client.get(url("workload-list", search="W0", page=2))
    assert names(second) == [f"W{n:04}" for n in range(25, 30)]


def test_an_htmx_request_gets_just_the_table_and_a_history_restore_the_page(client_for, alice, alices_view):
    client = client_for(alice)
    partial = client.get(url("workload-list", search="churn"), headers={"HX-Request": "true"})
    assert partial.status_code == 200
    content = partial.content.decode()
    assert content.lstrip().startswith('<div id="workload-results"')
    assert "<html" not in content
    assert "Churn" in content
    assert "Fraud" not in content
    assert "HX-Request" in partial["Vary"]
    restore = client.get(
        url("workload-list", search="churn"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


def test_the_list_page_works_without_javascript(client_for, alice, alices_view):
    content = client_for(alice).get(url("workload-list")).content.decode()
    assert f'<form method="get" action="{url("workload-list")}"' in content
    assert 'hx-get="' in content
    assert 'hx-trigger="input changed delay:300ms"' in content
    filter_button = '<button type="submit" class="button" hx-get="/workloads/" hx-include="closest form">'
    assert f"{filter_button}Filter</button>" in content


# The dashboard


def test_the_dashboard_adds_up_the_filtered_workloads_and_draws_their_risks(client_for, alice, alices_view):
    Answer.objects.filter(lens_review__workload=alices_view["fraud"]).update(risk=R.HIGH)
    Answer.objects.filter(lens_review__workload=alices_view["secret"]).update(risk=R.HIGH)
    client = client_for(alice)
    response = client.get(url("dashboard"))
    totals = response.context["totals"]
    assert (totals.workloads, totals.with_high, totals.high, totals.medium) == (3, 1, 14, 0)
    assert (totals.answered, totals.questions) == (14, 28)
    content = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="risk-chart"' in content
    assert '<span class="summary-value">14</span>' in content

    narrowed = client.get(url("dashboard", ownership="mine")).context["totals"]
    assert (narrowed.workloads, narrowed.high, narrowed.questions) == (1, 0, 14)


def test_the_dashboard_shows_the_first_25_and_links_to_the_rest(client_for, alice):
    bulk_workloads(alice, 30)
    response = client_for(alice).get(url("dashboard"))
    assert len(response.context["workloads"]) == 25
    assert response.context["more"]
    assert f'href="{url("workload-list")}"' in response.content.decode()


def test_a_new_user_is_told_how_to_start(client_for, alice):
    response = client_for(alice).get(url("dashboard"))
    content = response.content.decode()
    assert "Start your first review" in content
    assert f'href="{url("workload-create")}"' in content
    assert "Machine Learning Lens (2021 slides)" in content
    assert "applied to it by default" in content
    assert 'href="/lenses/"' in content
    assert "official" in content
    assert response.context["chart"] is None


def test_filters_that_match_nothing_say_so_rather_than_how_to_start(client_for, alice, alices_view):
    content = client_for(alice).get(url("dashboard", search="nothing-like-this")).content.decode()
    assert "No workload matches these filters." in content
    assert "Start your first review" not in content


# Queries


@pytest.fixture
def crowd(alice, bob):
    """Workloads of Alice's, Bob's shared with her and her team, and others she cannot see."""

    def make(count: int):
        team = GroupFactory(name="team")
        alice.groups.add(team)
        mine = bulk_workloads(alice, count // 3 or 1, prefix="A")
        theirs = bulk_workloads(bob, count - len(mine), prefix="B")
        Share.objects.bulk_create(
            Share(
                workload=w,
                user=alice if n % 2 else None,
                group=None if n % 2 else team,
                role=Share.Role.READER,
            )
            for n, w in enumerate(theirs)
        )
        bulk_workloads(UserFactory(username="carol"), 5, prefix="C")
        return len(mine) + len(theirs)

    return make


@pytest.mark.parametrize("count", [3, 300])
def test_the_dashboard_costs_the_same_queries_for_3_or_300_workloads(
    client_for, alice, crowd, django_assert_num_queries, count
):
    visible = crowd(count)
    client = client_for(alice)
    # session, user, the lens filter's choices, the totals, the chart's counts by pillar, the first
    # 25 rows (with counts, last change and role as subqueries, and the owner joined), their lenses
    with django_assert_num_queries(7):
        response = client.get(url("dashboard"))
    assert response.context["totals"].workloads == visible
    assert len(response.context["workloads"]) == min(visible, 25)


@pytest.mark.parametrize("count", [3, 300])
def test_the_workload_list_costs_the_same_queries_for_3_or_300_workloads(
    client_for, alice, crowd, django_assert_num_queries, count
):
    visible = crowd(count)
    client = client_for(alice)
    # session, user, the lens filter's choices, the count, the page's rows, their lenses
    with django_assert_num_queries(6):
        response = client.get(url("workload-list", ordering="high", has_high="true", lens=BUILTIN_ALIAS))
    assert response.context["page"].paginator.count == visible
    assert len(response.context["workloads"]) == min(visible, 25)
