"""What anyone may read: programmes on offer, and their cohorts with dates, places and fee quotes.

Amounts are decimal strings (never floats), before and with tax, rounded by ``fees.ROUNDING_RULE``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Schema

from credo.programmes.access.common import public_cohort
from credo.programmes.access.public import public_programme
from credo.programmes.api.router import router
from credo.programmes.models import Cohort, Programme, RegistrationExtension
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
    def of(cls, cohort: Cohort, facts: ListedFacts | None = None) -> CohortOut:
        """One cohort; ``facts`` are its places and announcement when a list has loaded them for every cohort."""
        window = cohorts.registration_window(cohort)
        programme = cohort.programme
        if facts is None:
            facts = ListedFacts(enrolments.places_left(cohort), cohorts.extension_announcement(cohort))
        return cls(
            public_id=cohort.public_id,
            slug=cohort.slug,
            name=cohort.name,
            time_zone=cohort.time_zone,
            registration_opens=cohort.registration_opens,
            registration_closes=cohort.registration_closes,
            registration_open=window.is_open,
            registration_message=window.message,
            extension_announcement=facts.extension_announcement,
            study_starts=cohort.study_starts,
            study_ends=cohort.study_ends,
            submission_deadline=cohort.submission_deadline,
            assessment_starts=cohort.assessment_starts,
            assessment_ends=cohort.assessment_ends,
            weekly_hours_guideline=cohort.weekly_hours_guideline,
            check_ins_allowed=cohort.check_ins_allowed,
            capacity=cohort.capacity,
            places_left=facts.places_left,
            quotes=[
                _quote(cohort, tier.code, tier.name, tier.amount, tier.organisation_types)
                for tier in sorted(cohort.fee_tiers.all(), key=lambda tier: (-tier.amount, tier.code))
            ],
            rounding_rule=fees.ROUNDING_RULE,
            url=reverse("programmes:cohort", args=[programme.provider.slug, programme.slug, cohort.slug]),
        )


@dataclass(frozen=True)
class ListedFacts:
    """What costs a query per cohort when asked one at a time: places left and the extension announcement."""

    places_left: int | None
    extension_announcement: str


def _listed(cohort: Cohort, now: datetime.datetime) -> ListedFacts:
    """The facts from the annotations of ``_cohorts_for_list``, so a list costs the same however many cohorts.

    Places mirror ``enrolments.places_left``; the announcement is ``cohorts.extension_announcement`` given the
    latest extension as loaded. test_api_learner checks that the list and the one-cohort endpoint agree.
    """
    held: int = getattr(cohort, "places_held", 0)
    places_left = None if cohort.capacity is None else max(0, cohort.capacity - held)
    announcement = cohorts.extension_announcement(cohort, now, latest=_latest_extension(cohort))
    return ListedFacts(places_left, announcement)


def _latest_extension(cohort: Cohort) -> RegistrationExtension | None:
    """The cohort's latest extension from the list's annotations: its id and new closing moment, which is all
    the announcement reads (the reason and who extended it stay unloaded, and this row is never saved)."""
    pk: int | None = getattr(cohort, "latest_extension_pk", None)
    new_closes: datetime.datetime | None = getattr(cohort, "latest_extension_new_closes", None)
    if pk is None or new_closes is None:
        return None
    return RegistrationExtension(pk=pk, cohort=cohort, new_closes=new_closes)


def _cohorts_for_list(programme: Programme) -> QuerySet[Cohort]:
    # The same order as cohorts.latest_extension, so the list and the one-cohort endpoint pick the same row.
    latest = RegistrationExtension.objects.filter(cohort=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        programme.cohorts.select_related("programme__provider")
        .prefetch_related("fee_tiers")
        .annotate(
            places_held=Count("enrolments", filter=Q(enrolments__state__in=enrolments.HOLDING_A_PLACE)),
            latest_extension_pk=Subquery(latest.values("pk")[:1]),
            latest_extension_new_closes=Subquery(latest.values("new_closes")[:1]),
        )
        .order_by("-study_starts")
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
    """Three queries however many cohorts: the programme, its cohorts with their counts, their fee tiers."""
    offered = public_programme(provider, programme)
    now = timezone.now()
    return [CohortOut.of(cohort, _listed(cohort, now)) for cohort in _cohorts_for_list(offered)]


@router.get(
    "/public/programmes/{provider}/{programme}/cohorts/{cohort}",
    response={200: CohortOut, 404: Message},
    summary="One cohort, with dates, places and fee quotes before and with tax",
)
def get_cohort(request: HttpRequest, provider: str, programme: str, cohort: str) -> CohortOut:
    return CohortOut.of(public_cohort(provider, programme, cohort))
