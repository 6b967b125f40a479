"""Feedback shown beside each section of the learner's portfolio, contributed by another app without portfolios
importing it.

Assessment registers a callable from its ``AppConfig.ready``: given the portfolio, it returns, by section position,
the comments an assessor made on the last released attempt (for the learner working on the next one). Portfolios'
learner page asks every registered source and shows what they return; with none registered it shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from credo.portfolios.models import Portfolio

Source = Callable[[Portfolio], dict[int, list[str]]]

_sources: list[Source] = []


def register(source: Source) -> Source:
    """Add a source (once, however often ``ready`` runs)."""
    if source not in _sources:
        _sources.append(source)
    return source


def feedback_for(portfolio: Portfolio) -> dict[int, list[str]]:
    """Every source's comments, by section position."""
    found: dict[int, list[str]] = {}
    for source in _sources:
        for position, comments in source(portfolio).items():
            found.setdefault(position, []).extend(comments)
    return found
