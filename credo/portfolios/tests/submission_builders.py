"""Portfolios ready (or nearly ready) to submit, for the submission tests.

Attestations are written as rows here: how an attestor completes one is the attestations area's to test; these
tests only need a completed one to exist.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.utils import timezone

from credo.portfolios.models import Attestation, AttestationRequest, AttestationState, Portfolio, PortfolioSection
from credo.portfolios.services import evidence

from .builders import PDF, upload

#: Enough words for the CLD builder's case study (1,500 to 2,500 suggested).
CASE_STUDY = "<p>" + " ".join(["kōrero"] * 1600) + "</p>"


def attested(section: PortfolioSection, *, requirement: int = 0, name: str = "Mere Participant") -> Attestation:
    """A completed attestation for one of the section's requirements."""
    now = timezone.now()
    request = AttestationRequest.objects.create(
        portfolio=section.portfolio,
        section=section,
        requirement=requirement,
        attestor_name=name,
        attestor_email=f"{secrets.token_hex(4)}@example.org",
        relationship="a participant",
        token_hash=secrets.token_hex(32),
        state=AttestationState.COMPLETED,
        expires_at=now + datetime.timedelta(days=30),
        sent_at=now,
        answered_at=now,
        created_by=section.portfolio.enrolment.learner,
    )
    statement = "They brought the whole street together."
    return Attestation.objects.create(
        request=request,
        attestor_name=name,
        relationship="I came to the hui they ran",
        statement=statement,
        declared_true=True,
        content_sha256=hashlib.sha256(statement.encode()).hexdigest(),
        completed_at=now,
    )


def make_ready(portfolio: Portfolio, learner: Any, *, with_file: bool = True) -> Portfolio:
    """The CLD builder's portfolio with everything its template requires: a case study, its attestation, a file."""
    first = portfolio.sections.get(position=1)
    second = portfolio.sections.get(position=2)
    evidence.add_text(section=first, actor=learner, title="Case study", html=CASE_STUDY)
    attested(first)
    evidence.add_text(section=second, actor=learner, title="Reflection", html="<p>What I learned.</p>")
    if with_file:
        evidence.add_file(section=second, actor=learner, uploaded_file=upload(PDF, "agenda.pdf"), title="Agenda")
    portfolio.refresh_from_db()
    return portfolio
