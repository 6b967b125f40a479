"""A cohort's roster as CSV: importing learners (every row checked first, then registered row by row in the
background) and exporting enrolments (written to a file in the background).

Import is three steps: ``check_roster`` reads the file and reports every problem by row number and column, changing
nothing; ``start_import`` checks the whole file again (the cohort may have changed since the preview) and, only if
every row is good, keeps the file (``RosterImport``) and starts a job; ``run_import``, the job, invites the people
who have no account and registers each row in its own transaction with its outcome. So a large roster never runs
inside a web request (a worker is killed after 30 seconds), and a worker that dies part-way resumes with the rows
left, registering nobody twice. The price: it is no longer all or nothing. A row that became impossible between the
check and its turn (someone registered the same person meanwhile) is "Not done", with its reason, and the others are
registered; the job's page lists each row's outcome (see docs/decisions/0018 and the roster section of the docs).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from credo.accounts.invitations import find_or_invite, normalise_email
from credo.accounts.models import User
from credo.audit.services import record_event
from credo.core.csvfiles import CsvError, read_csv
from credo.core.jobs import JobRefusedError, JobRun, start_job
from credo.core.models import Job, JobLine, JobLineOutcome
from credo.programmes import staff_words
from credo.programmes.models import Cohort, InvoiceState, OrganisationType, RosterImport
from credo.programmes.services import enrolments
from credo.programmes.services.cohorts import zone

REQUIRED_COLUMNS = ("email", "full_name", "organisation_name", "organisation_type")
OPTIONAL_COLUMNS = ("invoice_to_organisation",)
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
#: Enrolments read from the database at a time by an export (and how often its progress is written).
EXPORT_CHUNK = 500
EXPORT_COLUMNS = (
    "email",
    "full_name",
    "organisation_name",
    "organisation_type",
    "invoice_to_organisation",
    "status",
    "fee_tier",
    "registered_on",
    "invoiced_total",
    "paid_total",
)


@dataclass(frozen=True)
class RosterRow:
    """A good row: who to register, and how."""

    line: int
    email: str
    full_name: str
    organisation_name: str
    organisation_type: str
    invoice_to_organisation: bool
    has_account: bool

    @property
    def organisation_type_label(self) -> str:
        """'Local government', not the code the file may give."""
        return str(OrganisationType(self.organisation_type).label)


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    message: str


@dataclass
class RosterCheck:
    rows: list[RosterRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    #: The email each row gives, as written, by line (to name a row the job could not register).
    emails: dict[int, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)


def _organisation_type(value: str) -> str | None:
    """The type's code, given its code or its label in any case ('Community organisation' or 'community')."""
    wanted = value.strip().lower()
    for code, label in OrganisationType.choices:
        if wanted in (code, str(label).lower()):
            return code
    return None


def check_roster(cohort: Cohort, text: str) -> RosterCheck:
    """Every problem in the file, by line (the header is line 1, as a spreadsheet numbers it) and column; changes
    nothing. A cell that spans lines keeps the numbering right: each row is named by the line it starts on."""
    result = RosterCheck()
    if "\x00" in text:
        result.problems.append(RowProblem(0, "file", "The file holds NUL characters: save it again as CSV UTF-8."))
        return result
    try:
        table = read_csv(text)
    except CsvError as error:  # CR-only line endings are fine; a quote never closed is not
        result.problems.append(RowProblem(error.line or 1, "file", " ".join(error.messages)))
        return result
    columns = table.header
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        result.problems.append(RowProblem(1, ", ".join(missing), "The header row is missing these columns."))
        return result
    # An export's extra columns (status, totals...) describe the old cohort: read past them, so it can seed an import.
    unknown = [name for name in columns if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS + EXPORT_COLUMNS]
    if unknown:
        result.problems.append(RowProblem(1, ", ".join(unknown), "Unknown columns: remove or rename them."))
        return result
    raw = [(line, {name: value.strip() for name, value in row.items()}) for line, row in table.records]
    if not raw:
        result.problems.append(RowProblem(1, "", "The file has a header but no learners."))
        return result
    # Two queries for the whole file, not two per row: who has an account, and who is already in the cohort.
    emails = {row.get("email", "").lower() for _line, row in raw}
    accounts = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    enrolled = set(cohort.enrolments.filter(learner__email__in=emails).values_list("learner__email", flat=True))
    tiers = list(cohort.fee_tiers.all())
    seen: dict[str, int] = {}
    for line, row in raw:
        result.emails[line] = row.get("email", "")
        if line in table.extra_cells:
            # Most often a comma inside a name that was not quoted: the cells after it have moved one column right.
            # Its other cells would only report that shift, so this is the one problem told.
            more = table.extra_cells[line]
            result.problems.append(
                RowProblem(line, "", f"This row has {more} more cell{pluralize(more)} than the header has columns.")
            )
            continue
        good = _check_row(cohort, line, row, accounts, enrolled, seen, tiers, result.problems)
        if good is not None:
            result.rows.append(good)
    return result


def _check_row(
    cohort: Cohort,
    line: int,
    row: dict[str, str],
    accounts: set[str],
    enrolled: set[str],
    seen: dict[str, int],
    tiers: list[Any],
    problems: list[RowProblem],
) -> RosterRow | None:
    before = len(problems)
    email = ""
    try:
        email = normalise_email(row.get("email", ""))
    except ValidationError as error:
        problems.append(RowProblem(line, "email", " ".join(error.messages)))
    if email and email in seen:
        problems.append(RowProblem(line, "email", f"{email} is already on line {seen[email]}."))
    elif email:
        seen[email] = line
        if email in enrolled:
            problems.append(RowProblem(line, "email", f"{email} is already registered for this cohort."))
    has_account = email in accounts
    if not has_account and not row.get("full_name"):
        problems.append(RowProblem(line, "full_name", "This person has no account yet: give their full name."))
    if not row.get("organisation_name"):
        problems.append(RowProblem(line, "organisation_name", "Give the organisation they work with."))
    organisation_type = _organisation_type(row.get("organisation_type", ""))
    if organisation_type is None:
        choices = ", ".join(OrganisationType.values)
        problems.append(RowProblem(line, "organisation_type", f"Use one of: {choices}."))
    elif not any(organisation_type in tier.organisation_types for tier in tiers):
        problems.append(RowProblem(line, "organisation_type", "This cohort has no fee tier for this type."))
    invoice = row.get("invoice_to_organisation", "").lower()
    if invoice not in YES | NO:
        problems.append(RowProblem(line, "invoice_to_organisation", "Write yes or no (or leave it empty for no)."))
    if len(problems) > before:
        return None
    assert organisation_type is not None
    return RosterRow(
        line=line,
        email=email,
        full_name=row.get("full_name", ""),
        organisation_name=row["organisation_name"],
        organisation_type=organisation_type,
        invoice_to_organisation=invoice in YES,
        has_account=has_account,
    )


IMPORT_KIND = "programmes.import_roster"
EXPORT_KIND = "programmes.export_roster"
REGISTERED = "Registered"
INVITED = "Invited and registered"


def _roster_url(cohort: Cohort) -> str:
    return reverse("programmes:staff_enrolments", kwargs={"public_id": cohort.public_id})


def start_import(cohort: Cohort, text: str, *, actor: Any, file_name: str = "") -> Job:
    """Check the whole file again and, only if every row is good, start the job that registers it row by row.

    A problem anywhere (the cohort may have changed since the preview) refuses the file with every problem, and
    nothing is done. The staff member vouches for eligibility and terms.
    """
    enrolments.require_cohort_staff(actor, cohort)
    check = check_roster(cohort, text)
    if not check.ok:
        raise ValidationError([f"Line {p.line}, {p.column}: {p.message}" for p in check.problems] or "No rows.")
    with transaction.atomic():
        roster_import = RosterImport.objects.create(
            cohort=cohort, uploaded_by=actor, file_name=file_name[:200], csv_text=text, row_count=len(check.rows)
        )
        job = start_job(
            kind=IMPORT_KIND,
            title=f"Importing learners into {cohort}" + (f" from {file_name}" if file_name else ""),
            started_by=actor,
            organisation=cohort.programme.provider,
            params={"roster_import": roster_import.pk},
            total=len(check.rows),
            back_url=_roster_url(cohort),
            back_label="Back to the cohort's enrolments",
        )
        roster_import.job = job
        roster_import.save(update_fields=["job"])
    return job


def run_import(run: JobRun) -> str:
    """The job: register each row in its own transaction, with its outcome; after a crash, only the rows left.

    Registration-window checks do not apply (staff may add people after it closes); capacity does, so a full cohort
    puts later rows on the waiting list, as it would for people registering themselves. A row that can no longer
    be registered (someone registered the same person meanwhile) is "Not done", with the reason, and the rest go on.
    """
    roster_import = RosterImport.objects.select_related("cohort__programme__provider", "uploaded_by").get(
        pk=run.params["roster_import"]
    )
    cohort, actor = roster_import.cohort, roster_import.uploaded_by
    try:
        enrolments.require_cohort_staff(actor, cohort)
    except PermissionDenied as refusal:  # their role was taken away since they confirmed
        raise JobRefusedError(f"Nobody more was registered: {refusal}") from None
    check = check_roster(cohort, roster_import.csv_text)
    # Read again, rows registered by an earlier run show up as "already registered": run.pending skips those.
    problems: dict[int, list[RowProblem]] = {}
    for problem in check.problems:
        if problem.line < 2:  # the file itself: it was checked at confirmation, so this is not expected
            raise JobRefusedError(f"The file can no longer be read: {problem.message}")
        problems.setdefault(problem.line, []).append(problem)
    work: list[tuple[int, RosterRow | list[RowProblem]]] = sorted(
        [(row.line, row) for row in check.rows] + list(problems.items()), key=lambda pair: pair[0]
    )
    run.set_total(len(work))
    for line, item in run.pending(work):
        if isinstance(item, RosterRow):
            _register_row(run, cohort, actor, item)
        else:
            with transaction.atomic():
                reason = " ".join(problem.message for problem in item)
                run.record(line, JobLineOutcome.FAILED, f"Not done: {reason}", label=check.emails.get(line, ""))
    done = list(JobLine.objects.filter(job=run.job, outcome=JobLineOutcome.DONE).values_list("label", flat=True))
    not_done = JobLine.objects.filter(job=run.job).exclude(outcome=JobLineOutcome.DONE).count()
    record_event(
        actor=actor,
        action="programmes.roster_imported",
        obj=cohort,
        organisation_id=cohort.programme.provider_id,
        details={"learners": len(done), "not_done": not_done, "emails": done, "job": str(run.job.public_id)},
    )
    summary = f"Registered {len(done)} learner{pluralize(len(done))}; each has an invoice and an email."
    if not_done:
        summary += f" {not_done} row{pluralize(not_done)} could not be registered: see the lines marked Not done."
    return summary


def _register_row(run: JobRun, cohort: Cohort, actor: Any, row: RosterRow) -> None:
    """One row: the invitation (if new), the enrolment, its invoice and emails, and its outcome, all or nothing."""
    try:
        with transaction.atomic():
            learner, invited = find_or_invite(
                email=row.email,
                full_name=row.full_name,
                actor=actor,
                organisation=cohort.programme.provider,
                why=f"registered you for {cohort}",
            )
            enrolments.register(
                cohort=cohort,
                learner=learner,
                organisation_name=row.organisation_name,
                organisation_type=row.organisation_type,
                terms_accepted=True,
                invoice_to_organisation=row.invoice_to_organisation,
                registered_by=actor,
                full_name=row.full_name,
            )
            run.record(row.line, JobLineOutcome.DONE, INVITED if invited else REGISTERED, label=row.email)
    except (ValidationError, IntegrityError) as error:
        reason = (
            " ".join(error.messages) if isinstance(error, ValidationError) else "This person is already registered."
        )
        with transaction.atomic():
            run.record(row.line, JobLineOutcome.FAILED, f"Not done: {reason}", label=row.email)


def _cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (names and organisations are typed by learners)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_roster(cohort: Cohort, out: TextIO, *, progress: Callable[[int], None] | None = None) -> int:
    """Every enrolment of the cohort as CSV, in the import's columns first (so an export can seed another import),
    with states and fee tiers in words. Written row by row from a streamed query, so memory stays flat however
    large the cohort; ``progress`` hears how many rows are written now and then. Returns the number of rows."""
    tz = zone(cohort.time_zone)
    rows = (
        cohort.enrolments.select_related("learner", "fee_tier")
        .prefetch_related("invoices")
        .order_by("learner__full_name", "learner__email", "pk")
    )
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    written = 0
    for enrolment in rows.iterator(chunk_size=EXPORT_CHUNK):
        invoices = [invoice for invoice in enrolment.invoices.all() if invoice.state != InvoiceState.CANCELLED]
        writer.writerow(
            [
                _cell(enrolment.learner.email),
                _cell(enrolment.learner.full_name),
                _cell(enrolment.organisation_name),
                # Words a person reads, not codes: the import reads an organisation type's label as well.
                enrolment.get_organisation_type_display(),
                "yes" if enrolment.invoice_to_organisation else "no",
                staff_words.enrolment_state(enrolment.state),
                _cell(enrolment.fee_tier.name),
                timezone.localtime(enrolment.created_at, tz).date().isoformat(),
                sum((invoice.total for invoice in invoices), start=Decimal("0.00")),
                sum(
                    (invoice.total for invoice in invoices if invoice.state == InvoiceState.PAID), start=Decimal("0.00")
                ),
            ]
        )
        written += 1
        if progress is not None and written % EXPORT_CHUNK == 0:
            progress(written)
    return written


def export_roster(cohort: Cohort) -> str:
    """The roster CSV as one string: for small uses (tests, a check of an export's round trip)."""
    out = io.StringIO()
    write_roster(cohort, out)
    return out.getvalue()


def export_name(cohort: Cohort) -> str:
    return f"{cohort.programme.slug}-{cohort.slug}-roster.csv"


def start_export(cohort: Cohort, *, actor: Any) -> Job:
    """Start the job that writes the roster CSV to a file its owner downloads from the job's page."""
    enrolments.require_cohort_staff(actor, cohort)
    return start_job(
        kind=EXPORT_KIND,
        title=f"Exporting the roster of {cohort}",
        started_by=actor,
        organisation=cohort.programme.provider,
        params={"cohort": cohort.pk},
        total=cohort.enrolments.count(),
        back_url=_roster_url(cohort),
        back_label="Back to the cohort's enrolments",
    )


def run_export(run: JobRun) -> str:
    """The job: the CSV written row by row into a temporary file, then kept for download (a rerun starts over)."""
    cohort = Cohort.objects.select_related("programme__provider").get(pk=run.params["cohort"])
    actor = run.job.started_by
    try:
        enrolments.require_cohort_staff(actor, cohort)
    except PermissionDenied as refusal:  # the role was taken away before the job ran
        raise JobRefusedError(f"The roster was not exported: {refusal}") from None
    run.set_total(cohort.enrolments.count())

    with tempfile.TemporaryFile() as spooled:
        text = io.TextIOWrapper(spooled, encoding="utf-8", newline="")
        written = write_roster(cohort, text, progress=run.set_progress)
        text.flush()
        spooled.seek(0)
        run.save_output(export_name(cohort), File(spooled), content_type="text/csv; charset=utf-8")
        text.detach()  # the temporary file closes with its own context, not twice
    run.set_total(written)
    run.set_progress(written)
    return f"Exported {written} enrolment{pluralize(written)} of {cohort}."
