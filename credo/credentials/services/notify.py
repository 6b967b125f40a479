"""Telling learners about their credentials, by email through the task queue."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from credo.core.tasks import send_email
from credo.credentials import links
from credo.credentials.models import Credential, CredentialKind

_SUBJECTS = {
    "issued": "Your credential from {issuer}",
    "revoked": "Your credential from {issuer} has been revoked",
    "suspended": "Your credential from {issuer} has been suspended",
    "active": "Your credential from {issuer} is active again",
}


def tell_learner(credential: Credential, event: str) -> None:
    """Email the learner once the current transaction commits (never for a change that rolled back)."""
    learner = credential.learner
    issuer = credential.issuer.name
    lines = [
        f"Kia ora {learner.full_name or learner.email},"
        if credential.issuer.organisation.country == "NZ"
        else f"Hello {learner.full_name or learner.email},",
        "",
    ]
    if event == "issued" and credential.kind == CredentialKind.TRANSCRIPT:
        lines.append(
            f"{issuer} has issued you a transcript (a CLR) bundling your credentials from them. It is kept up to date "
            "as you earn more. See it, share it or download it here:"
        )
    elif event == "issued":
        lines.append(f"{issuer} has issued you a verifiable credential. See it, share it or download it here:")
    else:
        lines.append(f"{_SUBJECTS[event].format(issuer=issuer).replace('Your', 'your', 1)}.")
        if credential.state_reason:
            lines.append(f"Reason: {credential.state_reason}")
        lines.append("Its page shows its current status:")
    lines += [
        links.credential_page(credential.public_id),
        "",
        f"If you have questions, contact {credential.issuer.email}.",
    ]
    subject = _SUBJECTS[event].format(issuer=issuer)
    if credential.kind == CredentialKind.TRANSCRIPT:
        subject = subject.replace("Your credential", "Your transcript", 1)
    transaction.on_commit(
        lambda: send_email.enqueue(
            subject=subject, body="\n".join(lines), to=[learner.email], from_email=settings.DEFAULT_FROM_EMAIL
        )
    )
