"""Programmes and cohorts: setting them up, and when registration is open.

Every date a person sets is a wall-clock time in the cohort's own zone
(Pacific/Auckland for the NZ programme), stored as a moment; so "closes
Wednesday 27 March" means the end of that day in Auckland wherever the viewer
is, and daylight-saving changes fall where they belong.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify

from credo.accounts.access import roles_in
from credo.accounts.models import Organisation, OrganisationKind, Role
from credo.accounts.services import refuse_reserved_slug
from credo.audit.services import record_event
from credo.catalogue.models import Qualification, Status
from credo.programmes.models import (
    CheckInSlot,
    Cohort,
    FeeTier,
    Invoice,
    OrganisationType,
    Programme,
    RegistrationExtension,
)
from credo.programmes.services import questions
from credo.programmes.services.billing import billing_for
from credo.programmes.services.fees import money


def require_programme_admin(actor: Any, provider: Organisation) -> None:
    if Role.PROGRAMME_ADMIN not in roles_in(actor, provider):
        raise PermissionDenied(f"Only {provider}'s programme admins set up its programmes and cohorts.")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        problem = f"{name!r} is not a time zone; use a name like Pacific/Auckland."
        raise ValidationError({"time_zone": problem}) from None


def local_moment(day: datetime.date, time: datetime.time, zone_name: str) -> datetime.datetime:
    """A wall-clock time in a zone as a moment; a time that does not exist (skipped by DST) moves forward."""
    naive = datetime.datetime.combine(day, time)
    moment = naive.replace(tzinfo=zone(zone_name))
    # A time skipped by daylight saving (02:30 on the day clocks go forward) is read with the offset before
    # the gap, which lands the same distance after it (03:30): normalising makes that explicit.
    return moment.astimezone(datetime.UTC).astimezone(moment.tzinfo)


def end_of_day(day: datetime.date, zone_name: str) -> datetime.datetime:
    """The last moment of ``day`` in the zone: a registration that closes on a day is open all of it."""
    return local_moment(day, datetime.time(23, 59, 59), zone_name)


@transaction.atomic
def create_programme(
    *,
    actor: Any,
    provider: Organisation,
    qualification: Qualification,
    registration_questions: Sequence[questions.QuestionDraft] = (),
    **fields: Any,
) -> Programme:
    """A new programme; it asks ``registration_questions`` of everyone who registers (none by default)."""
    require_programme_admin(actor, provider)
    if provider.kind != OrganisationKind.PROVIDER:
        raise ValidationError(f"{provider} is not a provider; programmes are run by providers and centres.")
    if qualification.status != Status.LIVE:
        raise ValidationError({"qualification": f"{qualification} is not live: only live entries can be offered."})
    _refuse_reserved_programme_slug(fields.get("slug", ""), provider)
    programme = Programme(provider=provider, qualification=qualification, **fields)
    programme.full_clean()
    programme.save()
    record_event(
        actor=actor,
        action="programmes.programme_created",
        obj=programme,
        organisation_id=provider.pk,
        details={"name": programme.name, "qualification": qualification.code},
    )
    if registration_questions:
        questions.set_registration_questions(programme, actor=actor, drafts=registration_questions)
    return programme


def _refuse_reserved_programme_slug(slug: str, provider: Organisation) -> None:
    """A programme's slug follows its provider's in addresses: it must not be a fixed word there (new-programme)."""
    refuse_reserved_slug(slug, "programmes", after="provider", example=f"/programmes/…/{provider.slug}/{{slug}}/")


@transaction.atomic
def create_cohort(*, actor: Any, programme: Programme, fee_tiers: list[dict[str, Any]], **fields: Any) -> Cohort:
    """A cohort with its fee tiers; every date checked against the others."""
    require_programme_admin(actor, programme.provider)
    zone(fields.get("time_zone", ""))
    if not fields.get("slug"):  # left empty: made from the name
        fields["slug"] = cohort_slug(programme, fields.get("name", ""))
    cohort = Cohort(programme=programme, **fields)
    problems = _date_problems(cohort)  # first, so each contradiction is named by its field
    if problems:
        raise ValidationError(problems)
    cohort.full_clean()
    cohort.save()
    tiers = [add_fee_tier(cohort, **tier) for tier in fee_tiers]
    record_event(
        actor=actor,
        action="programmes.cohort_created",
        obj=cohort,
        organisation_id=programme.provider_id,
        details={
            "name": cohort.name,
            "registration_closes": cohort.registration_closes,
            # The first prices are part of the record, as every later tier is (``programmes.fee_tier_added``).
            "fee_tiers": [
                {"code": t.code, "amount": t.amount, "organisation_types": t.organisation_types} for t in tiers
            ],
        },
    )
    return cohort


def _local_date(moment: datetime.datetime, zone_name: str) -> datetime.date:
    """The calendar day a moment falls on in the cohort's zone (not in UTC, where NZ mornings are yesterday)."""
    return timezone.localtime(moment, zone(zone_name)).date()


def _a_year_after(day: datetime.date) -> datetime.date:
    """The same day a year on; 29 February's year ends on 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


#: The longest notice a cohort may ask before a check-in is moved or cancelled: a week.
MAX_CHECK_IN_NOTICE_HOURS = 168


def _date_problems(cohort: Cohort) -> dict[str, str]:
    """Each contradiction between the cohort's dates (and each term out of range), by the field to change.

    Days are compared in the cohort's zone.
    """
    problems: dict[str, str] = {}
    required = ("registration_opens", "registration_closes", "study_starts", "study_ends", "submission_deadline",
                "assessment_starts", "assessment_ends")  # fmt: skip
    missing = {name: "This date is required." for name in required if getattr(cohort, name) is None}
    if missing:
        return missing
    zone_name = cohort.time_zone
    opens_on = _local_date(cohort.registration_opens, zone_name)
    closes_on = _local_date(cohort.registration_closes, zone_name)
    deadline_on = _local_date(cohort.submission_deadline, zone_name)
    if cohort.registration_closes <= cohort.registration_opens:
        problems["registration_closes"] = "Registration must close after it opens."
    elif closes_on > cohort.study_ends:
        problems["registration_closes"] = (
            f"Registration must close by the day study ends ({_day(cohort.study_ends)}); it closes {_day(closes_on)}."
        )
    if cohort.study_ends < cohort.study_starts:
        problems["study_ends"] = "The study period must end after it starts."
    if deadline_on < cohort.study_starts:
        problems["submission_deadline"] = "The submission deadline must fall after study starts."
    elif cohort.programme.qualification.is_micro_credential and deadline_on > _a_year_after(opens_on):
        # The seed: "your submission within the year of your enrolment"; nobody enrols before registration opens.
        problems["submission_deadline"] = (
            f"A micro-credential's submissions fall within a year of enrolment: registration opens "
            f"{_day(opens_on)}, so the deadline can be {_day(_a_year_after(opens_on))} at the latest."
        )
    # The deadline may fall any time after study ends, but assessment starts on a later day: a
    # submission made on the first day of assessment would be assessed before the deadline passed.
    if cohort.assessment_starts <= deadline_on:
        problems["assessment_starts"] = (
            f"Assessment must start after the submission deadline ({_day(deadline_on)}, {zone_name} time): "
            f"{_day(deadline_on + datetime.timedelta(days=1))} at the earliest."
        )
    if cohort.assessment_ends < cohort.assessment_starts:
        problems["assessment_ends"] = "The assessment window must end after it starts."
    if not Decimal(0) <= cohort.tax_rate < Decimal(1):
        problems["tax_rate"] = "Give the tax rate as a fraction, e.g. 0.15 for 15%."
    notice = cohort.check_in_notice_hours
    if not isinstance(notice, int) or not 0 <= notice <= MAX_CHECK_IN_NOTICE_HOURS:
        problems["check_in_notice_hours"] = (
            f"Give the notice for moving or cancelling a check-in in hours, from 0 to {MAX_CHECK_IN_NOTICE_HOURS} "
            f"(a week); {notice!r} is outside that."
        )
    return problems


def _day(day: datetime.date) -> str:
    return date_format(day, "l j F Y")


def add_fee_tier(
    cohort: Cohort, *, code: str, name: str, amount: Decimal | str, organisation_types: list[str]
) -> FeeTier:
    unknown = set(organisation_types) - set(OrganisationType.values)
    if unknown:
        raise ValidationError({"organisation_types": f"Unknown organisation types: {', '.join(sorted(unknown))}."})
    taken = {t for tier in cohort.fee_tiers.all() for t in tier.organisation_types} & set(organisation_types)
    if taken:
        raise ValidationError({"organisation_types": f"Already in another tier: {', '.join(sorted(taken))}."})
    tier = FeeTier(cohort=cohort, code=code, name=name, amount=money(amount), organisation_types=organisation_types)
    tier.full_clean()
    tier.save()
    return tier


def tier_for(cohort: Cohort, organisation_type: str) -> FeeTier:
    for tier in cohort.fee_tiers.all():
        if organisation_type in tier.organisation_types:
            return tier
    label = dict(OrganisationType.choices).get(organisation_type, organisation_type)
    raise ValidationError(
        {"organisation_type": f"This cohort has no fee for a {str(label).lower()}: ask the provider."}
    )


@dataclass(frozen=True)
class RegistrationWindow:
    """Whether registration is open at a moment, and the sentence that says so."""

    is_open: bool
    message: str


def _when(moment: datetime.datetime, cohort: Cohort) -> str:
    local = timezone.localtime(moment, zone(cohort.time_zone))
    return f"{date_format(local, 'l j F Y')}, {date_format(local, 'g:i A')} {cohort.time_zone} time"


def registration_window(cohort: Cohort, now: datetime.datetime | None = None) -> RegistrationWindow:
    now = now or timezone.now()
    if now < cohort.registration_opens:
        return RegistrationWindow(False, f"Registration opens {_when(cohort.registration_opens, cohort)}.")
    # Closing times are whole seconds (23:59:59 on the closing day): the whole of that second is still open.
    if now.replace(microsecond=0) > cohort.registration_closes:
        return RegistrationWindow(
            False, f"Registration closed {_when(cohort.registration_closes, cohort)}; look for the next intake."
        )
    return RegistrationWindow(True, f"Registration is open until {_when(cohort.registration_closes, cohort)}.")


def open_intake(programme: Programme, *, besides: Cohort, now: datetime.datetime | None = None) -> Cohort | None:
    """Another cohort of the programme taking registrations now (the one closing soonest), for a closed cohort's
    page to point to; None when there is none. One query."""
    now = now or timezone.now()
    # As registration_window: the whole of the closing second is still open.
    return (
        programme.cohorts.filter(registration_opens__lte=now, registration_closes__gte=now.replace(microsecond=0))
        .exclude(pk=besides.pk)
        .order_by("registration_closes", "pk")
        .first()
    )


@transaction.atomic
def extend_registration(
    cohort: Cohort, *, actor: Any, new_closes: datetime.datetime, reason: str
) -> RegistrationExtension:
    """Move the closing date later, recording who, when and why; the cohort page announces it."""
    require_programme_admin(actor, cohort.programme.provider)
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if not reason.strip():
        raise ValidationError({"reason": "Say why registration is extended; the cohort's record keeps it."})
    if new_closes <= cohort.registration_closes:
        raise ValidationError(
            {"new_closes": f"It must be after the current closing date, {_when(cohort.registration_closes, cohort)}."}
        )
    extension = RegistrationExtension.objects.create(
        cohort=cohort,
        previous_closes=cohort.registration_closes,
        new_closes=new_closes,
        reason=reason.strip(),
        extended_by=actor,
    )
    cohort.registration_closes = new_closes
    cohort.save(update_fields=["registration_closes"])
    record_event(
        actor=actor,
        action="programmes.registration_extended",
        obj=cohort,
        organisation_id=cohort.programme.provider_id,
        details={"from": extension.previous_closes, "to": new_closes, "reason": extension.reason},
    )
    return extension


class _Unloaded:
    """Marks an argument the caller did not load, so the function loads it (None is a real answer: no extension)."""


NOT_LOADED = _Unloaded()


def latest_extension(cohort: Cohort) -> RegistrationExtension | None:
    return cohort.extensions.order_by("-created_at", "-pk").first()


def extension_announcement(
    cohort: Cohort,
    now: datetime.datetime | None = None,
    *,
    latest: RegistrationExtension | _Unloaded | None = NOT_LOADED,
) -> str:
    """What the cohort page says about an extension of the closing date in force, or '' when there is none.

    While registration is open: 'Registrations extended! Closing Wednesday 27th March.' (the seed's words).
    Once closed, as history: 'Registration was extended to Wednesday 27 March 2024.' An extension overtaken
    by a later change of the closing date is not in force. ``latest`` is the cohort's most recent extension
    when a list has loaded it for every cohort at once; otherwise it costs one query.
    """
    if isinstance(latest, _Unloaded):
        latest = latest_extension(cohort)
    if latest is None or latest.new_closes != cohort.registration_closes:
        return ""
    local = timezone.localtime(cohort.registration_closes, zone(cohort.time_zone))
    if (now or timezone.now()).replace(microsecond=0) > cohort.registration_closes:  # as registration_window
        return f"Registration was extended to {date_format(local, 'l j F Y')}."
    return f"Registrations extended! Closing {date_format(local, 'l jS F')}."


@transaction.atomic
def assign_facilitators(cohort: Cohort, *, actor: Any, facilitators: list[Any]) -> None:
    """Set who facilitates the cohort: each must hold the facilitator role at the provider."""
    provider = cohort.programme.provider
    require_programme_admin(actor, provider)
    not_facilitators = [person.email for person in facilitators if Role.FACILITATOR not in roles_in(person, provider)]
    if not_facilitators:
        raise ValidationError(
            {"facilitators": f"Not facilitators at {provider}: {', '.join(not_facilitators)}. Add the role first."}
        )
    before = sorted(cohort.facilitators.values_list("email", flat=True))
    cohort.facilitators.set(facilitators)
    after = sorted(person.email for person in facilitators)
    if before != after:
        record_event(
            actor=actor,
            action="programmes.facilitators_assigned",
            obj=cohort,
            organisation_id=provider.pk,
            details={"before": before, "after": after},
        )


#: What a programme admin may change on a programme after creating it (the provider never changes).
PROGRAMME_EDITABLE = ("qualification", "name", "slug", "summary", "who_it_is_for", "what_is_required",
                      "time_commitment", "fee_includes", "terms")  # fmt: skip
#: What may change on a cohort; the money terms are fixed once an invoice quotes them.
COHORT_EDITABLE = ("name", "slug", "time_zone", "registration_opens", "registration_closes", "study_starts",
                   "study_ends", "submission_deadline", "assessment_starts", "assessment_ends", "capacity",
                   "resubmissions_allowed", "check_ins_allowed", "check_in_notice_hours", "weekly_hours_guideline",
                   "currency", "tax_name", "tax_rate", "payment_terms_days")  # fmt: skip
FIXED_ONCE_INVOICED = ("time_zone", "currency", "tax_name", "tax_rate")


def _changed(obj: Any, fields: dict[str, Any], editable: tuple[str, ...]) -> list[str]:
    """Set the fields on ``obj``; the names whose value changed. An unknown field is a programming error."""
    unknown = set(fields) - set(editable)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    return changed


@transaction.atomic
def update_programme(
    *,
    actor: Any,
    programme: Programme,
    registration_questions: Sequence[questions.QuestionDraft] | None = None,
    **fields: Any,
) -> Programme:
    """Change a programme's description (or its catalogue entry, to another live one), audited; and, unless
    ``registration_questions`` is None, what it asks people who register."""
    require_programme_admin(actor, programme.provider)
    programme = Programme.objects.select_for_update().select_related("provider", "qualification").get(pk=programme.pk)
    changed = _changed(programme, fields, PROGRAMME_EDITABLE)
    if "slug" in changed:
        _refuse_reserved_programme_slug(programme.slug, programme.provider)
    if "qualification" in changed and programme.qualification.status != Status.LIVE:
        problem = f"{programme.qualification} is not live: only live entries can be offered."
        raise ValidationError({"qualification": problem})
    programme.full_clean()
    if changed:
        programme.save(update_fields=changed)
        record_event(
            actor=actor,
            action="programmes.programme_updated",
            obj=programme,
            organisation_id=programme.provider_id,
            details={"changed": changed},
        )
    if registration_questions is not None:
        questions.set_registration_questions(programme, actor=actor, drafts=registration_questions)
    return programme


def _is_invoiced(cohort: Cohort) -> bool:
    return Invoice.objects.filter(enrolment__cohort=cohort).exists()


def _capacity_problems(cohort: Cohort) -> dict[str, str]:
    """A capacity below the places already held would leave people without the place they were given."""
    # Imported here: the enrolments service imports this module.
    from credo.programmes.services.enrolments import HOLDING_A_PLACE

    if cohort.capacity is None:
        return {}
    held = cohort.enrolments.filter(state__in=HOLDING_A_PLACE).count()
    if cohort.capacity >= held:
        return {}
    people = "1 person holds a place" if held == 1 else f"{held} people hold a place"
    return {
        # The holders in words (HOLDING_A_PLACE): registered whether paid or not, and studying.
        "capacity": f"{people} in this cohort (registered, paid or not, or studying): the capacity cannot be "
        f"lower than {held}. Withdraw or defer enrolments first to make it smaller."
    }


@transaction.atomic
def update_cohort(*, actor: Any, cohort: Cohort, **fields: Any) -> Cohort:
    """Change a cohort's dates and terms with the creation checks; its zone and tax are fixed once it invoices."""
    require_programme_admin(actor, cohort.programme.provider)
    # The lock is the one registration takes, so no place is taken between counting and saving.
    cohort = (
        Cohort.objects.select_for_update()
        .select_related("programme__provider", "programme__qualification")
        .get(pk=cohort.pk)
    )
    zone(fields.get("time_zone", cohort.time_zone))
    before = {name: getattr(cohort, name) for name in COHORT_EDITABLE}
    changed = _changed(cohort, fields, COHORT_EDITABLE)
    fixed = [name for name in changed if name in FIXED_ONCE_INVOICED]
    if fixed and _is_invoiced(cohort):
        problem = "Invoices already quote this cohort's {}: it cannot change now."
        raise ValidationError({name: problem.format(name.replace("_", " ")) for name in fixed})
    problems = _date_problems(cohort)
    if "capacity" in changed:
        problems.update(_capacity_problems(cohort))
    if problems:
        raise ValidationError(problems)
    cohort.full_clean()
    if changed:
        cohort.save(update_fields=changed)
        record_event(
            actor=actor,
            action="programmes.cohort_updated",
            obj=cohort,
            organisation_id=cohort.programme.provider_id,
            details={name: {"from": before[name], "to": getattr(cohort, name)} for name in changed},
        )
    return cohort


@transaction.atomic
def update_fee_tier(
    tier: FeeTier, *, actor: Any, name: str, amount: Decimal | str, organisation_types: list[str]
) -> FeeTier:
    """Rename a tier or move organisation types; its amount changes only while no invoice has quoted it."""
    cohort = tier.cohort
    require_programme_admin(actor, cohort.programme.provider)
    tier = FeeTier.objects.select_for_update().get(pk=tier.pk)
    unknown = set(organisation_types) - set(OrganisationType.values)
    if unknown:
        raise ValidationError({"organisation_types": f"Unknown organisation types: {', '.join(sorted(unknown))}."})
    others = cohort.fee_tiers.exclude(pk=tier.pk)
    taken = {t for other in others for t in other.organisation_types} & set(organisation_types)
    if taken:
        raise ValidationError({"organisation_types": f"Already in another tier: {', '.join(sorted(taken))}."})
    new_amount = money(amount)
    if new_amount != tier.amount and Invoice.objects.filter(enrolment__fee_tier=tier).exists():
        problem = f"Invoices already quote {tier.amount} for this tier: add a new tier instead."
        raise ValidationError({"amount": problem})
    before = {"name": tier.name, "amount": tier.amount, "organisation_types": tier.organisation_types}
    tier.name, tier.amount, tier.organisation_types = name, new_amount, list(organisation_types)
    tier.full_clean()
    after = {"name": tier.name, "amount": tier.amount, "organisation_types": tier.organisation_types}
    if after != before:
        tier.save()
        record_event(
            actor=actor,
            action="programmes.fee_tier_updated",
            obj=cohort,
            organisation_id=cohort.programme.provider_id,
            details={"tier": tier.code, "before": before, "after": after},
        )
    return tier


@transaction.atomic
def set_up_cohort(
    *, actor: Any, programme: Programme, fee_tiers: list[dict[str, Any]], facilitators: list[Any], **fields: Any
) -> Cohort:
    """The set-up page's one step: the cohort, its fee tiers and facilitators, all or nothing."""
    cohort = create_cohort(actor=actor, programme=programme, fee_tiers=fee_tiers, **fields)
    assign_facilitators(cohort, actor=actor, facilitators=facilitators)
    return cohort


@transaction.atomic
def revise_cohort(
    *,
    actor: Any,
    cohort: Cohort,
    tier_changes: list[tuple[FeeTier, dict[str, Any]]],
    new_tiers: list[dict[str, Any]],
    facilitators: list[Any],
    **fields: Any,
) -> Cohort:
    """The edit page's one step: terms, changed and added fee tiers, facilitators, all or nothing."""
    cohort = update_cohort(actor=actor, cohort=cohort, **fields)
    for tier, change in tier_changes:
        update_fee_tier(tier, actor=actor, **change)
    for new in new_tiers:
        tier = add_fee_tier(cohort, **new)
        record_event(
            actor=actor,
            action="programmes.fee_tier_added",
            obj=cohort,
            organisation_id=cohort.programme.provider_id,
            details={"tier": tier.code, "amount": tier.amount, "organisation_types": tier.organisation_types},
        )
    assign_facilitators(cohort, actor=actor, facilitators=facilitators)
    return cohort


# A new cohort's starting values, and a copy of the previous one ---------------------------------------------

#: What a provider in a country charges in by default: currency, tax name and rate. A country not listed starts
#: with no currency (the form asks for one) and no tax.
COUNTRY_MONEY: dict[str, tuple[str, str, Decimal]] = {
    "NZ": ("NZD", "GST", Decimal("0.15")),
    "AU": ("AUD", "GST", Decimal("0.10")),
    "GB": ("GBP", "VAT", Decimal("0.20")),
    "IE": ("EUR", "VAT", Decimal("0.23")),
    "CA": ("CAD", "GST", Decimal("0.05")),
    "US": ("USD", "", Decimal("0")),
}
#: The terms a new cohort takes from the one before it, when there is one.
CARRIED_OVER = ("time_zone", "capacity", "resubmissions_allowed", "check_ins_allowed", "check_in_notice_hours",
                "weekly_hours_guideline", "currency", "tax_name", "tax_rate", "payment_terms_days")  # fmt: skip


def previous_cohort(programme: Programme) -> Cohort | None:
    """The programme's latest cohort (by when study starts): the one a new cohort is most like."""
    return programme.cohorts.order_by("-study_starts", "-pk").first()


def new_cohort_defaults(programme: Programme) -> dict[str, Any]:
    """Starting values for a programme's next cohort: the previous cohort's terms when there is one; otherwise the
    provider's zone, and the currency and tax of its country (no tax when its billing details give no GST or VAT
    number: it is not registered to charge it)."""
    previous = previous_cohort(programme)
    if previous is not None:
        return {name: getattr(previous, name) for name in CARRIED_OVER}
    provider = programme.provider
    defaults: dict[str, Any] = {"time_zone": provider.time_zone}
    currency, tax_name, tax_rate = COUNTRY_MONEY.get(provider.country.upper(), ("", "", Decimal("0")))
    billing = billing_for(provider)
    if billing is not None and not billing.tax_number.strip():
        tax_name, tax_rate = "", Decimal("0")
    defaults.update(currency=currency, tax_name=tax_name, tax_rate=tax_rate)
    return defaults


def cohort_slug(programme: Programme, name: str, *, besides: Cohort | None = None) -> str:
    """A slug made from the cohort's name ("2025 intake": 2025-intake), unique among the programme's cohorts."""
    base = slugify(name)[:72].strip("-") or "cohort"
    others = programme.cohorts.exclude(pk=besides.pk) if besides is not None else programme.cohorts.all()
    taken = set(others.values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def a_year_on(moment: datetime.datetime, zone_name: str) -> datetime.datetime:
    """The same wall-clock time a year later in the zone (12:00 stays 12:00 across daylight saving)."""
    local = timezone.localtime(moment, zone(zone_name))
    return local_moment(_a_year_after(local.date()), local.time().replace(tzinfo=None), zone_name)


def next_name(name: str) -> str:
    """'2024 intake' becomes '2025 intake'; a name with no year gets ' (copy)'."""
    if not re.search(r"\b(?:19|20)\d\d\b", name):
        return f"{name} (copy)"
    return re.sub(r"\b(?:19|20)\d\d\b", lambda found: str(int(found.group(0)) + 1), name)


@dataclass(frozen=True)
class CohortCopy:
    """What copying a cohort makes, shown before it is made: its dates, fee tiers, workshops and check-in times."""

    fields: dict[str, Any]
    fee_tiers: list[dict[str, Any]]
    workshops: list[tuple[int, str, datetime.datetime, datetime.datetime, str, str]]
    check_ins: list[tuple[Any, datetime.datetime, datetime.datetime, str]]
    facilitators: list[Any]
    #: Check-in times left out: past even a year on, their facilitator no longer facilitates here, or the
    #: facilitator already offers another time then.
    check_ins_left_out: int


def plan_copy(source: Cohort, *, now: datetime.datetime | None = None) -> CohortCopy:
    """The copy of ``source`` a year on (read-only): every date a year later in its zone, the same terms, fee tiers,
    workshops (not those cancelled), facilitators who still hold the role, and check-in times still ahead."""
    now = now or timezone.now()
    zone_name = source.time_zone
    fields: dict[str, Any] = {name: getattr(source, name) for name in CARRIED_OVER}
    for name in ("registration_opens", "registration_closes", "submission_deadline"):
        fields[name] = a_year_on(getattr(source, name), zone_name)
    for name in ("study_starts", "study_ends", "assessment_starts", "assessment_ends"):
        fields[name] = _a_year_after(getattr(source, name))
    # Those who still hold the facilitator role at the provider (one query, however many there are).
    facilitators = list(
        source.facilitators.filter(
            memberships__organisation_id=source.programme.provider_id, memberships__role=Role.FACILITATOR
        )
        .distinct()
        .order_by("email")
    )
    workshops = [
        (
            number,
            session.topic,
            a_year_on(session.starts_at, zone_name),
            a_year_on(session.ends_at, zone_name),
            session.meeting_url,
            session.venue,
        )
        for number, session in enumerate(
            source.sessions.filter(cancelled_at__isnull=True).order_by("starts_at", "number"), start=1
        )
    ]
    offered = list(source.check_in_slots.filter(withdrawn_at__isnull=True).select_related("facilitator"))
    staying = {person.pk for person in facilitators}
    # What the facilitators already offer from now on (in any cohort): a copied time must not double-book them.
    booked = list(
        CheckInSlot.objects.filter(facilitator__in=staying, withdrawn_at__isnull=True, ends_at__gt=now).values_list(
            "facilitator_id", "starts_at", "ends_at"
        )
    )
    check_ins = []
    for slot in offered:
        starts_at, ends_at = a_year_on(slot.starts_at, zone_name), a_year_on(slot.ends_at, zone_name)
        clash = any(who == slot.facilitator_id and start < ends_at and end > starts_at for who, start, end in booked)
        if slot.facilitator_id in staying and starts_at > now and not clash:
            check_ins.append((slot.facilitator, starts_at, ends_at, slot.meeting_url))
    return CohortCopy(
        fields=fields,
        fee_tiers=[
            {"code": t.code, "name": t.name, "amount": t.amount, "organisation_types": list(t.organisation_types)}
            for t in source.fee_tiers.order_by("pk")
        ],
        workshops=workshops,
        check_ins=check_ins,
        facilitators=facilitators,
        check_ins_left_out=len(offered) - len(check_ins),
    )


@transaction.atomic
def copy_cohort(
    *, actor: Any, source: Cohort, name: str = "", slug: str = "", now: datetime.datetime | None = None
) -> Cohort:
    """A new cohort of the same programme as ``source``, a year on (see ``plan_copy``): set up with the same checks
    as a cohort typed in, each workshop added as on the workshops page, and the whole copy audited as one decision.

    ``name`` defaults to the source's with its year moved on; ``slug`` to one made from the name.
    """
    programme = source.programme
    require_programme_admin(actor, programme.provider)
    plan = plan_copy(source, now=now)
    name = name.strip() or next_name(source.name)
    slug = slug.strip() or cohort_slug(programme, name)
    if programme.cohorts.filter(slug=slug).exists():
        raise ValidationError({"slug": f"Another cohort of {programme.name} already uses {slug!r}."})
    cohort = set_up_cohort(
        actor=actor,
        programme=programme,
        fee_tiers=plan.fee_tiers,
        facilitators=plan.facilitators,
        name=name,
        slug=slug,
        **plan.fields,
    )
    # Imported here: workshops build on this module.
    from credo.programmes.services import workshops

    for number, topic, starts_at, ends_at, meeting_url, venue in plan.workshops:
        local_start = timezone.localtime(starts_at, zone(cohort.time_zone))
        local_end = timezone.localtime(ends_at, zone(cohort.time_zone))
        details = workshops.SessionDetails(
            topic=topic,
            day=local_start.date(),
            starts=local_start.time().replace(tzinfo=None),
            ends=local_end.time().replace(tzinfo=None),
            meeting_url=meeting_url,
            venue=venue,
        )
        workshops.add_session(cohort, actor=actor, number=number, details=details)
    for facilitator, starts_at, ends_at, meeting_url in plan.check_ins:
        # Offered on the facilitators' behalf, as they offered them last year; each can withdraw any of them.
        CheckInSlot.objects.create(
            cohort=cohort, facilitator=facilitator, starts_at=starts_at, ends_at=ends_at, meeting_url=meeting_url
        )
    record_event(
        actor=actor,
        action="programmes.cohort_copied",
        obj=cohort,
        organisation_id=programme.provider_id,
        details={
            "from": str(source),
            "from_cohort": str(source.public_id),
            "moved_by": "one year",
            "fee_tiers": [tier["code"] for tier in plan.fee_tiers],
            "workshops": len(plan.workshops),
            "check_in_times": len(plan.check_ins),
            "check_in_times_left_out": plan.check_ins_left_out,
            "facilitators": [person.email for person in plan.facilitators],
        },
    )
    return cohort
