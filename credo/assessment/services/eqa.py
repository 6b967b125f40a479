"""External quality assurance and certification of a centre's claim (SEG), by the awarding body.

The awarding body's external quality assurer (role EXTERNAL_QA) reads a sample of the claim's portfolios and the
centre's own sampling records (its internal moderation), records findings, actions and the centre's risk rating,
and releases the claim for certification or blocks it (the centre revises and submits it again). Then one of its
certification staff (role RATIFIER) approves it: the claim is locked from RELEASED to CERTIFICATING and a job
records each learner's unit attainments (the qualification follows by its rules of combination, in
``credentials.services.record_attainment``), ties each line to its attainment, ends the enrolments whose
qualification is now held as awarded, emails the learners, and queues the credentials' issuance; then the claim is
CERTIFICATED. The job is resumable and safe to run twice: each learner is done in one transaction with its job line,
and the database allows one attainment per learner and achievement.

Conflicts of interest are refused: nobody who works for the centre reviews or certificates its claim, and the
person who released a claim does not also approve its certification.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import Organisation, Role, User
from credo.assessment.models import (
    Assessment,
    CentreRisk,
    Claim,
    ClaimLine,
    ClaimState,
    EqaReview,
    ModerationReview,
    ModerationSample,
    RiskRating,
    SampleEntry,
)
from credo.assessment.services.claims import centre_staff_emails, claim_audit
from credo.core import jobs
from credo.core.jobs import JobRefusedError
from credo.core.models import Job, JobLine, JobLineOutcome
from credo.core.tasks import send_email
from credo.credentials.models import AchievementKind, Attainment, Issuer, Route
from credo.credentials.services import record_attainment
from credo.credentials.services.attainments import complete_qualifications
from credo.credentials.tasks import schedule_issuance
from credo.programmes.models import EnrolmentState
from credo.programmes.services.enrolments import mark_awarded

CERTIFY_CLAIM = "assessment.certify_claim"
FINDINGS_MAX = 10_000


def is_external_qa(user: Any, awarding_body: Organisation) -> bool:
    return getattr(user, "is_authenticated", False) and Role.EXTERNAL_QA in roles_in(user, awarding_body)


def is_certification_staff(user: Any, awarding_body: Organisation) -> bool:
    return getattr(user, "is_authenticated", False) and Role.RATIFIER in roles_in(user, awarding_body)


def _refuse_centre_staff(actor: Any, claim: Claim, doing: str) -> None:
    if roles_in(actor, claim.centre):
        raise PermissionDenied(
            f"Conflict of interest: you work for {claim.centre}, and nobody {doing} a claim of a centre they work for."
        )


def _lock(claim: Claim) -> Claim:
    return Claim.objects.select_for_update(of=("self",)).select_related("centre", "awarding_body").get(pk=claim.pk)


def _tell(to: list[str], subject: str, lines: list[str]) -> None:
    if not to:
        return
    body = "\n".join(["Hello,", "", *lines])
    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, body=body, to=to, from_email=settings.DEFAULT_FROM_EMAIL)
    )


def _claim_url(claim: Claim) -> str:
    return settings.SITE_URL + reverse("assessment:claim", kwargs={"claim_id": claim.pk})


# External quality assurance ------------------------------------------------------------------------------------


def sampling_records(claim: Claim) -> QuerySet[ModerationSample]:
    """The centre's internal moderation of the cohorts the claim comes from: each draw, its entries with the reasons
    they were sampled, and every moderator decision (a fixed number of queries)."""
    cohort_ids = (
        ClaimLine.objects.filter(claim=claim, assessment__isnull=False).values("assessment__cohort_id").distinct()
    )
    entries = SampleEntry.objects.select_related("assessment__learner", "assessment__assessor", "moderator")
    return (
        ModerationSample.objects.filter(cohort_id__in=cohort_ids)
        .select_related("cohort__programme", "drawn_by")
        .prefetch_related(
            Prefetch("entries", queryset=entries.order_by("id")),
            Prefetch("entries__reviews", queryset=ModerationReview.objects.select_related("moderator")),
        )
        .order_by("cohort_id", "number")
    )


def claim_assessments(claim: Claim) -> QuerySet[Assessment]:
    """The assessments (portfolios) behind the claim's lines: what an EQA samples from."""
    return (
        Assessment.objects.filter(claim_lines__claim=claim)
        .distinct()
        .select_related("learner", "assessor", "cohort__programme")
        .order_by("learner__full_name", "learner__email", "pk")
    )


def centre_risk(claim: Claim) -> CentreRisk | None:
    return CentreRisk.objects.filter(centre_id=claim.centre_id, awarding_body_id=claim.awarding_body_id).first()


def review_claim(
    *,
    claim: Claim,
    actor: Any,
    findings: str,
    actions: str,
    risk: str,
    released: bool,
    sampled: Sequence[Assessment],
    now: datetime.datetime | None = None,
) -> EqaReview:
    """The awarding body's external quality assurer records their review of a submitted claim: released for
    certification, or blocked (the centre is told what to do, revises the claim and submits it again). The centre's
    risk rating with the awarding body is set to ``risk``."""
    if not is_external_qa(actor, claim.awarding_body):
        raise PermissionDenied(f"Only {claim.awarding_body}'s external quality assurers review its claims.")
    _refuse_centre_staff(actor, claim, "reviews")
    findings, actions = findings.strip(), actions.strip()
    problems: dict[str, str] = {}
    if not findings:
        problems["findings"] = "Write your findings: what you read and what you found."
    elif len(findings) > FINDINGS_MAX:
        problems["findings"] = f"Keep the findings to {FINDINGS_MAX:,} characters."
    if len(actions) > FINDINGS_MAX:
        problems["actions"] = f"Keep the actions to {FINDINGS_MAX:,} characters."
    if risk not in RiskRating.values:
        problems["risk"] = "Choose the centre's risk rating: low, medium or high."
    if not released and not actions:
        problems["actions"] = "Say what the centre must do before the claim can be released."
    if released and not sampled:
        problems["sampled"] = "Choose the portfolios you sampled: a claim is released only on a sample read."
    if problems:
        raise ValidationError(problems)
    now = now or timezone.now()
    with transaction.atomic():
        claim = _lock(claim)
        if claim.state != ClaimState.SUBMITTED:
            raise ValidationError(
                f"This claim is {ClaimState(claim.state).label.lower()}: only a submitted claim is reviewed."
            )
        on_claim = set(claim_assessments(claim).values_list("pk", flat=True))
        chosen = {a.pk for a in sampled}
        if chosen - on_claim:
            raise ValidationError({"sampled": "Sample only portfolios of learners on this claim."})
        review = EqaReview.objects.create(
            claim=claim,
            reviewer=actor,
            findings=findings,
            actions=actions,
            risk=risk,
            released=released,
            reviewed_at=now,
        )
        review.portfolios_sampled.set(sorted(chosen))
        claim.state = ClaimState.RELEASED if released else ClaimState.BLOCKED
        claim.released_at = now if released else None
        claim.save(update_fields=["state", "released_at"])
        CentreRisk.objects.update_or_create(
            centre=claim.centre, awarding_body=claim.awarding_body, defaults={"risk": risk, "set_by": actor, "set_at": now}
        )
        claim_audit(
            actor,
            "claim_released" if released else "claim_blocked",
            claim,
            claim.awarding_body_id,
            review=review.pk,
            risk=risk,
            sampled=sorted(chosen),
        )
        risk_words = RiskRating(risk).label.lower()
        if released:
            _tell(
                centre_staff_emails(claim.centre),
                f"Claim {claim.pk} released for certification",
                [
                    f"{claim.awarding_body}'s external quality assurer has released your claim {claim.pk} for "
                    "certification. Its certification staff approve it next; learners are emailed when their "
                    "certificates are issued.",
                    "",
                    f"Findings: {findings}",
                    *([f"Actions: {actions}"] if actions else []),
                    f"Your centre's risk rating: {risk_words}.",
                    "",
                    _claim_url(claim),
                ],
            )
        else:
            _tell(
                centre_staff_emails(claim.centre),
                f"Claim {claim.pk} blocked: action needed",
                [
                    f"{claim.awarding_body}'s external quality assurer has blocked your claim {claim.pk}: nothing in "
                    "it can be certificated until the actions below are done.",
                    "",
                    f"Findings: {findings}",
                    f"What to do: {actions}",
                    f"Your centre's risk rating: {risk_words}.",
                    "",
                    "Revise the claim (take learners off or add them) and submit it again:",
                    _claim_url(claim),
                ],
            )
    return review


# Certification -------------------------------------------------------------------------------------------------


def approve_claim(*, claim: Claim, actor: Any, now: datetime.datetime | None = None) -> Job:
    """The awarding body's certification staff approve a released claim: it becomes CERTIFICATING under the lock
    (a second approval finds it so, and is refused) and the certification job is started; returns the job."""
    if not is_certification_staff(actor, claim.awarding_body):
        raise PermissionDenied(f"Only {claim.awarding_body}'s certification staff approve claims for certification.")
    _refuse_centre_staff(actor, claim, "certificates")
    now = now or timezone.now()
    with transaction.atomic():
        claim = _lock(claim)
        if claim.state != ClaimState.RELEASED:
            raise ValidationError(
                f"This claim is {ClaimState(claim.state).label.lower()}: only a claim released by external quality "
                "assurance is approved for certification."
            )
        latest = claim.eqa_reviews.order_by("-reviewed_at", "-id").first()
        if latest is not None and latest.reviewer_id == actor.pk:
            raise PermissionDenied(
                "Conflict of interest: you released this claim as its external quality assurer; another member of "
                "the certification staff must approve it."
            )
        if not Issuer.objects.filter(organisation_id=claim.awarding_body_id).exists():
            raise ValidationError(f"{claim.awarding_body} has no issuer profile yet: set one up before certificating.")
        learners = ClaimLine.objects.filter(claim=claim).values("learner_id").distinct().count()
        job = jobs.start_job(
            kind=CERTIFY_CLAIM,
            title=f"Certificating claim {claim.pk} from {claim.centre}",
            started_by=actor,
            organisation=claim.awarding_body,
            params={"claim": claim.pk},
            total=learners,
            back_url=reverse("assessment:claim", kwargs={"claim_id": claim.pk}),
            back_label=f"Back to claim {claim.pk}",
        )
        claim.state = ClaimState.CERTIFICATING
        claim.approved_by = actor
        claim.approved_at = now
        claim.job = job
        claim.save(update_fields=["state", "approved_by", "approved_at", "job"])
        claim_audit(actor, "claim_approved", claim, claim.awarding_body_id, job=str(job.public_id), learners=learners)
    return job


def certify_claim_job(run: jobs.JobRun) -> str:
    """The job: each learner in their own transaction with its job line, then the claim CERTIFICATED (once)."""
    claim = Claim.objects.select_related("centre", "awarding_body", "approved_by").filter(pk=run.params["claim"]).first()
    if claim is None:
        raise JobRefusedError("The claim no longer exists, so nothing was certificated.")
    if claim.state not in (ClaimState.CERTIFICATING, ClaimState.CERTIFICATED):
        raise JobRefusedError(f"This claim is {ClaimState(claim.state).label.lower()}: it cannot be certificated.")
    actor = claim.approved_by
    assert claim.approved_at is not None
    on = claim.approved_at.date()
    learner_ids = list(
        ClaimLine.objects.filter(claim=claim).order_by("learner_id").values_list("learner_id", flat=True).distinct()
    )
    run.set_total(len(learner_ids))
    learners = {u.pk: u for u in User.objects.filter(pk__in=learner_ids)}
    for line, learner_id in run.pending(enumerate(learner_ids, start=1)):
        learner = learners[learner_id]
        try:
            with transaction.atomic():
                message = _certify_learner(claim, learner, actor=actor, on=on)
                run.record(line, JobLineOutcome.DONE, message, label=learner.email)
        except ValidationError as refusal:
            with transaction.atomic():
                run.record(line, JobLineOutcome.FAILED, " ".join(refusal.messages), label=learner.email)
    _finish(claim, actor=actor)
    lines = JobLine.objects.filter(job=run.job)
    done = lines.filter(outcome=JobLineOutcome.DONE).count()
    failed = lines.filter(outcome=JobLineOutcome.FAILED).count()
    said = f"Certificated {done} learner{'' if done == 1 else 's'} of claim {claim.pk}"
    said += "; their credentials are being signed and emailed." if done else "."
    if failed:
        said += f" {failed} could not be certificated: see why below."
    return said


def _certify_learner(claim: Claim, learner: User, *, actor: Any, on: datetime.date) -> str:
    lines = list(
        ClaimLine.objects.select_for_update(of=("self",))
        .filter(claim=claim, learner=learner)
        .select_related("achievement", "assessment__cohort__programme", "assessment__submission__portfolio__enrolment")
        .order_by("id")
    )
    note = f"Claim {claim.pk} from {claim.centre}, certificated by {claim.awarding_body}"
    attained = []
    for line in lines:
        if line.achievement.kind != AchievementKind.UNIT or line.attainment_id:
            continue
        existing = Attainment.objects.filter(learner=learner, achievement=line.achievement).first()
        if existing is None:
            existing = record_attainment(
                learner=learner,
                achievement=line.achievement,
                route=Route.RATIFIED_ASSESSMENT,
                attained_on=on,
                decided_by=actor,
                note=note,
                evidence=[],
            )
        if not ClaimLine.objects.filter(attainment=existing).exists():
            line.attainment = existing
            line.save(update_fields=["attainment"])
        attained.append(line.achievement.name)
    for line in lines:
        if line.achievement.kind == AchievementKind.UNIT or line.attainment_id:
            continue
        found = Attainment.objects.filter(learner=learner, achievement=line.achievement).first()
        if found is None:  # the units were held before; their qualification follows now
            complete_qualifications(learner, actor=actor, on=on)
            found = Attainment.objects.filter(learner=learner, achievement=line.achievement).first()
        if found is None:
            raise ValidationError(
                f"The units {learner} holds no longer complete {line.achievement.name} (a unit may have been "
                "revoked): their units are certificated, the qualification is not."
            )
        if not ClaimLine.objects.filter(attainment=found).exists():
            line.attainment = found
            line.save(update_fields=["attainment"])
        attained.append(line.achievement.name)
    awarded = _end_enrolments(lines, learner, actor=actor)
    if attained:
        _tell(
            [learner.email],
            f"Certificated by {claim.awarding_body}",
            [
                f"{claim.awarding_body} has certificated what you achieved at {claim.centre}:",
                *[f"- {name}" for name in attained],
                "",
                "Your digital certificates are being signed now: you will find them on your dashboard, and we will "
                "email you as each is issued.",
                settings.SITE_URL + reverse("dashboard"),
            ],
        )
    return f"{len(attained)} achievement{'' if len(attained) == 1 else 's'} certificated" + (
        "; enrolment awarded" if awarded else ""
    )


def _end_enrolments(lines: list[ClaimLine], learner: User, *, actor: Any) -> bool:
    """Each enrolment whose programme's qualification the learner now holds ends as awarded."""
    awarded = False
    seen: set[int] = set()
    for line in lines:
        assessment = line.assessment
        if assessment is None or assessment.pk in seen:
            continue
        seen.add(assessment.pk)
        enrolment = assessment.submission.portfolio.enrolment
        holds = Attainment.objects.filter(
            learner=learner,
            achievement__qualification_id=assessment.cohort.programme.qualification_id,
            achievement__unit__isnull=True,
        ).exists()
        if holds and enrolment.state == EnrolmentState.ACTIVE:
            mark_awarded(enrolment, actor=actor)
            enrolment.state = EnrolmentState.AWARDED
            awarded = True
    return awarded


def _finish(claim: Claim, *, actor: Any) -> None:
    """CERTIFICATING -> CERTIFICATED, audited once, issuance queued; a second call (after a crash) does nothing."""
    with transaction.atomic():
        locked = _lock(claim)
        if locked.state != ClaimState.CERTIFICATING:
            return
        locked.state = ClaimState.CERTIFICATED
        locked.save(update_fields=["state"])
        attained = ClaimLine.objects.filter(claim=locked, attainment__isnull=False).count()
        claim_audit(actor, "claim_certificated", locked, locked.awarding_body_id, attainments=attained)
        issuer = Issuer.objects.filter(organisation_id=locked.awarding_body_id).first()
        if issuer is not None:
            schedule_issuance(issuer, actor=actor)
