"""Headless Debian Chromium, driven by Playwright, against Django's live server.

Never a browser downloaded by a test tool: the machine has no internet, and
`make test` installs Debian's chromium package.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, sync_playwright
from pytest_django.plugin import blocking_manager_key

from credo.audit import triggers
from credo.front.demo import load_demo

CHROMIUM = os.environ.get("CREDO_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the live server's database work
# happens in its own thread, so Django's guard against sync calls in async contexts misfires.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def live_demo(live_server: Any, transactional_db: None) -> Iterator[Any]:
    """The live server with the demo loaded.

    Between transactional tests Django empties every table, which the audit log's
    append-only triggers rightly refuse: they are lifted here, before that flush,
    and put back by `pytest_runtest_teardown` below, after it.
    """
    load_demo()
    yield live_server
    triggers.remove(connection)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    result = yield
    # After the last test the test database is already gone, and nothing needs the triggers.
    if nextitem is not None and "live_demo" in getattr(item, "fixturenames", ()):
        with item.config.stash[blocking_manager_key].unblock():
            triggers.install(connection)
            # This opened a connection of its own after the test's was closed; leaving it
            # open would stop PostgreSQL dropping the test database at the end of the run.
            connection.close()
    return result


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
