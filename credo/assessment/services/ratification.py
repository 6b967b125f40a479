"""Ratification by the issuing institution (CLD): a provider sends its moderated, competent outcomes of a cohort as
a batch; the institution's ratifiers read it, return any learner with a reason, and ratify the rest; ratifying
records each learner's Attainment and issues their credential in the background.

The transitions, each checked, locked and audited:

    (competent, released, its sample moderated) --send_for_ratification--> entry PENDING in a batch SUBMITTED
    entry PENDING --return_entry--> RETURNED (the outcome may be sent again, in a later batch)
    batch SUBMITTED --ratify--> RATIFYING --the job, chunk by chunk--> entries RATIFIED --> batch RATIFIED

The job (``RATIFY_BATCH``, docs/decisions/0021) does each chunk of entries in one transaction with the record of
their outcomes: the attainments, the credentials signed for them, the enrolments marked awarded and the learners'
emails commit together or not at all. A worker killed part way leaves whole chunks done; the rerun skips them
(``JobRun.pending``), so each learner ends with exactly one attainment and one credential. The database backs this
up: one live ratification entry per assessment, one attainment per learner and achievement, one current credential
per attainment.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import Organisation, Role
from credo.assessment.models import (
    Assessment,
    AssessmentState,
    BatchState,
    EntryDecision,
    Outcome,
    RatificationBatch,
    RatificationEntry,
)
from credo.assessment.services import common
from credo.core import jobs
from credo.core.models import Job, JobLine, JobLineOutcome
from credo.core.tasks import send_email
from credo.credentials import links
from credo.credentials.models import Achievement, Attainment, Credential, Route
from credo.credentials.services import achievements, issuance, record_attainment
from credo.portfolios.models import EvidenceItem, ItemKind, Submission
from credo.programmes.models import Cohort, EnrolmentState
from credo.programmes.services import enrolments

RATIFY_BATCH = "assessment.ratify_batch"
#: Entries ratified, issued and recorded in one transaction: a crash loses at most one chunk's work, redone.
CHUNK = 50
RATIFIED_LINE = "Ratified; their credential is issued and they have been emailed."
ALREADY_HELD_LINE = "Ratified; they already held this credential, which stands."
REASON_MAX = 2000

_LIVE_ENTRY = RatificationEntry.objects.filter(assessment=OuterRef("pk")).exclude(decision=EntryDecision.RETURNED)


def register() -> None:
    """Make the ratification job startable (``wiring._ratification``)."""
    jobs.register(RATIFY_BATCH, ratify_batch_job)


# Who may act ---------------------------------------------------------------------------------------------------


def is_provider_admin(user: Any, cohort: Cohort) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Role.PROGRAMME_ADMIN in roles_in(user, cohort.programme.provider)


def is_ratifier(user: Any, institution: Organisation) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return Role.RATIFIER in roles_in(user, institution)


def _require_provider_admin(actor: Any, cohort: Cohort) -> None:
    if not is_provider_admin(actor, cohort):
        raise PermissionDenied(
            f"Only {cohort.programme.provider}'s programme admins send its outcomes for ratification."
        )


def _require_ratifier(actor: Any, batch: RatificationBatch) -> None:
    if not is_ratifier(actor, batch.institution):
        raise PermissionDenied(f"Only {batch.institution}'s ratifiers ratify the outcomes sent to it.")


# Reads ---------------------------------------------------------------------------------------------------------


def ready_for_ratification(cohort: Cohort) -> QuerySet[Assessment]:
    """The cohort's outcomes that may be sent: competent, released, their sample moderated, not already in a batch
    (a returned one is ready again)."""
    return (
        Assessment.objects.filter(common.LEAVES_THE_CENTRE, cohort=cohort)
        .exclude(Exists(_LIVE_ENTRY))
        .select_related("learner", "assessor")
        .order_by("learner__full_name", "learner__email", "pk")
    )


def waiting_for_moderation(cohort: Cohort) -> QuerySet[Assessment]:
    """Competent outcomes that cannot be sent yet because their sample is still being moderated."""
    return Assessment.objects.filter(cohort=cohort, state=AssessmentState.COMPLETED, outcome=Outcome.COMPETENT).exclude(
        sample_entry__sample__completed_at__isnull=False
    )


def returned_entries(cohort: Cohort) -> QuerySet[RatificationEntry]:
    """Entries the institution returned whose outcome has not been sent again: what the provider must look at."""
    sent_again = RatificationEntry.objects.filter(assessment=OuterRef("assessment")).exclude(
        decision=EntryDecision.RETURNED
    )
    return (
        RatificationEntry.objects.filter(batch__cohort=cohort, decision=EntryDecision.RETURNED)
        .exclude(Exists(sent_again))
        .select_related("assessment__learner", "batch")
        .order_by("-batch__submitted_at", "pk")
    )


def entries_of(batch: RatificationBatch) -> QuerySet[RatificationEntry]:
    """The batch's learners with what the batch page and the record show, in a fixed number of queries."""
    return (
        RatificationEntry.objects.filter(batch=batch)
        .select_related(
            "assessment__learner",
            "assessment__assessor",
            "assessment__submission",
            "assessment__sample_entry__sample",
            "assessment__sample_entry__moderator",
            "attainment",
        )
        .prefetch_related("assessment__sample_entry__reviews__moderator")
        .order_by("assessment__learner__full_name", "assessment__learner__email", "pk")
    )


# Sending a batch -------------------------------------------------------------------------------------------------


def send_for_ratification(*, cohort: Cohort, actor: Any, now: datetime.datetime | None = None) -> RatificationBatch:
    """Send every outcome of ``cohort`` ready for ratification to the issuing institution, as one batch.

    A provider's programme admin only; the cohort's qualification must be issued by an issuing institution (an
    awarding body's qualifications go by a claim instead). Refused when nothing is ready, saying why (the sample
    still being moderated, or nothing competent yet). Locks the cohort so two sends cannot split one outcome; the
    database refuses a second live entry for an outcome all the same.
    """
    _require_provider_admin(actor, cohort)
    now = now or timezone.now()
    if not common.leaves_by_ratification(cohort):
        raise ValidationError(
            f"{cohort.programme.qualification} is certificated by {common.issuing_organisation(cohort)}, an awarding "
            "body: its outcomes go in a claim for certification, not for ratification."
        )
    try:
        with transaction.atomic():
            cohort = (
                Cohort.objects.select_for_update().select_related("programme__qualification__owner").get(pk=cohort.pk)
            )
            ready = list(ready_for_ratification(cohort))
            if not ready:
                raise ValidationError(_why_nothing_is_ready(cohort))
            institution = common.issuing_organisation(cohort)
            batch = RatificationBatch.objects.create(
                cohort=cohort, institution=institution, submitted_by=actor, submitted_at=now
            )
            RatificationEntry.objects.bulk_create(
                [RatificationEntry(batch=batch, assessment=assessment) for assessment in ready]
            )
            common.audit(
                actor,
                "ratification_sent",
                batch,
                cohort,
                institution=institution.name,
                assessments=[a.pk for a in ready],
                learners=[a.learner.email for a in ready],
            )
    except IntegrityError:
        raise ValidationError(
            "Some of these outcomes were sent for ratification a moment ago by someone else: reload the page."
        ) from None
    return batch


def _why_nothing_is_ready(cohort: Cohort) -> str:
    waiting = waiting_for_moderation(cohort).count()
    if waiting:
        return (
            f"Nothing can be sent yet: {waiting} competent outcome{'s are' if waiting != 1 else ' is'} waiting for "
            "moderation to finish. An outcome is sent once every assessment sampled with it has been agreed by the "
            "moderator."
        )
    return (
        "There is nothing to send: no competent outcome of this cohort is waiting for ratification (those already "
        "sent are in the batches below)."
    )


# Returning one learner -------------------------------------------------------------------------------------------


def return_entry(*, entry: RatificationEntry, actor: Any, reason: str) -> RatificationEntry:
    """Return one learner's outcome to the provider with a reason, before the batch is ratified.

    An institution ratifier only. The provider sees it among the cohort's returned outcomes and may send it again in
    a later batch; the learner is told in plain words that their award is delayed and that the provider will be in
    touch.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why you are returning it: the provider reads it to put it right."})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason to {REASON_MAX:,} characters or fewer."})
    with transaction.atomic():
        locked = (
            RatificationEntry.objects.select_for_update(of=("self",))
            .select_related("batch__institution", "batch__cohort__programme__provider", "assessment__learner")
            .get(pk=entry.pk)
        )
        batch = RatificationBatch.objects.select_for_update().select_related("institution").get(pk=locked.batch_id)
        _require_ratifier(actor, batch)
        if batch.state != BatchState.SUBMITTED:
            raise ValidationError(
                f"This batch is {batch.get_state_display().lower()}: a learner can be returned only before it is "
                "ratified."
            )
        if locked.decision != EntryDecision.PENDING:
            raise ValidationError(
                f"{_name(locked.assessment.learner)}'s outcome was already {locked.get_decision_display().lower()}."
            )
        locked.decision = EntryDecision.RETURNED
        locked.reason = reason
        locked.save(update_fields=["decision", "reason"])
        cohort = locked.batch.cohort
        common.audit(
            actor,
            "ratification_returned",
            locked,
            cohort,
            batch=batch.pk,
            learner=locked.assessment.learner.email,
            reason=reason,
        )
        _tell_returned(locked)
    return locked


def _tell_returned(entry: RatificationEntry) -> None:
    cohort = entry.batch.cohort
    provider = cohort.programme.provider
    learner = entry.assessment.learner
    qualification = cohort.programme.qualification
    _email(
        learner,
        provider,
        f"Your {qualification.title} needs another look before it is awarded",
        [
            f"Your assessed work for {qualification.title} was sent to {entry.batch.institution} to be ratified "
            "(approved for the award). They have sent it back to "
            f"{provider} to check something first, so your badge is not issued yet.",
            "",
            "You do not need to do anything now: "
            f"{provider} will look at it and be in touch if they need anything from you. "
            "Your assessment result still stands.",
        ],
    )


# Ratifying a batch -------------------------------------------------------------------------------------------------


def conflict_of_interest(actor: Any, batch: RatificationBatch) -> str:
    """Why ``actor`` may not ratify ``batch`` (empty if nothing stands in the way): nobody ratifies an outcome they
    assessed or moderated, or their own."""
    pending = Assessment.objects.filter(
        ratification_entries__batch=batch, ratification_entries__decision=EntryDecision.PENDING
    )
    if pending.filter(learner=actor).exists():
        return "Conflict of interest: your own outcome is in this batch. Another ratifier must ratify it."
    assessed = pending.filter(Q(assessor=actor) | Q(sample_entry__moderator=actor)).select_related("learner").first()
    if assessed is not None:
        return (
            f"Conflict of interest: you assessed or moderated {_name(assessed.learner)}'s work in this batch, and "
            "nobody ratifies their own judgement. Another ratifier must ratify it, or return that learner first."
        )
    return ""


def ratify(*, batch: RatificationBatch, actor: Any, now: datetime.datetime | None = None) -> Job:
    """Ratify the batch's pending outcomes: the batch becomes "being ratified" and a job records each learner's
    attainment, issues their credential, marks their enrolment awarded and emails them; then the batch is ratified.

    An institution ratifier only, who neither assessed nor moderated any of it; the batch must be waiting. Under the
    batch's row lock, so two ratifiers at once start one job: the second is told it is already being ratified.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            RatificationBatch.objects.select_for_update(of=("self",))
            .select_related("institution", "cohort__programme__qualification", "cohort__programme__provider")
            .get(pk=batch.pk)
        )
        _require_ratifier(actor, locked)
        if locked.state != BatchState.SUBMITTED:
            raise ValidationError(
                f"This batch is already {locked.get_state_display().lower()}"
                + (" by someone else: follow it on its progress page." if locked.state == BatchState.RATIFYING else ".")
            )
        conflict = conflict_of_interest(actor, locked)
        if conflict:
            raise PermissionDenied(conflict)
        entry_ids = list(
            RatificationEntry.objects.filter(batch=locked, decision=EntryDecision.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        cohort = locked.cohort
        count = len(entry_ids)
        job = jobs.start_job(
            kind=RATIFY_BATCH,
            title=f"Ratifying {count:,} outcome{'' if count == 1 else 's'} of {cohort}",
            started_by=actor,
            organisation=locked.institution,
            # The entries as they are now, in a fixed order: a resumed run finds each line where it was.
            params={"batch": locked.pk, "entries": entry_ids},
            total=count,
            back_url=reverse("assessment:ratification_batch", kwargs={"pk": locked.pk}),
            back_label="Back to the batch",
        )
        locked.state = BatchState.RATIFYING
        locked.ratified_by = actor
        locked.ratified_at = now
        locked.job = job
        locked.save(update_fields=["state", "ratified_by", "ratified_at", "job"])
        common.audit(
            actor,
            "ratification_started",
            locked,
            cohort,
            institution=locked.institution.name,
            entries=count,
            job=str(job.public_id),
        )
    return job


def ratify_batch_job(run: jobs.JobRun) -> str:
    """The job: ratify the batch's entries chunk by chunk (each chunk with its outcomes in one transaction), then mark
    the batch ratified. Safe to run again: recorded lines are skipped, a ratified batch is only reported."""
    batch = (
        RatificationBatch.objects.select_related("institution", "cohort__programme__qualification")
        .filter(pk=run.params["batch"])
        .first()
    )
    if batch is None:
        raise jobs.JobRefusedError("The batch no longer exists, so nothing was ratified.")
    actor = run.job.started_by
    if batch.state == BatchState.RATIFYING:
        if not is_ratifier(actor, batch.institution):
            raise jobs.JobRefusedError(
                f"You are no longer a ratifier of {batch.institution}, so nothing more was ratified."
            )
        achievement = achievements.achievement_for_qualification(batch.cohort.programme.qualification)
        ids: list[int] = run.params["entries"]
        pending = list(run.pending(enumerate(ids, start=1)))
        for start in range(0, len(pending), CHUNK):
            _ratify_chunk(run, batch, pending[start : start + CHUNK], achievement=achievement, actor=actor)
        _finish(run, batch, actor=actor)
    elif batch.state != BatchState.RATIFIED:
        raise jobs.JobRefusedError("This batch is not waiting to be ratified.")
    return _summary(run, batch)


def _ratify_chunk(
    run: jobs.JobRun,
    batch: RatificationBatch,
    lines: Sequence[tuple[int, int]],
    *,
    achievement: Achievement,
    actor: Any,
) -> None:
    """One chunk, in one transaction: attainments, credentials, enrolments, emails (sent on commit), line outcomes."""
    cohort = batch.cohort
    attained_on = common.today_in(cohort, batch.ratified_at)
    note = f"Ratified by {batch.institution} (batch {batch.pk}, {cohort})."
    with transaction.atomic():
        entries = (
            RatificationEntry.objects.select_for_update(of=("self",))
            .select_related("assessment__learner", "assessment__submission__portfolio__enrolment")
            .in_bulk([pk for _line, pk in lines])
        )
        shared = _shared_items(entries.values())
        done: list[tuple[int, RatificationEntry, str]] = []
        for line, pk in lines:
            entry = entries.get(pk)
            if entry is None or entry.decision != EntryDecision.PENDING:
                run.record(line, JobLineOutcome.SKIPPED, "No longer waiting for ratification.")
                continue
            learner = entry.assessment.learner
            message = RATIFIED_LINE
            existing = Attainment.objects.filter(learner=learner, achievement=achievement).first()
            if existing is None:
                entry.attainment = record_attainment(
                    learner=learner,
                    achievement=achievement,
                    route=Route.RATIFIED_ASSESSMENT,
                    attained_on=attained_on,
                    decided_by=actor,
                    note=note,
                    evidence=evidence_for(entry.assessment.submission, shared),
                )
            elif not RatificationEntry.objects.filter(attainment=existing).exists():
                entry.attainment, message = existing, ALREADY_HELD_LINE
            else:
                entry.attainment, message = None, ALREADY_HELD_LINE
            entry.decision = EntryDecision.RATIFIED
            entry.save(update_fields=["decision", "attainment"])
            done.append((line, entry, message))
        attainment_ids = [entry.attainment_id for _line, entry, _m in done if entry.attainment_id]
        if attainment_ids:
            issuance.issue_pending(achievement.issuer, actor=actor, attainment_ids=attainment_ids)
        credentials = {
            c.attainment_id: c
            for c in Credential.objects.filter(attainment_id__in=attainment_ids, superseded_at__isnull=True)
        }
        for line, entry, message in done:
            enrolment = entry.assessment.submission.portfolio.enrolment
            if enrolment.state == EnrolmentState.ACTIVE:
                enrolments.mark_awarded(enrolment, actor=actor, reason=note)
            credential = credentials.get(entry.attainment_id) if entry.attainment_id else None
            _tell_ratified(entry, batch, achievement, credential)
            run.record(line, JobLineOutcome.DONE, message, label=entry.assessment.learner.email)


def _finish(run: jobs.JobRun, batch: RatificationBatch, *, actor: Any) -> None:
    """Mark the batch ratified and audit it once; a second call (after a crash) does nothing."""
    with transaction.atomic():
        locked = RatificationBatch.objects.select_for_update().select_related("cohort__programme").get(pk=batch.pk)
        if locked.state != BatchState.RATIFYING:
            return
        locked.state = BatchState.RATIFIED
        locked.save(update_fields=["state"])
        lines = JobLine.objects.filter(job=run.job)
        common.audit(
            actor,
            "ratified",
            locked,
            locked.cohort,
            ratified=lines.filter(outcome=JobLineOutcome.DONE).count(),
            not_done=lines.exclude(outcome=JobLineOutcome.DONE).count(),
            returned=locked.entries.filter(decision=EntryDecision.RETURNED).count(),
            job=str(run.job.public_id),
        )
        batch.state = locked.state


def _summary(run: jobs.JobRun, batch: RatificationBatch) -> str:
    done = JobLine.objects.filter(job=run.job, outcome=JobLineOutcome.DONE).count()
    said = f"Ratified {done:,} outcome{'' if done == 1 else 's'} of {batch.cohort}"
    said += "; each learner's credential is issued and they have been emailed." if done else "."
    returned = batch.entries.filter(decision=EntryDecision.RETURNED).count()
    if returned:
        said += f" {returned:,} {'was' if returned == 1 else 'were'} returned to the provider."
    return said


# The credential's evidence ---------------------------------------------------------------------------------------


def _shared_items(entries: Iterable[RatificationEntry]) -> set[int]:
    """The evidence items, named in these entries' submissions, that their learners now choose to share (one query)."""
    named: set[int] = set()
    for entry in entries:
        named.update(item["item"] for item in _manifest_items(entry.assessment.submission))
    if not named:
        return set()
    return set(EvidenceItem.objects.filter(pk__in=named, share_in_credential=True).values_list("pk", flat=True))


def _manifest_items(submission: Submission) -> list[dict[str, Any]]:
    return [
        {**item, "section": section.get("title", "")}
        for section in submission.manifest.get("sections", [])
        for item in section.get("items", [])
    ]


def named_information(digest: bytes) -> str:
    """An RFC 6920 "ni" URI for content by its SHA-256: whoever has the file or text can check it is the same."""
    return "ni:///sha-256;" + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def evidence_for(submission: Submission, shared: set[int]) -> list[dict[str, str]]:
    """OB 3.0 Evidence for the submission's items the learner shares: the content as submitted, by its hash."""
    found = []
    submitted_on = submission.submitted_at.date().isoformat()
    for item in _manifest_items(submission):
        if item["item"] not in shared:
            continue
        kind = item.get("kind")
        if kind == ItemKind.FILE and item.get("sha256"):
            digest = bytes.fromhex(item["sha256"])
            what = f"A file ({item.get('name', 'unnamed')})"
        elif kind == ItemKind.LINK:
            digest = hashlib.sha256(str(item.get("url", "")).encode("utf-8")).digest()
            what = f"A link ({item.get('url', '')})"
        else:
            digest = hashlib.sha256(str(item.get("html", "")).encode("utf-8")).digest()
            what = "Written work"
        found.append(
            {
                "id": named_information(digest),
                "name": item.get("title") or "Evidence",
                "description": f"{what} from the learner's portfolio, part “{item['section']}”, as submitted for "
                f"assessment on {submitted_on}. The id is its SHA-256: the same content always gives the same id.",
            }
        )
    return found


# Emails ---------------------------------------------------------------------------------------------------------


def _name(user: Any) -> str:
    return str(user.full_name or user.email)


def _email(learner: Any, organisation: Organisation, subject: str, lines: list[str]) -> None:
    body = "\n".join([f"{organisation.greeting} {_name(learner)},", "", *lines])
    transaction.on_commit(
        lambda: send_email.enqueue(
            subject=subject, body=body, to=[learner.email], from_email=settings.DEFAULT_FROM_EMAIL
        )
    )


def _tell_ratified(
    entry: RatificationEntry, batch: RatificationBatch, achievement: Achievement, credential: Credential | None
) -> None:
    learner = entry.assessment.learner
    lines = [
        f"{batch.institution} has ratified your {achievement.name}: your assessment is confirmed and the award is "
        "yours.",
        "",
    ]
    if credential is not None:
        lines += [
            "Your digital badge (a verifiable credential) is issued. See it, share it or download it here:",
            links.credential_page(credential.public_id),
        ]
    else:
        lines.append("You already hold this credential from them; it stands as it is.")
    lines += [
        "",
        f"It is also on your dashboard whenever you sign in: {links.site()}{reverse('dashboard')}",
        "Your enrolment is now complete. Congratulations.",
    ]
    _email(learner, batch.institution, f"Your {achievement.name} is awarded", lines)
