"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Chromium is the system one (`apt-get install chromium`, which .ci/run does), never a browser that
Playwright downloads: MLWA_CHROMIUM names another executable. Without it the tests skip with a reason,
and fail under .ci/run (MLWA_REQUIRE_SERVICES).

Every test here is marked `browser` (`pytest -m "not browser"` leaves them out) and uses `live_server`,
so it runs in a transactional database: what the test writes is committed where the server's thread
sees it, and the tables are emptied afterwards (post_migrate then loads the built-in lens again).
Emptying needs `retire_published_lens_versions` (tests/conftest.py).

Django and Playwright's event loop: the sync API runs an asyncio loop in this thread, and that loop
counts as running from `sync_playwright().start()` until `stop()`, even between Playwright calls.
Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation), so
DJANGO_ALLOW_ASYNC_UNSAFE is set while the browser is up, and only then: the browser lives for one
test module and is stopped, and the variable restored, when the module ends. Every other test keeps
Django's check.
"""

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext, ConsoleMessage, Error, Page, sync_playwright

from mlwa.celery import app as celery_app
from tests.conftest import REQUIRE_SERVICES

CHROMIUM = os.environ.get("MLWA_CHROMIUM", "/usr/bin/chromium")

# Headless in a container as root (--no-sandbox), with no GPU, and with nothing that talks to
# Google's servers: the tests reach only the live server on the loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: For every action, wait and navigation. Playwright's default is 30 s; our pages answer in well
#: under a second, so a broken page fails the test sooner.
DEFAULT_TIMEOUT_MS = 10_000

BROWSER_TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    """Mark the tests in this folder `browser` and `slow` (the hook sees every collected test, hence
    the filter)."""
    for item in items:
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def _django_allow_async_unsafe():
    """Let the ORM run beside Playwright's event loop while the browser is up (see the module's note)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    # Module teardown, after `browser` (which depends on this fixture) has stopped the loop.
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _flushable(retire_published_lens_versions):
    """Every browser test runs in a transactional database: see tests/conftest.py."""


@pytest.fixture(scope="module")
def browser(_django_allow_async_unsafe):
    """Headless Chromium for one test module (about half a second to start); each test gets its own
    context from `new_page`."""
    if not os.access(CHROMIUM, os.X_OK):
        reason = (
            f"browser tests need Chromium at {CHROMIUM}: apt-get install chromium "
            "(or set MLWA_CHROMIUM to a Chromium executable)"
        )
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Error:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


class ConsoleErrors:
    """What the pages of one test reported as errors: console.error messages, which include
    Chromium's Content-Security-Policy violations ("Executing inline script violates the following
    Content Security Policy directive ...") and failed loads ("Failed to load resource: ... 404"),
    and uncaught exceptions."""

    def __init__(self) -> None:
        self._by_page: dict[Page, list[str]] = {}

    def watch(self, page: Page) -> None:
        errors = self._by_page.setdefault(page, [])

        def on_console(message: ConsoleMessage) -> None:
            if message.type == "error":
                where = message.location.get("url") or page.url
                errors.append(f"console error at {where}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: errors.append(f"uncaught exception at {page.url}: {exc}"))

    def of(self, page: Page) -> list[str]:
        # Events reach Python only while Playwright runs: a round trip delivers those that the page
        # emitted before it, such as a violation reported just after the load event.
        page.evaluate("0")
        return list(self._by_page.get(page, []))


@pytest.fixture
def console_errors() -> ConsoleErrors:
    """The errors of the pages this test opened (see `assert_no_console_errors`)."""
    return ConsoleErrors()


@pytest.fixture
def new_page(browser, live_server, console_errors):
    """Factory: `new_page()` opens a page in a new browser context, with its own cookies, so a
    second call is a second, independent session (another user). Relative URLs go to the live
    server (`page.goto("/lenses/")`). The contexts close when the test ends."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        page = context.new_page()
        console_errors.watch(page)
        return page

    in_flight = connections_in_flight(live_server)
    yield open_page
    for context in contexts:
        close_quietly(context)
    # A request the server took before the contexts closed still runs: let it end before the
    # tables are emptied (SQLite refuses both at once: "database table is locked").
    in_flight.wait_until_idle(timeout=10)


class ConnectionsInFlight:
    """How many connections the live server is handling now: counted from the moment it accepts
    one to the moment it shuts it down, so that a request on its way is counted before Django
    starts it (a browser's keep-alive connection ends when its context closes)."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def opened(self) -> None:
        with self.changed:
            self.count += 1

    def closed(self) -> None:
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_until_idle(self, timeout: float) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.count <= 0, timeout=timeout)


def connections_in_flight(live_server) -> ConnectionsInFlight:
    """The live server's ConnectionsInFlight, made at its first use: its socket server's accept
    (process_request) and close (shutdown_request) counted."""
    httpd = live_server.thread.httpd
    counter = getattr(httpd, "connections_in_flight", None)
    if counter is None:
        counter = httpd.connections_in_flight = ConnectionsInFlight()
        process, shutdown = httpd.process_request, httpd.shutdown_request

        def counted_process(request, client_address) -> None:
            counter.opened()
            process(request, client_address)

        def counted_shutdown(request) -> None:
            try:
                shutdown(request)
            finally:
                counter.closed()

        httpd.process_request, httpd.shutdown_request = counted_process, counted_shutdown
    return counter


def close_quietly(context: BrowserContext) -> None:
    """Close a context with nothing more sent to the live server: requests are refused first, then
    each page leaves for about:blank (which cancels what its scripts have on the way). A page's
    poll, or the answer form's beacon on pagehide (sent when a page closes), would otherwise reach
    the server while the test's tables are emptied, which SQLite refuses ("database table is
    locked")."""
    context.route("**/*", lambda route: route.abort())
    for page in context.pages:
        page.goto("about:blank")
    context.close()


@pytest.fixture
def page(new_page) -> Page:
    """A page in a fresh browser context, logged in as nobody."""
    return new_page()


@pytest.fixture
def logged_in_page(new_page, live_server):
    """Factory: `logged_in_page(user, password)` logs in through the login form, as a person does, in
    a new session (see `new_page`), and returns the page it lands on. `user` is a user or a username.
    A refused login fails the test with the form's error rather than a timeout further on."""
    login_path = reverse("login")

    def log_in(user, password: str) -> Page:
        username = user if isinstance(user, str) else user.get_username()
        page = new_page()
        page.goto(live_server.url + login_path)
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        # A refused login answers the POST on the same URL, so wait for the navigation itself (which
        # follows the redirect after a successful one) rather than for a URL.
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Log in", exact=True).click()
        response = navigation.value
        if urlsplit(page.url).path == login_path:
            errors = page.locator(".alert-error").all_inner_texts()
            pytest.fail(f"logging in as {username!r} failed: {' '.join(errors) or 'still on the login page'}")
        if response is not None and not response.ok:
            pytest.fail(f"logging in as {username!r} landed on {page.url}: HTTP {response.status}")
        return page

    return log_in


@pytest.fixture
def assert_no_console_errors(console_errors):
    """`assert_no_console_errors(page)` at the end of a test: no console error, no CSP violation and no
    uncaught exception on that page since it opened."""

    def check(page: Page) -> None:
        errors = console_errors.of(page)
        assert not errors, "the page reported errors:\n" + "\n".join(errors)

    return check


def password(name: str) -> str:
    """The password of a user that `make_people` made."""
    return f"{name}-password"


@pytest.fixture
def make_people(django_user_model):
    """Factory: `make_people("owner", "reader")` creates those users (each with `password(name)`)
    and returns them by name."""

    def make(*names: str) -> dict:
        return {name: django_user_model.objects.create_user(name, password=password(name)) for name in names}

    return make


@pytest.fixture
def in_memory_broker(settings):
    """Django's settings (which the enqueueing reads) and the Celery app (which the worker reads) on
    an in-memory broker for this test, as they were after: reports asked for wait in a queue that no
    worker reads, or that a test's own worker reads."""
    settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS = "memory://", {}
    previous = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = "memory://", {}
    yield
    celery_app.conf.broker_url, celery_app.conf.broker_transport_options = previous


@pytest.fixture
def pdftotext():
    """The path of poppler's pdftotext, with which tests read a PDF report's text."""
    path = shutil.which("pdftotext")
    if path is None:
        reason = "reading the PDF needs pdftotext: apt-get install poppler-utils"
        if REQUIRE_SERVICES:
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def deliveries_in_process():
    """The outbox's delivery task runs where the event commits (as with CELERY_TASK_ALWAYS_EAGER):
    notifications are made without a worker."""
    eager, celery_app.conf.task_always_eager = celery_app.conf.task_always_eager, True
    yield
    celery_app.conf.task_always_eager = eager
