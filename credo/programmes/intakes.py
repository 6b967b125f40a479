"""Intakes on offer: every programme's cohorts, open for registration now, opening soon, or closed, filtered as a
person deciding where to study filters them. The public listing (``views.public.open_programmes``) and its API twin
(``api/intakes.py``) read them here, so both list the same cohorts in the same order.

Every programme is public (its pages are), so every programme's cohorts are listed. Where a provider is, is its
organisation's country: organisations have no finer region.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, TextChoices
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from credo.accounts.models import Organisation
from credo.catalogue.models import Qualification
from credo.catalogue.offers import Offers, OpenIntake
from credo.programmes.models import Cohort, Programme
from credo.programmes.services import cohorts

#: Countries' names as the listing shows them; a country not here is shown by its ISO code.
COUNTRY_NAMES = {
    "AU": "Australia",
    "CA": "Canada",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "NZ": "Aotearoa New Zealand",
    "US": "United States",
    "ZA": "South Africa",
}


def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)


class When(TextChoices):
    """Which intakes to list, by where their registration stands."""

    OPEN = "open", "Open for registration now"
    SOON = "soon", "Opening soon"
    CLOSED = "closed", "Closed and past intakes"


@dataclass(frozen=True)
class IntakeFilter:
    """What a person narrows the list by; empty means any."""

    when: str = When.OPEN
    qualification: str = ""  # a catalogue code, every version of it
    provider: str = ""  # the provider's slug
    level: int | None = None  # the level's number, in any framework
    country: str = ""  # ISO 3166-1 alpha-2
    online: bool = False  # every workshop can be joined online


#: A cohort's workshops that will be (or were) held: not cancelled.
HELD = Q(sessions__cancelled_at__isnull=True)


def intakes(filters: IntakeFilter, now: datetime.datetime | None = None) -> QuerySet[Cohort]:
    """The cohorts the filters describe, with their programme, provider and catalogue entry: one query per page."""
    now = now or timezone.now()
    # As cohorts.registration_window: the whole of the closing second is still open.
    second = now.replace(microsecond=0)
    found = Cohort.objects.select_related("programme__provider", "programme__qualification__level__framework").annotate(
        workshops=Count("sessions", filter=Q(sessions__cancelled_at__isnull=True)),
        online_workshops=Count(
            "sessions", filter=Q(sessions__cancelled_at__isnull=True) & ~Q(sessions__meeting_url="")
        ),
    )
    if filters.when == When.SOON:
        found = found.filter(registration_opens__gt=now).order_by("registration_opens", "pk")
    elif filters.when == When.CLOSED:
        found = found.filter(registration_closes__lt=second).order_by("-study_starts", "pk")
    else:
        found = found.filter(registration_opens__lte=now, registration_closes__gte=second)
        found = found.order_by("registration_closes", "pk")  # closing soonest first: the one not to miss
    if filters.qualification:
        found = found.filter(programme__qualification__code=filters.qualification)
    if filters.provider:
        found = found.filter(programme__provider__slug=filters.provider)
    if filters.level is not None:
        found = found.filter(programme__qualification__level__number=filters.level)
    if filters.country:
        found = found.filter(programme__provider__country=filters.country)
    if filters.online:
        found = found.filter(workshops__gt=0, online_workshops=F("workshops"))
    return found


@dataclass(frozen=True)
class Intake:
    """A cohort as the listing shows it: where it stands, in words, and where to go next."""

    cohort: Cohort
    is_open: bool
    status: str
    closes: str
    online: str
    country: str
    programme_url: str
    cohort_url: str
    register_url: str


def _day(moment: datetime.datetime, cohort: Cohort, form: str = "j F Y") -> str:
    """The day of ``moment`` in the cohort's own zone: registration closes at the end of its day there."""
    return date_format(timezone.localtime(moment, cohorts.zone(cohort.time_zone)), form)


def _online(cohort: Cohort) -> str:
    workshops: int = getattr(cohort, "workshops", 0)
    online: int = getattr(cohort, "online_workshops", 0)
    if not workshops:
        return "Workshops to be announced"
    if online == workshops:
        return "Workshops online"
    return "Some workshops online" if online else "Workshops in person"


def describe(cohort: Cohort, now: datetime.datetime | None = None) -> Intake:
    """One listed cohort in words; no query (``intakes`` loaded what it reads)."""
    now = now or timezone.now()
    window = cohorts.registration_window(cohort, now)
    programme = cohort.programme
    slugs = [programme.provider.slug, programme.slug, cohort.slug]
    if window.is_open:
        status, closes = "Open for registration", f"Registration closes {_day(cohort.registration_closes, cohort)}"
    elif now < cohort.registration_opens:
        status, closes = "Opening soon", f"Registration opens {_day(cohort.registration_opens, cohort)}"
    else:
        status, closes = "Closed", f"Registration closed {_day(cohort.registration_closes, cohort)}"
    return Intake(
        cohort=cohort,
        is_open=window.is_open,
        status=status,
        closes=closes,
        online=_online(cohort),
        country=country_name(programme.provider.country),
        programme_url=reverse("programmes:programme", args=slugs[:2]),
        cohort_url=reverse("programmes:cohort", args=slugs),
        register_url=reverse("programmes:register", args=slugs),
    )


@dataclass(frozen=True)
class Choices:
    """What the filters offer: only what some programme has, so no choice leads to an empty list by design."""

    qualifications: list[tuple[str, str]]
    providers: list[tuple[str, str]]
    levels: list[tuple[str, str]]
    countries: list[tuple[str, str]]


def filter_choices() -> Choices:
    """Four queries, however many programmes."""
    offered = Qualification.objects.filter(programmes__isnull=False)
    titles: dict[str, str] = {}
    for code, title in offered.order_by("title", "code", "-version").values_list("code", "title"):
        titles.setdefault(code, title)  # the first version's title of each code, as the list is sorted
    providers = Organisation.objects.filter(programmes__isnull=False).distinct().order_by("name")
    levels = sorted(set(offered.values_list("level__number", flat=True)))
    countries = sorted(set(providers.values_list("country", flat=True)), key=country_name)
    return Choices(
        qualifications=[(code, f"{title} ({code})") for code, title in titles.items()],
        providers=list(providers.values_list("slug", "name")),
        levels=[(str(number), f"Level {number}") for number in levels],
        countries=[(code, country_name(code)) for code in countries],
    )


def catalogue_offers(code: str) -> Offers:
    """For the catalogue's qualification page (registered in ``apps.py``): the entry's intakes open now, and each
    provider's programme page for it. Two queries."""
    now = timezone.now()
    open_now = [
        OpenIntake(
            name=intake.cohort.name,
            programme_name=intake.cohort.programme.name,
            provider_name=intake.cohort.programme.provider.name,
            closes=f"closes {_day(intake.cohort.registration_closes, intake.cohort, 'j F')}",
            url=intake.cohort_url,
            register_url=intake.register_url,
        )
        for intake in (describe(cohort, now) for cohort in intakes(IntakeFilter(qualification=code), now))
    ]
    pages: dict[int, str] = {}
    offered = Programme.objects.filter(qualification__code=code).select_related("provider").order_by("name", "pk")
    for programme in offered:
        pages.setdefault(
            programme.provider_id, reverse("programmes:programme", args=[programme.provider.slug, programme.slug])
        )
    return Offers(open_intakes=open_now, centre_pages=pages, listing_url=reverse("programmes:open"))
