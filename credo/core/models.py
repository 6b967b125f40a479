"""Background jobs that people start and watch: a bulk award, a roster import, an export.

A ``Job`` is what a person sees ("Awarding 2,000 credentials from awards.csv: 1,250 of 2,000 done"); the
work itself runs in a django-tasks task (``credo.core.jobs.run_job``). Each line of work records its outcome
as a ``JobLine`` in the same transaction as the work, so a job whose worker was killed resumes where it
stopped, and the result page says what happened line by line.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class JobState(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "In progress"
    DONE = "done", "Finished"
    FAILED = "failed", "Stopped before the end"


class Job(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: The registered handler that does the work, e.g. "credentials.apply_awards" (see credo.core.jobs.register).
    kind = models.CharField(max_length=80)
    #: What the person started, in their words: "Awarding credentials from awards.csv".
    title = models.CharField(max_length=300)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: The handler's arguments (plain JSON): ids, never objects.
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    #: Lines of work in all (0 until the handler knows), and how many have an outcome so far.
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    #: A sentence saying what happened, written when the job finishes.
    summary = models.TextField(blank=True)
    #: Why it stopped, in words for the person who started it (and what to do).
    problem = models.TextField(blank=True)
    #: Where the person goes next ("Back to the issuer's awards").
    back_url = models.CharField(max_length=500, blank=True)
    back_label = models.CharField(max_length=200, blank=True)
    #: A file the job made (an export), kept until ``output_expires_at`` and downloaded only by its owner.
    output = models.FileField(upload_to="jobs/%Y/%m/", blank=True, max_length=300)
    output_name = models.CharField(max_length=200, blank=True)
    output_content_type = models.CharField(max_length=100, blank=True)
    output_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: How many times a worker has started it (more than once: it resumed after a crash or a retry).
    runs = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["started_by", "-created_at"], name="core_job_owner_recent")]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def succeeded(self) -> int:
        return self.processed - self.failed - self.skipped

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.finished else 0
        return min(100, self.processed * 100 // self.total)


class JobLineOutcome(models.TextChoices):
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Not done"


class JobLine(models.Model):
    """What happened to one line of a job: one row of an uploaded file, one credential, one learner."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="lines")
    #: The row number in the uploaded file (as a spreadsheet numbers it), or the position in the work list.
    line = models.PositiveIntegerField()
    #: Who or what the line is about, e.g. an email address.
    label = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=10, choices=JobLineOutcome.choices)
    message = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["line"]
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="core_jobline_once_per_line")]
        indexes = [models.Index(fields=["job", "outcome", "line"], name="core_jobline_outcome")]

    def __str__(self) -> str:
        return f"Line {self.line}: {self.get_outcome_display()}"
