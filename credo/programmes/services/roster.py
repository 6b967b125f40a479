"""A cohort's roster as CSV: importing learners (all rows checked first, all or nothing) and exporting enrolments.

Import is two steps: ``check_roster`` reads the file and reports every problem by row number and column, changing
nothing; ``import_roster`` checks again (the cohort may have changed since the preview) and, only if every row is
good, invites the people who have no account and registers everyone in one transaction.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from credo.accounts.invitations import find_or_invite, normalise_email
from credo.accounts.models import User
from credo.audit.services import record_event
from credo.programmes import staff_words
from credo.programmes.models import Cohort, Enrolment, InvoiceState, OrganisationType
from credo.programmes.services import enrolments
from credo.programmes.services.cohorts import zone

REQUIRED_COLUMNS = ("email", "full_name", "organisation_name", "organisation_type")
OPTIONAL_COLUMNS = ("invoice_to_organisation",)
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
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
    """Every problem in the file, by line (the header is line 1) and column; changes nothing."""
    result = RosterCheck()
    if "\x00" in text:
        result.problems.append(RowProblem(0, "file", "The file holds NUL characters: save it again as CSV UTF-8."))
        return result
    reader = csv.DictReader(io.StringIO(text))
    try:
        columns = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as error:
        result.problems.append(RowProblem(1, "file", f"The header row is not valid CSV: {error}."))
        return result
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        result.problems.append(RowProblem(1, ", ".join(missing), "The header row is missing these columns."))
        return result
    # An export's extra columns (status, totals...) describe the old cohort: read past them, so it can seed an import.
    unknown = [name for name in columns if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS + EXPORT_COLUMNS]
    if unknown:
        result.problems.append(RowProblem(1, ", ".join(unknown), "Unknown columns: remove or rename them."))
        return result
    try:
        raw = [
            {name.strip().lower(): (value or "").strip() for name, value in row.items() if name is not None}
            for row in reader
        ]
    except csv.Error as error:  # e.g. a quote never closed, which swallows the rest of the file
        result.problems.append(RowProblem(reader.line_num, "file", f"This is not valid CSV: {error}."))
        return result
    if not raw:
        result.problems.append(RowProblem(1, "", "The file has a header but no learners."))
        return result
    # Two queries for the whole file, not two per row: who has an account, and who is already in the cohort.
    emails = {row.get("email", "").lower() for row in raw}
    accounts = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    enrolled = set(cohort.enrolments.filter(learner__email__in=emails).values_list("learner__email", flat=True))
    tiers = list(cohort.fee_tiers.all())
    seen: dict[str, int] = {}
    for line, row in enumerate(raw, start=2):
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


def import_roster(cohort: Cohort, text: str, *, actor: Any, now: datetime.datetime | None = None) -> list[Enrolment]:
    """Register every learner in the file, or nobody: the staff member vouches for eligibility and terms.

    Registration-window checks do not apply (staff may add people after it closes); capacity does, so a full
    cohort puts later rows on the waiting list, as it would for people registering themselves.
    """
    enrolments.require_cohort_staff(actor, cohort)
    check = check_roster(cohort, text)
    if not check.ok:
        raise ValidationError([f"Line {p.line}, {p.column}: {p.message}" for p in check.problems] or "No rows.")
    provider = cohort.programme.provider
    registered = []
    with transaction.atomic():
        for row in check.rows:
            learner, _invited = find_or_invite(
                email=row.email,
                full_name=row.full_name,
                actor=actor,
                organisation=provider,
                why=f"registered you for {cohort}",
            )
            try:
                enrolment = enrolments.register(
                    cohort=cohort,
                    learner=learner,
                    organisation_name=row.organisation_name,
                    organisation_type=row.organisation_type,
                    terms_accepted=True,
                    invoice_to_organisation=row.invoice_to_organisation,
                    now=now,
                    registered_by=actor,
                    full_name=row.full_name,
                )
            except ValidationError as error:
                raise ValidationError(f"Line {row.line}: {' '.join(error.messages)}") from None
            registered.append(enrolment)
        record_event(
            actor=actor,
            action="programmes.roster_imported",
            obj=cohort,
            organisation_id=cohort.programme.provider_id,
            details={"learners": len(registered), "emails": [e.learner.email for e in registered]},
        )
    return registered


def _cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula (names and organisations are typed by learners)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_roster(cohort: Cohort) -> str:
    """Every enrolment of the cohort as CSV, in the import's columns first (so an export can seed another import),
    with states and fee tiers in words."""
    tz = zone(cohort.time_zone)
    rows = (
        cohort.enrolments.select_related("learner", "fee_tier")
        .prefetch_related("invoices")
        .order_by("learner__full_name", "learner__email")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for enrolment in rows:
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
    return out.getvalue()
