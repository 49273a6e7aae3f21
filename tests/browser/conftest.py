"""Browser tests: one headless Chromium for all of them, a fresh context and page per test.

The browser is the system Chromium (never a Playwright download: there is no network). It runs
against pytest-django's ``live_server``, so every test here is transactional: data is created in
the test, through factories and services, before the browser acts.
"""

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # the sessions and CI run as root, where Chromium's sandbox will not start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEFAULT_TIMEOUT_MS = 10_000
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's password
# Failure screenshots go outside the repository.
SCREENSHOT_DIR = Path(os.environ.get("BROWSER_SCREENSHOT_DIR", "/tmp/casefile-audit-browser"))


def _in_ci() -> bool:
    # Any non-empty CI counts: a CI run must never skip its browser tests.
    return bool(os.environ.get("CI", "").strip())


def _unavailable(reason: str):
    """Skip on a developer's machine without a browser; fail under CI, where one must exist."""
    if _in_ci():
        pytest.fail(f"Browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"{reason} (browser tests skip only outside CI)")


def chromium_path() -> str | None:
    """CHROMIUM_PATH if set (and then it must be right), else the system Chromium."""
    configured = os.environ.get("CHROMIUM_PATH", "").strip()
    if configured:
        if os.path.isfile(configured) and os.access(configured, os.X_OK):
            return configured
        pytest.fail(f"CHROMIUM_PATH={configured!r} is not an executable file.", pytrace=False)
    for candidate in ("/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


class _Chromium:
    """The one Chromium of a run of browser tests, started on first use.

    It is stopped as soon as the next test does not need it, not at the end of the session:
    while Playwright's sync API is running it keeps an asyncio event loop running in the main
    thread, and that changes how Django behaves there (see ``start``). Pytest-django runs the
    live-server tests together, so one Chromium serves them all.
    """

    def __init__(self):
        self.playwright = None
        self.browser = None
        self.saved_env = None
        self.stop_after_this_test = False

    def start(self):
        if self.browser is not None:
            return self.browser
        self.stop()  # what is left of a launch that failed
        # A test dependency: a missing Playwright is an install error, not a reason to skip.
        from django.db import connections
        from playwright.sync_api import expect, sync_playwright

        path = chromium_path()
        if path is None:
            _unavailable("No Chromium found: install the chromium package or set CHROMIUM_PATH")
        expect.set_options(timeout=DEFAULT_TIMEOUT_MS)  # expect() has its own default of 5 s

        # With Playwright's event loop running in the main thread:
        # 1. Django refuses ORM calls there (SynchronousOnlyOperation), though these tests are
        #    plain synchronous code that never runs inside the loop. Django's documented escape
        #    hatch, DJANGO_ALLOW_ASYNC_UNSAFE, is safe for them; it is set only while Chromium
        #    runs, so it hides nothing in other tests.
        #    https://docs.djangoproject.com/en/5.2/topics/async/#envvar-DJANGO_ALLOW_ASYNC_UNSAFE
        # 2. django.db.connections hands out different connection objects (asgiref keeps them
        #    per context, not per thread, once a loop runs), which lack the snapshot of the
        #    migrated data that serialized_rollback restores from: copy it across.
        self.saved_env = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        snapshots = {
            alias: getattr(connections[alias], "_test_serialized_contents", None)
            for alias in connections
        }
        self.playwright = sync_playwright().start()
        for alias, snapshot in snapshots.items():
            if snapshot is not None:
                connections[alias]._test_serialized_contents = snapshot
        self.browser = self.playwright.chromium.launch(
            executable_path=path, args=CHROMIUM_ARGS, headless=True
        )
        return self.browser

    def stop(self):
        if self.playwright is None:
            return
        from django.db import connections

        connections.close_all()  # the per-context connections opened while the loop ran
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            self.playwright.stop()
            self.playwright = self.browser = None
            if self.saved_env is None:
                os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = self.saved_env
        # Closing Chromium closes its keep-alive connections to the live server; let the server
        # threads that held them finish while they may still use the shared SQLite connection,
        # which the live_server fixture stops sharing when it stops.
        for thread in threading.enumerate():
            if "process_request_thread" in thread.name:
                thread.join(timeout=5)


_CHROMIUM = _Chromium()


@pytest.fixture
def browser(django_db_setup):
    """The shared Chromium. After django_db_setup, so the data snapshot exists to copy."""
    yield _CHROMIUM.start()
    # Torn down after the test's page, before the session's live server.
    if _CHROMIUM.stop_after_this_test:
        _CHROMIUM.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    _CHROMIUM.stop_after_this_test = nextitem is None or "browser" not in getattr(
        nextitem, "fixturenames", ()
    )
    return (yield)


def pytest_sessionfinish(session, exitstatus):
    _CHROMIUM.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so the page fixture knows whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, live_server, request):
    """A new browser context (no cookies, no storage) and page for one test.

    Relative URLs resolve against the live server. A failed test leaves a screenshot in
    SCREENSHOT_DIR; a JavaScript error on any page fails the test.
    """
    # reduced_motion turns off Bootstrap's smooth scrolling, so a jump to an anchor is instant.
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="Europe/London",
        viewport={"width": 1280, "height": 900},
        reduced_motion="reduce",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    js_errors = []
    page.on("pageerror", lambda error: js_errors.append(str(error)))
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        target = SCREENSHOT_DIR / f"{name}.png"
        try:
            page.screenshot(path=str(target), full_page=True)
            print(f"\nScreenshot of the failed page: {target}")
        except Exception as error:  # noqa: BLE001 - a screenshot must not hide the failure
            print(f"\nNo screenshot: {error}")
    context.close()
    if js_errors:
        pytest.fail("JavaScript errors on the page: " + "; ".join(js_errors), pytrace=False)


def _login(page, live_server, user, password=PASSWORD):
    """Sign in through the real login form and wait until the header says who is signed in."""
    from playwright.sync_api import expect

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".app-signed-in")).to_have_text(f"Signed in as {signed_in_name(user)}")


def signed_in_name(user) -> str:
    """The name the header shows: a person's name, their username only when they have none."""
    return user.get_full_name() or user.get_username()


@pytest.fixture
def login():
    """``login(page, live_server, user)``: sign in through /accounts/login/."""
    return _login
