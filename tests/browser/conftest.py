"""Browser tests: Playwright drives Debian's Chromium (installed by scripts/bootstrap test; never
a downloaded browser) against the live test server. Each page a journey passes through is
photographed into one folder per test run, named once at the start."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def _run_id() -> str:
    """One name for the whole run, shared by the xdist workers (they get the same uid)."""
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    return uid[:12] if uid else datetime.now().strftime("%Y%m%d-%H%M%S")  # noqa: DTZ005 - a folder name


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig: pytest.Config) -> Path:
    folder = Path(settings.BASE_DIR) / "var" / "screenshots" / _run_id()
    folder.mkdir(parents=True, exist_ok=True)
    try:
        # The first worker to get here names the folder, so it is printed once per run.
        (folder / ".named").open("x").close()
    except FileExistsError:
        return folder
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        # stderr: the one stream a test worker shares with the terminal.
        print(f"\nScreenshots of the browser tests: {folder}", file=sys.stderr)  # noqa: T201
    return folder


@pytest.fixture
def browser() -> Iterator[Browser]:
    """One browser per test: Playwright keeps an event loop running in this thread while it
    lives, and Django refuses database work (the test's own clean-up included) beside one."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run scripts/bootstrap test (it installs Debian's).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Photographer:
    """Saves a full-page screenshot of each step under a readable name."""

    def __init__(self, folder: Path, test_name: str) -> None:
        self.folder = folder
        name = test_name.removeprefix("test_")[:40]
        self.prefix = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.count = 0

    def __call__(self, page: Page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.prefix}-{self.count:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def photograph(screenshot_dir: Path, request: pytest.FixtureRequest) -> Photographer:
    return Photographer(screenshot_dir, request.node.name)


@pytest.fixture
def open_page(browser: Browser, live_server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Opens a fresh browser context (no cookies) at a viewport; confirmations are accepted."""
    # Playwright's synchronous API keeps an event loop in this thread; the test's own database
    # reads between browser steps are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    contexts = []

    def opener(viewport: ViewportSize = DESKTOP, locale: str = "en-GB") -> Page:
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    yield opener
    for context in contexts:
        context.close()
    # Database work done beside Playwright's running event loop gets connections of its own,
    # which nothing else would close before the test database is dropped.
    connections.close_all()
