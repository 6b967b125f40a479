"""Portfolio exports as background jobs: the ZIP stream (``services.export``) written into a temporary file, then
kept for the person who asked to download from the job's page, with progress file by file.

Built in the background, not in the request, because a large portfolio takes longer than a web worker may live
(gunicorn's sync worker is killed after 30 seconds, and the streamed download died with it): see
docs/decisions/0018-exports-are-built-by-jobs.md. The archive is never held in memory: chunks go to the temporary
file as they are made, and the finished file is copied once into storage.

Who may export is decided by the same access helpers as the pages, when the export is asked for *and* again when
the job runs (a role taken away in between stops it): the learner their own portfolio and submissions
(``own_portfolio``, ``own_submission``); the staff who may read a learner's portfolio, that portfolio as it is now
(``portfolio_for_staff``).
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.db import transaction
from django.http import Http404
from django.template.defaultfilters import pluralize
from django.urls import reverse

from credo.core.jobs import JobRefusedError, JobRun, start_job
from credo.core.models import Job, JobLineOutcome
from credo.portfolios import access
from credo.portfolios.models import Portfolio, Submission
from credo.portfolios.services.export import Archive, ExportFile, portfolio_archive, submission_archive

KIND = "portfolios.export"
#: Who the export is for, which decides the access helper used again when the job runs.
OWN_PORTFOLIO = "own_portfolio"
OWN_SUBMISSION = "own_submission"
STAFF_PORTFOLIO = "staff_portfolio"
MISSING = "Not in the archive: it could not be read from storage, so the archive holds a note in its place."


def _learner_name(portfolio: Portfolio) -> str:
    learner = portfolio.enrolment.learner
    return str(learner.full_name or learner.email)


def start_portfolio_export(portfolio: Portfolio, *, actor: Any, as_staff: bool = False) -> Job:
    """Start building the portfolio as it is now; ``portfolio`` was loaded by the matching access helper."""
    enrolment_id = portfolio.enrolment_id
    if as_staff:
        title = f"Portfolio of {_learner_name(portfolio)}, as a ZIP"
        back = reverse("portfolios:staff_portfolio", args=[enrolment_id])
        label = "Back to the portfolio"
    else:
        title = f"Your portfolio for {portfolio.enrolment.cohort}, as a ZIP"
        back = reverse("portfolios:learner-portfolio", args=[enrolment_id])
        label = "Back to your portfolio"
    return start_job(
        kind=KIND,
        title=title,
        started_by=actor,
        organisation=portfolio.enrolment.cohort.programme.provider,
        params={"who": STAFF_PORTFOLIO if as_staff else OWN_PORTFOLIO, "enrolment": enrolment_id},
        back_url=back,
        back_label=label,
    )


def start_submission_export(submission: Submission, *, actor: Any) -> Job:
    """Start building a submitted attempt, loaded by ``access.own_submission``."""
    enrolment_id = submission.portfolio.enrolment_id
    return start_job(
        kind=KIND,
        title=f"Your submission, attempt {submission.attempt}, as a ZIP",
        started_by=actor,
        organisation=submission.portfolio.enrolment.cohort.programme.provider,
        params={"who": OWN_SUBMISSION, "enrolment": enrolment_id, "attempt": submission.attempt},
        back_url=reverse("portfolios:submission", args=[enrolment_id, submission.attempt]),
        back_label="Back to the submission",
    )


def _archive(params: dict[str, Any], user: Any) -> Archive:
    """What to export, loaded again through the access helper for whoever started the job."""
    who, enrolment_id = params["who"], int(params["enrolment"])
    try:
        if who == OWN_SUBMISSION:
            return submission_archive(access.own_submission(user, enrolment_id, int(params["attempt"])))
        if who == STAFF_PORTFOLIO:
            return portfolio_archive(access.portfolio_for_staff(user, enrolment_id))
        return portfolio_archive(access.own_portfolio(user, enrolment_id))
    except (Http404, PermissionDenied):
        raise JobRefusedError("You may no longer read this portfolio, so it was not exported.") from None


def run_export(run: JobRun) -> str:
    """The job: every chunk of the ZIP into a temporary file, one line per file, then the file kept for download.

    A rerun after a crash builds the archive again from the start (``save_output`` replaces any earlier file);
    files already counted are not counted again.
    """
    archive = _archive(run.params, run.job.started_by)
    run.set_total(len(archive.files))
    counted = run.recorded_lines()

    def file_done(position: int, entry: ExportFile, found: bool) -> None:
        if position in counted:
            return
        outcome, message = (JobLineOutcome.DONE, "") if found else (JobLineOutcome.FAILED, MISSING)
        with transaction.atomic():
            run.record(position, outcome, message, label=entry.path)

    with tempfile.TemporaryFile() as spooled:
        for chunk in archive.chunks(file_done):
            spooled.write(chunk)
        spooled.seek(0)
        run.save_output(archive.name, File(spooled), content_type="application/zip")
    files = len(archive.files)
    summary = f"The archive holds an index and {files} file{pluralize(files)}."
    missing = Job.objects.filter(pk=run.job.pk).values_list("failed", flat=True).get()
    if missing:
        summary += f" {missing} could not be read from storage: the lines below say which."
    return summary
