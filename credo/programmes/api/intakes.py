"""The public listing of intakes as JSON: the twin of /programmes/, with the same filters and order.

Anyone may read it, as the page. A page of at most ``limit`` intakes after ``offset``; the same number of queries
however many cohorts (one, as the page's list: ``intakes.intakes`` loads each cohort's programme, provider,
catalogue entry and workshop counts with it).
"""

from __future__ import annotations

import datetime
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema

from credo.catalogue.api.schemas import Page, Problems
from credo.programmes import intakes
from credo.programmes.api.router import router


class IntakeFilters(Page):
    when: intakes.When = Field(
        intakes.When.OPEN, description="open: registration open now; soon: opening later; closed: closed and past."
    )
    qualification: str = Field("", max_length=40, description="A catalogue code, e.g. 603/1939/2 (every version).")
    provider: str = Field("", max_length=80, description="The provider's slug, e.g. inspiring-communities.")
    level: int | None = Field(None, ge=0, le=20, description="The qualification's level number, in any framework.")
    country: str = Field(
        "",
        max_length=2,
        description="Region: the provider's country, ISO 3166-1 alpha-2 (e.g. NZ); organisations have no finer region.",
    )
    online: bool = Field(False, description="Only intakes whose every workshop can be joined online.")


class IntakeOut(Schema):
    public_id: UUID
    name: str
    slug: str
    status: str = Field(description="Where registration stands, in words: Open for registration, Opening soon, Closed.")
    registration_open: bool
    registration_opens: datetime.datetime
    registration_closes: datetime.datetime
    registration_message: str = Field(description="e.g. Registration closes 27 March 2027 (in the cohort's zone).")
    time_zone: str
    study_starts: datetime.date
    study_ends: datetime.date
    programme: str
    programme_name: str
    provider: str
    provider_name: str
    country: str
    country_name: str
    qualification: str
    qualification_title: str
    level: int
    level_text: str
    workshops: str = Field(description="Workshops online, in person, some online, or to be announced.")
    url: str
    programme_url: str
    register_url: str

    @classmethod
    def of(cls, intake: intakes.Intake) -> IntakeOut:
        cohort = intake.cohort
        programme = cohort.programme
        qualification = programme.qualification
        return cls(
            public_id=cohort.public_id,
            name=cohort.name,
            slug=cohort.slug,
            status=intake.status,
            registration_open=intake.is_open,
            registration_opens=cohort.registration_opens,
            registration_closes=cohort.registration_closes,
            registration_message=intake.closes,
            time_zone=cohort.time_zone,
            study_starts=cohort.study_starts,
            study_ends=cohort.study_ends,
            programme=programme.slug,
            programme_name=programme.name,
            provider=programme.provider.slug,
            provider_name=programme.provider.name,
            country=programme.provider.country,
            country_name=intake.country,
            qualification=qualification.code,
            qualification_title=qualification.title,
            level=qualification.level.number,
            level_text=qualification.level_note or str(qualification.level),
            workshops=intake.online,
            url=intake.cohort_url,
            programme_url=intake.programme_url,
            register_url=intake.register_url,
        )


@router.get(
    "/public/intakes",
    response={200: list[IntakeOut], 422: Problems},
    operation_id="programmes_public_intakes",
    summary="Intakes open for registration (or opening soon, or closed and past), filtered, a page at a time",
)
def list_intakes(request: HttpRequest, filters: Query[IntakeFilters]) -> list[IntakeOut]:
    """Every provider's intakes, as /programmes/ lists them: open now first by closing date."""
    wanted = intakes.IntakeFilter(
        when=filters.when,
        qualification=filters.qualification.strip(),
        provider=filters.provider.strip(),
        level=filters.level,
        country=filters.country.strip().upper(),
        online=filters.online,
    )
    now = timezone.now()
    page = intakes.intakes(wanted, now)[filters.offset : filters.offset + filters.limit]
    return [IntakeOut.of(intakes.describe(cohort, now)) for cohort in page]
