"""Submitting a portfolio: deadlines and their extensions, the declaration, the frozen snapshot, and reopening.

A submission is an immutable, content-hashed snapshot of the whole portfolio (``services.manifest``): written once,
by ``submit``, and never changed. The files it names stay in storage for as long as it exists (``SubmittedFile``),
even if the learner removes the item afterwards. The assessment app reads submissions and calls
``reopen_for_resubmission`` for the next attempt; attempt 1 stays as it was submitted.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.accounts.zones import zone_label
from credo.core.tasks import send_email
from credo.portfolios.models import (
    DeadlineExtension,
    EvidenceItem,
    EvidenceVersion,
    ItemKind,
    Portfolio,
    Submission,
    SubmittedFile,
)
from credo.portfolios.services.common import audit, lock_portfolio, require_learner
from credo.portfolios.services.files import CHUNK_BYTES
from credo.portfolios.services.manifest import build_manifest, manifest_sha256
from credo.portfolios.services.readiness import check_readiness

#: What the learner declares, word for word; each submission keeps the text as it was accepted.
DECLARATION = (
    "I declare that the work in this portfolio is my own, except where I have said otherwise: the attestations are "
    "the words of the people who wrote them, and I have named the sources I used. I understand that once I submit "
    "it, this attempt cannot be changed."
)
REASON_MAX = 2000
#: The longest one extension can be: far beyond any real case, it keeps a mistyped year out of the record.
MAX_EXTENSION = datetime.timedelta(days=3 * 366)
#: Who may give a learner more time, or send a portfolio back for another attempt.
EXTENDS_DEADLINES = frozenset({Role.PROGRAMME_ADMIN})
REOPENS = frozenset({Role.PROGRAMME_ADMIN, Role.ASSESSOR})


# Deadlines ------------------------------------------------------------------------------------------------------


def _zone(portfolio: Portfolio) -> ZoneInfo:
    return ZoneInfo(portfolio.enrolment.cohort.time_zone)


def when(moment: datetime.datetime, portfolio: Portfolio) -> str:
    """A moment as the cohort reads it: 'Saturday 31 August 2024, 11:59 PM (Auckland, New Zealand time)'."""
    local = timezone.localtime(moment, _zone(portfolio))
    place = zone_label(portfolio.enrolment.cohort.time_zone)
    return f"{date_format(local, 'l j F Y')}, {date_format(local, 'g:i A')} ({place} time)"


def latest_extension(portfolio: Portfolio, attempt: int | None = None) -> DeadlineExtension | None:
    wanted = portfolio.attempt if attempt is None else attempt
    return (
        DeadlineExtension.objects.filter(portfolio_id=portfolio.pk, attempt=wanted)
        .order_by("-granted_at", "-pk")
        .first()
    )


def effective_deadline(portfolio: Portfolio) -> datetime.datetime:
    """The deadline for the attempt being built now: the cohort's (attempt 1) or the one set on reopening (later
    attempts), unless staff have extended it: then the latest extension for this attempt."""
    if (extension := latest_extension(portfolio)) is not None:
        return extension.deadline
    if portfolio.attempt > 1 and portfolio.resubmission_deadline is not None:
        return portfolio.resubmission_deadline
    return portfolio.enrolment.cohort.submission_deadline


def is_past(deadline: datetime.datetime, now: datetime.datetime | None = None) -> bool:
    # Deadlines are whole seconds (23:59:59 on the last day): the whole of that second is still in time.
    return (now or timezone.now()).replace(microsecond=0) > deadline


def _clean_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the learner is given more time; the record keeps it."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Shorten the reason to {REASON_MAX:,} characters or fewer."})
    return reason


@transaction.atomic
def grant_extension(*, portfolio: Portfolio, actor: Any, deadline: datetime.datetime, reason: str) -> DeadlineExtension:
    """Give the learner until ``deadline`` to submit the attempt they are building (the provider's programme admins)."""
    portfolio = lock_portfolio(portfolio.pk)
    provider = portfolio.enrolment.cohort.programme.provider
    if not roles_in(actor, provider) & EXTENDS_DEADLINES:
        raise PermissionDenied(f"Only {provider}'s programme admins can extend a learner's deadline.")
    reason = _clean_reason(reason)
    if timezone.is_naive(deadline):
        raise ValidationError({"deadline": "Give the new deadline with its time zone."})
    if not portfolio.is_open:
        raise ValidationError(
            f"Attempt {portfolio.attempt} is already submitted, so a new deadline would change nothing. If it is "
            "sent back for a resubmission, set the deadline for the next attempt then."
        )
    current = effective_deadline(portfolio)
    if deadline <= timezone.now():
        raise ValidationError({"deadline": "The new deadline must be in the future."})
    if deadline <= current:
        raise ValidationError(
            {"deadline": f"The new deadline must be after the current one, {when(current, portfolio)}."}
        )
    if deadline - current > MAX_EXTENSION:
        raise ValidationError(
            {"deadline": f"An extension can be at most {MAX_EXTENSION.days:,} days after the current deadline."}
        )
    extension = DeadlineExtension.objects.create(
        portfolio=portfolio, attempt=portfolio.attempt, deadline=deadline, reason=reason, granted_by=actor
    )
    audit(
        actor,
        "deadline_extended",
        extension,
        portfolio,
        attempt=portfolio.attempt,
        previous=current.isoformat(),
        deadline=deadline.isoformat(),
        reason=reason,
    )
    return extension


# Submitting -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hashed:
    size: int
    sha256: str


def rehash(stored: EvidenceItem | SubmittedFile) -> _Hashed:
    """Size and SHA-256 of a stored file, read from storage chunk by chunk (never whole into memory)."""
    digest = hashlib.sha256()
    size = 0
    with stored.file.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return _Hashed(size=size, sha256=digest.hexdigest())


def _check_files(items: list[EvidenceItem]) -> None:
    """Every file still holds the bytes that were uploaded; otherwise refuse, naming the ones that do not."""
    problems = []
    for item in items:
        try:
            found = rehash(item)
        except OSError:
            problems.append(f"“{item.original_name}” can no longer be read from storage.")
            continue
        if found.sha256 != item.sha256 or found.size != item.size:
            problems.append(f"“{item.original_name}” is no longer the file that was uploaded (its content changed).")
    if problems:
        raise ValidationError(
            [
                *problems,
                "Remove each of these files from your portfolio and upload it again, then submit; if that does not "
                "work, ask your programme's staff for help.",
            ]
        )


def _receipt(submission: Submission, portfolio: Portfolio) -> tuple[str, str]:
    cohort = portfolio.enrolment.cohort
    subject = f"Your portfolio is submitted: {cohort.programme.name}, attempt {submission.attempt}"
    url = str(settings.SITE_URL).rstrip("/") + reverse(
        "portfolios:submission", args=[portfolio.enrolment_id, submission.attempt]
    )
    body = (
        f"Kia ora {portfolio.enrolment.learner.full_name or portfolio.enrolment.learner.email},\n\n"
        f"We received your portfolio for {cohort.programme.name} ({cohort.name}), attempt {submission.attempt}, "
        f"on {when(submission.submitted_at, portfolio)}.\n\n"
        "This is your receipt. The fingerprint (SHA-256) of exactly what you submitted is:\n\n"
        f"    {submission.content_sha256}\n\n"
        f"It lists {len(submission.manifest['sections'])} sections and {submission.files.count()} files "
        f"({submission.total_bytes:,} bytes). You can read and download what you submitted at any time at {url}\n"
    )
    return subject, body


@transaction.atomic
def submit(
    *, portfolio: Portfolio, actor: Any, declaration_accepted: bool, now: datetime.datetime | None = None
) -> Submission:
    """Freeze the portfolio as the learner's submission of the attempt they are building.

    ``now``: the moment it is submitted, checked against the deadline (the demo replays 2024).

    Takes the portfolio's lock, so no evidence changes while the snapshot is made. Refused after the deadline,
    when the readiness check finds required evidence missing, without the declaration, when a stored file no longer
    matches its hash, and for an attempt already submitted (the database also refuses that).
    """
    portfolio = lock_portfolio(portfolio.pk)
    require_learner(actor, portfolio)
    now = now or timezone.now()
    deadline = effective_deadline(portfolio)
    if is_past(deadline, now):
        raise ValidationError(
            f"The deadline for attempt {portfolio.attempt} was {when(deadline, portfolio)}, so the portfolio can no "
            "longer be submitted. If you need more time, ask your programme's staff for an extension."
        )
    readiness = check_readiness(portfolio)
    if not readiness.ready:
        raise ValidationError(
            ["Your portfolio is not ready to submit yet. Add what is missing:", *readiness.all_blocks()]
        )
    if not declaration_accepted:
        raise ValidationError({"declaration_accepted": "Confirm the declaration that this work is your own."})
    files = list(EvidenceItem.objects.filter(portfolio=portfolio, kind=ItemKind.FILE).order_by("pk"))
    _check_files(files)
    manifest = build_manifest(portfolio)
    manifest.update(submitted_at=now.isoformat(), deadline=deadline.isoformat(), declaration=DECLARATION)
    sha256 = manifest_sha256(manifest)
    total = sum(item.size or 0 for item in files)
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                portfolio=portfolio,
                attempt=portfolio.attempt,
                submitted_at=now,
                submitted_by=actor,
                declaration=DECLARATION,
                deadline=deadline,
                manifest=manifest,
                content_sha256=sha256,
                total_bytes=total,
            )
    except IntegrityError:
        raise ValidationError(
            f"Attempt {portfolio.attempt} of this portfolio has already been submitted: it cannot be submitted twice."
        ) from None
    SubmittedFile.objects.bulk_create(
        SubmittedFile(
            submission=submission,
            file=item.file.name,
            original_name=item.original_name,
            content_type=item.content_type,
            size=item.size or 0,
            sha256=item.sha256,
        )
        for item in files
    )
    portfolio.is_open = False
    portfolio.save(update_fields=["is_open"])
    # Every version is kept until submission; the snapshot holds the submitted text, so only the latest stays.
    EvidenceVersion.objects.filter(item__portfolio=portfolio).exclude(number=F("item__version")).delete()
    audit(
        actor,
        "submitted",
        submission,
        portfolio,
        attempt=submission.attempt,
        sha256=sha256,
        files=len(files),
        total_bytes=total,
    )
    subject, body = _receipt(submission, portfolio)
    learner_email = portfolio.enrolment.learner.email
    transaction.on_commit(
        lambda: send_email.enqueue(
            subject=subject, body=body, to=[learner_email], from_email=settings.DEFAULT_FROM_EMAIL
        )
    )
    return submission


def verify_submission(submission: Submission, *, files: bool = False) -> bool:
    """Whether the stored manifest still hashes to the submission's hash (and, with ``files``, every file still
    holds the bytes it was submitted with)."""
    if manifest_sha256(submission.manifest) != submission.content_sha256:
        return False
    if files:
        for stored in submission.files.all():
            try:
                found = rehash(stored)
            except OSError:
                return False
            if found.sha256 != stored.sha256 or found.size != stored.size:
                return False
    return True


# Reopening ------------------------------------------------------------------------------------------------------


def attempts_allowed(portfolio: Portfolio) -> int:
    return 1 + int(portfolio.enrolment.cohort.resubmissions_allowed)


@transaction.atomic
def reopen_for_resubmission(*, portfolio: Portfolio, actor: Any, deadline: datetime.datetime) -> Portfolio:
    """Open the portfolio for the next attempt, due by ``deadline`` (called by assessment when work is not yet
    competent). The submitted attempt stays as it was: its Submission and files are never touched."""
    portfolio = lock_portfolio(portfolio.pk)
    provider = portfolio.enrolment.cohort.programme.provider
    if not roles_in(actor, provider) & REOPENS:
        raise PermissionDenied(f"Only {provider}'s programme admins and assessors can reopen a portfolio.")
    if portfolio.is_open:
        raise ValidationError(
            f"Attempt {portfolio.attempt} has not been submitted yet: the portfolio is already open for it."
        )
    allowed = attempts_allowed(portfolio)
    if portfolio.attempt + 1 > allowed:
        raise ValidationError(
            f"This cohort allows {allowed} attempt{'s' if allowed != 1 else ''} "
            f"({allowed - 1} resubmission{'s' if allowed != 2 else ''}), and all have been used."
        )
    if timezone.is_naive(deadline) or deadline <= timezone.now():
        raise ValidationError({"deadline": "The deadline for the resubmission must be in the future."})
    portfolio.attempt += 1
    portfolio.is_open = True
    portfolio.resubmission_deadline = deadline
    portfolio.save(update_fields=["attempt", "is_open", "resubmission_deadline"])
    audit(actor, "reopened", portfolio, portfolio, attempt=portfolio.attempt, deadline=deadline.isoformat())
    return portfolio
