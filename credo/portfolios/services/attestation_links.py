"""The single-purpose links of attestation requests: their tokens, and what a link that does not work says.

A token is ``secrets.token_urlsafe(32)`` (256 bits); only its SHA-256 is stored (``AttestationRequest.token_hash``),
so the database hands out no working links. See docs/decisions/0011-attestation-links.md.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.urls import reverse

from credo.portfolios.models import AttestationRequest, AttestationState
from credo.programmes.models import EnrolmentState

#: What ``secrets.token_urlsafe(32)`` gives: 43 characters of URL-safe base64. Anything else is not one of ours.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class AttestationLinkError(Exception):
    """The link does not work; ``status`` is the HTTP status its explanation page is sent with."""

    status = 404
    title = "This link does not work"
    explanation = (
        "This attestation link is not one we know. Check that you copied the whole address from the email; "
        "if it still does not work, ask the person who asked you to send the request again."
    )


class LinkUnknownError(AttestationLinkError):
    pass


class LinkExpiredError(AttestationLinkError):
    status = 410
    title = "This link has expired"
    explanation = (
        "The time to answer this request has passed, so the link no longer works. If you would still like to "
        "write the attestation, ask the person who asked you to send a new link."
    )


class LinkUsedError(AttestationLinkError):
    status = 410
    title = "This request has already been answered"
    explanation = (
        "This link has already been used to write or decline the attestation, and it works only once. "
        "Nothing more is needed from you. Thank you."
    )


class LinkCancelledError(AttestationLinkError):
    status = 410
    title = "This request was withdrawn"
    explanation = (
        "The person who asked you has withdrawn this request, so the link no longer works and nothing is "
        "needed from you. If they send a new request, it will come in a new email."
    )


class LinkClosedError(AttestationLinkError):
    status = 410
    title = "This request is closed"
    explanation = (
        "The person who asked you is no longer studying on the programme, so the link no longer works and "
        "nothing is needed from you."
    )


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token and its hash: the token goes in the email, the hash in the database."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def link_for(token: str) -> str:
    return f"{str(settings.SITE_URL).rstrip('/')}{reverse('portfolios:attest', args=[token])}"


def find_request(token: str) -> AttestationRequest:
    """The request a token opens, or LinkUnknownError: looked up by its hash, then compared in constant time."""
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        raise LinkUnknownError
    hashed = token_hash(token)
    request = AttestationRequest.objects.filter(token_hash=hashed).first()
    if request is None or not hmac.compare_digest(request.token_hash, hashed):
        raise LinkUnknownError
    return request


def check_usable(request: AttestationRequest, now: datetime.datetime) -> None:
    """Raise the error that says why the request's link no longer works, if it does not."""
    if request.state == AttestationState.CANCELLED:
        raise LinkCancelledError
    if request.state in (AttestationState.COMPLETED, AttestationState.DECLINED):
        raise LinkUsedError
    if request.state == AttestationState.EXPIRED or request.expires_at <= now:
        raise LinkExpiredError
    if request.portfolio.enrolment.state != EnrolmentState.ACTIVE:
        # Withdrawn, deferred or lapsed: nobody should be asked to attest to a programme the learner has left.
        raise LinkClosedError
