"""A claim as CSV (one row per line, for the awarding body's records) and as a PDF a person signs off: the centre's
declaration, the learners and what each is claimed for, the units carried in, the EQA's decision, and signature
boxes for the centre's head and the awarding body's certification officer."""

from __future__ import annotations

import csv
import io

from django.utils import timezone

from credo.assessment.models import Claim, ClaimState
from credo.assessment.services.claims import LearnerSummary, summary
from credo.programmes.documents.pdf import a4_document

COLUMNS = [
    "claim",
    "centre",
    "awarding_body",
    "state",
    "learner_email",
    "learner_name",
    "kind",
    "code",
    "title",
    "carried_in",
    "assessment",
    "certificated_on",
]


def _cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (names are typed by people)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def claim_rows(claim: Claim) -> list[list[str]]:
    rows = []
    state = ClaimState(claim.state).label
    for row in summary(claim):
        lines = [*row.units, *([row.qualification] if row.qualification else [])]
        for line in lines:
            attained = line.attainment.attained_on.isoformat() if line.attainment else ""
            rows.append(
                [
                    str(claim.pk),
                    _cell(claim.centre.name),
                    _cell(claim.awarding_body.name),
                    state,
                    _cell(row.learner.email),
                    _cell(row.learner.full_name),
                    "Unit" if line.achievement.unit_id else "Qualification",
                    _cell(line.achievement.code),
                    _cell(line.achievement.name),
                    " ".join(line.carried_in),
                    str(line.assessment_id or ""),
                    attained,
                ]
            )
    return rows


def claim_csv(claim: Claim) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(claim_rows(claim))
    return out.getvalue()


def _learner_lines(row: LearnerSummary) -> list[str]:
    said = [f"Unit {line.achievement.code} {line.achievement.name}" for line in row.units]
    if row.qualification:
        line = row.qualification
        carried = f" (carried in: {', '.join(line.carried_in)})" if line.carried_in else ""
        said.append(f"Qualification {line.achievement.code} {line.achievement.name}{carried}")
    elif row.missing:
        said.append(f"Not yet complete: {row.qualification_title}. Missing: {'; '.join(row.missing)}")
    return said


def claim_pdf(claim: Claim, *, compress: bool = True) -> bytes:
    """The claim on A4, to be read and signed."""
    pdf = a4_document(title=f"Claim {claim.pk} for certification", author=claim.centre.name, compress=compress)

    def line(text: str, size: float = 11, *, bold: bool = False, gap: float = 1) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    line(f"Claim {claim.pk} for certification", 16, bold=True, gap=2)
    line(f"From {claim.centre.name} to {claim.awarding_body.name}", gap=0)
    line(f"State: {ClaimState(claim.state).label}", gap=0)
    if claim.submitted_at:
        line(f"Submitted: {timezone.localtime(claim.submitted_at):%d %B %Y}", gap=0)
    line(f"Printed: {timezone.localtime():%d %B %Y}", gap=4)
    rows = summary(claim)
    line(f"Learners: {len(rows)}", bold=True, gap=2)
    for row in rows:
        line(f"{row.learner.full_name or row.learner.email} ({row.learner.email})", bold=True, gap=0)
        for text in _learner_lines(row):
            line(f"\u2022 {text}", 10, gap=0)
        pdf.ln(2)
    review = claim.eqa_reviews.select_related("reviewer").order_by("-reviewed_at", "-id").first()
    if review:
        decision = "Released for certification" if review.released else "Blocked"
        line("External quality assurance", bold=True, gap=1)
        line(f"{decision} by {review.reviewer.full_name or review.reviewer.email}, risk: {review.get_risk_display()}")
        line(f"Findings: {review.findings}")
        if review.actions:
            line(f"Actions: {review.actions}")
        pdf.ln(2)
    line(
        "Declaration: the centre confirms that the work claimed is the learners' own, was assessed against the "
        "assessment criteria, and was internally quality assured, and that the records are kept for inspection.",
        gap=6,
    )
    for who in (f"For {claim.centre.name} (head of centre)", f"For {claim.awarding_body.name} (certification)"):
        line(who, bold=True, gap=2)
        line("Name: ______________________________   Signature: ______________________   Date: ____________", gap=8)
    return bytes(pdf.output())
