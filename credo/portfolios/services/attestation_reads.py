"""What other areas read of attestations: readiness (received per requirement), the submission snapshot and staff
progress (the completed attestations with their hashes). Each is one query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from credo.portfolios.models import Attestation, AttestationRequest, AttestationState, Portfolio
from credo.portfolios.services.attestations import attested_content


def received_by_requirement(portfolio: Portfolio) -> dict[tuple[int, int], int]:
    """How many attestations each requirement has received: {(section id, requirement index): count}, one query."""
    rows = (
        AttestationRequest.objects.filter(portfolio=portfolio, state=AttestationState.COMPLETED)
        .order_by()  # grouped by these two columns only
        .values_list("section_id", "requirement")
        .annotate(received=Count("pk"))
    )
    return {(section_id, requirement): received for section_id, requirement, received in rows}


def completed_attestations(portfolio: Portfolio) -> list[dict[str, Any]]:
    """The portfolio's attestations as a submission snapshot names them: what was attested, with its hash (one query).

    Each entry is ``attested_content`` plus the section's position and the requirement's index, and
    ``content_sha256``; recomputing the hash of ``content`` gives ``content_sha256`` while nothing has changed.
    """
    written = (
        Attestation.objects.filter(request__portfolio=portfolio)
        .select_related("request__section")
        .order_by("request__section__position", "request__requirement", "completed_at", "pk")
    )
    return [
        {
            "section": attestation.request.section.position,
            "requirement": attestation.request.requirement,
            "content": attested_content(attestation),
            "content_sha256": attestation.content_sha256,
        }
        for attestation in written
    ]
