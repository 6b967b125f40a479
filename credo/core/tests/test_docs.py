"""The project explains itself from a clone: every link in the README and docs/ leads to a file inside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
PATH_IN_CODE = re.compile(r"`((?:\.\./)+[^`]+|docs/[^`\s]+\.md)`")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_leads_to_a_file_in_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    targets = [t for t in LINK.findall(text) if "://" not in t] + PATH_IN_CODE.findall(text)
    for target in targets:
        base = ROOT if target.startswith("docs/") else page.parent
        resolved = (base / target).resolve()
        assert resolved.is_relative_to(ROOT), f"{page.name} points outside the repository: {target}"
        assert resolved.exists(), f"{page.name} points to a missing file: {target}"


def test_the_readme_sends_newcomers_to_the_architecture_page_first() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`docs/architecture.md`: read it first" in readme
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").rglob("*.md")):
        if page.name != "README.md":
            assert str(page.relative_to(ROOT / "docs")) in index, f"docs/README.md does not list {page.name}"


def test_the_architecture_page_names_every_app_that_exists() -> None:
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    apps = sorted(p.parent.name for p in (ROOT / "credo").glob("*/apps.py"))
    assert apps
    for app in apps:
        assert f"| `{app}` |" in architecture, f"docs/architecture.md does not say what {app} owns"
