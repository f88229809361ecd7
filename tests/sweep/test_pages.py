"""The page sweep, fast part: every page MLWA's templates render (tests/sweep/pages.py) answers 200
as its owner, and as its reader where one sees it, and shows no template source: a `{# #}` comment
over two lines, a tag or a variable that the template engine did not read, would show as text."""

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.sweep.pages import ERROR_PAGES, PAGES, Excluded, Page, page_id, pages, uncovered, url_of
from tests.sweep.world import build_world

pytestmark = pytest.mark.django_db

TEMPLATE_SOURCE = re.compile(r"\{[#%{]")
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_url_pattern_is_rendered_or_excluded_with_a_reason():
    missing = uncovered()
    assert not missing, (
        f"URL patterns the page sweep neither renders nor excludes: {missing}; add each to "
        "tests/sweep/pages.py PAGES, as a Page() or Excluded('why')"
    )
    assert all(entry.reason for entry in PAGES.values() if isinstance(entry, Excluded))


def test_no_template_comment_spans_lines():
    """Django's `{# #}` is one line only: one left open shows as text (also in fragments no page
    shows here); a longer comment is `{% comment %}`."""
    problems = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.count("{#") != line.count("#}")
    ]
    assert not problems, f"a {{# #}} comment left open on its line: {problems}"


def test_the_sweep_catches_template_source():
    """The check this sweep makes, on what the known bug showed: a two-line `{# #}` comment."""
    assert TEMPLATE_SOURCE.search("<p>ok</p>{# Polls for what other\n people change #}")
    assert not TEMPLATE_SOURCE.search("<p>{ not a tag }</p><code>a{b}</code>")


@pytest.fixture
def world(django_user_model, settings, tmp_path):
    settings.MLWA_REPORTS_DIR = tmp_path / "reports"
    return build_world(django_user_model)


def _client(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.owner if role == "owner" else world.reader)
    return client


def _roles(page: Page) -> list[str]:
    if page.anonymous:
        return ["anonymous"]
    return ["owner", "reader"] if page.reader else ["owner"]


def test_every_page_renders_without_template_source(world):
    """One test for all pages (the world is built once): every failure is listed, not the first."""
    problems = []
    clients = {role: _client(world, role) for role in ("owner", "reader", "anonymous")}
    rendered = 0
    for name, page in pages():
        url = url_of(name, page, world)
        for role in _roles(page):
            response = clients[role].get(url, follow=True)
            rendered += 1
            where = f"{page_id(name, page)} as {role} ({url})"
            if response.status_code != 200:
                problems.append(f"{where} answered {response.status_code}")
                continue
            html = response.content.decode()
            for found in TEMPLATE_SOURCE.finditer(html):
                problems.append(
                    f"{where} shows template source: {html[found.start() : found.start() + 80]!r}"
                )
    assert not problems, "\n".join(problems)
    assert rendered >= len(PAGES) - sum(isinstance(e, Excluded) for e in PAGES.values())


def test_error_pages_are_pages_of_the_site_without_template_source(world):
    """A 404 and a 403 met as a person meets them: in the site's layout (its header and the way
    back), with the status, and no template source."""
    clients = {role: _client(world, role) for role in ("owner", "reader")}
    for error in ERROR_PAGES:
        response = clients[error.role].get(error.url(world))
        assert response.status_code == error.status, error.what
        html = response.content.decode()
        assert 'class="site-header"' in html, f"{error.what} is not in the site's layout"
        assert "Go to the dashboard" in html, f"{error.what} offers no way back"
        assert not TEMPLATE_SOURCE.search(html), f"{error.what} shows template source"
