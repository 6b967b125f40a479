"""What the attestor and the learner are told by email about an attestation request, in plain text.

Each email is queued once the change that caused it commits (never for a change rolled back). Someone's own words
(the learner's message, the attestor's text or reason) are quoted with "> " so nobody mistakes them for ours.
Callers pass the request loaded with its learner, cohort, programme and provider, and ``what``: what was asked for.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from credo.core.tasks import send_email
from credo.portfolios.models import Attestation, AttestationRequest
from credo.portfolios.services.attestation_links import link_for


def one_line(text: str) -> str:
    # An email header (the subject) must be one line: a name with a newline in it would be refused by Django.
    return " ".join(str(text).split())


def learner_name(request: AttestationRequest) -> str:
    learner = request.portfolio.enrolment.learner
    return one_line(learner.full_name or learner.email)


def _local(moment: datetime.datetime, request: AttestationRequest) -> str:
    local = timezone.localtime(moment, ZoneInfo(request.portfolio.enrolment.cohort.time_zone))
    return f"{local.day} {local:%B %Y}"


def _greeting(request: AttestationRequest) -> str:
    return str(request.portfolio.enrolment.cohort.programme.provider.greeting)


def _quoted(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in text.splitlines()]


def _send(subject: str, lines: list[str], to: str) -> None:
    body = "\n".join(lines)
    subject = one_line(subject)
    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, body=body, to=[to], from_email=settings.DEFAULT_FROM_EMAIL)
    )


def _to_attestor(request: AttestationRequest, subject: str, lines: list[str]) -> None:
    _send(subject, [f"{_greeting(request)} {request.attestor_name},", "", *lines], request.attestor_email)


def _to_learner(request: AttestationRequest, subject: str, lines: list[str]) -> None:
    path = reverse("portfolios:attestation", args=[request.portfolio.enrolment_id, request.pk])
    page = f"{str(settings.SITE_URL).rstrip('/')}{path}"
    body = [f"{_greeting(request)} {learner_name(request)},", "", *lines, "", f"See the request: {page}"]
    _send(subject, body, request.portfolio.enrolment.learner.email)


def request_subject(request: AttestationRequest) -> str:
    return f"{learner_name(request)} asks you for an attestation"


def ask_attestor(request: AttestationRequest, token: str, what: str) -> None:
    """The request itself, with the link: the only place the token ever goes."""
    learner = learner_name(request)
    provider = request.portfolio.enrolment.cohort.programme.provider
    lines = [
        f"{learner} is studying {request.portfolio.enrolment.cohort.programme.name} with {provider} and asks you "
        f"for an attestation about their work, for this part of their portfolio: “{what}”.",
        "",
    ]
    if request.message:
        lines += ["Their message to you:", "", *_quoted(request.message), ""]
    lines += [
        "To write the attestation (or to decline), open this link. You do not need an account, and it works "
        "on a phone:",
        "",
        link_for(token),
        "",
        f"The link works once, until {_local(request.expires_at, request)}. It is only for you: please do not "
        "forward this email.",
        "",
        f"If you do not know {learner}, you can ignore this email.",
    ]
    _to_attestor(request, request_subject(request), lines)


def tell_attestor_cancelled(request: AttestationRequest) -> None:
    learner = learner_name(request)
    _to_attestor(
        request,
        f"{learner} no longer needs your attestation",
        [
            f"{learner} has withdrawn their request for an attestation, so nothing is needed from you and the link "
            "in the earlier email no longer works. Thank you for your time.",
        ],
    )


def send_copy(request: AttestationRequest, attestation: Attestation, what: str) -> None:
    """The attestor asked for a copy of what they wrote."""
    lines = [
        f"Thank you for your attestation for {learner_name(request)} ({what}). Here is a copy, as you asked.",
        "",
        f"Your name: {attestation.attestor_name}",
    ]
    if attestation.attestor_role:
        lines.append(f"Your role or organisation: {attestation.attestor_role}")
    lines += ["How you know them:", *_quoted(attestation.relationship), ""]
    for answer in attestation.answers:
        lines += [f"{answer['question']}", *_quoted(answer["answer"]), ""]
    if attestation.statement:
        lines += ["Your attestation:", *_quoted(attestation.statement), ""]
    lines += [
        "You declared that this is true.",
        f"Its fingerprint (SHA-256), which changes if a single character does: {attestation.content_sha256}",
    ]
    _send(
        f"Your attestation for {learner_name(request)}",
        [f"{_greeting(request)} {attestation.attestor_name},", "", *lines],
        request.attestor_email,
    )


def tell_learner_completed(request: AttestationRequest, attestation: Attestation, what: str) -> None:
    _to_learner(
        request,
        f"{request.attestor_name} has written your attestation",
        [f"{attestation.attestor_name} has written the attestation you asked for ({what}). Read it in your portfolio."],
    )


def tell_learner_declined(request: AttestationRequest, what: str) -> None:
    lines = [f"{request.attestor_name} has declined your request for an attestation ({what})."]
    if request.decline_reason:
        lines += ["", "Their reason:", *_quoted(request.decline_reason)]
    lines += ["", "You can ask someone else from your portfolio."]
    _to_learner(request, f"{request.attestor_name} declined your request for an attestation", lines)


def tell_learner_expired(request: AttestationRequest, what: str) -> None:
    _to_learner(
        request,
        f"Your request to {request.attestor_name} for an attestation has expired",
        [
            f"{request.attestor_name} did not answer your request for an attestation ({what}) before "
            f"{_local(request.expires_at, request)}, so the link has stopped working.",
            "You can send them a new link, or ask someone else.",
        ],
    )


def remind(request: AttestationRequest, what: str) -> None:
    """The reminder before expiry, to both: it cannot carry the link (only its hash is kept), so it names the first
    email, and the learner hears too, to send a new link if that email is lost."""
    learner = learner_name(request)
    until = _local(request.expires_at, request)
    _to_attestor(
        request,
        f"Reminder: {learner} asked you for an attestation",
        [
            f"On {_local(request.sent_at, request)} {learner} asked you for an attestation ({what}). The link in that "
            f"email (subject “{request_subject(request)}”) works until {until}.",
            "",
            f"If you cannot find it, let {learner} know and they can send you a new one. If you would rather not "
            "write it, you can decline at the same link, or ignore this email.",
        ],
    )
    _to_learner(
        request,
        f"{request.attestor_name} has not yet answered your request for an attestation",
        [
            f"The link you sent {request.attestor_name} works until {until}. We have reminded them.",
            "If they cannot find the email, you can send them a new link.",
        ],
    )
