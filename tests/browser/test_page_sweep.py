"""The page sweep, browser part: every page of tests/sweep/pages.py in Chromium, as its owner (and
its reader where one sees it): at 390x844 no page is wider than the viewport, and axe-core finds no
violation at 1440x900 nor at 390x844; at 768x1024 (a tablet) no page is wider either; and no page
reports a console error (a Content-Security-Policy violation is one) or an uncaught exception.

One browser, and per role and size one logged-in context whose page visits every URL in turn: a
page costs a navigation and an axe run, not a login or a new context.

axe-core comes from axe-playwright-python (bundled, nothing fetched). It runs under the site's
Content-Security-Policy as it is, without bypass_csp: Playwright's `page.evaluate` sends the script
through the DevTools protocol, which no CSP governs, and axe-core itself needs no eval. The test
checks that axe ran (its engine's version in the results), so a blocked script cannot pass for a
clean page.

MLWA_SWEEP_SCREENSHOTS=folder saves a full-page screenshot of every page at every size, to look at.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests.browser.conftest import DEFAULT_TIMEOUT_MS, close_quietly
from tests.sweep.pages import ERROR_PAGES, page_id, pages, url_of
from tests.sweep.world import PASSWORD, World, build_world

PHONE, TABLET, DESKTOP = (390, 844), (768, 1024), (1440, 900)
HTMX_SETTLED = "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')"
SCREENSHOTS = os.environ.get("MLWA_SWEEP_SCREENSHOTS")
AXE = Axe()

#: The document's width, and when it passes the viewport the elements that stick out furthest and
#: hold no child that sticks out as far (the culprits rather than their containers), leaving out
#: those inside a box that clips or scrolls them (unless no other is found).
TOO_WIDE = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].map((c) => '.' + c).join('');
  const clipped = (el) => {
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      if (getComputedStyle(e).overflowX !== 'visible') return true;
    }
    return false;
  };
  const culprits = (skipClipped) => [...document.body.querySelectorAll('*')].filter((el) => {
    const right = el.getBoundingClientRect().right;
    const holds = getComputedStyle(el).overflowX === 'visible'
      && [...el.children].some((c) => c.getBoundingClientRect().right >= right);
    return right > width + 1 && !(skipClipped && clipped(el)) && !holds;
  });
  // None outside a scrolling box: then one inside it escapes it (an absolutely positioned element
  // whose containing block is outside the box).
  let out = culprits(true);
  if (!out.length) out = culprits(false);
  out.sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right);
  return {
    scrollWidth: document.documentElement.scrollWidth,
    widest: out.slice(0, 6).map((el) => {
      const path = [];
      for (let e = el; e && e !== document.body && path.length < 4; e = e.parentElement) {
        path.unshift(name(e));
      }
      return path.join(' > ') + ' (right edge ' + Math.round(el.getBoundingClientRect().right) + ' px)';
    }),
  };
}"""


@pytest.fixture
def world(django_user_model, settings, tmp_path) -> World:
    settings.MLWA_REPORTS_DIR = tmp_path / "reports"
    return build_world(django_user_model)


@pytest.fixture
def console_errors_seen() -> list[str]:
    """What the sweep's pages reported as errors: console errors (a CSP violation is one) and
    uncaught exceptions."""
    return []


@pytest.fixture
def visitor(browser, live_server, world, console_errors_seen):
    """Factory: `visitor(role, size)` is a page in a context of that viewport, logged in as the
    world's owner or reader, or as nobody; one per role and size, reused for every URL."""
    contexts = {}
    errors = console_errors_seen

    def open_as(role: str, size: tuple[int, int]):
        if (role, size) not in contexts:
            context = browser.new_context(
                base_url=live_server.url, viewport={"width": size[0], "height": size[1]}
            )
            context.set_default_timeout(DEFAULT_TIMEOUT_MS)
            page = context.new_page()
            page.on(
                "console", lambda m, page=page: m.type == "error" and errors.append(f"{page.url}: {m.text}")
            )
            page.on("pageerror", lambda exc, page=page: errors.append(f"{page.url}: uncaught {exc}"))
            if role != "anonymous":
                user = world.owner if role == "owner" else world.reader
                page.goto(reverse("login"))
                page.locator("#id_username").fill(user.get_username())
                page.locator("#id_password").fill(PASSWORD)
                with page.expect_navigation():
                    page.get_by_role("button", name="Log in", exact=True).click()
            contexts[role, size] = page
        return contexts[role, size]

    yield open_as
    for page in contexts.values():
        close_quietly(page.context)


def _visits(world: World):
    """(what, role, url, status) for every page of the sweep and every role that sees it, then the
    error pages."""
    for name, page in pages():
        if page.fragment:
            continue
        roles = ["anonymous"] if page.anonymous else ["owner", "reader"] if page.reader else ["owner"]
        for role in roles:
            yield f"{page_id(name, page)} as {role}", role, url_of(name, page, world), 200
    for error in ERROR_PAGES:
        yield f"{error.what} as {error.role}", error.role, error.url(world), error.status


def _open(page, what: str, url: str, size: tuple[int, int], status: int) -> str | None:
    response = page.goto(url)
    page.wait_for_function(HTMX_SETTLED)
    if SCREENSHOTS:
        slug = re.sub(r"[^a-z0-9]+", "-", f"{size[0]}-{what}".lower()).strip("-")
        page.screenshot(path=Path(SCREENSHOTS) / f"{slug}.png", full_page=True)
    if response is None or response.status != status:
        return f"{what}: {url} answered {response and response.status}, not {status}"
    return None


def _axe_problems(page, what: str) -> list[str]:
    results = AXE.run(page).response
    assert results["testEngine"]["version"].startswith("4."), "axe-core did not run"
    return [
        f"{what}: axe {v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:4])
        for v in results["violations"]
    ]


def _sweep(
    world: World, visitor, console_errors_seen, size: tuple[int, int], *, width: bool, axe: bool
) -> list[str]:
    problems = []
    for what, role, url, status in _visits(world):
        page = visitor(role, size)
        failed = _open(page, what, url, size, status)
        if failed:
            problems.append(failed)
            continue
        if width and (too_wide := page.evaluate(TOO_WIDE)):
            widest = "\n    ".join(too_wide["widest"])
            problems.append(f"{what}: {too_wide['scrollWidth']} px wide at {size[0]} px:\n    {widest}")
        if axe:
            problems.extend(_axe_problems(page, what))
    return problems + _unexpected(console_errors_seen, world)


def _unexpected(console_errors: list[str], world: World) -> list[str]:
    """The console errors, less the one an error page's own status is: Chromium reports it as a
    failed load ("the server responded with a status of 404") at that page's URL."""
    expected = [(error.url(world), f"status of {error.status} ") for error in ERROR_PAGES]
    return [
        message
        for message in console_errors
        if not any(message.split(": ", 1)[0].endswith(url) and status in message for url, status in expected)
    ]


def test_at_phone_width_no_page_is_wider_than_the_screen_nor_fails_axe(world, visitor, console_errors_seen):
    problems = _sweep(world, visitor, console_errors_seen, PHONE, width=True, axe=True)
    assert not problems, "\n".join(problems)


def test_at_desktop_width_no_page_fails_axe(world, visitor, console_errors_seen):
    problems = _sweep(world, visitor, console_errors_seen, DESKTOP, width=False, axe=True)
    assert not problems, "\n".join(problems)


def test_at_tablet_width_no_page_is_wider_than_the_screen(world, visitor, console_errors_seen):
    problems = _sweep(world, visitor, console_errors_seen, TABLET, width=True, axe=False)
    assert not problems, "\n".join(problems)


def test_on_a_phone_the_question_navigation_is_a_picker_above_the_question_that_never_covers_it(
    world, visitor
):
    page = visitor("owner", PHONE)
    args = world.arguments()
    page.goto(reverse("reviews:question", kwargs={k: args[k] for k in ("pk", "alias", "question_id")}))
    picker = page.locator("details.q-picker")
    assert not picker.evaluate("el => el.open"), "the picker starts closed on a phone"
    title = page.locator("#question-title").bounding_box()
    assert title["y"] + title["height"] < PHONE[1], "the question's title shows without scrolling"
    assert picker.bounding_box()["y"] < title["y"], "the picker is above the question"

    picker.locator("summary").click()
    assert page.locator("nav.q-nav").is_visible()
    # Opened and scrolled past: nothing of the navigation lies over the practices.
    page.locator(".practice").last.scroll_into_view_if_needed()
    nav, practice = page.locator("nav.q-nav").bounding_box(), page.locator(".practice").last.bounding_box()
    assert nav["y"] + nav["height"] <= practice["y"], "the navigation covers the practices"

    wide = visitor("owner", DESKTOP)
    wide.goto(page.url)
    assert wide.locator("details.q-picker").evaluate("el => el.open"), "beside the question on a wide screen"
    assert not wide.locator("summary.q-picker-summary").is_visible()
