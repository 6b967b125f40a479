"""Blocks other apps add to a cohort's staff dashboard, without programmes importing them.

Programmes knows nothing of portfolios (import rules; docs/decisions/0009), yet the cohort's dashboard is where staff
look first. An app registers a contributor from its ``AppConfig.ready``: a function given the cohort and the viewer
that returns the panels it can fill, each drawn by the app's own template with its own context. The same shape as
the site's dashboard panels (``credo.core.panels``, docs/decisions/0006). A contributor keeps its query count fixed
however many learners the cohort has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from credo.programmes.models import Cohort


@dataclass(frozen=True)
class CohortPanel:
    """One app's block on the cohort dashboard: a heading (an h2) and a template drawn with ``context``."""

    heading: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


Contributor = Callable[[Cohort, Any], Iterable[CohortPanel]]

_contributors: list[Contributor] = []


def register(contributor: Contributor) -> Contributor:
    """Add an app's contributor (once, however often ``ready`` runs); usable as a decorator."""
    if contributor not in _contributors:
        _contributors.append(contributor)
    return contributor


def panels_for(cohort: Cohort, viewer: Any) -> list[CohortPanel]:
    """Every registered app's panels for this cohort and viewer, in the order the apps registered."""
    return [panel for contributor in _contributors for panel in contributor(cohort, viewer)]
