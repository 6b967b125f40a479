"""Setting up programmes and cohorts through the pages: the seed's cohort typed in, edits, problems by field, and
everyone but the provider's programme admins refused without a trace."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.audit.models import AuditEvent
from credo.catalogue.models import CentreApproval, Qualification
from credo.programmes.models import Cohort, FeeTier, Programme

from .builders import cohort_2024
from .staff_helpers import other_provider_admin, register

SLUG = "inspiring-test"
#: What the form must store exactly as the seed builder does.
SAME_AS_SEED = ("registration_opens", "registration_closes", "submission_deadline", "study_starts", "study_ends",
                "assessment_starts", "assessment_ends", "tax_rate", "currency", "time_zone")  # fmt: skip


def cohort_data(**changes: Any) -> dict[str, Any]:
    """The seed's 2024 cohort as a programme admin types it: local dates in Auckland, GST as 15%."""
    data: dict[str, Any] = {
        "name": "2024 intake",
        "slug": "2024",
        "time_zone": "Pacific/Auckland",
        "registration_opens_day": "2024-01-15",
        "registration_opens_time": "09:00",
        "registration_closes_day": "2024-03-20",
        "study_starts": "2024-04-03",
        "study_ends": "2024-08-31",
        "submission_deadline_day": "2024-08-31",
        "assessment_starts": "2024-09-01",
        "assessment_ends": "2024-10-31",
        "capacity": "",
        "resubmissions_allowed": "1",
        "check_ins_allowed": "2",
        "check_in_notice_hours": "24",
        "weekly_hours_guideline": "2.0",
        "currency": "NZD",
        "tax_name": "GST",
        "tax_percent": "15",
        "payment_terms_days": "20",
        "tiers-TOTAL_FORMS": "4",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "4",
        "tiers-0-name": "Local and central government",
        "tiers-0-amount": "649.00",
        "tiers-0-organisation_types": ["local_government", "central_government"],
        "tiers-1-name": "Community organisations and volunteer groups",
        "tiers-1-amount": "525.00",
        "tiers-1-organisation_types": ["community", "volunteer_group", "other"],
    }
    data.update(changes)
    return data


def edit_data(cohort: Cohort, **changes: Any) -> dict[str, Any]:
    """The edit form as the page fills it: the cohort's two tiers first, two empty rows."""
    data = cohort_data(**{"tiers-INITIAL_FORMS": "2"})
    for index, tier in enumerate(cohort.fee_tiers.order_by("pk")):
        data[f"tiers-{index}-tier"] = str(tier.pk)
    data.update(changes)
    return data


def programme_data(qualification: Qualification, **changes: Any) -> dict[str, Any]:
    data = {
        "qualification": str(qualification.pk),
        "name": "Micro-credential in CLD facilitation",
        "slug": "cld-facilitation",
        "summary": "Validate your community-led development facilitation experience.",
        "who_it_is_for": "People already working in communities.",
        "what_is_required": "A written CLD case study.",
        "time_commitment": "About 2 hours a week over 5 months",
        "fee_includes": "Two 1:1 guidance sessions\nFour facilitated workshops",
    }
    data.update(changes)
    return data


def provider_member(provider: Organisation, role: str, email: str) -> User:
    user = MembershipFactory(user=UserFactory(email=email), organisation=provider, role=role).user
    assert isinstance(user, User)
    return user


@pytest.fixture
def admin_client(client_for: Callable[[User | None], Client], provider_admin: User) -> Client:
    return client_for(provider_admin)


def cohort_url(programme: Programme, cohort: str = "") -> str:
    base = f"/programmes/setup/{SLUG}/{programme.slug}/"
    return f"{base}{cohort}/edit/" if cohort else f"{base}new-cohort/"


class TestCreatingTheSeedCohort:
    def test_the_form_stores_the_same_moments_as_the_seed_builder(
        self, admin_client: Client, provider_admin: User, programme: Programme
    ) -> None:
        coordinator = provider_member(programme.provider, Role.FACILITATOR, "megan@inspiring-test.example")

        response = admin_client.post(cohort_url(programme), cohort_data(facilitators=[str(coordinator.pk)]))

        assert response.status_code == 302, response.content.decode()
        typed = Cohort.objects.get(programme=programme, slug="2024")
        built = cohort_2024(provider_admin, programme, slug="built")
        for name in SAME_AS_SEED:
            assert getattr(typed, name) == getattr(built, name), name
        assert typed.registration_closes == datetime.datetime(2024, 3, 20, 10, 59, 59, tzinfo=datetime.UTC)
        assert typed.tax_rate == Decimal("0.15")
        tiers = sorted((t.amount, t.organisation_types) for t in typed.fee_tiers.all())
        assert tiers == sorted((t.amount, t.organisation_types) for t in built.fee_tiers.all())
        assert list(typed.facilitators.all()) == [coordinator]
        actions = set(AuditEvent.objects.filter(object_id=str(typed.pk)).values_list("action", flat=True))
        assert {"programmes.cohort_created", "programmes.facilitators_assigned"} <= actions

    def test_the_new_cohort_form_starts_in_the_providers_zone(self, admin_client: Client, programme: Programme) -> None:
        response = admin_client.get(cohort_url(programme))

        assert response.status_code == 200
        assert response.context["form"].initial["time_zone"] == "Pacific/Auckland"


class TestCohortProblems:
    @pytest.mark.parametrize(
        ("changes", "field", "fragment"),
        [
            ({"registration_closes_day": "2024-01-10"}, "registration_closes_day", "close after it opens"),
            ({"study_ends": "2024-03-01"}, "study_ends", "end after it starts"),
            ({"tax_percent": "150"}, "tax_percent", "less than or equal to 99.99"),
            ({"currency": "nzd"}, "currency", "three-letter code"),
            ({"time_zone": "Mars/Olympus"}, "time_zone", "is not a time zone we know"),
            ({"registration_opens_day": ""}, "registration_opens_day", "required"),
        ],
    )
    def test_each_problem_is_named_by_its_field_and_nothing_is_stored(
        self, admin_client: Client, programme: Programme, changes: dict[str, str], field: str, fragment: str
    ) -> None:
        before = AuditEvent.objects.count()

        response = admin_client.post(cohort_url(programme), cohort_data(**changes))

        assert response.status_code == 422
        errors = response.context["form"].errors
        assert fragment in " ".join(errors[field]), errors
        assert not Cohort.objects.exists()
        assert AuditEvent.objects.count() == before

    @pytest.mark.parametrize(
        ("changes", "fragment"),
        [
            ({"tiers-1-organisation_types": ["community", "local_government"]}, "Local government is in two tiers"),
            (
                {
                    "tiers-0-name": "",
                    "tiers-0-amount": "",
                    "tiers-0-organisation_types": [],
                    "tiers-1-name": "",
                    "tiers-1-amount": "",
                    "tiers-1-organisation_types": [],
                },
                "at least one fee tier",
            ),
            ({"tiers-1-name": "Local and central government"}, "different name"),
        ],
    )
    def test_fee_tier_problems_are_explained(
        self, admin_client: Client, programme: Programme, changes: dict[str, Any], fragment: str
    ) -> None:
        response = admin_client.post(cohort_url(programme), cohort_data(**changes))

        assert response.status_code == 422
        assert fragment in " ".join(response.context["tiers"].non_form_errors())
        assert not Cohort.objects.exists()
        assert not FeeTier.objects.exists()

    def test_a_half_filled_tier_says_what_is_missing(self, admin_client: Client, programme: Programme) -> None:
        response = admin_client.post(cohort_url(programme), cohort_data(**{"tiers-2-name": "Students"}))

        assert response.status_code == 422
        assert "Tier 3, Fee before tax: Give the fee before tax" in response.text
        errors = response.context["tiers"].forms[2].errors
        assert "Give the fee" in errors["amount"][0]
        assert "Tick who pays" in errors["organisation_types"][0]

    def test_a_slug_already_used_in_the_programme_is_refused(
        self, admin_client: Client, programme: Programme, cohort: Cohort
    ) -> None:
        response = admin_client.post(cohort_url(programme), cohort_data())

        assert response.status_code == 422
        assert "already uses '2024'" in response.context["form"].errors["slug"][0]
        assert Cohort.objects.count() == 1


class TestEditingACohort:
    def test_dates_change_and_a_tier_is_added(self, admin_client: Client, programme: Programme, cohort: Cohort) -> None:
        data = edit_data(
            cohort,
            registration_closes_day="2024-03-27",
            **{"tiers-2-name": "Students", "tiers-2-amount": "100", "tiers-2-organisation_types": []},
        )
        # Types are shared out already; a new tier must take some from another.
        data["tiers-1-organisation_types"] = ["community", "volunteer_group"]
        data["tiers-2-organisation_types"] = ["other"]

        response = admin_client.post(cohort_url(programme, cohort.slug), data)

        assert response.status_code == 302, response.content.decode()
        cohort.refresh_from_db()
        assert cohort.registration_closes == datetime.datetime(2024, 3, 27, 10, 59, 59, tzinfo=datetime.UTC)
        assert FeeTier.objects.get(cohort=cohort, code="students").organisation_types == ["other"]
        actions = set(AuditEvent.objects.filter(object_id=str(cohort.pk)).values_list("action", flat=True))
        assert {"programmes.cohort_updated", "programmes.fee_tier_updated", "programmes.fee_tier_added"} <= actions

    def test_the_form_shows_the_stored_moments_in_the_cohorts_zone(
        self, admin_client: Client, programme: Programme, cohort: Cohort
    ) -> None:
        response = admin_client.get(cohort_url(programme, cohort.slug))

        initial = response.context["form"].initial
        assert 'name="registration_closes_day" value="2024-03-20"' in response.text  # ISO, as date pickers need
        assert initial["registration_opens_day"] == datetime.date(2024, 1, 15)
        assert initial["registration_opens_time"] == datetime.time(9)
        assert initial["registration_closes_day"] == datetime.date(2024, 3, 20)
        assert initial["tax_percent"] == Decimal("15")

    def test_once_invoiced_the_zone_tax_and_quoted_amounts_are_fixed(
        self, admin_client: Client, programme: Programme, cohort: Cohort, applicant: User
    ) -> None:
        register(cohort, applicant)  # issues an invoice at the government tier
        data = edit_data(cohort, time_zone="Europe/London", tax_percent="12.5", **{"tiers-0-amount": "700.00"})

        response = admin_client.post(cohort_url(programme, cohort.slug), data)

        assert response.status_code == 422
        errors = response.context["form"].errors
        assert "cannot change now" in errors["time_zone"][0]
        assert "cannot change now" in errors["tax_percent"][0]
        cohort.refresh_from_db()
        assert (cohort.time_zone, cohort.tax_rate) == ("Pacific/Auckland", Decimal("0.15"))

        response = admin_client.post(cohort_url(programme, cohort.slug), edit_data(cohort, **{"tiers-0-amount": "700"}))

        assert response.status_code == 422
        assert "add a new tier instead" in " ".join(response.context["form"].non_field_errors())
        assert FeeTier.objects.get(cohort=cohort, code="government").amount == Decimal("649.00")

    def test_dates_still_change_after_invoicing(
        self, admin_client: Client, programme: Programme, cohort: Cohort, applicant: User
    ) -> None:
        register(cohort, applicant)

        response = admin_client.post(cohort_url(programme, cohort.slug), edit_data(cohort, study_ends="2024-09-15"))

        assert response.status_code == 302
        cohort.refresh_from_db()
        assert cohort.study_ends == datetime.date(2024, 9, 15)


class TestProgrammes:
    def test_a_programme_is_created_from_an_approved_live_entry(
        self, admin_client: Client, provider: Organisation, micro_credential: Qualification
    ) -> None:
        response = admin_client.post(f"/programmes/setup/{SLUG}/new-programme/", programme_data(micro_credential))

        assert response.status_code == 302
        programme = Programme.objects.get(provider=provider, slug="cld-facilitation")
        assert programme.qualification == micro_credential
        assert AuditEvent.objects.filter(action="programmes.programme_created", object_id=str(programme.pk)).exists()

    def test_with_approvals_only_approved_entries_are_offered(
        self, admin_client: Client, provider: Organisation, micro_credential: Qualification
    ) -> None:
        CentreApproval.objects.create(
            qualification_code="other-code", owner=micro_credential.owner, centre=provider, approved_on="2024-01-01"
        )

        response = admin_client.post(f"/programmes/setup/{SLUG}/new-programme/", programme_data(micro_credential))

        assert response.status_code == 422
        assert "Select a valid choice" in response.context["form"].errors["qualification"][0]
        assert not Programme.objects.exists()

    def test_a_programme_is_edited_and_the_change_audited(self, admin_client: Client, programme: Programme) -> None:
        data = programme_data(programme.qualification, name="CLD facilitation micro-credential")

        response = admin_client.post(f"/programmes/setup/{SLUG}/{programme.slug}/edit/", data)

        assert response.status_code == 302
        programme.refresh_from_db()
        assert programme.name == "CLD facilitation micro-credential"
        event = AuditEvent.objects.get(action="programmes.programme_updated")
        assert "name" in event.details["changed"]

    def test_a_slug_the_provider_already_uses_is_refused(self, admin_client: Client, programme: Programme) -> None:
        response = admin_client.post(
            f"/programmes/setup/{SLUG}/new-programme/", programme_data(programme.qualification)
        )

        assert response.status_code == 422
        assert "already uses 'cld-facilitation'" in response.context["form"].errors["slug"][0]
        assert Programme.objects.count() == 1

    def test_a_missing_summary_is_named(self, admin_client: Client, micro_credential: Qualification) -> None:
        data = programme_data(micro_credential, summary="")

        response = admin_client.post(f"/programmes/setup/{SLUG}/new-programme/", data)

        assert response.status_code == 422
        assert response.context["form"].errors["summary"]

    def test_the_home_page_lists_cohorts_with_their_pages(self, admin_client: Client, cohort: Cohort) -> None:
        response = admin_client.get(f"/programmes/setup/{SLUG}/")

        page = response.content.decode()
        assert response.status_code == 200
        assert f"/programmes/staff/{cohort.public_id}/" in page
        assert f"/programmes/{SLUG}/cld-facilitation/2024/" in page


#: (who, status for a page of this provider): no role here is 404 (nothing leaks), another role here is 403.
REFUSED = [
    ("outsider", 404),
    ("learner", 404),
    ("facilitator", 404),
    ("other_provider_admin", 404),
    ("provider_facilitator", 403),
    ("provider_learner", 403),
]


def refused(name: str, provider: Organisation, request: pytest.FixtureRequest) -> User:
    if name == "other_provider_admin":
        return other_provider_admin()
    if name == "provider_facilitator":
        return provider_member(provider, Role.FACILITATOR, "fac@inspiring-test.example")
    if name == "provider_learner":
        return provider_member(provider, Role.LEARNER, "learn@inspiring-test.example")
    user = request.getfixturevalue(name)
    assert isinstance(user, User)
    return user


def pages(programme: Programme, cohort: Cohort) -> list[tuple[str, dict[str, Any] | None]]:
    """Each page and what a form on it would post (the list page has no form)."""
    return [
        (f"/programmes/setup/{SLUG}/", None),
        (f"/programmes/setup/{SLUG}/new-programme/", programme_data(programme.qualification, slug="other")),
        (f"/programmes/setup/{SLUG}/{programme.slug}/edit/", programme_data(programme.qualification, name="X")),
        (cohort_url(programme), cohort_data(slug="2025")),
        (cohort_url(programme, cohort.slug), edit_data(cohort, name="Changed")),
        (f"/programmes/setup/{SLUG}/{programme.slug}/{cohort.slug}/copy/", {"name": "2025 intake", "slug": ""}),
    ]


def snapshot() -> tuple[Any, ...]:
    return (
        AuditEvent.objects.count(),
        list(Programme.objects.values_list("name", "slug").order_by("pk")),
        list(Cohort.objects.values_list("name", "slug").order_by("pk")),
        FeeTier.objects.count(),
    )


class TestRefusals:
    def test_anonymous_people_are_sent_to_sign_in(
        self, client_for: Callable[[User | None], Client], programme: Programme, cohort: Cohort
    ) -> None:
        before = snapshot()
        for url, data in pages(programme, cohort):
            responses = [client_for(None).get(url)] + ([client_for(None).post(url, data)] if data else [])
            for response in responses:
                assert response.status_code == 302, url
                assert "/login" in response["Location"], url
        assert snapshot() == before

    @pytest.mark.parametrize(("who", "status"), REFUSED)
    def test_others_are_refused_and_nothing_changes(
        self,
        client_for: Callable[[User | None], Client],
        programme: Programme,
        cohort: Cohort,
        who: str,
        status: int,
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(refused(who, programme.provider, request))
        before = snapshot()

        for url, data in pages(programme, cohort):
            assert client.get(url).status_code == status, url
            if data is not None:
                assert client.post(url, data).status_code == status, url

        assert snapshot() == before

    def test_an_admin_of_another_provider_cannot_reach_ours_through_their_own_address(
        self, client_for: Callable[[User | None], Client], programme: Programme, cohort: Cohort
    ) -> None:
        client = client_for(other_provider_admin())
        before = snapshot()

        response = client.post(f"/programmes/setup/another-provider/{programme.slug}/{cohort.slug}/edit/", {})
        assert response.status_code == 404
        response = client.post(f"/programmes/setup/another-provider/{programme.slug}/{cohort.slug}/copy/", {})
        assert response.status_code == 404
        assert snapshot() == before


def test_the_dashboard_links_only_provider_programme_admins_to_setting_up(
    client_for: Callable[[User | None], Client], provider_admin: User, provider: Organisation
) -> None:
    link = f'href="/programmes/setup/{SLUG}/"'
    facilitator = provider_member(provider, Role.FACILITATOR, "fac@inspiring-test.example")

    assert link in client_for(provider_admin).get("/dashboard/").text
    assert link not in client_for(facilitator).get("/dashboard/").text
