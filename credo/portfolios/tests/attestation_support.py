"""Helpers for the attestation tests: ask through the service, and read the link back out of the email."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from credo.accounts.models import User
from credo.portfolios.models import AttestationRequest, AttestationState, Portfolio, PortfolioSection
from credo.portfolios.services import attestations


@pytest.fixture
def emails_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run on-commit work (queueing an email) when it is registered: each test runs inside one transaction that never
    commits. The services queue their emails last, after every check, so a refused change still sends nothing."""

    def at_once(func: Callable[[], Any], using: str | None = None, robust: bool = False) -> None:
        func()

    monkeypatch.setattr("django.db.transaction.on_commit", at_once)


LINK = re.compile(r"https?://[^\s]+/portfolios/attest/([A-Za-z0-9_-]{43})/")


def first_section(portfolio: Portfolio) -> PortfolioSection:
    """The CLD test template's first section: it asks for one attestation, from a participant."""
    return portfolio.sections.get(position=1)


def ask(portfolio: Portfolio, actor: Any, **overrides: Any) -> AttestationRequest:
    given: dict[str, Any] = {
        "section": first_section(portfolio),
        "requirement": 0,
        "actor": actor,
        "attestor_name": "Hemi Participant",
        "attestor_email": "Hemi@Example.org",
        "relationship": "participant",
        "message": "Kia ora Hemi,\nCould you write about the hui in May?",
    }
    return attestations.request_attestation(**{**given, **overrides})


def token_sent_to(email: str) -> str:
    """The token in the newest email to ``email`` that carries a link."""
    for message in reversed(mail.outbox):
        if email in message.to and (found := LINK.search(message.body)):
            return found.group(1)
    raise AssertionError(f"No link was emailed to {email}.")


def answer(token: str, **overrides: Any) -> Any:
    given: dict[str, Any] = {
        "token": token,
        "attestor_name": "Hemi Participant",
        "attestor_role": "Whānau member, Te Whare Hapori",
        "relationship": "I took part in the hui Aroha facilitated.",
        "answers": [],
        "statement": "Aroha brought everyone into the room and kept the hui on track.",
        "declared_true": True,
        "copy_requested": False,
    }
    return attestations.complete_attestation(**{**given, **overrides})


def many_requests(portfolio: Portfolio, learner: User, count: int) -> None:
    """``count`` requests made straight in the database (no emails), half of them expired, newest first by number."""
    section = first_section(portfolio)
    now = timezone.now()
    AttestationRequest.objects.bulk_create(
        AttestationRequest(
            portfolio=portfolio,
            section=section,
            requirement=0,
            attestor_name=f"Person {n}",
            attestor_email=f"person{n}@example.org",
            relationship="participant",
            token_hash=f"{n:064x}",
            state=AttestationState.EXPIRED if n % 2 else AttestationState.SENT,
            sent_at=now - datetime.timedelta(minutes=n),
            expires_at=now + datetime.timedelta(days=30),
            created_by=learner,
        )
        for n in range(count)
    )
