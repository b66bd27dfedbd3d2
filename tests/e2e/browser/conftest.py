"""The browser tests' world: a live site of its own, Debian's Chromium, one fresh browser
context per test, and the demo data's personas.

- ``site`` (package): an SQLite file in a temporary directory, migrated and loaded with
  ``seed_demo`` by ``manage.py`` in child processes, served by daphne on a free port with
  production settings (``DEBUG=0``) and no developer ``.env``. The test process's own
  database (SQLite or PostgreSQL) is never shared, so this runs alike in both CI runs.
- ``browser`` (package): /usr/bin/chromium through Playwright. Missing: the tests skip,
  or fail when ``JOINTOPS_REQUIRE_BROWSER=1`` (CI).
- ``watch``, ``context``, ``page`` (each test): a context at the ``viewport`` (desktop
  unless a test parametrizes it), whose console errors, failed requests, HTTP errors and
  requests to other hosts fail the test unless it allowed them (``watch.allow``); on a
  failure each page's screenshot is kept in the test's ``tmp_path``.
- ``other_browser``: a factory of more watched contexts, for a second person in a test.
- ``coordinator_api``: the API as wco.coordinator (bearer token), to arrange and cause
  things the browser then shows.
"""

import pytest

from tests.e2e.browser import chromium
from tests.e2e.browser.api import Api
from tests.e2e.browser.personas import (
    COORDINATOR,
    CR_OFFICER,
    DEMO_OPERATIONS,
    KE_OFFICER,
    NG_OFFICER,
    STRANGER,
)
from tests.e2e.browser.watch import BrowserWatch
from tests.support.live import ROOT, SiteOnFile

MANIFEST = ROOT / "frontend" / "static" / "frontend" / "app" / ".vite" / "manifest.json"
# Every sign-in of the suite comes from 127.0.0.1: the per-address pause (5 failures by
# default) must not stop the suite; the pause itself is tested in tests/agencies.
SITE_SETTINGS = {"LOGIN_FAILURE_LIMIT": "1000"}
EXPECT_TIMEOUT_MS = 10_000  # two shared cores: a page may take a few seconds under load

_reports = pytest.StashKey[dict]()


def _require_browser() -> None:
    reason = chromium.missing()
    if reason is None:
        return
    if chromium.browser_required():
        pytest.fail(f"JOINTOPS_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser tests need Chromium: {reason}")


@pytest.fixture(scope="package")
def site():
    _require_browser()
    if not MANIFEST.exists():
        pytest.fail(
            f"The web application is not built ({MANIFEST.relative_to(ROOT)} is missing): "
            "run `make frontend` (or `cd frontend && npm run build`); `make test` builds it.",
            pytrace=False,
        )
    with SiteOnFile(settings=SITE_SETTINGS) as live:
        live.bundle_built_at = MANIFEST.stat().st_mtime
        yield live


def _bundle_note(site) -> str:
    """A hint when the bundle was rebuilt under the running server (which keeps serving the
    manifest it read first, naming files that are gone)."""
    try:
        rebuilt = MANIFEST.stat().st_mtime != site.bundle_built_at
    except FileNotFoundError:
        rebuilt = True
    if not rebuilt:
        return ""
    return "(The bundle was rebuilt while these tests ran: run them again.)\n"


@pytest.fixture(scope="package")
def browser(site):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = chromium.launch(playwright)
        yield launched
        launched.close()


@pytest.fixture
def viewport():
    return chromium.DESKTOP


def _new_watched_context(browser, site, viewport) -> BrowserWatch:
    context = browser.new_context(
        base_url=site.url,
        viewport=viewport,
        locale="en-GB",
        # Nobody's preference: a time shown in the browser's zone instead of the user's
        # stands out.
        timezone_id="Asia/Kolkata",
    )
    context.set_default_timeout(15_000)
    return BrowserWatch(context, site.url)


def _failed(request) -> bool:
    report = request.node.stash.get(_reports, {}).get("call")
    return report is not None and report.failed


def _screenshots(context, folder, prefix: str = "") -> None:
    for number, page in enumerate(context.pages):
        shot = folder / f"{prefix}page-{number}.png"
        page.screenshot(path=shot, full_page=True)
        print(f"screenshot of {page.url}: {shot}")


@pytest.fixture
def watch(browser, site, viewport, request, tmp_path):
    watched = _new_watched_context(browser, site, viewport)
    context = watched.context
    yield watched
    if _failed(request):
        _screenshots(context, tmp_path)
        print(f"server log:\n{site.server.log_tail()}")
    context.close()
    problems = watched.unexpected()
    if problems:
        pytest.fail(
            _bundle_note(site)
            + "The browser met what the test did not expect:\n"
            + "\n".join(f"- {p}" for p in problems),
            pytrace=False,
        )


@pytest.fixture
def other_browser(browser, site, viewport, request, tmp_path):
    """Open more browser contexts in a test: another person at another computer. Each is
    like the test's own: watched (its problems fail the test), photographed on a failure
    (``other-<n>-page-<m>.png``), closed at the end."""
    opened: list[BrowserWatch] = []

    def open_context() -> BrowserWatch:
        watched = _new_watched_context(browser, site, viewport)
        opened.append(watched)
        return watched

    yield open_context
    failed = _failed(request)
    problems = []
    for number, watched in enumerate(opened, start=1):
        if failed:
            _screenshots(watched.context, tmp_path, prefix=f"other-{number}-")
        watched.context.close()
        problems += [f"(other browser {number}) {p}" for p in watched.unexpected()]
    if problems:
        pytest.fail(
            _bundle_note(site)
            + "Another browser met what the test did not expect:\n"
            + "\n".join(f"- {p}" for p in problems),
            pytrace=False,
        )


@pytest.fixture
def context(watch):
    return watch.context


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="package")
def coordinator_api(site):
    return Api(site, COORDINATOR.username)


@pytest.fixture
def demo_operations(coordinator_api):
    """The demo operations as their coordinator sees them (id, code, name, description)."""
    operations = [op for op in coordinator_api.operations() if op["code"] in DEMO_OPERATIONS]
    assert sorted(op["code"] for op in operations) == sorted(DEMO_OPERATIONS)
    return operations


@pytest.fixture
def coordinator():
    return COORDINATOR


@pytest.fixture
def cr_officer():
    return CR_OFFICER


@pytest.fixture
def ng_officer():
    return NG_OFFICER


@pytest.fixture
def ke_officer():
    return KE_OFFICER


@pytest.fixture
def stranger():
    return STRANGER
