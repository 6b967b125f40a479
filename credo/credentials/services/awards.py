"""Direct and bulk award by an issuer's staff: how past graduates are brought in.

One award, or a CSV of many. Every row is checked before anything is written: a
CSV with any row at fault awards nothing, and the report names each row and
field to fix. A CSV that passes is previewed; once confirmed, ``services.bulk``
awards it row by row in a background job. People without an account are invited
to claim theirs. Credentials are issued in the background once the awards commit.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from credo.accounts.invitations import find_or_invite, normalise_email
from credo.accounts.models import User
from credo.audit.services import record_event
from credo.core import csvfiles
from credo.credentials.access import is_issuer_staff
from credo.credentials.models import (
    Achievement,
    Attainment,
    AwardBatch,
    AwardBatchState,
    Credential,
    CredentialKind,
    Issuer,
    Route,
    route_in_words,
)
from credo.credentials.ob3.errors import CredentialError
from credo.credentials.services import issuance
from credo.credentials.services.attainments import record_attainment
from credo.credentials.tasks import schedule_issuance

AWARD_ROUTES = (Route.DIRECT_AWARD, Route.CREDIT_TRANSFER, Route.PRIOR_LEARNING)
COLUMNS = ("email", "full_name", "achievement", "attained_on", "route", "note")
REQUIRED_COLUMNS = ("email", "full_name", "achievement", "attained_on")
MAX_ROWS = 10_000
MAX_BYTES = 4 * 1024 * 1024
_EXTRA = "__extra_cells__"
logger = logging.getLogger(__name__)
DATE_HINT = "Write the date as YYYY-MM-DD (or DD/MM/YYYY), e.g. 2024-10-31."


@dataclass(frozen=True)
class Problem:
    """Something wrong with one row (line 1 is the header) and field of an upload."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.line}, {self.field}: {self.message}" if self.line else f"{self.field}: {self.message}"


@dataclass(frozen=True)
class AwardLine:
    """One checked award, ready to be made."""

    line: int
    email: str
    full_name: str
    achievement: Achievement
    attained_on: datetime.date
    route: str
    note: str
    learner: User | None  # None: no account yet, so one is made and the person invited

    @property
    def invites(self) -> bool:
        return self.learner is None

    @property
    def route_words(self) -> str:
        return route_in_words(self.route)


@dataclass
class AwardPlan:
    """What an upload would do: the awards, or the problems that stop it."""

    lines: list[AwardLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.lines)

    @property
    def invitations(self) -> int:
        return sum(1 for line in self.lines if line.invites)

    def by_achievement(self) -> list[tuple[Achievement, int]]:
        counts: dict[int, tuple[Achievement, int]] = {}
        for line in self.lines:
            achievement, count = counts.get(line.achievement.pk, (line.achievement, 0))
            counts[line.achievement.pk] = (achievement, count + 1)
        return list(counts.values())


class AwardsRefusedError(ValidationError):
    """A plan with problems: nothing was awarded."""

    def __init__(self, plan: AwardPlan) -> None:
        self.plan = plan
        super().__init__([str(problem) for problem in plan.problems] or ["The file holds no awards."])


def require_issuer_staff(actor: Any, issuer: Issuer) -> None:
    if not is_issuer_staff(actor, issuer):
        raise PermissionDenied(f"Only {issuer}'s programme admins and ratifiers can award its achievements.")


# Checking -------------------------------------------------------------------------------------------------


def parse_date(text: str, today: datetime.date) -> datetime.date:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if day > today:
            raise ValueError(f"{text} is in the future: an award records something already achieved.")
        return day
    raise ValueError(f"{text!r} is not a date. {DATE_HINT}" if text else f"The date is missing. {DATE_HINT}")


class _Catalogue:
    """The issuer's achievements, found by code or id, read once per plan."""

    def __init__(self, issuer: Issuer) -> None:
        self.by_id: dict[str, Achievement] = {}
        self.by_code: dict[str, list[Achievement]] = {}
        for achievement in Achievement.objects.filter(issuer=issuer).select_related("issuer"):
            self.by_id[str(achievement.public_id)] = achievement
            if achievement.code:
                self.by_code.setdefault(achievement.code.casefold(), []).append(achievement)

    def find(self, reference: str) -> Achievement:
        reference = reference.strip()
        if not reference:
            raise ValueError("Name the achievement by its code (e.g. a QN or unit code) or its id.")
        with_id = self.by_id.get(reference.lower())
        if with_id:
            return with_id
        matches = self.by_code.get(reference.casefold(), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(f"{reference!r} names {len(matches)} achievements; use the achievement's id instead.")
        raise ValueError(f"{reference!r} is not the code or id of an achievement of this issuer.")


def _route(text: str) -> str:
    """A route from a CSV cell: its code, or the words people read on the pages ("Awarded directly")."""
    text = text.strip()
    if not text:
        return Route.DIRECT_AWARD
    by_words = {route_in_words(route).casefold(): route.value for route in AWARD_ROUTES}
    by_words |= {route.label.casefold(): route.value for route in AWARD_ROUTES}
    return by_words.get(text.casefold(), text)


def _check_rows(issuer: Issuer, rows: Iterable[tuple[int, dict[str, str]]]) -> AwardPlan:
    """Check every row, collecting all problems rather than stopping at the first."""
    plan = AwardPlan()
    catalogue = _Catalogue(issuer)
    today = timezone.localdate()
    drafts: list[tuple[int, str, str, Achievement, datetime.date, str, str]] = []
    for line, row in rows:
        problems_before = len(plan.problems)

        def problem(field_name: str, message: str, line: int = line) -> None:
            plan.problems.append(Problem(line, field_name, message))

        if row.get(_EXTRA):
            problem("row", f"{row[_EXTRA]} more cell(s) than there are columns; check for unquoted commas.")
        try:
            email = normalise_email(row.get("email", ""))
        except ValidationError as error:
            problem("email", error.message_dict["email"][0])
            email = ""
        full_name = (row.get("full_name") or "").strip()
        if len(full_name) > 200:
            problem("full_name", "Names can be at most 200 characters.")
        try:
            achievement: Achievement | None = catalogue.find(row.get("achievement") or "")
        except ValueError as error:
            problem("achievement", str(error))
            achievement = None
        try:
            attained_on: datetime.date | None = parse_date(row.get("attained_on") or "", today)
        except ValueError as error:
            problem("attained_on", str(error))
            attained_on = None
        route = _route(row.get("route") or "")
        if route not in AWARD_ROUTES:
            problem(
                "route",
                f"{route!r} is not a way to award; use one of "
                f"{', '.join(f'{r.value} ({route_in_words(r).lower()})' for r in AWARD_ROUTES)}.",
            )
        note = (row.get("note") or "").strip()
        if len(plan.problems) == problems_before and achievement is not None and attained_on is not None:
            drafts.append((line, email, full_name, achievement, attained_on, route, note))

    learners = _learners_by_email({draft[1] for draft in drafts})
    held = set(
        Attainment.objects.filter(
            achievement__issuer=issuer, learner__in=[learner.pk for learner in learners.values()]
        ).values_list("learner_id", "achievement_id")
    )
    seen: dict[tuple[str, int], int] = {}
    for line, email, full_name, achievement, attained_on, route, note in drafts:
        learner = learners.get(email)
        key = (email, achievement.pk)
        if key in seen:
            plan.problems.append(
                Problem(line, "achievement", f"Row {seen[key]} already awards {achievement} to {email}.")
            )
            continue
        seen[key] = line
        if learner is not None and (learner.pk, achievement.pk) in held:
            plan.problems.append(Problem(line, "achievement", f"{email} already holds {achievement}."))
            continue
        if learner is None and not full_name:
            plan.problems.append(Problem(line, "full_name", f"{email} has no account yet: give their full name."))
            continue
        plan.lines.append(AwardLine(line, email, full_name, achievement, attained_on, route, note, learner))
    return plan


def _learners_by_email(emails: set[str]) -> dict[str, User]:
    found: dict[str, User] = {}
    ordered = sorted(emails)
    for start in range(0, len(ordered), 500):  # stay under SQLite's parameter limit
        for user in User.objects.filter(email__in=ordered[start : start + 500]):
            found[user.email] = user
    return found


def _header_problems(header: list[str]) -> list[Problem]:
    problems = [
        Problem(1, name or f"column {number}", f"Unknown column; the columns are {', '.join(COLUMNS)}.")
        for number, name in enumerate(header, start=1)
        if name not in COLUMNS
    ]
    problems += [Problem(1, name, "This column is required.") for name in REQUIRED_COLUMNS if name not in header]
    problems += [Problem(1, name, "This column appears twice.") for name in set(header) if header.count(name) > 1]
    return problems


def decode_upload(data: bytes) -> str:
    """The upload as text, or a ValidationError (``CsvError``) saying why it cannot be read."""
    return csvfiles.decode(data, max_bytes=MAX_BYTES)


def plan_awards(issuer: Issuer, csv_text: str) -> AwardPlan:
    """Check a CSV of awards without changing anything; a file that cannot be read is a problem, never an error."""
    try:
        table = csvfiles.read_csv(csv_text, max_records=MAX_ROWS)
    except csvfiles.CsvError as error:
        return AwardPlan(problems=[Problem(error.line, "file", " ".join(error.messages))])
    header_problems = _header_problems(table.header)
    if header_problems:
        return AwardPlan(problems=header_problems)
    rows = [
        (line, cells | {_EXTRA: str(table.extra_cells[line])} if line in table.extra_cells else cells)
        for line, cells in table.records
    ]
    plan = _check_rows(issuer, rows)
    if not rows:
        plan.problems.append(Problem(0, "file", "The file has a header row but no awards."))
    return plan


# Awarding -------------------------------------------------------------------------------------------------


def _award(line: AwardLine, *, actor: Any, issuer: Issuer, reference: str) -> Attainment:
    learner = line.learner
    if learner is None:
        learner, _ = find_or_invite(
            email=line.email,
            full_name=line.full_name,
            actor=actor,
            organisation=issuer.organisation,
            why=f"awarded you {line.achievement.name}",
        )
    elif not learner.full_name and line.full_name:
        # An account without a name would get a credential without one: the award gives it.
        learner.full_name = line.full_name
        learner.save(update_fields=["full_name"])
        record_event(
            actor=actor,
            action="accounts.name_given",
            obj=learner,
            organisation_id=issuer.organisation_id,
            details={"email": learner.email, "full_name": line.full_name},
        )
    note = "; ".join(part for part in (reference, line.note) if part)
    return record_attainment(
        learner=learner,
        achievement=line.achievement,
        route=line.route,
        attained_on=line.attained_on,
        decided_by=actor,
        note=note,
    )


def check_direct_award(
    *,
    actor: Any,
    achievement: Achievement,
    email: str,
    full_name: str,
    attained_on: datetime.date,
    route: str = Route.DIRECT_AWARD,
    note: str = "",
) -> AwardLine:
    """What awarding one achievement to one person would do, checked but not done (the page's preview).

    A ValidationError maps each problem to the field to fix.
    """
    issuer = achievement.issuer
    require_issuer_staff(actor, issuer)
    row = {
        "email": email,
        "full_name": full_name,
        "achievement": str(achievement.public_id),
        "attained_on": attained_on.isoformat(),
        "route": route,
        "note": note,
    }
    plan = _check_rows(issuer, [(0, row)])
    if plan.problems:
        errors: dict[str, list[str]] = {}
        for problem in plan.problems:
            errors.setdefault(problem.field, []).append(problem.message)
        raise ValidationError(errors)
    return plan.lines[0]


def award_directly(
    *,
    actor: Any,
    achievement: Achievement,
    email: str,
    full_name: str,
    attained_on: datetime.date,
    route: str = Route.DIRECT_AWARD,
    note: str = "",
) -> Attainment:
    """Award one achievement to one person (invited if they have no account); the credential follows."""
    line = check_direct_award(
        actor=actor,
        achievement=achievement,
        email=email,
        full_name=full_name,
        attained_on=attained_on,
        route=route,
        note=note,
    )
    issuer = achievement.issuer
    with transaction.atomic():
        attainment = _award(line, actor=actor, issuer=issuer, reference="Direct award")
        schedule_issuance(issuer, actor=actor)
    return attainment


def issue_award_now(attainment: Attainment, *, actor: Any) -> None:
    """Sign the credentials one award makes, and the learner's transcript, now rather than in the background.

    So the page that made the award can show what was issued. The background
    run the award scheduled then finds nothing left to do (both are idempotent);
    if signing fails here (a key problem, or the worker won a race), that run
    still issues, so the failure is logged rather than shown as a failed award.
    """
    issuer = attainment.achievement.issuer
    learner = attainment.learner
    try:
        issuance.issue_pending(
            issuer,
            actor=actor,
            attainment_ids=Attainment.objects.filter(learner=learner, achievement__issuer=issuer).values_list(
                "pk", flat=True
            ),
        )
        _renew_transcript(learner, issuer, actor=actor)
    except (ValidationError, CredentialError, IntegrityError):
        logger.exception("Issuing award %s now failed; the background run will issue it.", attainment.pk)


def _renew_transcript(learner: Any, issuer: Issuer, *, actor: Any) -> None:
    """Issue the learner's transcript if a credential it bundles changed since (one learner's refresh_transcripts)."""
    bundled = Credential.objects.filter(
        learner=learner,
        issuer=issuer,
        kind=CredentialKind.ACHIEVEMENT,
        attainment__achievement__kind__in=issuance.TRANSCRIPT_KINDS,
    )
    changed = bundled.aggregate(at=Max(Greatest("issued_at", Coalesce("state_changed_at", "issued_at"))))["at"]
    if changed is None:
        return
    current = Credential.objects.filter(
        learner=learner, issuer=issuer, kind=CredentialKind.TRANSCRIPT, superseded_at__isnull=True
    ).first()
    if current is None or current.issued_at < changed:
        issuance.issue_transcript(learner, issuer, actor=actor)


def upload_awards(*, actor: Any, issuer: Issuer, file_name: str, data: bytes) -> tuple[AwardBatch, AwardPlan]:
    """Keep an uploaded CSV for preview; its plan says what applying it would do (or what to fix)."""
    require_issuer_staff(actor, issuer)
    csv_text = decode_upload(data)
    plan = plan_awards(issuer, csv_text)
    batch = AwardBatch.objects.create(
        issuer=issuer,
        uploaded_by=actor,
        file_name=file_name[:200] or "upload.csv",
        csv_text=csv_text,
        row_count=len(plan.lines) + len({p.line for p in plan.problems if p.line > 1}),
        state=AwardBatchState.PREVIEWED if plan.ok else AwardBatchState.DISCARDED,
    )
    record_event(
        actor=actor,
        action="credentials.awards_uploaded",
        obj=batch,
        organisation_id=issuer.organisation_id,
        details={"file": batch.file_name, "awards": len(plan.lines), "problems": len(plan.problems)},
    )
    return batch, plan


def discard_awards(batch: AwardBatch, *, actor: Any) -> None:
    require_issuer_staff(actor, batch.issuer)
    updated = AwardBatch.objects.filter(pk=batch.pk, state=AwardBatchState.PREVIEWED).update(
        state=AwardBatchState.DISCARDED
    )
    if not updated:
        raise ValidationError("Only an upload waiting for confirmation can be discarded.")
    record_event(
        actor=actor,
        action="credentials.awards_discarded",
        obj=batch,
        organisation_id=batch.issuer.organisation_id,
        details={"file": batch.file_name},
    )


EXAMPLE_LEARNERS = (("aroha@example.org", "Aroha Ngata"), ("sam.jones@example.org", "Sam Jones"))
EXAMPLE_ROUTES = (Route.DIRECT_AWARD, Route.PRIOR_LEARNING, Route.CREDIT_TRANSFER)
EXAMPLE_DAY = "2024-10-31"


def example_references(issuer: Issuer, limit: int = 3) -> list[tuple[Achievement, str]]:
    """A few of the issuer's own achievements, each with how a CSV row names it (its code when that is unique)."""
    achievements = list(Achievement.objects.filter(issuer=issuer).order_by("kind", "code", "name", "pk"))
    codes = [achievement.code.casefold() for achievement in achievements if achievement.code]
    chosen: list[tuple[Achievement, str]] = []
    for achievement in achievements[:limit]:
        unique = achievement.code and codes.count(achievement.code.casefold()) == 1
        chosen.append((achievement, achievement.code if unique else str(achievement.public_id)))
    return chosen


def template_csv(issuer: Issuer) -> str:
    """An example file for this issuer: its columns, and rows naming the issuer's own achievements.

    It passes the checks when uploaded by the issuer that downloaded it (unless the
    example people already hold those achievements); with no achievements, only the header.
    """
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for number, (_achievement, reference) in enumerate(example_references(issuer)):
        email, full_name = EXAMPLE_LEARNERS[number % len(EXAMPLE_LEARNERS)]
        route = EXAMPLE_ROUTES[number % len(EXAMPLE_ROUTES)]
        writer.writerow([email, full_name, reference, EXAMPLE_DAY, route.value, ""])
    return out.getvalue()
