"""The Content-Security-Policy, checked on every page a browser test visits.

Each browser context gets an init script that listens for `securitypolicyviolation` (fired for every inline
script, style attribute, <style> element, eval or outside address the policy refuses) and hands each one to
Python through an exposed binding; the browser's own console line ("Refused to …") is collected too, for what
happens before the listener is in place. Violations are kept per page and raised, naming the page and the
directive, at the same points axe-core runs (conftest.py): before each action that can leave the page, and
when a page closes.

Things the test itself does in the page (`page.evaluate`, axe-core) go through the DevTools protocol, which
the policy does not govern, so they never show up here.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import BrowserContext, ConsoleMessage, Page

# Runs in every document before its own scripts. `__credoCsp` is the exposed binding.
_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__credoCsp({
    page: event.documentURI,
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    where: event.sourceFile ? event.sourceFile + ":" + event.lineNumber : "",
    sample: event.sample,
  });
}, true);
"""

_COLLECTED = "_credo_csp_violations"


class ContentSecurityPolicyError(AssertionError):
    pass


def _collected(page: Page) -> list[str]:
    found: list[str] = page.__dict__.setdefault(_COLLECTED, [])
    return found


def _on_violation(source: dict[str, Any], report: dict[str, Any]) -> None:
    blocked = report.get("blocked") or "inline"
    line = f"{report.get('directive')} refused {blocked} on {report.get('page')}"
    if report.get("where"):
        line += f" (from {report['where']})"
    if report.get("sample"):
        line += f": {report['sample']!r}"
    _collected(source["page"]).append(line)


def _on_console(message: ConsoleMessage) -> None:
    if "Content Security Policy" in message.text and message.page is not None:
        _collected(message.page).append(f"console on {message.page.url}: {message.text}")


def watch(context: BrowserContext) -> BrowserContext:
    """Collect every policy violation in the context's pages, from now on."""
    context.expose_binding("__credoCsp", _on_violation)
    context.add_init_script(_LISTENER)
    context.on("console", _on_console)
    return context


def check_content_security_policy(page: Page) -> None:
    """Fail if the page met a policy violation since the last check, naming the page and the directive."""
    violations = _collected(page)
    if not violations:
        return
    found = list(dict.fromkeys(violations))
    violations.clear()
    lines = [f"The Content-Security-Policy refused {len(found)} thing(s):", *(f"  {v}" for v in found)]
    raise ContentSecurityPolicyError("\n".join(lines))
