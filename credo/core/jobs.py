"""Long work that people start from a page or the API, run in the background with a progress page.

An app registers a *handler* for each kind of job from its ``AppConfig.ready`` (core knows no domain app)::

    jobs.register("credentials.apply_awards", apply_awards_job)

and starts one with ``start_job``, which returns the ``Job`` whose page (``job_url``) the person is sent to.
The handler gets a ``JobRun`` and does the work line by line: for each line it does the work and calls
``run.record(...)`` *inside the same transaction*, so a line's work and its outcome commit together. If the
worker is killed, the task is run again (see docs/decisions/0017) and ``run.pending(lines)`` skips the lines
that already have an outcome: nothing is done twice and nothing is lost. The handler returns a sentence
saying what happened; raising ``JobRefusedError`` stops the job with a message for the person who started it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from credo.core.models import Job, JobLine, JobLineOutcome, JobState

logger = logging.getLogger(__name__)

T = TypeVar("T")


class JobRefusedError(Exception):
    """The job cannot go on, for a reason the person who started it can act on (shown as written)."""


@dataclass(frozen=True)
class _Handler:
    run: Callable[[JobRun], str]


_handlers: dict[str, _Handler] = {}


def register(kind: str, handler: Callable[[JobRun], str]) -> None:
    """Make ``kind`` startable; registering again (``ready()`` run twice in tests) replaces it."""
    _handlers[kind] = _Handler(handler)


def registered_kinds() -> tuple[str, ...]:
    return tuple(sorted(_handlers))


def start_job(
    *,
    kind: str,
    title: str,
    started_by: Any,
    params: dict[str, Any] | None = None,
    organisation: Any = None,
    total: int = 0,
    back_url: str = "",
    back_label: str = "",
) -> Job:
    """Record a job and queue it to run once the current transaction commits (nothing for a rolled-back one)."""
    if kind not in _handlers:
        raise LookupError(f"No job handler is registered for {kind!r}.")
    job = Job.objects.create(
        kind=kind,
        title=title[:300],
        started_by=started_by,
        organisation=organisation,
        params=params or {},
        total=total,
        back_url=back_url,
        back_label=back_label[:200],
    )
    _enqueue_on_commit(job)
    return job


def _enqueue_on_commit(job: Job) -> None:
    public_id = str(job.public_id)
    transaction.on_commit(lambda: run_job.enqueue(job_id=public_id))


def retry_job(job: Job) -> Job:
    """Run a job that stopped again: it resumes after the last line that has an outcome."""
    updated = Job.objects.filter(pk=job.pk, state=JobState.FAILED).update(
        state=JobState.QUEUED, problem="", summary="", finished_at=None
    )
    if not updated:
        raise ValidationError("Only a job that stopped before the end can be tried again.")
    _enqueue_on_commit(job)
    job.refresh_from_db()
    return job


def job_url(job: Job) -> str:
    return reverse("job", kwargs={"public_id": job.public_id})


class JobRun:
    """A handler's view of its job: what is done already, and where to record each line's outcome."""

    def __init__(self, job: Job) -> None:
        self.job = job

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.job.params)

    def set_total(self, total: int) -> None:
        Job.objects.filter(pk=self.job.pk).update(total=total)
        self.job.total = total

    def set_progress(self, processed: int) -> None:
        """How far work that has no lines of its own has got (an export: rows written so far)."""
        Job.objects.filter(pk=self.job.pk).update(processed=processed)
        self.job.processed = processed

    def recorded_lines(self) -> set[int]:
        return set(JobLine.objects.filter(job=self.job).values_list("line", flat=True))

    def pending(self, items: Iterable[tuple[int, T]]) -> Iterator[tuple[int, T]]:
        """The ``(line, item)`` pairs that have no outcome yet: after a crash, the ones still to do."""
        done = self.recorded_lines()
        return ((line, item) for line, item in items if line not in done)

    def record(self, line: int, outcome: str, message: str = "", *, label: str = "") -> None:
        """Record what happened to one line. Call it inside the transaction that did the line's work.

        The database refuses a second outcome for the same line, so a line is never counted twice.
        """
        JobLine.objects.create(job=self.job, line=line, outcome=outcome, message=message[:1000], label=label[:300])
        Job.objects.filter(pk=self.job.pk).update(
            processed=F("processed") + 1,
            failed=F("failed") + (1 if outcome == JobLineOutcome.FAILED else 0),
            skipped=F("skipped") + (1 if outcome == JobLineOutcome.SKIPPED else 0),
        )

    def save_output(self, name: str, content: File[Any], *, content_type: str) -> None:
        """Keep a file the job made (an export) for its owner to download, until it expires."""
        job = self.job
        if job.output:
            job.output.delete(save=False)  # a rerun after a crash makes the file again from the start
        job.output.save(name, content, save=False)
        job.output_name = name
        job.output_content_type = content_type
        job.output_expires_at = timezone.now() + datetime.timedelta(days=settings.CREDO_JOB_OUTPUT_DAYS)
        job.save(update_fields=["output", "output_name", "output_content_type", "output_expires_at"])


@task()
def run_job(*, job_id: str) -> str:
    """Run (or resume) one job. Safe to run twice: a finished job is left alone, recorded lines are skipped."""
    job = Job.objects.filter(public_id=job_id).first()
    if job is None or job.finished:
        return "nothing to do"
    handler = _handlers.get(job.kind)
    if handler is None:
        _finish(job, JobState.FAILED, problem="This kind of work can no longer be done by credo.")
        return "unknown kind"
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, started_at=job.started_at or timezone.now(), runs=F("runs") + 1
    )
    job.refresh_from_db()
    try:
        summary = handler.run(JobRun(job))
    except (JobRefusedError, ValidationError) as refusal:
        words = " ".join(refusal.messages) if isinstance(refusal, ValidationError) else str(refusal)
        _finish(job, JobState.FAILED, problem=words)
        return "refused"
    except Exception:
        logger.exception("Job %s (%s) failed", job.public_id, job.kind)
        _finish(
            job,
            JobState.FAILED,
            problem=(
                "Something went wrong on our side and the work stopped. Every line listed below was done; "
                "try again to do the rest, or tell your administrator if it stops again."
            ),
        )
        raise
    _finish(job, JobState.DONE, summary=summary)
    return "done"


def _finish(job: Job, state: str, *, summary: str = "", problem: str = "") -> None:
    Job.objects.filter(pk=job.pk).update(state=state, summary=summary, problem=problem, finished_at=timezone.now())


@task()
def sweep_job_outputs() -> int:
    """Delete the files of exports whose time is up; safe to run twice."""
    swept = 0
    expired = Job.objects.filter(output_expires_at__lt=timezone.now()).exclude(output="")
    for job in expired.iterator(chunk_size=200):
        job.output.delete(save=False)
        Job.objects.filter(pk=job.pk).update(output="", output_expires_at=None)
        swept += 1
    return swept
