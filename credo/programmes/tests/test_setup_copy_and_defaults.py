"""Setting up the next cohort without typing fifty fields: "Copy the previous cohort" a year on (dates, terms, fee
tiers, workshops, check-in times, facilitators), a new cohort's form starting from the previous cohort or the
provider's country and billing, a slug made from the name, and the form in sections."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import Organisation, OrganisationKind, Role, User
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.audit.models import AuditEvent
from credo.catalogue.models import Qualification
from credo.programmes.forms.setup import CohortForm
from credo.programmes.models import CheckInSlot, Cohort, FeeTier, Programme, Session
from credo.programmes.services import billing, cohorts

from .builders import AUCKLAND, cld_programme, nz
from .staff_helpers import other_provider_admin

SLUG = "inspiring-test"
#: "Now", for the copy: early in 2024, so check-in times a year on are still ahead.
EARLY_2024 = nz(2024, 3, 1, 9)


def setup_url(programme: Programme, tail: str) -> str:
    return f"/programmes/setup/{SLUG}/{programme.slug}/{tail}"


@pytest.fixture
def admin(client_for: Callable[[User | None], Client], provider_admin: User) -> Client:
    return client_for(provider_admin)


@pytest.fixture
def coordinator(cohort: Cohort, provider: Organisation) -> User:
    """A facilitator of the 2024 cohort, offering two check-in times and leading its workshops."""
    person = MembershipFactory(
        user=UserFactory(email="megan@inspiring-test.example", full_name="Megan"),
        organisation=provider,
        role=Role.FACILITATOR,
    ).user
    cohort.facilitators.add(person)
    for day in (10, 17):
        CheckInSlot.objects.create(
            cohort=cohort,
            facilitator=person,
            starts_at=nz(2024, 4, day, 9),
            ends_at=nz(2024, 4, day, 9, 45),
            meeting_url="https://meet.example.org/check-in",
        )
    Session.objects.create(
        cohort=cohort,
        number=1,
        topic="Introductions",
        starts_at=nz(2024, 4, 3, 12),
        ends_at=nz(2024, 4, 3, 13, 30),
        meeting_url="https://meet.example.org/cld",
    )
    Session.objects.create(
        cohort=cohort,
        number=2,
        topic="Cancelled one",
        starts_at=nz(2024, 5, 22, 12),
        ends_at=nz(2024, 5, 22, 13, 30),
        venue="Wellington",
        cancelled_at=nz(2024, 5, 1, 9),
    )
    Session.objects.create(
        cohort=cohort,
        number=3,
        topic="Getting to success",
        starts_at=nz(2024, 8, 7, 12),
        ends_at=nz(2024, 8, 7, 13, 30),
        venue="Wellington",
    )
    assert isinstance(person, User)
    return person


class TestCopyingACohort:
    def test_the_copy_is_a_year_on_with_the_terms_tiers_workshops_check_ins_and_facilitators(
        self, cohort: Cohort, coordinator: User, provider_admin: User
    ) -> None:
        copy = cohorts.copy_cohort(actor=provider_admin, source=cohort, now=EARLY_2024)

        assert (copy.name, copy.slug, copy.programme) == ("2025 intake", "2025-intake", cohort.programme)
        # Wall-clock times in Auckland kept: 09:00 on 15 January, and the end of 20 March.
        assert copy.registration_opens == nz(2025, 1, 15, 9)
        assert copy.registration_closes == cohorts.end_of_day(datetime.date(2025, 3, 20), AUCKLAND)
        assert (copy.study_starts, copy.study_ends) == (datetime.date(2025, 4, 3), datetime.date(2025, 8, 31))
        assert (copy.assessment_starts, copy.assessment_ends) == (
            datetime.date(2025, 9, 1),
            datetime.date(2025, 10, 31),
        )
        assert (copy.currency, copy.tax_name, copy.tax_rate) == ("NZD", "GST", Decimal("0.15"))
        tiers = sorted((t.code, t.amount, t.organisation_types) for t in copy.fee_tiers.all())
        assert tiers == sorted((t.code, t.amount, t.organisation_types) for t in cohort.fee_tiers.all())
        workshops = list(copy.sessions.order_by("number").values_list("number", "topic", "starts_at", "venue"))
        assert workshops == [
            (1, "Introductions", nz(2025, 4, 3, 12), ""),
            (2, "Getting to success", nz(2025, 8, 7, 12), "Wellington"),  # the cancelled one is not copied
        ]
        slots = list(copy.check_in_slots.values_list("facilitator", "starts_at"))
        assert slots == [(coordinator.pk, nz(2025, 4, 10, 9)), (coordinator.pk, nz(2025, 4, 17, 9))]
        assert list(copy.facilitators.all()) == [coordinator]
        event = AuditEvent.objects.get(action="programmes.cohort_copied")
        assert (event.actor_id, event.object_id) == (provider_admin.pk, str(copy.pk))
        assert event.details["from_cohort"] == str(cohort.public_id)
        assert (event.details["workshops"], event.details["check_in_times"]) == (2, 2)

    def test_times_already_past_or_of_someone_no_longer_facilitating_are_left_out(
        self, cohort: Cohort, coordinator: User, provider_admin: User
    ) -> None:
        plan = cohorts.plan_copy(cohort, now=nz(2025, 4, 12, 9))  # the first time a year on has passed
        assert (len(plan.check_ins), plan.check_ins_left_out) == (1, 1)
        coordinator.memberships.all().delete()
        plan = cohorts.plan_copy(cohort, now=EARLY_2024)
        assert (plan.check_ins, plan.facilitators, plan.check_ins_left_out) == ([], [], 2)

    def test_a_second_copy_does_not_double_book_the_facilitator(
        self, cohort: Cohort, coordinator: User, provider_admin: User
    ) -> None:
        cohorts.copy_cohort(actor=provider_admin, source=cohort, now=EARLY_2024)
        again = cohorts.copy_cohort(actor=provider_admin, source=cohort, name="2025 second intake", now=EARLY_2024)
        assert again.slug == "2025-second-intake"
        assert not again.check_in_slots.exists()

    @pytest.mark.parametrize(
        ("name", "after"),
        [("2024 intake", "2025 intake"), ("Intake 2024-B", "Intake 2025-B"), ("Spring intake", "Spring intake (copy)")],
    )
    def test_the_name_moves_on_a_year(self, name: str, after: str) -> None:
        assert cohorts.next_name(name) == after

    def test_only_the_providers_programme_admins_may_copy(self, cohort: Cohort, coordinator: User) -> None:
        with pytest.raises(PermissionDenied):
            cohorts.copy_cohort(actor=coordinator, source=cohort, now=EARLY_2024)
        with pytest.raises(PermissionDenied):
            cohorts.copy_cohort(actor=other_provider_admin(), source=cohort, now=EARLY_2024)
        assert Cohort.objects.count() == 1


class TestTheCopyPage:
    def test_it_shows_the_copy_first_and_changes_nothing(
        self, admin: Client, cohort: Cohort, coordinator: User
    ) -> None:
        before = (Cohort.objects.count(), AuditEvent.objects.count())
        response = admin.get(setup_url(cohort.programme, f"{cohort.slug}/copy/"))
        page = response.content.decode()
        assert response.status_code == 200
        assert 'value="2025 intake"' in page
        assert 'data-slug-from="id_name"' in page
        assert "Thursday 3 April 2025 to Sunday 31 August 2025" in page  # study, a year on
        assert "Introductions: Thursday 3 April 2025, 12:00 to 13:30" in page
        assert "Cancelled one" not in page
        assert (Cohort.objects.count(), AuditEvent.objects.count()) == before

    def test_creating_the_copy_leads_to_its_page_to_check(self, admin: Client, cohort: Cohort) -> None:
        response = admin.post(setup_url(cohort.programme, f"{cohort.slug}/copy/"), {"name": "2025 intake"})
        assert response.status_code == 302
        assert response["Location"] == setup_url(cohort.programme, "2025-intake/edit/")
        assert Cohort.objects.filter(programme=cohort.programme, slug="2025-intake").exists()

    def test_an_address_already_used_is_refused_by_its_field(self, admin: Client, cohort: Cohort) -> None:
        response = admin.post(setup_url(cohort.programme, f"{cohort.slug}/copy/"), {"name": "Again", "slug": "2024"})
        page = response.content.decode()
        assert response.status_code == 422
        assert "<title>Error: " in page
        assert 'href="#id_slug"' in page
        assert Cohort.objects.count() == 1


class TestTheCopyThroughTheApi:
    def test_it_copies_and_answers_with_the_new_cohort(
        self, client_for: Callable[[User | None], Client], provider_admin: User, cohort: Cohort
    ) -> None:
        url = f"/api/v1/programmes/setup/{SLUG}/programmes/{cohort.programme.slug}/cohorts/{cohort.slug}/copy"
        response = client_for(provider_admin).post(url, {}, content_type="application/json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["name"], body["slug"], body["currency"]) == ("2025 intake", "2025-intake", "NZD")
        assert len(body["fee_tiers"]) == 2
        clash = client_for(provider_admin).post(url, {"slug": "2024"}, content_type="application/json")
        assert clash.status_code == 422
        assert "slug" in clash.content.decode()


class TestANewCohortsStart:
    def test_with_a_previous_cohort_the_page_offers_its_copy_and_its_terms(self, admin: Client, cohort: Cohort) -> None:
        Cohort.objects.filter(pk=cohort.pk).update(capacity=18, payment_terms_days=14)
        response = admin.get(setup_url(cohort.programme, "new-cohort/"))
        page = response.content.decode()
        assert "Copy the previous cohort" in page
        assert f'href="/programmes/setup/{SLUG}/{cohort.programme.slug}/2024/copy/"' in page
        initial = response.context["form"].initial
        assert (initial["currency"], initial["tax_name"], initial["tax_percent"]) == ("NZD", "GST", Decimal("15"))
        assert (initial["capacity"], initial["payment_terms_days"]) == (18, 14)

    def test_the_first_cohort_starts_from_the_providers_country(self, admin: Client, programme: Programme) -> None:
        response = admin.get(setup_url(programme, "new-cohort/"))
        initial = response.context["form"].initial
        assert (initial["time_zone"], initial["currency"], initial["tax_name"]) == ("Pacific/Auckland", "NZD", "GST")
        assert initial["tax_percent"] == Decimal("15")
        assert "Copy the previous cohort" not in response.content.decode()

    def test_a_provider_not_registered_for_tax_starts_without_it(
        self, admin: Client, programme: Programme, provider_admin: User
    ) -> None:
        billing.set_billing(
            programme.provider,
            actor=provider_admin,
            legal_name="",
            tax_number="",
            postal_address="1 Main Street\nWellington",
            billing_email="",
            payment_instructions="Bank account 00-0000",
        )
        initial = admin.get(setup_url(programme, "new-cohort/")).context["form"].initial
        assert (initial["currency"], initial["tax_name"], initial["tax_percent"]) == ("NZD", "", Decimal("0"))

    def test_a_uk_provider_starts_in_pounds_with_vat(self, micro_credential: Qualification) -> None:
        uk = OrganisationFactory(
            name="Riverside", slug="riverside", kind=OrganisationKind.PROVIDER, country="GB", time_zone="Europe/London"
        )
        admin = MembershipFactory(organisation=uk, role=Role.PROGRAMME_ADMIN).user
        programme = cld_programme(admin, uk, micro_credential)
        defaults = cohorts.new_cohort_defaults(programme)
        assert (defaults["time_zone"], defaults["currency"], defaults["tax_name"], defaults["tax_rate"]) == (
            "Europe/London",
            "GBP",
            "VAT",
            Decimal("0.20"),
        )


class TestTheForm:
    def test_every_field_is_in_exactly_one_section(self, programme: Programme) -> None:
        in_sections = [name for _, _, names in CohortForm.SECTIONS for name in names]
        assert sorted(in_sections) == sorted(CohortForm.base_fields)

    def test_the_page_reads_in_sections(self, admin: Client, programme: Programme) -> None:
        page = admin.get(setup_url(programme, "new-cohort/")).content.decode()
        for heading in ("The cohort", "Registration", "Study and assessment", "Support", "Fees and tax"):
            assert f"<legend><h2>{heading}</h2></legend>" in page

    def test_a_slug_left_empty_is_made_from_the_name(self, admin: Client, programme: Programme) -> None:
        from .test_setup_views import cohort_data

        for _ in range(2):
            response = admin.post(setup_url(programme, "new-cohort/"), cohort_data(name="2024 Intake", slug=""))
            assert response.status_code == 302, response.content.decode()
        slugs = sorted(Cohort.objects.filter(programme=programme).values_list("slug", flat=True))
        assert slugs == ["2024-intake", "2024-intake-2"]
        assert FeeTier.objects.filter(cohort__programme=programme).count() == 4

    def test_an_edit_with_the_slug_left_empty_keeps_the_address(
        self, admin: Client, programme: Programme, cohort: Cohort
    ) -> None:
        from .test_setup_views import edit_data

        response = admin.post(setup_url(programme, "2024/edit/"), edit_data(cohort, slug="", name="Renamed"))
        assert response.status_code == 302, response.content.decode()
        cohort.refresh_from_db()
        assert (cohort.name, cohort.slug) == ("Renamed", "2024")


def test_the_defaults_need_no_queries_per_cohort(
    programme: Programme, provider_admin: User, django_assert_max_num_queries: Any
) -> None:
    from .builders import cohort_2024

    for year in range(3):
        cohort_2024(provider_admin, programme, slug=f"c{year}", name=f"Cohort {year}")
    with django_assert_max_num_queries(2):
        cohorts.new_cohort_defaults(programme)


def test_the_copy_page_costs_the_same_queries_for_one_workshop_or_ten(
    admin: Client, cohort: Cohort, coordinator: User
) -> None:
    url = setup_url(cohort.programme, f"{cohort.slug}/copy/")
    with CaptureQueriesContext(connection) as few:
        admin.get(url)
    for number in range(4, 12):
        Session.objects.create(
            cohort=cohort,
            number=number,
            topic=f"Extra {number}",
            starts_at=nz(2024, 6, number, 12),
            ends_at=nz(2024, 6, number, 13),
            venue="Wellington",
        )
        CheckInSlot.objects.create(
            cohort=cohort, facilitator=coordinator, starts_at=nz(2024, 6, number, 9), ends_at=nz(2024, 6, number, 10)
        )
    with CaptureQueriesContext(connection) as many:
        page = admin.get(url).content.decode()
    assert "Extra 11" in page
    assert len(many) == len(few)
