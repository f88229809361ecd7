"""The page sweep's table: every URL pattern of the URLconf, and how the sweep covers it.

tests/sweep/test_pages.py renders every page (200, no template source in the HTML) and
tests/browser/test_page_sweep.py opens them in Chromium (no wider than a phone, no axe-core
violation). A URL pattern that is neither in PAGES nor in EXCLUDED fails the sweep, so a new page
cannot slip by: adding one is one line, `"app:name": Page()` (with `reader=True` when a reader of
the workload sees it too, `args=` for arguments other than World.arguments()).
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.sweep.world import World


@dataclass(frozen=True)
class Page:
    """A page rendered by the sweep, as the workload's owner (`reader`: as its reader too;
    `anonymous`: as nobody, e.g. the login page). `args` overrides World.arguments() (a value may be
    a function of the world), `query` is added to the URL, `fragment` marks an htmx fragment: its
    HTML is checked for template source but it is no page to measure in a browser."""

    reader: bool = False
    anonymous: bool = False
    args: dict[str, object] = field(default_factory=dict)
    query: dict[str, object] = field(default_factory=dict)
    fragment: bool = False


@dataclass(frozen=True)
class Excluded:
    """A URL pattern the sweep does not render, and why."""

    reason: str


def _imported(world: World) -> str:
    return world.lens.alias


def _token(world: World) -> int:
    return world.token_pk


def _first_question(world: World) -> str:
    return world.arguments()["question_id"]


def _second_report(world: World) -> int:
    return world.report_pks[1]


def _part_of_the_workload_name(world: World) -> str:
    return world.workload.name[:20]


IMPORTED_LENS = {"alias": _imported}
#: What the question page polls for: every change to the first question since long ago.
CHANGES_SINCE_LONG_AGO = {"question": _first_question, "version": "0", "since": "2000-01-01T00:00:00+00:00"}
POST_ONLY = Excluded("POST only: no page of its own")
DOWNLOAD = Excluded("a file download, not a page")

#: Route name: a Page, several Pages (the same route with other arguments), or Excluded.
PAGES: dict[str, Page | tuple[Page, ...] | Excluded] = {
    "reviews:dashboard": (Page(), Page(query={"search": "fraud", "risk": "HIGH"})),
    "reviews:workload-list": Page(),
    "reviews:workload-create": Page(),
    "reviews:workload-import": Page(),
    "reviews:workload": Page(reader=True),
    "reviews:workload-edit": Page(),
    "reviews:workload-delete": Page(),
    "reviews:workload-transfer": Page(),
    "reviews:workload-events": Page(reader=True),
    "reviews:people": Page(reader=True),
    "reviews:review": (Page(reader=True), Page(args=IMPORTED_LENS)),
    "reviews:lens-remove": Page(),
    "reviews:lens-notes": (Page(reader=True), Page(args=IMPORTED_LENS)),
    "reviews:lens-upgrade": Page(args=IMPORTED_LENS),
    "reviews:changes": Page(reader=True, fragment=True, query=CHANGES_SINCE_LONG_AGO),
    "reviews:question": (Page(reader=True), Page(args=IMPORTED_LENS | {"question_id": "P1Q1"})),
    "reviews:history": Page(reader=True),
    "reviews:milestones": Page(reader=True),
    "reviews:milestone": Page(reader=True),
    "reviews:milestone-review": Page(reader=True),
    "reviews:milestone-question": Page(reader=True),
    "reviews:improvements": Page(reader=True),
    "reviews:improvement-item": Page(reader=True),
    "reviews:my-improvements": Page(reader=True),
    "reviews:compare": (Page(reader=True), Page(query={"base": "1", "target": "2"})),
    "reviews:trend": Page(reader=True),
    "reviews:reports": Page(reader=True),
    "reviews:consolidated-reports": Page(),
    "reviews:report-status": (Page(fragment=True), Page(fragment=True, args={"report_pk": _second_report})),
    "lens:library": Page(reader=True),
    "lens:import": Page(),
    "lens:import_url": Page(),
    "lens:detail": (Page(), Page(args=IMPORTED_LENS)),
    "lens:publish": Page(args=IMPORTED_LENS),
    "lens:diff": Page(args=IMPORTED_LENS),
    "lens:share": Page(args=IMPORTED_LENS),
    "lens:delete": Page(args=IMPORTED_LENS),
    "reviews:search": (
        Page(reader=True),
        Page(reader=True, query={"q": _part_of_the_workload_name}),
        Page(query={"q": "data"}),  # questions of both lenses, and a lens
    ),
    "reviews:people-search": (Page(reader=True), Page(query={"q": "read"})),
    "login": Page(anonymous=True),
    "profile": Page(reader=True),
    "accounts:tokens-revoke-all": Page(),
    "accounts:token-revoke": Page(args={"pk": _token}),
    "notifications:list": Page(reader=True),
    "notifications:bell": Page(reader=True, fragment=True),
    "notifications:read-all": POST_ONLY,
    "accounts:token-create": Excluded("GET redirects to the profile page, which holds the form"),
    "reviews:workload-export": DOWNLOAD,
    "reviews:report-download": DOWNLOAD,
    "lens:export": DOWNLOAD,
    "reviews:share-role": POST_ONLY,
    "reviews:share-revoke": Page(),
    "reviews:lens-apply": POST_ONLY,
    "reviews:answer": POST_ONLY,
    "reviews:improvements-bulk": POST_ONLY,
    "reviews:report-delete": POST_ONLY,
    "lens:unshare": POST_ONLY,
    "lens:catalog_add": POST_ONLY,
    "lens:catalog_update": POST_ONLY,
    "logout": POST_ONLY,
    "healthz": Excluded("a health probe answering JSON"),
    "readyz": Excluded("a health probe answering JSON"),
}


@dataclass(frozen=True)
class ErrorPage:
    """An error page, reached as a person reaches it (a real request that fails): the site's
    layout with what happened and what to do, swept like every page."""

    what: str
    status: int
    role: str
    url: Callable[[World], str]


def _someone_elses_edit(world: World) -> str:
    return reverse("reviews:workload-edit", kwargs={"pk": world.workload.pk})


#: The error pages a browser meets (400 and 500 come from mlwa.views' handlers, tested in
#: tests/mlwa/test_error_pages.py; a 405 page needs a method no link or form sends).
ERROR_PAGES = (
    ErrorPage("404 page", 404, "owner", lambda world: "/workloads/999999999/"),
    ErrorPage("403 page", 403, "reader", _someone_elses_edit),
)

#: Whole namespaces left out: not rendered by MLWA's own templates.
EXCLUDED_NAMESPACES = {
    "admin": "Django's admin, with its own templates (staff only)",
    "api": "the REST API answers JSON; its docs page is drf-spectacular's Swagger UI",
}


@dataclass(frozen=True)
class Route:
    """A URL pattern found in the URLconf: its name ("namespace:name", or its regex when it has
    none) and the names of the arguments it takes."""

    name: str
    arguments: frozenset[str]


def routes(
    resolver: URLResolver | None = None, namespace: str = "", arguments=frozenset()
) -> Iterator[Route]:
    """Every URL pattern of the URLconf, through its includes (the excluded namespaces left out)."""
    for pattern in (resolver or get_resolver()).url_patterns:
        inner = arguments | set(getattr(pattern.pattern, "converters", {}))
        if isinstance(pattern, URLResolver):
            if pattern.namespace in EXCLUDED_NAMESPACES:
                continue
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern, prefix, frozenset(inner))
        elif isinstance(pattern, URLPattern):
            name = namespace + pattern.name if pattern.name else f"unnamed {pattern.pattern}"
            yield Route(name, frozenset(inner))


def uncovered() -> list[str]:
    """The URL patterns that PAGES neither renders nor excludes."""
    return sorted(route.name for route in routes() if route.name not in PAGES)


def pages() -> Iterator[tuple[str, Page]]:
    """Every (route name, Page) the sweep renders, in the table's order."""
    for name, entry in PAGES.items():
        if isinstance(entry, Page):
            yield name, entry
        elif isinstance(entry, tuple):
            yield from ((name, page) for page in entry)


def page_id(name: str, page: Page) -> str:
    """A readable test id: the route and what differs from its first Page."""
    extra = [f"{key}" for key in page.args] + [f"{key}" for key in page.query]
    return name + (f"[{','.join(extra)}]" if extra else "")


def url_of(name: str, page: Page, world: World) -> str:
    """The page's URL in `world`: the arguments its route takes, from World.arguments() and `args`."""
    taken = next(route.arguments for route in routes() if route.name == name)
    kwargs = _evaluated(world.arguments() | page.args, world)
    url = reverse(name, kwargs={key: kwargs[key] for key in taken})
    return f"{url}?{urlencode(_evaluated(page.query, world))}" if page.query else url


def _evaluated(values: dict[str, object], world: World) -> dict[str, object]:
    return {key: value(world) if callable(value) else value for key, value in values.items()}
