"""What anyone may read: programmes on offer, and their cohorts with dates, places and fee quotes.

Amounts are decimal strings (never floats), before and with tax, rounded by ``fees.ROUNDING_RULE``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Schema

from credo.programmes import access
from credo.programmes.access_public import public_programme
from credo.programmes.api.router import router
from credo.programmes.models import Cohort, Programme
from credo.programmes.services import cohorts, enrolments, fees


class Message(Schema):
    detail: str


class ProgrammeOut(Schema):
    provider: str
    provider_name: str
    slug: str
    name: str
    qualification: str
    summary: str
    who_it_is_for: str
    what_is_required: str
    time_commitment: str
    fee_includes: list[str]
    url: str

    @classmethod
    def of(cls, programme: Programme) -> ProgrammeOut:
        return cls(
            provider=programme.provider.slug,
            provider_name=programme.provider.name,
            slug=programme.slug,
            name=programme.name,
            qualification=programme.qualification.code,
            summary=programme.summary,
            who_it_is_for=programme.who_it_is_for,
            what_is_required=programme.what_is_required,
            time_commitment=programme.time_commitment,
            fee_includes=programme.fee_includes_items(),
            url=reverse("programmes:programme", args=[programme.provider.slug, programme.slug]),
        )


class QuoteOut(Schema):
    tier: str
    tier_name: str
    organisation_types: list[str]
    currency: str
    amount: Decimal
    tax_name: str
    tax_rate: Decimal
    tax: Decimal
    total: Decimal


class CohortOut(Schema):
    public_id: UUID
    slug: str
    name: str
    time_zone: str
    registration_opens: datetime.datetime
    registration_closes: datetime.datetime
    registration_open: bool
    registration_message: str
    extension_announcement: str
    study_starts: datetime.date
    study_ends: datetime.date
    submission_deadline: datetime.datetime
    assessment_starts: datetime.date
    assessment_ends: datetime.date
    weekly_hours_guideline: Decimal
    check_ins_allowed: int
    capacity: int | None
    places_left: int | None
    quotes: list[QuoteOut]
    rounding_rule: str
    url: str

    @classmethod
    def of(cls, cohort: Cohort) -> CohortOut:
        window = cohorts.registration_window(cohort)
        programme = cohort.programme
        return cls(
            public_id=cohort.public_id,
            slug=cohort.slug,
            name=cohort.name,
            time_zone=cohort.time_zone,
            registration_opens=cohort.registration_opens,
            registration_closes=cohort.registration_closes,
            registration_open=window.is_open,
            registration_message=window.message,
            extension_announcement=cohorts.extension_announcement(cohort),
            study_starts=cohort.study_starts,
            study_ends=cohort.study_ends,
            submission_deadline=cohort.submission_deadline,
            assessment_starts=cohort.assessment_starts,
            assessment_ends=cohort.assessment_ends,
            weekly_hours_guideline=cohort.weekly_hours_guideline,
            check_ins_allowed=cohort.check_ins_allowed,
            capacity=cohort.capacity,
            places_left=enrolments.places_left(cohort),
            quotes=[
                _quote(cohort, tier.code, tier.name, tier.amount, tier.organisation_types)
                for tier in sorted(cohort.fee_tiers.all(), key=lambda tier: (-tier.amount, tier.code))
            ],
            rounding_rule=fees.ROUNDING_RULE,
            url=reverse("programmes:cohort", args=[programme.provider.slug, programme.slug, cohort.slug]),
        )


def _quote(cohort: Cohort, code: str, name: str, amount: Decimal, types: list[str]) -> QuoteOut:
    quote = fees.quote(amount, tax_rate=cohort.tax_rate, tax_name=cohort.tax_name, currency=cohort.currency)
    return QuoteOut(
        tier=code,
        tier_name=name,
        organisation_types=types,
        currency=quote.currency,
        amount=quote.amount,
        tax_name=quote.tax_name,
        tax_rate=quote.tax_rate,
        tax=quote.tax,
        total=quote.total,
    )


@router.get("/public/programmes", response={200: list[ProgrammeOut]}, summary="Programmes on offer")
def list_programmes(request: HttpRequest) -> list[ProgrammeOut]:
    """Every provider's programmes: public, as their pages are."""
    offered = Programme.objects.select_related("provider", "qualification").order_by("provider__name", "name")
    return [ProgrammeOut.of(programme) for programme in offered]


@router.get(
    "/public/programmes/{provider}/{programme}/cohorts",
    response={200: list[CohortOut], 404: Message},
    summary="A programme's cohorts, with dates, places and fee quotes before and with tax",
)
def list_cohorts(request: HttpRequest, provider: str, programme: str) -> list[CohortOut]:
    offered = public_programme(provider, programme)
    return [
        CohortOut.of(cohort)
        for cohort in offered.cohorts.select_related("programme__provider")
        .prefetch_related("fee_tiers")
        .order_by("-study_starts")
    ]


@router.get(
    "/public/programmes/{provider}/{programme}/cohorts/{cohort}",
    response={200: CohortOut, 404: Message},
    summary="One cohort, with dates, places and fee quotes before and with tax",
)
def get_cohort(request: HttpRequest, provider: str, programme: str, cohort: str) -> CohortOut:
    return CohortOut.of(access.public_cohort(provider, programme, cohort))
