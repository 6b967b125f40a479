"""An NZ provider with a programme admin and the CLD micro-credential's 2024 cohort."""

from __future__ import annotations

import pytest

from credo.accounts.models import Organisation, OrganisationKind, Role, User
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.catalogue import services as catalogue
from credo.catalogue.models import Qualification, QualificationKind
from credo.catalogue.tests.builders import make_qualification
from credo.programmes.models import Cohort, Programme

from .builders import cld_programme, cohort_2024, nz


@pytest.fixture
def provider(db: None) -> Organisation:
    return OrganisationFactory(
        name="Inspiring Communities (test)",
        slug="inspiring-test",
        kind=OrganisationKind.PROVIDER,
        country="NZ",
        time_zone="Pacific/Auckland",
    )


@pytest.fixture
def provider_admin(provider: Organisation) -> User:
    return MembershipFactory(
        user=UserFactory(email="admin@inspiring-test.example"), organisation=provider, role=Role.PROGRAMME_ADMIN
    ).user


@pytest.fixture
def micro_credential(catalogue_admin: User, awarding_body: Organisation) -> Qualification:
    draft = make_qualification(
        catalogue_admin, awarding_body, "7000077", "CLD facilitation (test)", QualificationKind.MICRO_CREDENTIAL
    )
    catalogue.set_competencies(actor=catalogue_admin, qualification=draft, competencies=[("1", "Facilitate CLD")])
    return catalogue.publish_qualification(actor=catalogue_admin, qualification=draft)


@pytest.fixture
def programme(provider_admin: User, provider: Organisation, micro_credential: Qualification) -> Programme:
    return cld_programme(provider_admin, provider, micro_credential)


@pytest.fixture
def cohort(provider_admin: User, programme: Programme) -> Cohort:
    return cohort_2024(provider_admin, programme)


@pytest.fixture
def applicant(db: None) -> User:
    return UserFactory(email="aroha@example.org", full_name="Aroha Te Whare")


@pytest.fixture
def during_2024_intake(monkeypatch: pytest.MonkeyPatch) -> None:
    """'Now' is early March 2024: the 2024 cohorts (see builders) have not finished, so learners may move."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 3, 1, 9))
