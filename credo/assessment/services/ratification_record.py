"""A ratification batch's record, to keep and to sign off: every learner with their outcome, assessor, the moderation
evidence and the institution's decision, as CSV (for a spreadsheet) and as an A4 PDF with a place to sign.

Read-only; built from ``ratification.entries_of`` in a fixed number of queries however many learners."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from credo.assessment.models import EntryDecision, RatificationBatch, RatificationEntry
from credo.assessment.services.ratification import entries_of
from credo.programmes.documents.pdf import a4_document

COLUMNS = (
    "learner",
    "email",
    "attempt",
    "outcome",
    "assessor",
    "assessed_on",
    "moderation",
    "moderator",
    "moderation_reasons",
    "sample",
    "sample_seed",
    "decision",
    "reason_returned",
    "attained_on",
)


@dataclass(frozen=True)
class RecordRow:
    """One learner's line of the record, in words."""

    learner: str
    email: str
    attempt: int
    outcome: str
    assessor: str
    assessed_on: str
    moderation: str
    moderator: str
    moderation_reasons: str
    sample: str
    sample_seed: str
    decision: str
    reason_returned: str
    attained_on: str


def _day(moment: object, zone: ZoneInfo) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, zone).date().isoformat()  # type: ignore[arg-type]  # a datetime here


def row_of(entry: RatificationEntry, zone: ZoneInfo) -> RecordRow:
    assessment = entry.assessment
    sample_entry = getattr(assessment, "sample_entry", None)
    if sample_entry is None:
        moderation, moderator, reasons, sample, seed = "Not drawn", "", "", "", ""
    else:
        moderation = sample_entry.get_state_display()
        moderator = sample_entry.moderator.full_name if sample_entry.moderator else ""
        reasons = "; ".join(sample_entry.reasons)
        sample, seed = f"Sample {sample_entry.sample.number}", sample_entry.sample.seed
    return RecordRow(
        learner=assessment.learner.full_name,
        email=assessment.learner.email,
        attempt=assessment.attempt,
        outcome=assessment.get_outcome_display(),
        assessor=assessment.assessor.full_name or assessment.assessor.email,
        assessed_on=_day(assessment.completed_at, zone),
        moderation=moderation,
        moderator=moderator,
        moderation_reasons=reasons,
        sample=sample,
        sample_seed=seed,
        decision=entry.get_decision_display(),
        reason_returned=entry.reason if entry.decision == EntryDecision.RETURNED else "",
        attained_on=entry.attainment.attained_on.isoformat() if entry.attainment else "",
    )


def record_rows(batch: RatificationBatch) -> list[RecordRow]:
    zone = ZoneInfo(batch.cohort.time_zone)
    return [row_of(entry, zone) for entry in entries_of(batch)]


def _cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (names and reasons are typed by people)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def record_csv(batch: RatificationBatch) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in record_rows(batch):
        writer.writerow([_cell(getattr(row, column)) for column in COLUMNS])
    return out.getvalue()


def record_name(batch: RatificationBatch, extension: str) -> str:
    return f"ratification-batch-{batch.pk}.{extension}"


def record_pdf(batch: RatificationBatch, *, compress: bool = True) -> bytes:
    """The record on A4: the batch, a line per learner, the totals and a sign-off block."""
    cohort = batch.cohort
    zone = ZoneInfo(cohort.time_zone)
    heading = f"Ratification record: batch {batch.pk}"
    pdf = a4_document(title=heading, author=batch.institution.name, compress=compress)

    def line(text: str, size: float = 10, *, bold: bool = False, gap: float = 1) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    line(batch.institution.name, 14, bold=True)
    line(heading, 18, bold=True, gap=3)
    line(f"{cohort.programme.qualification.title}: {cohort.programme.name}, {cohort.name}", gap=0)
    line(f"Provider: {cohort.programme.provider.name}", gap=0)
    line(
        f"Sent by {batch.submitted_by.full_name or batch.submitted_by.email} on {_day(batch.submitted_at, zone)}",
        gap=0,
    )
    line(f"State: {batch.get_state_display()}", gap=4)
    rows = record_rows(batch)
    for number, row in enumerate(rows, start=1):
        line(f"{number}. {row.learner} ({row.email})", 11, bold=True, gap=0)
        line(
            f"Attempt {row.attempt}: {row.outcome}, assessed by {row.assessor} on {row.assessed_on}. "
            f"Moderation: {row.moderation}"
            + (f" ({row.sample}, seed {row.sample_seed}: {row.moderation_reasons})" if row.moderation_reasons else "")
            + (f", by {row.moderator}" if row.moderator else "")
            + ".",
            gap=0,
        )
        decision = f"Decision: {row.decision}"
        if row.reason_returned:
            decision += f". Reason: {row.reason_returned}"
        if row.attained_on:
            decision += f", attained on {row.attained_on}"
        line(decision + ".", gap=2)
    ratified = sum(1 for entry in rows if entry.decision == EntryDecision.RATIFIED.label)
    returned = sum(1 for entry in rows if entry.decision == EntryDecision.RETURNED.label)
    line(
        f"{len(rows)} learners: {ratified} ratified, {returned} returned, {len(rows) - ratified - returned} waiting.",
        11,
        bold=True,
        gap=6,
    )
    if batch.ratified_by:
        line(
            f"Ratified in credo by {batch.ratified_by.full_name or batch.ratified_by.email} on "
            f"{_day(batch.ratified_at, zone)}.",
            gap=6,
        )
    line("Signed off for the institution", 11, bold=True, gap=4)
    for label in ("Name", "Role", "Signature", "Date"):
        line(f"{label}: ____________________________________________", 11, gap=5)
    return bytes(pdf.output())
