"""Setting up programmes and cohorts through the API: the set-up pages' forms and services, their problems as 422s
naming the field, and everyone but the provider's programme admins refused with nothing changed."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.test import Client

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.audit.models import AuditEvent
from credo.catalogue import services as catalogue
from credo.catalogue.models import Qualification
from credo.programmes.models import Cohort, FeeTier, Programme, RegistrationExtension

from .builders import cohort_2024
from .staff_helpers import other_provider_admin, register, register_many

API = "/api/v1/programmes/setup/inspiring-test"
JSON = "application/json"
Clients = Callable[[User | None], Client]
#: What the API must store exactly as the seed builder does.
SAME_AS_SEED = ("registration_opens", "registration_closes", "submission_deadline", "study_starts", "study_ends",
                "assessment_starts", "assessment_ends", "tax_rate", "currency", "time_zone")  # fmt: skip

PROGRAMME = {
    "name": "Certificate in community facilitation",
    "slug": "community-facilitation",
    "summary": "Facilitate with communities.",
    "time_commitment": "About 2 hours a week",
    "fee_includes": "Four workshops\nAssessment",
    "terms": "Cancel within 14 days for a full refund.",
}
TIERS = [
    {"name": "Local and central government", "amount": "649.00",
     "organisation_types": ["local_government", "central_government"]},
    {"name": "Community organisations and volunteer groups", "amount": "525.00",
     "organisation_types": ["community", "volunteer_group", "other"]},
]  # fmt: skip
COHORT: dict[str, Any] = {
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
    "currency": "NZD",
    "tax_name": "GST",
    "tax_percent": "15",
    "fee_tiers": TIERS,
}


def member(provider: Organisation, role: str, email: str) -> User:
    user = MembershipFactory(user=UserFactory(email=email), organisation=provider, role=role).user
    assert isinstance(user, User)
    return user


@pytest.fixture
def admin(client_for: Clients, provider_admin: User) -> Client:
    return client_for(provider_admin)


@pytest.fixture
def coordinator(provider: Organisation) -> User:
    return member(provider, Role.FACILITATOR, "megan@inspiring-test.example")


def programme_url(programme: Programme) -> str:
    return f"{API}/programmes/{programme.slug}"


def cohort_url(cohort: Cohort) -> str:
    return f"{programme_url(cohort.programme)}/cohorts/{cohort.slug}"


class TestProgrammes:
    def test_an_admin_sets_up_a_programme_by_catalogue_code(
        self, admin: Client, micro_credential: Qualification
    ) -> None:
        response = admin.post(
            f"{API}/programmes", {**PROGRAMME, "qualification": micro_credential.code}, content_type=JSON
        )

        assert response.status_code == 201, response.json()
        body = response.json()
        assert (body["slug"], body["qualification"], body["terms"]) == (
            "community-facilitation",
            micro_credential.code,
            PROGRAMME["terms"],
        )
        assert body["qualification_version"] == micro_credential.version
        created = Programme.objects.get(slug="community-facilitation")
        assert created.qualification == micro_credential
        assert created.fee_includes_items() == ["Four workshops", "Assessment"]
        assert AuditEvent.objects.filter(action="programmes.programme_created", object_id=str(created.pk)).exists()

    def test_patch_changes_only_what_is_sent_including_the_terms(self, admin: Client, programme: Programme) -> None:
        response = admin.patch(programme_url(programme), {"terms": "No refunds after study starts."}, content_type=JSON)

        assert response.status_code == 200, response.json()
        programme.refresh_from_db()
        assert programme.terms == "No refunds after study starts."
        assert programme.name == "Micro-credential in CLD facilitation"
        event = AuditEvent.objects.get(action="programmes.programme_updated", object_id=str(programme.pk))
        assert event.details == {"changed": ["terms"]}

    def test_put_replaces_the_description(self, admin: Client, programme: Programme) -> None:
        whole = {**PROGRAMME, "slug": programme.slug, "qualification": programme.qualification.code}

        response = admin.put(programme_url(programme), whole, content_type=JSON)

        assert response.status_code == 200, response.json()
        programme.refresh_from_db()
        assert (programme.name, programme.who_it_is_for) == (PROGRAMME["name"], "")

    @pytest.mark.parametrize(
        ("changes", "problem"),
        [
            ({"qualification": "9999999"}, "qualification: No live catalogue entry 9999999"),
            ({"slug": "Not A Slug"}, "slug: Enter a valid"),
            ({"slug": "cld-facilitation"}, "slug: Another of your programmes already uses 'cld-facilitation'"),
            ({"name": ""}, "name: This field is required."),
        ],
    )
    def test_bad_input_is_a_422_naming_the_field(
        self, admin: Client, programme: Programme, changes: dict[str, str], problem: str
    ) -> None:
        data = {**PROGRAMME, "qualification": programme.qualification.code, **changes}

        response = admin.post(f"{API}/programmes", data, content_type=JSON)

        assert response.status_code == 422
        assert any(found.startswith(problem) for found in response.json()["problems"]), response.json()
        assert Programme.objects.count() == 1


class TestCohorts:
    def test_an_admin_sets_up_the_seed_cohort_as_the_builder_does(
        self, admin: Client, provider_admin: User, programme: Programme, coordinator: User
    ) -> None:
        response = admin.post(
            f"{programme_url(programme)}/cohorts",
            {**COHORT, "capacity": 20, "check_in_notice_hours": 48, "facilitators": [coordinator.email]},
            content_type=JSON,
        )

        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["facilitators"] == [coordinator.email]
        assert [t["amount"] for t in body["fee_tiers"]] == ["649.00", "525.00"]
        assert (body["capacity"], body["check_in_notice_hours"], body["tax_rate"]) == (20, 48, "0.1500")
        typed = Cohort.objects.get(programme=programme, slug="2024")
        built = cohort_2024(provider_admin, programme, slug="built")
        for name in SAME_AS_SEED:
            assert getattr(typed, name) == getattr(built, name), name
        assert typed.registration_closes == datetime.datetime(2024, 3, 20, 10, 59, 59, tzinfo=datetime.UTC)
        actions = set(AuditEvent.objects.filter(object_id=str(typed.pk)).values_list("action", flat=True))
        assert {"programmes.cohort_created", "programmes.facilitators_assigned"} <= actions

    def test_patch_revises_capacity_and_notice_keeping_the_rest(
        self, admin: Client, cohort: Cohort, coordinator: User
    ) -> None:
        cohort.facilitators.add(coordinator)
        before = cohort.registration_closes

        response = admin.patch(cohort_url(cohort), {"capacity": 12, "check_in_notice_hours": 72}, content_type=JSON)

        assert response.status_code == 200, response.json()
        cohort.refresh_from_db()
        assert (cohort.capacity, cohort.check_in_notice_hours) == (12, 72)
        assert cohort.registration_closes == before
        assert list(cohort.facilitators.all()) == [coordinator]
        assert cohort.fee_tiers.count() == 2

    def test_put_changes_a_tier_and_adds_one(self, admin: Client, cohort: Cohort) -> None:
        government, community = cohort.fee_tiers.order_by("pk")
        tiers = [
            {"id": government.pk, "name": government.name, "amount": "700.00",
             "organisation_types": ["local_government", "central_government"]},
            {"id": community.pk, "name": community.name, "amount": "525.00",
             "organisation_types": ["community", "volunteer_group"]},
            {"name": "Everyone else", "amount": "800.00", "organisation_types": ["other"]},
        ]  # fmt: skip

        response = admin.put(cohort_url(cohort), {**COHORT, "fee_tiers": tiers}, content_type=JSON)

        assert response.status_code == 200, response.json()
        amounts = dict(cohort.fee_tiers.values_list("name", "amount"))
        assert amounts == {government.name: Decimal("700.00"), community.name: Decimal("525.00"),
                           "Everyone else": Decimal("800.00")}  # fmt: skip

    @pytest.mark.parametrize(
        ("changes", "problem"),
        [
            ({"registration_closes_day": "2024-01-10"}, "registration_closes_day: Registration must close after"),
            ({"assessment_starts": "2024-08-31"}, "assessment_starts: Assessment must start after"),
            ({"tax_percent": "150"}, "tax_percent: Ensure this value is less than or equal to 99.99"),
            ({"time_zone": "Mars/Olympus"}, "time_zone: 'Mars/Olympus' is not a time zone we know"),
            ({"currency": "nzd"}, "currency: Use the three-letter code in capitals"),
            ({"check_in_notice_hours": 500}, "check_in_notice_hours: Ensure this value is less than or equal to 168"),
            ({"fee_tiers": []}, "fee_tiers: Add at least one fee tier."),
            ({"fee_tiers": [TIERS[0], {**TIERS[1], "organisation_types": ["local_government"]}]},
             "fee_tiers: Each organisation type pays one fee"),
            ({"fee_tiers": [{**TIERS[0], "organisation_types": ["martians"]}]},
             "fee_tiers[0].organisation_types: Select a valid choice"),
            ({"facilitators": ["nobody@example.org"]}, "facilitators: No one signs in as nobody@example.org"),
        ],
    )  # fmt: skip
    def test_bad_input_is_a_422_naming_the_field(
        self, admin: Client, programme: Programme, changes: dict[str, Any], problem: str
    ) -> None:
        response = admin.post(f"{programme_url(programme)}/cohorts", {**COHORT, **changes}, content_type=JSON)

        assert response.status_code == 422
        assert any(found.startswith(problem) for found in response.json()["problems"]), response.json()
        assert not Cohort.objects.exists()

    def test_a_non_facilitator_is_refused_by_the_service(
        self, admin: Client, cohort: Cohort, provider: Organisation
    ) -> None:
        learner = member(provider, Role.LEARNER, "mere@example.org")

        response = admin.patch(cohort_url(cohort), {"facilitators": [learner.email]}, content_type=JSON)

        assert response.status_code == 422
        assert response.json()["problems"][0].startswith("facilitators: Not facilitators at")

    def test_a_new_tier_clashing_with_a_kept_one_is_refused_by_the_service(self, admin: Client, cohort: Cohort) -> None:
        clash = [{"name": "Everyone else", "amount": "800.00", "organisation_types": ["community"]}]

        response = admin.patch(cohort_url(cohort), {"fee_tiers": clash}, content_type=JSON)

        assert response.status_code == 422
        assert response.json()["problems"] == ["fee_tiers.organisation_types: Already in another tier: community."]
        assert cohort.fee_tiers.count() == 2

    def test_a_superseded_entry_must_be_moved_to_the_live_version(
        self, admin: Client, programme: Programme, catalogue_admin: User
    ) -> None:
        draft = catalogue.start_new_version(actor=catalogue_admin, qualification=programme.qualification)
        newer = catalogue.publish_qualification(actor=catalogue_admin, qualification=draft)

        refused = admin.patch(programme_url(programme), {"terms": "New terms"}, content_type=JSON)
        assert refused.status_code == 422
        assert refused.json()["problems"][0].startswith("qualification: ")
        assert "is no longer offered (superseded)" in refused.json()["problems"][0]
        moved = admin.patch(
            programme_url(programme), {"qualification": newer.code, "terms": "New terms"}, content_type=JSON
        )
        assert moved.status_code == 200, moved.json()
        assert moved.json()["qualification_version"] == 2
        programme.refresh_from_db()
        assert (programme.qualification, programme.terms) == (newer, "New terms")

    def test_capacity_below_places_held_is_refused_by_the_service(self, admin: Client, cohort: Cohort) -> None:
        register_many(cohort, 2)

        response = admin.patch(cohort_url(cohort), {"capacity": 1}, content_type=JSON)

        assert response.status_code == 422
        assert response.json()["problems"] == [
            "capacity: 2 people hold a place in this cohort (registered, paid or not, or studying): the capacity "
            "cannot be lower than 2. Withdraw or defer enrolments first to make it smaller."
        ]
        cohort.refresh_from_db()
        assert cohort.capacity is None

    def test_tax_fixed_once_invoiced_is_named_by_the_percentage(
        self, admin: Client, cohort: Cohort, applicant: User
    ) -> None:
        register(cohort, applicant)  # issues an invoice

        response = admin.patch(cohort_url(cohort), {"tax_percent": "12.5"}, content_type=JSON)

        assert response.status_code == 422
        assert response.json()["problems"] == [
            "tax_percent: Invoices already quote this cohort's tax rate: it cannot change now."
        ]
        cohort.refresh_from_db()
        assert cohort.tax_rate == Decimal("0.15")


class TestExtensionAndFacilitators:
    def test_an_admin_extends_registration_to_the_end_of_a_local_day(self, admin: Client, cohort: Cohort) -> None:
        url = f"{cohort_url(cohort)}/registration-extension"

        response = admin.post(url, {"new_closes_day": "2024-03-27", "reason": "More time asked"}, content_type=JSON)

        assert response.status_code == 200, response.json()
        cohort.refresh_from_db()
        assert cohort.registration_closes == datetime.datetime(2024, 3, 27, 10, 59, 59, tzinfo=datetime.UTC)
        assert RegistrationExtension.objects.get(cohort=cohort).reason == "More time asked"

    @pytest.mark.parametrize(
        ("data", "problem"),
        [
            ({"new_closes_day": "2024-03-10", "reason": "x"}, "new_closes_day: It must be after"),
            ({"new_closes_day": "2024-03-27", "reason": "  "}, "reason: Say why registration is extended"),
        ],
    )
    def test_a_bad_extension_is_a_422(self, admin: Client, cohort: Cohort, data: dict[str, str], problem: str) -> None:
        response = admin.post(f"{cohort_url(cohort)}/registration-extension", data, content_type=JSON)

        assert response.status_code == 422
        assert response.json()["problems"][0].startswith(problem)
        assert not RegistrationExtension.objects.exists()

    def test_an_admin_sets_the_facilitators(self, admin: Client, cohort: Cohort, coordinator: User) -> None:
        url = f"{cohort_url(cohort)}/facilitators"

        response = admin.put(url, {"facilitators": [coordinator.email.upper()]}, content_type=JSON)

        assert response.status_code == 200, response.json()
        assert list(cohort.facilitators.all()) == [coordinator]
        assert admin.put(url, {"facilitators": []}, content_type=JSON).json()["facilitators"] == []


# Refusals ------------------------------------------------------------------------------------------


def refused_person(name: str, request: pytest.FixtureRequest, provider: Organisation) -> User | None:
    if name == "anonymous":
        return None
    if name == "facilitator":
        return member(provider, Role.FACILITATOR, "f@inspiring-test.example")
    if name == "learner":
        return member(provider, Role.LEARNER, "l@inspiring-test.example")
    if name == "other_provider_admin":
        return other_provider_admin()
    person: User = request.getfixturevalue(name)
    return person


REFUSED = [("anonymous", 401), ("facilitator", 403), ("learner", 403), ("outsider", 404), ("other_provider_admin", 404)]


def state(cohort: Cohort) -> tuple[Any, ...]:
    cohort.refresh_from_db()
    programme = Programme.objects.get(pk=cohort.programme_id)
    return (
        model_to_dict(programme),
        model_to_dict(cohort, exclude=["facilitators"]),
        list(cohort.facilitators.values_list("pk", flat=True)),
        list(FeeTier.objects.values_list("pk", "name", "amount")),
        Programme.objects.count(),
        Cohort.objects.count(),
        RegistrationExtension.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(("name", "status"), REFUSED)
def test_everyone_but_the_providers_admins_is_refused_and_nothing_changes(
    client_for: Clients,
    request: pytest.FixtureRequest,
    provider: Organisation,
    cohort: Cohort,
    coordinator: User,
    micro_credential: Qualification,
    name: str,
    status: int,
) -> None:
    client = client_for(refused_person(name, request, provider))
    before = state(cohort)
    whole_programme = {**PROGRAMME, "qualification": micro_credential.code}
    attempts = [
        ("post", f"{API}/programmes", whole_programme),
        ("put", programme_url(cohort.programme), whole_programme),
        ("patch", programme_url(cohort.programme), {"terms": "Changed"}),
        ("post", f"{programme_url(cohort.programme)}/cohorts", {**COHORT, "slug": "2025"}),
        ("put", cohort_url(cohort), {**COHORT, "name": "Changed"}),
        ("patch", cohort_url(cohort), {"capacity": 3}),
        ("post", f"{cohort_url(cohort)}/registration-extension", {"new_closes_day": "2024-03-27", "reason": "x"}),
        ("put", f"{cohort_url(cohort)}/facilitators", {"facilitators": [coordinator.email]}),
        ("post", f"{cohort_url(cohort)}/copy", {"name": "2025 intake"}),
    ]

    for method, url, data in attempts:
        response = getattr(client, method)(url, data, content_type=JSON)
        assert response.status_code == status, (method, url, response.content)

    assert state(cohort) == before


def test_a_write_without_the_csrf_token_is_refused(provider_admin: User, cohort: Cohort) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(provider_admin)

    response = client.patch(cohort_url(cohort), {"capacity": 3}, content_type=JSON)

    assert response.status_code == 403
    cohort.refresh_from_db()
    assert cohort.capacity is None
