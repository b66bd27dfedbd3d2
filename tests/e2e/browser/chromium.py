"""Debian's Chromium, driven by Playwright: never a browser Playwright downloads.

The browser tests and ``bench/frontend.py`` launch it the same way. Where it is missing
the tests skip on a developer's machine, and fail where ``JOINTOPS_REQUIRE_BROWSER=1``
(CI, ``.ci/run``), so that a CI run never passes because the browser was not there.
"""

import os
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def browser_required() -> bool:
    return os.environ.get("JOINTOPS_REQUIRE_BROWSER") == "1"


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (Debian's chromium package)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[dev]')"
    return None


def launch(playwright):
    """A headless Chromium from /usr/bin/chromium."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
