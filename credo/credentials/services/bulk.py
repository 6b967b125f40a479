"""Long work an issuer's staff start: awarding a checked CSV, and re-issuing every credential of an achievement.

Both run as background jobs (``credo.core.jobs``, docs/decisions/0017): the page or the API starts the job and
sends the person to its progress page. Each row is done in its own transaction together with the record of its
outcome, so a worker killed part way resumes after the last row that has an outcome and never does a row twice
(the job line's unique constraint, and for awards the one-attainment-per-learner-and-achievement constraint, are
the database's guarantee). Each row that cannot be done is reported on its line; the others are still done.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from credo.audit.models import AuditEvent
from credo.audit.services import record_event
from credo.core import csvfiles, jobs
from credo.core.models import Job, JobLine, JobLineOutcome
from credo.credentials.access import is_issuer_staff, is_programme_admin
from credo.credentials.models import (
    Achievement,
    AwardBatch,
    AwardBatchState,
    Credential,
    CredentialKind,
    CredentialState,
    Issuer,
)
from credo.credentials.services import issuance
from credo.credentials.services.awards import (
    AwardLine,
    AwardsRefusedError,
    Problem,
    _award,
    plan_awards,
    require_issuer_staff,
)
from credo.credentials.tasks import schedule_issuance

APPLY_AWARDS = "credentials.apply_awards"
REISSUE_ACHIEVEMENT = "credentials.reissue_achievement"
REISSUE_AUDIT = "credentials.achievement_reissued"
#: Issuance is queued after this many awards as well as at the end, so credentials start to arrive early.
ISSUE_EVERY = 500
AWARDED = "Awarded"
INVITED_AND_AWARDED = "Invited and awarded"


def register() -> None:
    """Make both kinds of job startable (called from the app's ``ready``)."""
    jobs.register(APPLY_AWARDS, apply_awards_job)
    jobs.register(REISSUE_ACHIEVEMENT, reissue_achievement_job)


def _rows(count: int) -> str:
    return f"{count:,} row{'' if count == 1 else 's'}"


# Applying an award batch ----------------------------------------------------------------------------------

_NOT_WAITING = {
    AwardBatchState.APPLYING: "This upload is already being awarded: follow it on its progress page.",
    AwardBatchState.APPLIED: "This upload has already been awarded; to award more, upload a new file.",
    AwardBatchState.DISCARDED: "This upload was discarded, so nothing in it can be awarded; upload the file again.",
}


def apply_awards(batch: AwardBatch, *, actor: Any) -> Job:
    """Check a previewed batch again and start awarding it, row by row, in the background; returns the job.

    If any row is now wrong (someone was awarded the same achievement since the preview), nothing is started and
    ``AwardsRefusedError`` names the rows, as at the preview. Otherwise the batch is "being awarded" until the
    job has done every row.
    """
    require_issuer_staff(actor, batch.issuer)
    with transaction.atomic():
        batch = AwardBatch.objects.select_for_update().select_related("issuer__organisation").get(pk=batch.pk)
        if batch.state != AwardBatchState.PREVIEWED:
            raise ValidationError(_NOT_WAITING.get(AwardBatchState(batch.state), "This upload cannot be awarded."))
        plan = plan_awards(batch.issuer, batch.csv_text)
        if not plan.ok:
            raise AwardsRefusedError(plan)
        issuer = batch.issuer
        job = jobs.start_job(
            kind=APPLY_AWARDS,
            title=f"Awarding {_rows(len(plan.lines))} of {batch.file_name}",
            started_by=actor,
            organisation=issuer.organisation,
            params={"batch": batch.pk},
            total=len(plan.lines),
            back_url=reverse("issuing:bulk", kwargs={"slug": issuer.organisation.slug}),
            back_label=f"Back to {issuer.name}'s awards",
        )
        batch.state = AwardBatchState.APPLYING
        batch.job = job
        batch.save(update_fields=["state", "job"])
    return job


def apply_awards_job(run: jobs.JobRun) -> str:
    """The job: award each row of the batch in its own transaction, with its outcome; then mark it awarded."""
    batch = AwardBatch.objects.select_related("issuer__organisation").filter(pk=run.params["batch"]).first()
    if batch is None:
        raise jobs.JobRefusedError("The upload has been deleted, so nothing more was awarded.")
    issuer = batch.issuer
    actor = run.job.started_by
    if not is_issuer_staff(actor, issuer):
        raise jobs.JobRefusedError(
            f"You are no longer a programme admin or ratifier of {issuer.name}, so nothing more was awarded."
        )
    if batch.state == AwardBatchState.APPLYING:
        _award_rows(run, batch, actor=actor)
        _finish_batch(run, batch, actor=actor)
    elif batch.state != AwardBatchState.APPLIED:  # APPLIED: finished before the worker stopped; only say so
        raise jobs.JobRefusedError(_NOT_WAITING.get(AwardBatchState(batch.state), "This upload cannot be awarded."))
    return _award_summary(run)


def _award_rows(run: jobs.JobRun, batch: AwardBatch, *, actor: Any) -> None:
    issuer = batch.issuer
    # Checked again as things stand now: after a crash the rows already awarded show as "already holds", but
    # ``pending`` skips them, since they have an outcome.
    plan = plan_awards(issuer, batch.csv_text)
    whole_file = [problem for problem in plan.problems if problem.line <= 1]
    if whole_file:
        raise jobs.JobRefusedError(" ".join(str(problem) for problem in whole_file))
    problems: dict[int, list[Problem]] = defaultdict(list)
    for problem in plan.problems:
        problems[problem.line].append(problem)
    work: list[tuple[int, AwardLine | list[Problem]]] = [(line.line, line) for line in plan.lines]
    work += list(problems.items())
    work.sort(key=lambda item: item[0])
    run.set_total(len(work))
    emails = {line: cells.get("email", "").strip() for line, cells in csvfiles.read_csv(batch.csv_text).records}
    reference = f"Bulk award {batch.pk} ({batch.file_name})"
    awarded = 0
    for line, row in run.pending(work):
        if isinstance(row, AwardLine):
            try:
                with transaction.atomic():
                    _award(row, actor=actor, issuer=issuer, reference=f"{reference}, row {line}")
                    run.record(
                        line, JobLineOutcome.DONE, INVITED_AND_AWARDED if row.invites else AWARDED, label=row.email
                    )
            except ValidationError as error:
                reason = " ".join(error.messages)
            else:
                awarded += 1
                if awarded % ISSUE_EVERY == 0:
                    schedule_issuance(issuer, actor=actor)
                continue
        else:
            reason = " ".join(f"{problem.field}: {problem.message}" for problem in row)
        with transaction.atomic():
            run.record(line, JobLineOutcome.FAILED, reason, label=emails.get(line, ""))


def _finish_batch(run: jobs.JobRun, batch: AwardBatch, *, actor: Any) -> None:
    """Mark the batch awarded, audit it once and queue issuance; a second call (after a crash) does nothing."""
    with transaction.atomic():
        locked = AwardBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.state != AwardBatchState.APPLYING:
            return
        locked.state = AwardBatchState.APPLIED
        locked.applied_at = timezone.now()
        locked.save(update_fields=["state", "applied_at"])
        lines = JobLine.objects.filter(job=run.job)
        record_event(
            actor=actor,
            action="credentials.bulk_awarded",
            obj=locked,
            organisation_id=batch.issuer.organisation_id,
            details={
                "rows": lines.filter(outcome=JobLineOutcome.DONE).count(),
                "invited": lines.filter(message=INVITED_AND_AWARDED).count(),
                "not_done": lines.filter(outcome=JobLineOutcome.FAILED).count(),
                "file": batch.file_name,
                "job": str(run.job.public_id),
            },
        )
        schedule_issuance(batch.issuer, actor=actor)


def _award_summary(run: jobs.JobRun) -> str:
    lines = JobLine.objects.filter(job=run.job)
    done = lines.filter(outcome=JobLineOutcome.DONE).count()
    invited = lines.filter(message=INVITED_AND_AWARDED).count()
    failed = lines.filter(outcome=JobLineOutcome.FAILED).count()
    said = f"Awarded {_rows(done)} of {done + failed}"
    if invited:
        said += f" ({invited:,} {'person' if invited == 1 else 'people'} invited to claim an account)"
    said += "; their credentials are being signed and emailed." if done else "."
    if failed:
        said += f" {_rows(failed).capitalize()} could not be awarded: see why below, and award them on their own."
    return said


# Re-issuing every credential of an achievement -----------------------------------------------------------


def require_programme_admin(actor: Any, issuer: Issuer) -> None:
    if not is_programme_admin(actor, issuer):
        raise PermissionDenied(f"Only {issuer}'s programme admins can re-issue its credentials in bulk.")


def current_credentials(achievement: Achievement, state: str = CredentialState.ACTIVE) -> QuerySet[Credential]:
    """The achievement's credentials in ``state`` not yet replaced: the active ones are what a re-issue replaces."""
    return Credential.objects.filter(
        attainment__achievement=achievement,
        kind=CredentialKind.ACHIEVEMENT,
        superseded_at__isnull=True,
        state=state,
    ).order_by("pk")


def reissue_achievement(achievement: Achievement, *, actor: Any, reason: str) -> Job:
    """Start re-issuing every current credential of ``achievement`` (after its details were corrected).

    Each active one is revoked with the reason and replaced by a new credential signed as the achievement is now,
    which its learner is sent. Suspended ones are left alone (re-issuing would lift the suspension); one suspended,
    revoked or replaced after the job started is reported on its line and left alone too.
    """
    issuer = achievement.issuer
    require_programme_admin(actor, issuer)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Give a reason: each learner is told it, and each old credential shows it."})
    with transaction.atomic():
        ids = list(current_credentials(achievement).values_list("pk", flat=True))
        if not ids:
            raise ValidationError(
                f"No one holds a current credential for {achievement.name}: there is nothing to re-issue."
            )
        count = len(ids)
        return jobs.start_job(
            kind=REISSUE_ACHIEVEMENT,
            title=f"Re-issuing {count:,} credential{'' if count == 1 else 's'} for {achievement.name}",
            started_by=actor,
            organisation=issuer.organisation,
            # The credentials as they are now, in a fixed order: a resumed run finds each line where it was.
            params={"achievement": achievement.pk, "reason": reason, "credentials": ids},
            total=count,
            back_url=reverse("issuing:home", kwargs={"slug": issuer.organisation.slug}),
            back_label=f"Back to {issuer.name}'s issuing",
        )


def reissue_achievement_job(run: jobs.JobRun) -> str:
    """The job: re-issue each credential in its own transaction, with its outcome, with ``issuance.reissue``."""
    achievement = Achievement.objects.select_related("issuer__organisation").get(pk=run.params["achievement"])
    actor = run.job.started_by
    if not is_programme_admin(actor, achievement.issuer):
        raise jobs.JobRefusedError(
            f"You are no longer a programme admin of {achievement.issuer.name}, so nothing more was re-issued."
        )
    reason = run.params["reason"]
    ids: list[int] = run.params["credentials"]
    credentials = Credential.objects.select_related("learner", "attainment__achievement__issuer__organisation")
    found = credentials.in_bulk(ids)
    for line, pk in run.pending(enumerate(ids, start=1)):
        credential = found.get(pk)
        if credential is None:
            with transaction.atomic():
                run.record(line, JobLineOutcome.SKIPPED, "This credential no longer exists.")
            continue
        label = credential.learner.email
        credential.refresh_from_db(fields=["state", "superseded_at"])  # as it is now, not when the job started
        left_alone = issuance.why_not_reissued(credential)
        if left_alone:
            with transaction.atomic():
                run.record(line, JobLineOutcome.SKIPPED, left_alone, label=label)
            continue
        try:
            with transaction.atomic():
                issuance.reissue(credential, actor=actor, reason=reason)
                run.record(line, JobLineOutcome.DONE, "Re-issued; the old credential is revoked.", label=label)
        except ValidationError as error:
            with transaction.atomic():
                run.record(line, JobLineOutcome.FAILED, " ".join(error.messages), label=label)
    return _reissue_finish(run, achievement, actor=actor, reason=reason)


def _reissue_finish(run: jobs.JobRun, achievement: Achievement, *, actor: Any, reason: str) -> str:
    """Audit the re-issue once (a run resumed after the last line finds the event there) and say what happened."""
    lines = JobLine.objects.filter(job=run.job)
    done = lines.filter(outcome=JobLineOutcome.DONE).count()
    left = lines.exclude(outcome=JobLineOutcome.DONE).count()
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=run.job.pk)
        audited = AuditEvent.objects.filter(
            action=REISSUE_AUDIT, object_type=job._meta.label_lower, object_id=str(job.pk)
        ).exists()
        if not audited:
            record_event(
                actor=actor,
                action=REISSUE_AUDIT,
                obj=job,
                organisation_id=achievement.issuer.organisation_id,
                details={"achievement": str(achievement), "reissued": done, "left_alone": left, "reason": reason},
            )
    said = f"Re-issued {done:,} credential{'' if done == 1 else 's'} for {achievement.name}"
    said += "; each learner has been sent the new one." if done else "."
    if left:
        said += f" {left:,} {'was' if left == 1 else 'were'} left alone: see why below."
    return said
