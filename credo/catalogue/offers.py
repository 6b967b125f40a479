"""Where a catalogue entry can be studied, as other apps contribute it: the catalogue knows nothing of delivery.

An app that delivers entries (programmes) registers a source from its ``AppConfig.ready``; the qualification
page asks every source once. With no source registered, a page simply shows no offers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OpenIntake:
    """An intake taking registrations now: "Open now: 2027 intake, closes 27 March: Register"."""

    name: str
    programme_name: str
    provider_name: str
    closes: str
    url: str
    register_url: str


@dataclass(frozen=True)
class Offers:
    """A catalogue entry's intakes open now, each approved centre's page for it (by the centre's id), and where to
    see every intake open elsewhere."""

    open_intakes: list[OpenIntake] = field(default_factory=list)
    centre_pages: dict[int, str] = field(default_factory=dict)
    listing_url: str = ""


#: A source takes a qualification's code (offers cover every version of it, as centre approvals do).
OfferSource = Callable[[str], Offers]

_sources: list[OfferSource] = []


def contribute(source: OfferSource) -> None:
    """Register a source of offers; registering the same one twice (a re-run ``ready``) adds it once."""
    if source not in _sources:
        _sources.append(source)


def offers_for(code: str) -> Offers:
    open_intakes: list[OpenIntake] = []
    centre_pages: dict[int, str] = {}
    listing_url = ""
    for source in _sources:
        found = source(code)
        open_intakes += found.open_intakes
        for centre, url in found.centre_pages.items():
            centre_pages.setdefault(centre, url)
        listing_url = listing_url or found.listing_url
    return Offers(open_intakes, centre_pages, listing_url)
