"""The public listing of programmes open for registration, its API twin, and the ways to it: the home page, the main
navigation and each qualification's catalogue page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import Organisation, OrganisationKind, Role, User
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.catalogue import services as catalogue
from credo.catalogue.models import CentreApproval, Qualification, QualificationKind
from credo.catalogue.tests.builders import level, make_qualification, rqf
from credo.programmes.models import Cohort, Programme, Session
from credo.programmes.services import cohorts

from .builders import FEE_TIERS, cohort_2024, nz

SignIn = Callable[[User | None], Client]
LISTING = "/programmes/"
API = "/api/v1/programmes/public/intakes"
NOW = nz(2024, 2, 1, 10)  # the 2024 intake's registration is open


@pytest.fixture(autouse=True)
def during_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


@pytest.fixture
def london_centre(db: None) -> Organisation:
    return OrganisationFactory(
        name="Riverside Organising Centre (test)", slug="riverside-test", kind=OrganisationKind.PROVIDER, country="GB"
    )


@pytest.fixture
def level_2_award(catalogue_admin: User, awarding_body: Organisation) -> Qualification:
    draft = make_qualification(catalogue_admin, awarding_body, "7000088", "Organising (level 2, test)",
                               QualificationKind.MICRO_CREDENTIAL)  # fmt: skip
    Qualification.objects.filter(pk=draft.pk).update(level=level(rqf(), 2))
    draft.refresh_from_db()
    catalogue.set_competencies(actor=catalogue_admin, qualification=draft, competencies=[("1", "Organise")])
    return catalogue.publish_qualification(actor=catalogue_admin, qualification=draft)


def london_cohort(
    london_centre: Organisation, qualification: Qualification, slug: str = "seg-l2", **changes: object
) -> Cohort:
    admin = MembershipFactory(
        user=UserFactory(email=f"admin-{slug}@riverside-test.example"),
        organisation=london_centre,
        role=Role.PROGRAMME_ADMIN,
    ).user
    programme = cohorts.create_programme(
        actor=admin, provider=london_centre, qualification=qualification, name=f"Organising {slug}", slug=slug,
        summary="Evening sessions.",
    )  # fmt: skip
    fields: dict[str, object] = {
        "name": "Spring 2024",
        "slug": "spring",
        "time_zone": "Europe/London",
        "registration_opens": datetime.datetime(2024, 1, 10, 9, tzinfo=datetime.UTC),
        "registration_closes": datetime.datetime(2024, 2, 28, 23, 59, 59, tzinfo=datetime.UTC),
        "study_starts": datetime.date(2024, 3, 4),
        "study_ends": datetime.date(2024, 7, 26),
        "submission_deadline": datetime.datetime(2024, 8, 2, 23, 59, 59, tzinfo=datetime.UTC),
        "assessment_starts": datetime.date(2024, 8, 5),
        "assessment_ends": datetime.date(2024, 9, 27),
        "currency": "GBP",
        "tax_name": "",
        "tax_rate": Decimal("0"),
    }
    fields.update(changes)
    return cohorts.create_cohort(actor=admin, programme=programme, fee_tiers=FEE_TIERS, **fields)


def workshop(cohort: Cohort, number: int, *, online: bool) -> Session:
    starts = datetime.datetime.combine(cohort.study_starts, datetime.time(12), tzinfo=datetime.UTC)
    return Session.objects.create(
        cohort=cohort,
        number=number,
        topic=f"Workshop {number}",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        meeting_url="https://meet.example.org/w" if online else "",
        venue="" if online else "Riverside Hall",
    )


@pytest.fixture
def past(provider_admin: User, programme: Programme) -> Cohort:
    return cohort_2024(
        provider_admin, programme, name="2023 intake", slug="2023",
        registration_opens=nz(2023, 1, 15, 9), registration_closes=nz(2023, 3, 20, 23, 59, 59),
        study_starts=datetime.date(2023, 4, 3), study_ends=datetime.date(2023, 8, 31),
        submission_deadline=nz(2023, 8, 31, 23, 59, 59),
        assessment_starts=datetime.date(2023, 9, 1), assessment_ends=datetime.date(2023, 10, 31),
    )  # fmt: skip


def titles(page: str) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', page)


class TestTheListing:
    def test_anyone_sees_the_intakes_open_now_with_a_way_to_register(
        self, client: Client, cohort: Cohort, past: Cohort
    ) -> None:
        response = client.get(LISTING)

        assert response.status_code == 200
        page = response.content.decode()
        assert "<h1>Programmes open for registration</h1>" in page
        assert titles(page) == ["Micro-credential in CLD facilitation: 2024 intake"]
        assert 'href="/programmes/inspiring-test/cld-facilitation/2024/"' in page
        assert 'href="/programmes/inspiring-test/cld-facilitation/2024/register/"' in page
        assert "Registration closes 20 March 2024" in page
        assert "Aotearoa New Zealand" in page

    def test_closed_and_past_intakes_are_reachable_and_marked_closed(
        self, client: Client, cohort: Cohort, past: Cohort
    ) -> None:
        page = client.get(LISTING).content.decode()
        assert 'href="/programmes/?when=closed">Closed and past intakes</a>' in page

        closed = client.get(LISTING, {"when": "closed"}).content.decode()

        assert titles(closed) == ["Micro-credential in CLD facilitation: 2023 intake"]
        assert '<span class="tag tag-withdrawn">Closed</span> Registration closed 20 March 2023' in closed
        assert "/2023/register/" not in closed  # no Register button on a closed intake

    @pytest.mark.parametrize(
        ("filters", "expected"),
        [
            ({"provider": "riverside-test"}, ["Organising seg-l2: Spring 2024"]),
            ({"country": "NZ"}, ["Micro-credential in CLD facilitation: 2024 intake"]),
            ({"level": "2"}, ["Organising seg-l2: Spring 2024"]),
            ({"qualification": "603/7000/0"}, []),
            ({"online": "on"}, ["Micro-credential in CLD facilitation: 2024 intake"]),
            ({}, ["Organising seg-l2: Spring 2024", "Micro-credential in CLD facilitation: 2024 intake"]),
        ],
    )
    def test_it_filters_by_provider_region_level_qualification_and_online(
        self, client: Client, cohort: Cohort, london_centre: Organisation, level_2_award: Qualification,
        filters: dict[str, str], expected: list[str],
    ) -> None:  # fmt: skip
        seg = london_cohort(london_centre, level_2_award)
        workshop(cohort, 1, online=True)
        workshop(seg, 1, online=True)
        workshop(seg, 2, online=False)  # one at the hall: not every workshop is online

        response = client.get(LISTING, filters)

        assert response.status_code == 200
        if filters.get("qualification"):  # not a code on offer: said so, and left out
            assert "There is a problem with the filters" in response.content.decode()
            expected = ["Organising seg-l2: Spring 2024", "Micro-credential in CLD facilitation: 2024 intake"]
        assert titles(response.content.decode()) == expected

    def test_the_qualification_filter_offers_the_codes_on_offer(
        self, client: Client, cohort: Cohort, micro_credential: Qualification, london_centre: Organisation,
        level_2_award: Qualification,
    ) -> None:  # fmt: skip
        london_cohort(london_centre, level_2_award)

        page = client.get(LISTING, {"qualification": micro_credential.code}).content.decode()

        assert titles(page) == ["Micro-credential in CLD facilitation: 2024 intake"]
        assert f'<option value="{micro_credential.code}" selected>' in page

    def test_it_is_paginated_and_the_pages_keep_the_filters(
        self, client: Client, london_centre: Organisation, level_2_award: Qualification
    ) -> None:
        for number in range(23):
            london_cohort(london_centre, level_2_award, slug=f"p{number:02d}")

        first = client.get(LISTING, {"country": "GB"}).content.decode()
        second = client.get(LISTING, {"country": "GB", "page": "2"}).content.decode()

        assert len(titles(first)) == 20
        assert "23 intakes" in first
        assert 'href="?country=GB&amp;page=2">Next page</a>' in first
        assert len(titles(second)) == 3

    def test_the_query_count_does_not_grow_with_the_cohorts(
        self, client: Client, cohort: Cohort, london_centre: Organisation, level_2_award: Qualification
    ) -> None:
        workshop(cohort, 1, online=True)
        with CaptureQueriesContext(connection) as one:
            assert client.get(LISTING).status_code == 200
        for number in range(12):
            workshop(london_cohort(london_centre, level_2_award, slug=f"m{number:02d}"), 1, online=True)
        with CaptureQueriesContext(connection) as many:
            page = client.get(LISTING).content.decode()
        assert len(titles(page)) == 13
        assert len(many) == len(one)


class TestTheAPITwin:
    def test_it_lists_filters_and_pages_the_intakes(
        self, client: Client, cohort: Cohort, past: Cohort, london_centre: Organisation, level_2_award: Qualification
    ) -> None:
        london_cohort(london_centre, level_2_award)

        everything = client.get(API).json()
        assert [(i["programme_name"], i["name"], i["registration_open"]) for i in everything] == [
            ("Organising seg-l2", "Spring 2024", True),
            ("Micro-credential in CLD facilitation", "2024 intake", True),
        ]
        cld = everything[1]
        assert (cld["country"], cld["country_name"], cld["level"]) == ("NZ", "Aotearoa New Zealand", 3)
        assert cld["register_url"] == "/programmes/inspiring-test/cld-facilitation/2024/register/"
        assert [i["name"] for i in client.get(API, {"country": "nz"}).json()] == ["2024 intake"]
        assert [i["name"] for i in client.get(API, {"when": "closed"}).json()] == ["2023 intake"]
        assert [i["name"] for i in client.get(API, {"limit": 1, "offset": 1}).json()] == ["2024 intake"]
        assert client.get(API, {"when": "someday"}).status_code == 422

    def test_the_query_count_does_not_grow_with_the_cohorts(
        self, client: Client, cohort: Cohort, london_centre: Organisation, level_2_award: Qualification
    ) -> None:
        with CaptureQueriesContext(connection) as one:
            assert len(client.get(API).json()) == 1
        for number in range(8):
            london_cohort(london_centre, level_2_award, slug=f"a{number:02d}")
        with CaptureQueriesContext(connection) as many:
            assert len(client.get(API).json()) == 9
        assert len(many) == len(one)

    def test_it_is_in_the_openapi_document(self, client: Client) -> None:
        document = client.get("/api/v1/openapi.json").json()
        operation = document["paths"]["/api/v1/programmes/public/intakes"]["get"]
        assert {parameter["name"] for parameter in operation["parameters"]} >= {
            "when", "qualification", "provider", "level", "country", "online", "limit", "offset",
        }  # fmt: skip


class TestTheWaysToIt:
    def test_the_home_page_and_the_navigation_link_to_it(self, client: Client, db: None) -> None:
        home = client.get("/").content.decode()
        assert 'href="/programmes/">Programmes open for registration</a>' in home
        assert re.search(r'<li><a href="/programmes/">Programmes</a></li>', home)

        listing = client.get(LISTING).content.decode()
        assert '<li><a href="/programmes/" aria-current="page">Programmes</a></li>' in listing

    def test_the_qualification_page_shows_the_open_intake_and_links_the_centre_to_its_programme(
        self, client: Client, cohort: Cohort, past: Cohort, micro_credential: Qualification, provider: Organisation,
        awarding_body: Organisation,
    ) -> None:  # fmt: skip
        CentreApproval.objects.create(
            qualification_code=micro_credential.code, owner=awarding_body, centre=provider,
            approved_on=datetime.date(2023, 6, 1),
        )  # fmt: skip

        page = client.get(micro_credential.get_absolute_url()).content.decode()

        assert re.search(
            r'Open now: <a href="/programmes/inspiring-test/cld-facilitation/2024/">2024 intake</a> with '
            r"Inspiring Communities \(test\), closes 20 March: "
            r'<a class="button" href="/programmes/inspiring-test/cld-facilitation/2024/register/">Register',
            page,
        )
        assert '<a href="/programmes/inspiring-test/cld-facilitation/">Inspiring Communities (test)</a>' in page

    def test_a_qualification_nobody_offers_shows_no_offer(
        self, client: Client, level_2_award: Qualification, cohort: Cohort
    ) -> None:
        page = client.get(level_2_award.get_absolute_url()).content.decode()
        assert "Open now" not in page
