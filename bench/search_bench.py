"""Search benchmarks: the site search (/search/ and the header's list as one types) over 5,000
workloads the searcher may see, each with the built-in lens (70,000 answers), and a few hundred that
are another person's.

Times are the whole Django stack through the test client, as in reviews_bench: medians of many runs
after a warm-up. Three texts: part of a workload's name that thousands of names hold (each kind's
best are sorted from all of them), a question's id (exact: one answer in each of the 5,000 lens
reviews), and words of a question's title. The database's statistics are gathered first, as
autovacuum would have by the time anyone searches (without them PostgreSQL misjudges the visibility
subqueries' cost and spends tens of milliseconds compiling them with its JIT)."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from bench.reviews_bench import _page, _queries_row, _time_row
from bench.workloads import bulk_workloads

WORKLOADS, OTHERS = 5000, 500
SEARCH_GOAL_MS = 100
SEARCHES = (
    ("a workload's name, in part", "workload 12"),
    ("a question's id", "MLSEC01"),
    ("words of a question's title", "trained ML"),
)


def run():
    user_model = get_user_model()
    searcher = user_model.objects.create_user("search-bench", password="bench-password")  # noqa: S106
    bulk_workloads(searcher, WORKLOADS, prefix="Workload ")
    bulk_workloads(user_model.objects.create_user("search-bench-other"), OTHERS, prefix="Other workload ")
    with connection.cursor() as cursor:  # what autovacuum would have done by the time anyone asks
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    client = Client(SERVER_NAME="localhost")
    client.force_login(searcher)
    url = reverse("reviews:search")
    for label, text in SEARCHES:
        page_ms, queries = _page(client, f"{url}?q={text.replace(' ', '+')}")
        yield _time_row(f"search page, {WORKLOADS:,} workloads, {label}", page_ms, SEARCH_GOAL_MS)
        yield _queries_row(f"search page queries, {label}", queries)
    listing = Client(SERVER_NAME="localhost", headers={"HX-Request": "true"})
    listing.force_login(searcher)
    list_ms, queries = _page(listing, f"{url}?q=MLSEC01")
    yield _time_row(f"search as one types (htmx), {WORKLOADS:,} workloads", list_ms, SEARCH_GOAL_MS)
    yield _queries_row("search as one types, queries", queries)
