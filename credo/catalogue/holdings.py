"""Which units a person already holds, as other apps know it: the catalogue asks, and knows none of them.

The catalogue must not import credentials (nor anything about delivery). The credentials app registers a source
from its ``AppConfig.ready``: given a user, the codes of the units their attainments show they hold. The
progression checker ticks those units for a signed-in learner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

#: Given a signed-in user, the codes of the units they hold.
Source = Callable[[Any], Iterable[str]]

_sources: list[Source] = []


def register(source: Source) -> Source:
    """Add a source of held units (once, however often ``ready`` runs)."""
    if source not in _sources:
        _sources.append(source)
    return source


def units_held_by(user: Any) -> frozenset[str]:
    """The unit codes every registered source says the user holds; none for someone signed out."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(code for source in _sources for code in source(user))
