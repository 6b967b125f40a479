"""The dashboard's panels, each contributed by the app whose work it shows.

Core draws the page and knows no domain app. Each app registers a contributor from its ``AppConfig.ready``: a
function given the viewer (the person and their memberships, loaded once) that returns the panels it can fill
with work that exists today. An app whose work is not built yet registers nothing, so the page promises nothing;
when the assessment app lands, it registers its own contributor and its panel appears.

Panels with the same ``key`` share one card: the catalogue's links and the credentials' links for an awarding
body's programme admin show together under "Programme admin at …".
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from credo.accounts.models import Membership, Organisation

#: Where a card sits on the page, smallest first: what a learner is doing now, then what they hold, then staff work.
LEARNER_NOW = 10
LEARNER_HOLDS = 20
LEARNER_PAST = 30
LEARNER_NEXT = 40
STAFF = 100


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Viewer:
    """Who the dashboard is for: the user, and their memberships with each organisation loaded."""

    user: Any
    memberships: tuple[Membership, ...]

    def organisations_as(self, *roles: str) -> list[Organisation]:
        """The organisations in which the viewer holds any of ``roles``, each once, in membership order."""
        found: dict[int, Organisation] = {}
        for membership in self.memberships:
            if membership.role in roles:
                found.setdefault(membership.organisation_id, membership.organisation)
        return list(found.values())

    def memberships_as(self, *roles: str) -> list[Membership]:
        return [membership for membership in self.memberships if membership.role in roles]


@dataclass(frozen=True)
class Panel:
    """One app's part of the dashboard: links, and a block drawn by the app's own template with its context."""

    key: tuple[Hashable, ...]
    heading: str
    order: int
    links: tuple[Link, ...] = ()
    template: str = ""
    context: Mapping[str, Any] = field(default_factory=dict)


def membership_key(membership: Membership) -> tuple[Hashable, ...]:
    return ("membership", membership.organisation_id, membership.role)


def for_membership(
    membership: Membership,
    *,
    links: Iterable[Link] = (),
    template: str = "",
    context: Mapping[str, Any] | None = None,
) -> Panel:
    """A part of the card for one membership ("Programme admin at Test Centre")."""
    return Panel(
        key=membership_key(membership),
        heading=f"{membership.get_role_display()} at {membership.organisation.name}",
        order=STAFF,
        links=tuple(links),
        template=template,
        context=context or {},
    )


Contributor = Callable[[Viewer], Iterable[Panel]]

_contributors: list[Contributor] = []


def register(contributor: Contributor) -> Contributor:
    """Add an app's contributor (once, however often ``ready`` runs); usable as a decorator."""
    if contributor not in _contributors:
        _contributors.append(contributor)
    return contributor


def contributors() -> tuple[Contributor, ...]:
    return tuple(_contributors)


@dataclass
class Card:
    """Panels sharing a key, as the page shows them: one heading, the links together, then each app's block."""

    key: tuple[Hashable, ...]
    heading: str
    order: int
    links: list[Link] = field(default_factory=list)
    blocks: list[Panel] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "-".join(str(part) for part in self.key).replace("_", "-")


def cards(panels: Iterable[Panel]) -> list[Card]:
    """Merge panels into cards in the order their keys first appear, then sort by ``order`` (stable); a card with
    neither a link nor a block has nothing that works, and is left out."""
    merged: dict[tuple[Hashable, ...], Card] = {}
    for panel in panels:
        card = merged.setdefault(panel.key, Card(key=panel.key, heading=panel.heading, order=panel.order))
        card.order = min(card.order, panel.order)
        card.links.extend(panel.links)
        if panel.template:
            card.blocks.append(panel)
    filled = [card for card in merged.values() if card.links or card.blocks]
    return sorted(filled, key=lambda card: card.order)


def panels_for(viewer: Viewer) -> list[Panel]:
    return [panel for contributor in _contributors for panel in contributor(viewer)]
