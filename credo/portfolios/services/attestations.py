"""Attestations from people without an account: a learner asks, the attestor answers once through a link.

The link carries a random token (``secrets.token_urlsafe(32)``: 256 bits, unguessable); only its SHA-256 is stored,
so a copy of the database hands out no working links. The token is in the email to the attestor and nowhere else.
A link works while its request is live (sent or opened) and not past ``expires_at``; completing or declining it,
the learner cancelling it, or its expiry ends it. The database refuses two live requests to one attestor for one
requirement and a second attestation for one request. See docs/decisions/0011-attestation-links.md.

Who may do what: the learner asks, cancels and sends again (``require_learner``); the attestor, who has no
account, is whoever holds the token. Every change takes the portfolio's lock first (every portfolio writer does,
so they queue in one order), then the request's. The link's token and its errors are in ``attestation_links``;
what people are told by email, in ``attestation_emails``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from credo.portfolios.models import (
    LIVE_ATTESTATION_STATES,
    Attestation,
    AttestationRequest,
    AttestationState,
    PortfolioSection,
)
from credo.portfolios.services import attestation_emails as emails
from credo.portfolios.services import attestation_links as links
from credo.portfolios.services.attestation_links import LinkUsedError
from credo.portfolios.services.common import audit, lock_portfolio, lock_section, require_learner

#: How the learner may describe the person they ask; the seed asks for one participant and one peer, mentor,
#: supervisor or manager.
RELATIONSHIPS: dict[str, str] = {
    "participant": "A participant in the work",
    "peer": "A peer",
    "mentor": "A mentor",
    "supervisor": "A supervisor",
    "manager": "A manager",
    "other": "Someone else who knows the work",
}
#: The reminder goes this long before a link stops working (once; see ``send_expiry_reminders``).
REMIND_BEFORE_EXPIRY = datetime.timedelta(days=5)
NAME_MAX = 200  # AttestationRequest.attestor_name, Attestation.attestor_name and attestor_role
RELATIONSHIP_TEXT_MAX = 1000
MESSAGE_MAX = 5000
STATEMENT_MAX = 20_000  # characters: several pages, far beyond any attestation
REASON_MAX = 2000
#: Who the audit log names when the attestor (no account) or the periodic task acts.
ATTESTOR_ACTOR = "attestor (by their link)"
TASK_ACTOR = "task: attestation links"


# Small helpers ---------------------------------------------------------------------------------------------------


def attestation_days() -> int:
    return max(1, int(getattr(settings, "CREDO_ATTESTATION_DAYS", 30)))


def attestation_requirements(section: PortfolioSection) -> list[tuple[int, dict[str, Any]]]:
    """The section's requirements that ask for an attestation, with their index in ``section.requirements``."""
    requirements = section.requirements if isinstance(section.requirements, list) else []
    return [
        (index, requirement)
        for index, requirement in enumerate(requirements)
        if isinstance(requirement, dict) and requirement.get("kind") == "attestation"
    ]


def requirement_of(section: PortfolioSection, index: int) -> dict[str, Any] | None:
    return dict(attestation_requirements(section)).get(index)


def allowed_relationships(requirement: dict[str, Any]) -> list[str]:
    """The relationships a requirement's own words name ("a peer, mentor, supervisor or manager"); all, if none."""
    words = set(re.findall(r"[a-z]+", str(requirement.get("attestor_relationship", "")).lower()))
    named = [key for key in RELATIONSHIPS if key in words or f"{key}s" in words]
    return named or list(RELATIONSHIPS)


def relationship_label(key: str) -> str:
    return RELATIONSHIPS.get(key, key)


def asked_for(request: AttestationRequest) -> str:
    """What the attestor is asked to attest: the requirement's description, or the section's title."""
    requirement = requirement_of(request.section, request.requirement) or {}
    return str(requirement.get("description") or request.section.title)


def _clean_name(value: str, field: str, missing: str) -> str:
    value = emails.one_line(value)
    if not value:
        raise ValidationError({field: missing})
    if len(value) > NAME_MAX:
        raise ValidationError({field: f"Shorten this to {NAME_MAX} characters or fewer."})
    return value


def _clean_text(value: str, field: str, limit: int, what: str) -> str:
    value = str(value).replace("\r\n", "\n").strip()
    if "\x00" in value:
        raise ValidationError({field: f"The {what} contains a character that cannot be stored (NUL): remove it."})
    if len(value) > limit:
        raise ValidationError({field: f"Shorten the {what} to {limit:,} characters or fewer."})
    return value


def _with_context(request: AttestationRequest) -> AttestationRequest:
    """The request with what its emails and pages name (learner, cohort, programme, provider) loaded in one query."""
    return AttestationRequest.objects.select_related(
        "section", "portfolio__enrolment__learner", "portfolio__enrolment__cohort__programme__provider"
    ).get(pk=request.pk)


# The learner asks ------------------------------------------------------------------------------------------------


def email_problem(email: str) -> str | None:
    """What is wrong with an attestor's address, if anything (the form says it beside the field, with the rest)."""
    if not email:
        return "Enter their email address: the link goes there."
    try:
        validate_email(email)
    except ValidationError:
        return "Enter an email address like name@example.org."
    return None


def _clean_request(
    section: PortfolioSection,
    requirement: int,
    attestor_name: str,
    attestor_email: str,
    relationship: str,
    message: str,
) -> tuple[str, str, str, str]:
    wanted = requirement_of(section, requirement)
    if wanted is None:
        if not attestation_requirements(section):
            raise ValidationError(
                {"requirement": f"“{section.title}” does not ask for an attestation: ask from a part that does."}
            )
        raise ValidationError({"requirement": "Choose which of this part's attestations you are asking for."})
    name = _clean_name(attestor_name, "attestor_name", "Enter the name of the person you are asking.")
    email = emails.one_line(attestor_email).lower()
    if problem := email_problem(email):
        raise ValidationError({"attestor_email": problem})
    if email == section.portfolio.enrolment.learner.email.lower():
        raise ValidationError({"attestor_email": "That is your own address: an attestation comes from someone else."})
    allowed = allowed_relationships(wanted)
    if relationship not in RELATIONSHIPS:
        raise ValidationError({"relationship": "Choose how this person knows your work."})
    if relationship not in allowed:
        words = ", ".join(RELATIONSHIPS[key].lower() for key in allowed)
        raise ValidationError(
            {"relationship": f"This attestation must come from {wanted.get('attestor_relationship')}: choose {words}."}
        )
    return name, email, relationship, _clean_text(message, "message", MESSAGE_MAX, "message")


def _live_duplicate_message(name: str) -> str:
    return (
        f"You have already asked {name} at this address for this attestation, and their link still works. "
        "Wait for their answer, or send it again from your list of requests."
    )


def _create_request(
    *,
    section: PortfolioSection,
    requirement: int,
    actor: Any,
    name: str,
    email: str,
    relationship: str,
    message: str,
    now: datetime.datetime | None = None,
) -> tuple[AttestationRequest, str]:
    """Insert a live request with a fresh token and email the link; the caller holds the portfolio's lock.
    Returns the request and its token (which is stored nowhere)."""
    now = now or timezone.now()
    token, hashed = links.new_token()
    try:
        with transaction.atomic():  # a savepoint: a refused insert leaves the caller's transaction usable
            request = AttestationRequest.objects.create(
                portfolio=section.portfolio,
                section=section,
                requirement=requirement,
                attestor_name=name,
                attestor_email=email,
                relationship=relationship,
                message=message,
                token_hash=hashed,
                state=AttestationState.SENT,
                sent_at=now,
                expires_at=now + datetime.timedelta(days=attestation_days()),
                created_by=actor,
            )
    except IntegrityError:
        # The database's rule (one live request per attestor and requirement), met by a request made meanwhile.
        raise ValidationError({"attestor_email": _live_duplicate_message(name)}) from None
    request = _with_context(request)
    audit(
        actor,
        "attestation_requested",
        request,
        request.portfolio,
        section=section.position,
        requirement=requirement,
        relationship=relationship,
        expires_at=request.expires_at.isoformat(),
    )
    emails.ask_attestor(request, token, asked_for(request))
    return request, token


def request_attestation(
    *,
    section: PortfolioSection,
    requirement: int,
    actor: Any,
    attestor_name: str,
    attestor_email: str,
    relationship: str,
    message: str,
) -> AttestationRequest:
    """The learner asks a named person for the attestation one of the section's requirements asks for.

    Only a requirement of kind "attestation" can be asked for: a section without one (an SEG unit's section, a
    part of the template that wants text or files) is refused. The attestor gets an email with the link.
    """
    request, _token = request_attestation_with_link(
        section=section,
        requirement=requirement,
        actor=actor,
        attestor_name=attestor_name,
        attestor_email=attestor_email,
        relationship=relationship,
        message=message,
    )
    return request


@transaction.atomic
def request_attestation_with_link(
    *,
    section: PortfolioSection,
    requirement: int,
    actor: Any,
    attestor_name: str,
    attestor_email: str,
    relationship: str,
    message: str,
    now: datetime.datetime | None = None,
) -> tuple[AttestationRequest, str]:
    """``request_attestation``, also returning the link it emailed: for ``load_demo``, which prints one live link
    for a newcomer to be the attestor. Pages and the API never show a link to the learner (it is the attestor's).

    ``now``: the moment it is sent (the demo replays 2024); the link expires counting from it."""
    section = lock_section(section)
    require_learner(actor, section.portfolio)
    name, email, relationship, message = _clean_request(
        section, requirement, attestor_name, attestor_email, relationship, message
    )
    live = AttestationRequest.objects.filter(
        section=section, requirement=requirement, attestor_email=email, state__in=LIVE_ATTESTATION_STATES
    )
    if live.exists():
        raise ValidationError({"attestor_email": _live_duplicate_message(name)})
    request, token = _create_request(
        section=section,
        requirement=requirement,
        actor=actor,
        name=name,
        email=email,
        relationship=relationship,
        message=message,
        now=now,
    )
    return request, links.link_for(token)


def _lock_request(request: AttestationRequest) -> AttestationRequest:
    lock_portfolio(request.portfolio_id)
    locked = AttestationRequest.objects.select_for_update().filter(pk=request.pk).first()
    if locked is None:
        raise ValidationError("That request is no longer there: reload the page.")
    return _with_context(locked)


@transaction.atomic
def cancel_request(*, request: AttestationRequest, actor: Any) -> AttestationRequest:
    """The learner withdraws a live request: its link stops working, and the attestor hears nothing is needed."""
    request = _lock_request(request)
    require_learner(actor, request.portfolio)
    if request.state not in LIVE_ATTESTATION_STATES:
        raise ValidationError(
            f"This request is already {request.get_state_display().lower()}, so there is nothing to cancel."
        )
    request.state = AttestationState.CANCELLED
    request.cancelled_at = timezone.now()
    request.save(update_fields=["state", "cancelled_at"])
    audit(actor, "attestation_cancelled", request, request.portfolio, section=request.section.position)
    emails.tell_attestor_cancelled(request)
    return request


@transaction.atomic
def resend(*, request: AttestationRequest, actor: Any) -> AttestationRequest:
    """Send the attestor a fresh link: a live request is cancelled and replaced; an expired or cancelled one is
    followed by a new request to the same person. A received attestation, or a declined request, is not re-sent."""
    request = _lock_request(request)
    require_learner(actor, request.portfolio)
    if request.state == AttestationState.COMPLETED:
        raise ValidationError(f"{request.attestor_name} has already written this attestation: there is no need.")
    if request.state == AttestationState.DECLINED:
        raise ValidationError(
            f"{request.attestor_name} declined this request. If they have changed their mind, ask them again with "
            "“Ask someone to attest”; otherwise ask someone else."
        )
    if request.state in LIVE_ATTESTATION_STATES:
        request.state = AttestationState.CANCELLED
        request.cancelled_at = timezone.now()
        request.save(update_fields=["state", "cancelled_at"])
        audit(actor, "attestation_cancelled", request, request.portfolio, section=request.section.position, resent=True)
    if requirement_of(request.section, request.requirement) is None:
        raise ValidationError("This part of the portfolio no longer asks for this attestation.")
    fresh, _token = _create_request(
        section=request.section,
        requirement=request.requirement,
        actor=actor,
        name=request.attestor_name,
        email=request.attestor_email,
        relationship=request.relationship,
        message=request.message,
    )
    audit(actor, "attestation_resent", fresh, fresh.portfolio, replaces=request.pk)
    return fresh


# The attestor answers --------------------------------------------------------------------------------------------


def _lock_by_token(token: str, now: datetime.datetime) -> AttestationRequest:
    found = links.find_request(token)
    request = _lock_request(found)
    links.check_usable(request, now)
    return request


@transaction.atomic
def open_request(token: str, *, now: datetime.datetime | None = None) -> AttestationRequest:
    """The request behind a working link, marked opened the first time; raises an ``AttestationLinkError`` (unknown,
    expired, used or cancelled) otherwise. What the attestor may see of it is the learner's name, programme and
    message and what they are asked to attest: never the portfolio."""
    now = now or timezone.now()
    request = _lock_by_token(token, now)
    if request.state == AttestationState.SENT:
        request.state = AttestationState.OPENED
        request.opened_at = now
        request.save(update_fields=["state", "opened_at"])
        audit(ATTESTOR_ACTOR, "attestation_opened", request, request.portfolio)
    return request


def _clean_answers(answers: Any) -> list[dict[str, str]]:
    if not isinstance(answers, list):
        raise ValidationError({"answers": "Answers must be a list of questions with their answers."})
    cleaned = []
    for given in answers:
        if not isinstance(given, dict):
            raise ValidationError({"answers": "Each answer must give its question and the answer."})
        question, answer = str(given.get("question") or ""), str(given.get("answer") or "")
        if not question.strip():
            raise ValidationError({"answers": "Each answer must say which question it answers."})
        cleaned.append(
            {"question": question.strip(), "answer": _clean_text(answer, "answers", STATEMENT_MAX, "answer")}
        )
    return cleaned


def attested_content(attestation: Attestation) -> dict[str, Any]:
    """What the attestor attested, as hashed: recomputable from the stored rows, so a changed row would show.

    The learner's name is left out (a learner may correct their name later); the request's id ties it to them.
    """
    request = attestation.request
    return {
        "request": request.pk,
        "asked_for": asked_for(request),
        "attestor_name": attestation.attestor_name,
        "attestor_role": attestation.attestor_role,
        "relationship": attestation.relationship,
        "answers": attestation.answers,
        "statement": attestation.statement,
        "declared_true": attestation.declared_true,
        "completed_at": attestation.completed_at.astimezone(datetime.UTC).isoformat(),
    }


def content_sha256(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def complete_attestation(
    *,
    token: str,
    attestor_name: str,
    attestor_role: str,
    relationship: str,
    answers: list[Any],
    statement: str,
    declared_true: bool,
    copy_requested: bool,
    now: datetime.datetime | None = None,
) -> Attestation:
    """The attestor writes the attestation through their link, once; it is locked and content-hashed.

    A link that no longer works raises an ``AttestationLinkError``; bad input a ``ValidationError`` saying what to fix.
    The audit record names the request and the hash, not the words (they are the attestor's, kept in one place).
    ``now``: the moment it is written (the demo replays 2024); the link must still be working then.
    """
    now = now or timezone.now()
    request = _lock_by_token(token, now)
    name = _clean_name(attestor_name, "attestor_name", "Enter your name.")
    role = emails.one_line(attestor_role)
    if len(role) > NAME_MAX:
        raise ValidationError(
            {"attestor_role": f"Shorten your role or organisation to {NAME_MAX} characters or fewer."}
        )
    how = _clean_text(relationship, "relationship", RELATIONSHIP_TEXT_MAX, "description of how you know them")
    if not how:
        raise ValidationError({"relationship": f"Say how you know {emails.learner_name(request)} and their work."})
    cleaned_answers = _clean_answers(answers)
    text = _clean_text(statement, "statement", STATEMENT_MAX, "attestation")
    if not text and not any(answer["answer"] for answer in cleaned_answers):
        raise ValidationError({"statement": "Write your attestation: what you saw of their work."})
    if declared_true is not True:
        raise ValidationError({"declared_true": "Tick to declare that what you have written is true."})
    attestation = Attestation(
        request=request,
        attestor_name=name,
        attestor_role=role,
        relationship=how,
        answers=cleaned_answers,
        statement=text,
        declared_true=True,
        completed_at=now,
        copy_requested=bool(copy_requested),
    )
    attestation.content_sha256 = content_sha256(attested_content(attestation))
    try:
        with transaction.atomic():
            attestation.save()
    except IntegrityError:
        # The one-to-one: a completion that raced this one (SQLite has no row locks) got there first.
        raise LinkUsedError from None
    request.state = AttestationState.COMPLETED
    request.answered_at = attestation.completed_at
    request.save(update_fields=["state", "answered_at"])
    audit(
        ATTESTOR_ACTOR,
        "attestation_completed",
        attestation,
        request.portfolio,
        request=request.pk,
        section=request.section.position,
        content_sha256=attestation.content_sha256,
    )
    if attestation.copy_requested:
        emails.send_copy(request, attestation, asked_for(request))
    emails.tell_learner_completed(request, attestation, asked_for(request))
    return attestation


@transaction.atomic
def decline_attestation(*, token: str, reason: str, now: datetime.datetime | None = None) -> AttestationRequest:
    """The attestor declines, once, optionally saying why; the learner hears, with the reason if one was given."""
    now = now or timezone.now()
    request = _lock_by_token(token, now)
    reason = _clean_text(reason, "reason", REASON_MAX, "reason")
    request.state = AttestationState.DECLINED
    request.answered_at = now
    request.decline_reason = reason
    request.save(update_fields=["state", "answered_at", "decline_reason"])
    audit(
        ATTESTOR_ACTOR,
        "attestation_declined",
        request,
        request.portfolio,
        section=request.section.position,
        gave_reason=bool(reason),
    )
    emails.tell_learner_declined(request, asked_for(request))
    return request


# Periodic: expiry, and the reminder before it ----------------------------------------------------------------------


def expire_overdue(*, now: datetime.datetime | None = None) -> int:
    """Mark every live request past its date expired, telling the learner; returns how many. Safe to run often and
    twice at once: each row changes by a conditional update, so only one run expires (and reports) it."""
    now = now or timezone.now()
    overdue = AttestationRequest.objects.filter(state__in=LIVE_ATTESTATION_STATES, expires_at__lte=now)
    return sum(_expire(pk, now) for pk in list(overdue.order_by("expires_at", "pk").values_list("pk", flat=True)))


def _expire(pk: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        claimed = AttestationRequest.objects.filter(
            pk=pk, state__in=LIVE_ATTESTATION_STATES, expires_at__lte=now
        ).update(state=AttestationState.EXPIRED)
        if not claimed:
            return False
        request = _with_context(AttestationRequest(pk=pk))
        audit(TASK_ACTOR, "attestation_expired", request, request.portfolio, section=request.section.position)
        emails.tell_learner_expired(request, asked_for(request))
    return True


def send_expiry_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind each attestor once, ``REMIND_BEFORE_EXPIRY`` before their link stops working; returns how many.

    The reminder cannot carry the link: only its hash is kept. It points to the first email, and the learner is
    told too, so they can send a new link if the first email is lost. ``reminded_at`` is claimed by a conditional
    update before anything is sent, so running this twice (or in two workers at once) reminds once.
    """
    now = now or timezone.now()
    due = AttestationRequest.objects.filter(
        state__in=LIVE_ATTESTATION_STATES,
        reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + REMIND_BEFORE_EXPIRY,
    )
    return sum(_remind(pk, now) for pk in list(due.order_by("expires_at", "pk").values_list("pk", flat=True)))


def _remind(pk: int, now: datetime.datetime) -> bool:
    with transaction.atomic():
        claimed = AttestationRequest.objects.filter(
            pk=pk, state__in=LIVE_ATTESTATION_STATES, reminded_at__isnull=True, expires_at__gt=now
        ).update(reminded_at=now)
        if not claimed:
            return False
        request = _with_context(AttestationRequest(pk=pk))
        emails.remind(request, asked_for(request))
    return True
