"""A cohort's IQA records, for the centre's files and the external quality assurer: the sampling record (each
draw with its seed and plan, every assessment in it, sampled or not and why) and the moderation record (each
sampled assessment with every moderator decision), as CSV or as a PDF a person signs off.

Built by a background job (docs/decisions/0018): a cohort's records grow with every draw. Who may export is
checked when it is asked for and again when the job runs.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from credo.assessment.access.moderation import require_staff
from credo.assessment.models import ModerationReview, ModerationState, SampleEntry
from credo.core.jobs import JobRefusedError, JobRun, start_job
from credo.core.models import Job
from credo.programmes.documents.pdf import a4_document
from credo.programmes.models import Cohort
from credo.programmes.services.cohorts import zone

KIND = "assessment.moderation_record"
SAMPLING = "sampling"
MODERATION = "moderation"
RECORDS = {SAMPLING: "IQA sampling record", MODERATION: "Moderation record"}
FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}
SAMPLING_COLUMNS = [
    "Sample",
    "Drawn",
    "Drawn by",
    "Seed",
    "Plan",
    "Learner",
    "Attempt",
    "Assessor",
    "Outcome",
    "Sampled",
    "Reasons",
    "Moderation",
]
MODERATION_COLUMNS = [
    "Sample",
    "Learner",
    "Attempt",
    "Assessor",
    "Outcome",
    "Decision",
    "Moderator",
    "Date",
    "Rationale",
]
CHUNK = 500


def _cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (names are typed by people)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _name(user: Any) -> str:
    return str(user.full_name or user.email) if user is not None else ""


def _plan_words(plan: dict[str, Any]) -> str:
    return (
        f"{plan.get('percent')}% at random; each assessor's first {plan.get('new_assessor_decisions')} decisions; "
        "every not yet competent; coverage of assessors, units and methods"
    )


def sampling_rows(cohort: Cohort) -> Iterator[list[str]]:
    tz = zone(cohort.time_zone)
    entries = (
        SampleEntry.objects.filter(sample__cohort=cohort)
        .select_related("sample__drawn_by", "assessment__learner", "assessment__assessor")
        .order_by("sample__number", "assessment_id")
    )
    for entry in entries.iterator(chunk_size=CHUNK):
        sample, assessment = entry.sample, entry.assessment
        yield [
            str(sample.number),
            timezone.localtime(sample.drawn_at, tz).strftime("%Y-%m-%d %H:%M"),
            _cell(_name(sample.drawn_by)),
            _cell(sample.seed),
            _plan_words(sample.plan),
            _cell(_name(assessment.learner)),
            str(assessment.attempt),
            _cell(_name(assessment.assessor)),
            assessment.get_outcome_display(),
            "no" if entry.state == ModerationState.NOT_SAMPLED else "yes",
            "; ".join(entry.reasons),
            entry.get_state_display(),
        ]


def moderation_rows(cohort: Cohort) -> Iterator[list[str]]:
    tz = zone(cohort.time_zone)
    reviews = (
        ModerationReview.objects.filter(entry__sample__cohort=cohort)
        .select_related("entry__sample", "entry__assessment__learner", "entry__assessment__assessor", "moderator")
        .order_by("entry__sample__number", "entry__assessment_id", "reviewed_at", "pk")
    )
    for review in reviews.iterator(chunk_size=CHUNK):
        assessment = review.entry.assessment
        yield [
            str(review.entry.sample.number),
            _cell(_name(assessment.learner)),
            str(assessment.attempt),
            _cell(_name(assessment.assessor)),
            assessment.get_outcome_display(),
            "Agreed" if review.agreed else "Referred back",
            _cell(_name(review.moderator)),
            timezone.localtime(review.reviewed_at, tz).strftime("%Y-%m-%d %H:%M"),
            _cell(review.rationale),
        ]


def _rows(cohort: Cohort, record: str) -> tuple[list[str], Iterator[list[str]]]:
    if record == SAMPLING:
        return SAMPLING_COLUMNS, sampling_rows(cohort)
    return MODERATION_COLUMNS, moderation_rows(cohort)


def record_csv(cohort: Cohort, record: str) -> str:
    out = io.StringIO()
    columns, rows = _rows(cohort, record)
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def record_pdf(cohort: Cohort, record: str, *, compress: bool = True) -> bytes:
    """The record as an A4 PDF: one block per row, then a sign-off for the internal quality assurer."""
    provider = cohort.programme.provider
    title = f"{RECORDS[record]}: {cohort.programme.name}, {cohort.name}"
    pdf = a4_document(title=title, author=provider.name, compress=compress)

    def line(text: str, size: float = 10, *, bold: bool = False, gap: float = 0) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    line(provider.name, 14, bold=True)
    line(title, 12, bold=True, gap=2)
    today = timezone.localtime(timezone.now(), zone(cohort.time_zone)).date()
    line(f"Printed {today.day} {today:%B %Y}.", gap=4)
    columns, rows = _rows(cohort, record)
    count = 0
    for row in rows:
        count += 1
        line(f"{columns[0]} {row[0]}: {row[5] if record == SAMPLING else row[1]}", bold=True)
        for label, value in zip(columns[1:], row[1:], strict=True):
            if value:
                line(f"{label}: {value}")
        pdf.ln(3)
    if not count:
        line("Nothing has been drawn or moderated in this cohort yet.", gap=4)
    pdf.ln(8)
    line("Signed off by the internal quality assurer", bold=True, gap=6)
    line("Name: ____________________________________________", gap=6)
    line("Signature: ________________________________________", gap=6)
    line("Date: ____________________", gap=2)
    return bytes(pdf.output())


def record_name(cohort: Cohort, record: str, fmt: str) -> str:
    return f"{cohort.programme.slug}-{cohort.slug}-{record}-record.{fmt}"


def _check(user: Any, cohort: Cohort) -> None:
    require_staff(user, cohort.programme.provider, "the moderation records of this cohort")


def start_record(cohort: Cohort, *, actor: Any, record: str, fmt: str) -> Job:
    """Start the job that writes the record; the cohort was loaded through ``cohort_for_moderation``."""
    if record not in RECORDS or fmt not in FORMATS:
        raise ValueError(f"No such record: {record}.{fmt}")
    _check(actor, cohort)
    return start_job(
        kind=KIND,
        title=f"{RECORDS[record]} of {cohort}, as {fmt.upper()}",
        started_by=actor,
        organisation=cohort.programme.provider,
        params={"cohort": cohort.pk, "record": record, "format": fmt},
        back_url=reverse("assessment:cohort-moderation", kwargs={"public_id": cohort.public_id}),
        back_label="Back to the cohort's moderation",
    )


def run_record(run: JobRun) -> str:
    """The job: the record written to a file kept for download; a rerun writes it again from the start."""
    cohort = Cohort.objects.select_related("programme__provider").get(pk=run.params["cohort"])
    record, fmt = run.params["record"], run.params["format"]
    try:
        _check(run.job.started_by, cohort)
    except (PermissionDenied, Http404):
        raise JobRefusedError("You may no longer read this cohort's moderation, so the record was not made.") from None
    name = record_name(cohort, record, fmt)
    if fmt == "pdf":
        run.save_output(name, ContentFile(record_pdf(cohort, record)), content_type=FORMATS[fmt])
    else:
        with tempfile.TemporaryFile() as spooled:
            text = io.TextIOWrapper(spooled, encoding="utf-8", newline="")
            columns, rows = _rows(cohort, record)
            writer = csv.writer(text)
            writer.writerow(columns)
            for written, row in enumerate(rows, start=1):
                writer.writerow(row)
                if written % CHUNK == 0:
                    run.set_progress(written)
            text.flush()
            spooled.seek(0)
            run.save_output(name, File(spooled), content_type=FORMATS[fmt])
            text.detach()
    return f"The {RECORDS[record].lower()} of {cohort} is ready to download."
