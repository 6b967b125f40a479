"""Other apps' blocks on the cohort dashboard: registered once, drawn in order, each from its own template."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from credo.programmes import cohort_panels
from credo.programmes.cohort_panels import CohortPanel
from credo.programmes.models import Cohort


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    contributors: list[Any] = []
    monkeypatch.setattr(cohort_panels, "_contributors", contributors)
    return contributors


def test_a_contributor_registers_once_and_its_panels_are_given_the_cohort_and_viewer(registry: list[Any]) -> None:
    seen: list[tuple[Any, Any]] = []

    def first(cohort: Any, viewer: Any) -> list[CohortPanel]:
        seen.append((cohort, viewer))
        return [CohortPanel(heading="First", template="a.html")]

    def second(cohort: Any, viewer: Any) -> list[CohortPanel]:
        return [CohortPanel(heading="Second", template="b.html", context={"n": 1})]

    cohort_panels.register(first)
    cohort_panels.register(second)
    cohort_panels.register(first)
    cohort, viewer = object(), object()
    assert [p.heading for p in cohort_panels.panels_for(cohort, viewer)] == ["First", "Second"]  # type: ignore[arg-type]
    assert seen == [(cohort, viewer)]


def test_no_contributor_means_no_panels(registry: list[Any]) -> None:
    assert cohort_panels.panels_for(Cohort(), None) == []
