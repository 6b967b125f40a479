"""What the staff tests build: evidence through the learner's services, and (until their services land in other areas)
attestation requests, attestations and submissions as rows, as those services will leave them."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.utils import timezone

from credo.accounts.models import Organisation, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.portfolios.models import (
    Attestation,
    AttestationRequest,
    AttestationState,
    EvidenceItem,
    Portfolio,
    PortfolioSection,
    Submission,
)
from credo.portfolios.services import evidence


def member(organisation: Organisation, role: str, email: str) -> User:
    return MembershipFactory(user=UserFactory(email=email), organisation=organisation, role=role).user


def text(
    portfolio: Portfolio, title: str = "My case study", html: str = "<p>One two three</p>", position: int = 1
) -> EvidenceItem:
    section = portfolio.sections.get(position=position)
    return evidence.add_text(section=section, actor=portfolio.enrolment.learner, title=title, html=html)


def attestation_request(
    section: PortfolioSection, *, state: str = AttestationState.SENT, email: str = "", name: str = "Mere Participant"
) -> AttestationRequest:
    now = timezone.now()
    return AttestationRequest.objects.create(
        portfolio=section.portfolio,
        section=section,
        attestor_name=name,
        attestor_email=email or f"{secrets.token_hex(4)}@example.org",
        relationship="a participant",
        token_hash=hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
        state=state,
        expires_at=now + datetime.timedelta(days=30),
        sent_at=now,
        created_by=section.portfolio.enrolment.learner,
    )


def completed_attestation(section: PortfolioSection, statement: str = "Aroha ran our hui well.") -> Attestation:
    request = attestation_request(section, state=AttestationState.COMPLETED)
    return Attestation.objects.create(
        request=request,
        attestor_name=request.attestor_name,
        relationship="I took part in the hui she facilitated.",
        statement=statement,
        declared_true=True,
        content_sha256="0" * 64,
        completed_at=timezone.now(),
    )


def submitted(portfolio: Portfolio) -> Submission:
    """The portfolio's current attempt, submitted (as the submission service leaves it: closed)."""
    submission = Submission.objects.create(
        portfolio=portfolio,
        attempt=portfolio.attempt,
        submitted_at=timezone.now(),
        submitted_by=portfolio.enrolment.learner,
        declaration="This is my own work.",
        deadline=timezone.now() + datetime.timedelta(days=90),
        manifest={},
        content_sha256="1" * 64,
    )
    Portfolio.objects.filter(pk=portfolio.pk).update(is_open=False)
    return submission
