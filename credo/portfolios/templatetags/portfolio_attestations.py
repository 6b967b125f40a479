"""What a section's attestation block shows: its attestation requirements and the requests made for them.

One query per section (none when the page prefetched ``attestation_requests``), however many requests there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from credo.portfolios.models import AttestationRequest, AttestationState, PortfolioSection
from credo.portfolios.services.attestations import attestation_requirements

register = template.Library()

#: The most requests the block lists; the portfolio's full list of requests has them all, a page at a time.
SHOWN = 20


@dataclass(frozen=True)
class Asked:
    """One attestation requirement of the section: what it asks for, how many are wanted and received."""

    index: int
    description: str
    attestor_relationship: str
    wanted: int
    received: int


@dataclass(frozen=True)
class SectionAttestations:
    asked: list[Asked]
    requests: list[AttestationRequest]
    more: bool


def _requests(section: PortfolioSection) -> list[AttestationRequest]:
    prefetched = getattr(section, "_prefetched_objects_cache", {}).get("attestation_requests")
    if prefetched is not None:
        rows = sorted(prefetched, key=lambda ask: (ask.sent_at, ask.pk), reverse=True)
        return rows[: SHOWN + 1]
    return list(AttestationRequest.objects.filter(section=section).order_by("-sent_at", "-pk")[: SHOWN + 1])


@register.simple_tag
def section_attestations(section: PortfolioSection) -> SectionAttestations | None:
    """The section's attestation block, or None when the section asks for no attestation and has no requests."""
    wanted = attestation_requirements(section)
    requests = _requests(section)
    if not wanted and not requests:
        return None
    received: dict[int, int] = {}
    counted = requests if len(requests) <= SHOWN else _all_completed(section)
    for ask in counted:
        if ask.state == AttestationState.COMPLETED:
            received[ask.requirement] = received.get(ask.requirement, 0) + 1
    asked = [
        Asked(
            index=index,
            description=str(requirement.get("description", "")),
            attestor_relationship=str(requirement.get("attestor_relationship", "")),
            wanted=int(requirement.get("min_count") or 1),
            received=received.get(index, 0),
        )
        for index, requirement in wanted
    ]
    return SectionAttestations(asked=asked, requests=requests[:SHOWN], more=len(requests) > SHOWN)


def _all_completed(section: PortfolioSection) -> list[Any]:
    return list(
        AttestationRequest.objects.filter(section=section, state=AttestationState.COMPLETED).only(
            "requirement", "state"
        )
    )
