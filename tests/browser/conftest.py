"""Headless Debian Chromium, driven by Playwright, against Django's live server.

Never a browser downloaded by a test tool: the machine has no internet, and
`make test` installs Debian's chromium package.

Every page a browser test visits is checked by axe-core (installed by `make interop`
from interop/package-lock.json): before each action that can leave the page, and
when a page closes, a test fails on any serious or critical violation, naming the
rule, the page and the elements.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, Error, Locator, Page, sync_playwright
from pytest_django.plugin import blocking_manager_key

from credo.audit import triggers
from credo.front.demo import load_demo
from tests import demo_snapshot
from tests.browser.csp import check_content_security_policy, watch

CHROMIUM = os.environ.get("CREDO_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

AXE_JS = Path(
    os.environ.get("CREDO_AXE_JS", settings.BASE_DIR / "interop" / "node_modules" / "axe-core" / "axe.min.js")
)
#: What fails a test; moderate and minor findings are left to people's judgement.
AXE_FAILS_ON = ("serious", "critical")

# Playwright's sync API runs an event loop in this thread; the live server's database work
# happens in its own thread, so Django's guard against sync calls in async contexts misfires.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


#: The demo as the first browser test in this process loaded it (see tests/demo_snapshot.py).
_the_demo = demo_snapshot.restorer(connection, load_demo)


@pytest.fixture
def live_demo(live_server: Any, transactional_db: None) -> Iterator[Any]:
    """The live server with the demo loaded.

    Loaded once per test process and copied back for every later test: each test starts
    from the rows and files a fresh `load_demo()` gives, at a fraction of the cost.

    Between transactional tests Django empties every table, which the audit log's
    append-only triggers rightly refuse: they are lifted here, before that flush,
    and put back by `pytest_runtest_teardown` below, after it.
    """
    _the_demo()
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


# axe runs in the page itself (evaluated, so no Content-Security-Policy can block it) once per document,
# and again after the document's content changes (an htmx swap): a MutationObserver marks it to be checked.
_AXE_CHECK = """async (failOn) => {
  if (window.__credoAxeChecked && !window.__credoAxeDirty) return null;
  window.__credoAxeDirty = false;
  const results = await axe.run(document, {resultTypes: ["violations"]});
  if (!window.__credoAxeChecked) {
    new MutationObserver(() => { window.__credoAxeDirty = true; })
      .observe(document.body, {childList: true, subtree: true});
  }
  window.__credoAxeChecked = true;
  return results.violations
    .filter((v) => failOn.includes(v.impact))
    .map((v) => ({
      rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")),
      html: v.nodes.slice(0, 3).map((n) => n.html + "  " + (n.failureSummary || "").replace(/\\s+/g, " ")),
    }));
}"""


class AccessibilityError(AssertionError):
    pass


def _describe(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core found {len(violations)} serious or critical problem(s) on {url}:"]
    for v in violations:
        lines.append(f"  {v['rule']} ({v['impact']}): {v['help']}")
        lines += [f"    at {target}" for target in v["targets"][:5]]
        lines += [f"       {html}" for html in v["html"]]
    return "\n".join(lines)


def check_accessibility(page: Page) -> None:
    """Run axe on the page's current document, unless it was checked and has not changed since."""
    if page.is_closed() or page.url.startswith(("about:", "data:")):
        return
    violations = None
    for attempt in range(3):
        try:
            page.wait_for_load_state("load")
            if not page.evaluate("() => typeof window.axe === 'object'"):
                page.evaluate(AXE_JS.read_text(encoding="utf-8"))
            violations = page.evaluate(_AXE_CHECK, list(AXE_FAILS_ON))
            break
        except Error as error:
            # A navigation began while axe was reading the page: check the new one instead.
            navigating = "context was destroyed" in str(error) or "navigat" in str(error)
            if not navigating or attempt == 2:
                raise
    if violations:
        raise AccessibilityError(_describe(page.url, violations))


def _checked_first(action: Callable[..., Any], page_of: Callable[[Any], Page]) -> Callable[..., Any]:
    @functools.wraps(action)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        check_accessibility(page_of(self))
        check_content_security_policy(page_of(self))
        return action(self, *args, **kwargs)

    return wrapper


# Actions that can leave the current document (a link, a submit, an htmx request, a new address).
_PAGE_ACTIONS = ("goto", "reload", "go_back", "go_forward", "click", "press", "close")
_LOCATOR_ACTIONS = ("click", "dblclick", "press", "check", "uncheck", "set_checked", "select_option", "tap")


@pytest.fixture(autouse=True)
def axe_on_every_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check every page a browser test visits with axe-core and for Content-Security-Policy violations,
    before the test moves on from it."""
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is not installed at {AXE_JS}: run `make interop` (or set CREDO_AXE_JS).")
    for name in _PAGE_ACTIONS:
        monkeypatch.setattr(Page, name, _checked_first(getattr(Page, name), lambda page: page))
    for name in _LOCATOR_ACTIONS:
        monkeypatch.setattr(Locator, name, _checked_first(getattr(Locator, name), lambda locator: locator.page))

    original_close = BrowserContext.close

    def close(context: BrowserContext, *args: Any, **kwargs: Any) -> None:
        try:
            for open_page in context.pages:
                check_accessibility(open_page)
                check_content_security_policy(open_page)
        finally:
            original_close(context, *args, **kwargs)

    monkeypatch.setattr(BrowserContext, "close", close)
    # And the Content-Security-Policy (csp.py), watched in every context a test opens.
    original_new_context = Browser.new_context
    monkeypatch.setattr(
        Browser, "new_context", lambda browser, **options: watch(original_new_context(browser, **options))
    )
