"""Programmes and cohorts: setting them up, and when registration is open.

Every date a person sets is a wall-clock time in the cohort's own zone
(Pacific/Auckland for the NZ programme), stored as a moment; so "closes
Wednesday 27 March" means the end of that day in Auckland wherever the viewer
is, and daylight-saving changes fall where they belong.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from credo.accounts.access import roles_in
from credo.accounts.models import Organisation, OrganisationKind, Role
from credo.audit.services import record_event
from credo.catalogue.models import Qualification, Status
from credo.programmes.models import Cohort, FeeTier, OrganisationType, Programme, RegistrationExtension
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
def create_programme(*, actor: Any, provider: Organisation, qualification: Qualification, **fields: Any) -> Programme:
    require_programme_admin(actor, provider)
    if provider.kind != OrganisationKind.PROVIDER:
        raise ValidationError(f"{provider} is not a provider; programmes are run by providers and centres.")
    if qualification.status != Status.LIVE:
        raise ValidationError({"qualification": f"{qualification} is not live: only live entries can be offered."})
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
    return programme


@transaction.atomic
def create_cohort(*, actor: Any, programme: Programme, fee_tiers: list[dict[str, Any]], **fields: Any) -> Cohort:
    """A cohort with its fee tiers; every date checked against the others."""
    require_programme_admin(actor, programme.provider)
    zone(fields.get("time_zone", ""))
    cohort = Cohort(programme=programme, **fields)
    problems = _date_problems(cohort)  # first, so each contradiction is named by its field
    if problems:
        raise ValidationError(problems)
    cohort.full_clean()
    cohort.save()
    for tier in fee_tiers:
        add_fee_tier(cohort, **tier)
    record_event(
        actor=actor,
        action="programmes.cohort_created",
        obj=cohort,
        organisation_id=programme.provider_id,
        details={"name": cohort.name, "registration_closes": cohort.registration_closes},
    )
    return cohort


def _date_problems(cohort: Cohort) -> dict[str, str]:
    problems: dict[str, str] = {}
    required = ("registration_opens", "registration_closes", "study_starts", "study_ends", "submission_deadline",
                "assessment_starts", "assessment_ends")  # fmt: skip
    missing = {name: "This date is required." for name in required if getattr(cohort, name) is None}
    if missing:
        return missing
    if cohort.registration_closes <= cohort.registration_opens:
        problems["registration_closes"] = "Registration must close after it opens."
    if cohort.study_ends < cohort.study_starts:
        problems["study_ends"] = "The study period must end after it starts."
    if cohort.submission_deadline.date() < cohort.study_starts:
        problems["submission_deadline"] = "The submission deadline must fall after study starts."
    if cohort.assessment_ends < cohort.assessment_starts:
        problems["assessment_ends"] = "The assessment window must end after it starts."
    if not Decimal(0) <= cohort.tax_rate < Decimal(1):
        problems["tax_rate"] = "Give the tax rate as a fraction, e.g. 0.15 for 15%."
    return problems


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
    if now > cohort.registration_closes:
        return RegistrationWindow(
            False, f"Registration closed {_when(cohort.registration_closes, cohort)}; look for the next intake."
        )
    return RegistrationWindow(True, f"Registration is open until {_when(cohort.registration_closes, cohort)}.")


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


def extension_announcement(cohort: Cohort) -> str:
    """'Registrations extended! Closing Wednesday 27th March' while an extension is in force, else ''."""
    latest = cohort.extensions.order_by("-created_at").first()
    if latest is None or latest.new_closes != cohort.registration_closes:
        return ""
    local = timezone.localtime(cohort.registration_closes, zone(cohort.time_zone))
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
