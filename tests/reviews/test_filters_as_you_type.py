"""Filters that apply as they are typed, sortable column headers, and a consolidated report that takes
the filters on screen (issue 16): what htmx asks and gets (the results alone, the address to show,
the dashboard's totals and the sort select out of band), the headers' links and aria-sort, the
consolidated page's one form, and queries that do not grow with the workloads. The browser side is
tests/browser/test_filters_journey.py."""

import re

import pytest
from django.urls import reverse

from bench.workloads import bulk_workloads
from reviews.models import Answer, Report, Share
from reviews.services import share_grant, workload_create
from tests.factories import UserFactory
from tests.reviews.pages import url

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
#: What htmx sends when the filter form asks (reviews.views.dashboard.FILTERS_FORM).
FROM_THE_FORM = {**HTMX, "HX-Trigger": "workload-filters"}
REPORTS = reverse("reviews:consolidated-reports")


@pytest.fixture
def world(alice, bob):
    """Alice owns "Churn" (production) and "Vision"; Bob shares "Fraud" with her (high risks);
    Carol's "Secret" she cannot see."""
    churn = workload_create(owner=alice, fields={"name": "Churn", "environment": "PRODUCTION"})
    workload_create(owner=alice, fields={"name": "Vision"}, lens_versions=[])
    fraud = workload_create(owner=bob, fields={"name": "Fraud"})
    share_grant(workload=fraud, actor=bob, user=alice, role=Share.Role.READER)
    workload_create(owner=UserFactory(username="carol"), fields={"name": "Secret"})
    Answer.objects.filter(lens_review__workload=fraud).update(risk=Answer.Risk.HIGH)
    return {"churn": churn, "fraud": fraud}


def rows(content: str) -> list[str]:
    """The workload names of a table, in order."""
    return re.findall(r'<a href="/workloads/\d+/">([^<]+)</a>', content)


# The results, for htmx


@pytest.mark.parametrize("name", ["workload-list", "dashboard"])
def test_htmx_gets_just_the_results_and_the_address_of_the_filters(client_for, alice, world, name):
    # As htmx sends a form: every field, the empty ones too.
    query = {"search": "r", "environment": "", "ownership": "", "lens": "", "tag": "", "ordering": "name"}
    response = client_for(alice).get(url(name, **query), headers=FROM_THE_FORM)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="workload-results"')
    assert "<html" not in content
    assert rows(content) == ["Churn", "Fraud"]
    # The address bar takes the filters' own query: no empty fields, no default order.
    assert response["HX-Replace-Url"] == url(name, search="r")
    assert "HX-Request" in response["Vary"]


def test_the_dashboards_totals_and_chart_follow_the_filters_out_of_band(client_for, alice, world):
    response = client_for(alice).get(url("dashboard", search="fraud"), headers=FROM_THE_FORM)
    content = response.content.decode()
    totals = content[content.index('<div id="workload-totals"') :]
    assert totals.startswith('<div id="workload-totals" class="workload-totals" hx-swap-oob="true">')
    assert '<span class="summary-value">1</span>' in totals  # one workload matching
    assert "high risks, in 1 workload" in totals
    assert 'class="risk-chart"' in totals
    listed = client_for(alice).get(url("workload-list", search="fraud"), headers=FROM_THE_FORM)
    assert "workload-totals" not in listed.content.decode()  # the list has none


def test_the_sort_select_is_swapped_unless_the_filter_form_asked(client_for, alice, world):
    client = client_for(alice)
    # A header link (or a page link, or the Filter button) asked: the select follows the new order.
    by_header = client.get(url("workload-list", ordering="-high"), headers=HTMX).content.decode()
    assert '<div id="filter-ordering" class="filter-ordering" hx-swap-oob="true">' in by_header
    assert '<option value="-high" selected>' in by_header
    # The form asked: its select is as the person left it, perhaps with the focus on it.
    by_form = client.get(url("workload-list", ordering="-high"), headers=FROM_THE_FORM).content.decode()
    assert "filter-ordering" not in by_form


def test_a_page_of_the_list_keeps_its_number_in_the_address(client_for, alice):
    bulk_workloads(alice, 30)
    response = client_for(alice).get(url("workload-list", search="W", page=2), headers=HTMX)
    assert response["HX-Replace-Url"] == url("workload-list", search="W", page=2)
    assert len(rows(response.content.decode())) == 5


@pytest.mark.parametrize("name", ["workload-list", "dashboard"])
def test_a_history_restore_gets_the_whole_page(client_for, alice, world, name):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    response = client_for(alice).get(url(name, search="churn"), headers=headers)
    content = response.content.decode()
    assert "<html" in content
    assert 'id="workload-filters"' in content
    assert "HX-Replace-Url" not in response


@pytest.mark.parametrize("name", ["workload-list", "dashboard"])
def test_the_form_applies_as_you_type_and_submits_without_javascript(client_for, alice, world, name):
    content = client_for(alice).get(url(name)).content.decode()
    path = url(name)
    start = content.index(f'<form method="get" action="{path}" id="workload-filters"')
    form = content[start : content.index("</form>", start)]
    # Typing or choosing waits for a pause; a newer request replaces an older one.
    assert 'hx-trigger="input changed delay:300ms"' in form
    assert 'hx-target="#workload-results" hx-swap="outerHTML" hx-sync="this:replace"' in form
    # Without JavaScript the form's first button submits it, as it did.
    assert re.search(r'<button type="submit" class="button"[^>]*>Filter</button>', form)
    # The report of these workloads is asked with this same form: the filters on screen.
    report_button = f'<button type="submit" class="button" formaction="{REPORTS}">'
    assert f"{report_button}Report of these workloads</button>" in form


# Sortable headers


def headers_of(content: str) -> dict[str, tuple[str, str, str]]:
    """Each sortable header's label: (aria-sort or "", its link, its arrow)."""
    found = re.findall(
        r'<th scope="col" class="sortable[^"]*"(?: aria-sort="(\w+)")?>\s*<a href="([^"]*)" hx-get="\2"'
        r'[^>]*>([^<]+)<span class="sort-arrow" aria-hidden="true">(.)</span>',
        content,
    )
    return {label: (aria, href.replace("&amp;", "&"), arrow) for aria, href, label, arrow in found}


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (
            None,
            {
                "Workload": ("ascending", "?ordering=-name", "▲"),
                "High": ("", "?ordering=high", "↕"),
                "Last change": ("", "?ordering=changed", "↕"),
            },
        ),
        ("-name", {"Workload": ("descending", "", "▼")}),
        ("high", {"Workload": ("", "", "↕"), "High": ("descending", "?ordering=-high", "▼")}),
        ("-high", {"High": ("ascending", "?ordering=high", "▲")}),
        ("changed", {"Last change": ("descending", "?ordering=-changed", "▼")}),
        ("-changed", {"Last change": ("ascending", "?ordering=changed", "▲")}),
    ],
)
@pytest.mark.parametrize("name", ["workload-list", "dashboard"])
def test_a_header_sorts_by_its_column_then_reverses_it(client_for, alice, world, name, ordering, expected):
    query = {"ordering": ordering} if ordering else {}
    found = headers_of(client_for(alice).get(url(name, **query)).content.decode())
    assert set(found) == {"Workload", "High", "Last change"}
    for label, (aria, link, arrow) in expected.items():
        assert found[label] == (aria, url(name) + link, arrow)


def test_a_headers_link_keeps_the_other_filters_and_leaves_the_page(client_for, alice, world):
    content = client_for(alice).get(url("workload-list", search="r", has_high="true", page=1)).content
    found = headers_of(content.decode())
    assert found["High"][1] == url("workload-list", search="r", has_high="true", ordering="high")


def test_the_reversed_orders_sort_the_table(client_for, alice, world):
    client = client_for(alice)
    assert rows(client.get(url("workload-list", ordering="-name")).content.decode()) == [
        "Vision",
        "Fraud",
        "Churn",
    ]
    assert rows(client.get(url("workload-list", ordering="-high")).content.decode())[-1] == "Fraud"


# The consolidated report takes the filters on screen


def test_the_consolidated_page_posts_its_filters_and_format_in_one_form(client_for, alice, world):
    content = client_for(alice).get(REPORTS, {"search": "r", "environment": "PRODUCTION"}).content.decode()
    start = content.index('<form method="post" action="/reports/"')
    form = content[start : content.index("</form>", start)]
    for field in ('name="search" id="id_search" value="r"', '<option value="PRODUCTION" selected>'):
        assert field in form
    assert 'name="format"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert "Ask for the report" in form
    # htmx counts the matching workloads as they are typed: a GET without the token or the format.
    assert 'hx-params="not csrfmiddlewaretoken,format"' in form
    assert 'type="hidden" name="search"' not in content  # no copy of the filters to fall behind


def test_the_report_covers_the_filters_posted_and_the_page_keeps_them(client_for, alice, world):
    data = {"search": "r", "environment": "PRODUCTION", "ordering": "-high", "format": "JSON"}
    response = client_for(alice).post(REPORTS, data)
    assert response.status_code == 302
    assert response["Location"] == f"{REPORTS}?search=r&environment=PRODUCTION&ordering=-high"
    report = Report.objects.get()
    assert (report.filters["search"], report.filters["environment"]) == ("r", "PRODUCTION")
    assert report.filters["ordering"] == "-high"


def test_filter_on_the_consolidated_page_without_javascript_shows_and_asks_nothing(client_for, alice, world):
    response = client_for(alice).post(REPORTS, {"search": "fraud", "format": "JSON", "show": "1"})
    assert response.status_code == 200
    assert not Report.objects.exists()
    content = response.content.decode()
    assert 'name="search" id="id_search" value="fraud"' in content
    assert '<option value="JSON" selected>' in content
    assert "1 workload matches these filters." in content


def test_htmx_on_the_consolidated_page_gets_the_count_and_the_address(client_for, alice, world):
    query = {"search": "", "environment": "PRODUCTION", "ordering": "name"}
    response = client_for(alice).get(REPORTS, query, headers=HTMX)
    assert response.content.decode().strip() == "1 workload matches these filters."
    assert response["HX-Replace-Url"] == f"{REPORTS}?environment=PRODUCTION"
    assert not Report.objects.exists()


# Queries


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        # session, user, lens filter choices, totals, the chart's counts, the rows, their lenses
        ("dashboard", 7),
        # session, user, lens filter choices, the count, the page's rows, their lenses
        ("workload-list", 6),
    ],
)
def test_the_results_cost_the_same_queries_for_3_or_300_workloads(
    client_for, alice, bob, django_assert_num_queries, name, queries
):
    client = client_for(alice)
    for count in (3, 300):
        theirs = bulk_workloads(bob, count, prefix=f"B{count}-")
        Share.objects.bulk_create(Share(workload=w, user=alice, role=Share.Role.READER) for w in theirs)
        with django_assert_num_queries(queries):
            response = client.get(url(name, search="B", ordering="-high"), headers=HTMX)
        assert len(rows(response.content.decode())) == min(25, 3 + (300 if count == 300 else 0))


def test_the_consolidated_count_costs_the_same_queries_for_3_or_300_workloads(
    client_for, alice, django_assert_num_queries
):
    client = client_for(alice)
    for count in (3, 300):
        bulk_workloads(alice, count, prefix=f"A{count}-")
        # session, user, lens filter choices, the count
        with django_assert_num_queries(4):
            response = client.get(REPORTS, {"search": "A"}, headers=HTMX)
        assert response.content.decode().strip().startswith(f"{3 + (300 if count == 300 else 0)} workloads")
