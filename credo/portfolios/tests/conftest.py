"""A provider running a templated micro-credential and a unit-based award, each with a learner studying."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from credo.accounts.models import Organisation, OrganisationKind, Role, User
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.catalogue.models import Qualification
from credo.portfolios.models import Portfolio
from credo.portfolios.services.portfolios import portfolio_for
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.tests.builders import nz

from .builders import cld_with_template, cohort_of, seg_award, studying


@pytest.fixture(autouse=True)
def _during_study(monkeypatch: pytest.MonkeyPatch) -> None:
    """'Now' is early March 2024, within the 2024 cohorts the programmes' builders make."""
    moment = nz(2024, 3, 1, 9).astimezone(datetime.UTC)  # in UTC, as Django's own clock gives it
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path / "media"


@pytest.fixture
def media(_private_media: Path) -> Path:
    return _private_media


@pytest.fixture
def provider(db: None) -> Organisation:
    return OrganisationFactory(
        name="Inspiring Communities (test)", slug="inspiring-test", kind=OrganisationKind.PROVIDER, country="NZ"
    )


@pytest.fixture
def other_provider(db: None) -> Organisation:
    return OrganisationFactory(name="Another provider", slug="another", kind=OrganisationKind.PROVIDER, country="NZ")


@pytest.fixture
def provider_admin(provider: Organisation) -> User:
    return MembershipFactory(
        user=UserFactory(email="admin@inspiring-test.example"), organisation=provider, role=Role.PROGRAMME_ADMIN
    ).user


@pytest.fixture
def cld(catalogue_admin: User, awarding_body: Organisation) -> Qualification:
    return cld_with_template(catalogue_admin, awarding_body)


@pytest.fixture
def seg(catalogue_admin: User, awarding_body: Organisation) -> Qualification:
    return seg_award(catalogue_admin, awarding_body)


@pytest.fixture
def cld_cohort(provider_admin: User, provider: Organisation, cld: Qualification) -> Cohort:
    return cohort_of(provider_admin, provider, cld, "cld-facilitation")


@pytest.fixture
def seg_cohort(provider_admin: User, provider: Organisation, seg: Qualification) -> Cohort:
    return cohort_of(provider_admin, provider, seg, "organising")


@pytest.fixture
def cld_enrolment(cld_cohort: Cohort, provider_admin: User) -> Enrolment:
    return studying(cld_cohort, provider_admin, "aroha@example.org", "Aroha Te Whare")


@pytest.fixture
def seg_enrolment(seg_cohort: Cohort, provider_admin: User) -> Enrolment:
    return studying(seg_cohort, provider_admin, "sam@example.org", "Sam Organiser")


@pytest.fixture
def aroha(cld_enrolment: Enrolment) -> User:
    return cld_enrolment.learner


@pytest.fixture
def sam(seg_enrolment: Enrolment) -> User:
    return seg_enrolment.learner


@pytest.fixture
def cld_portfolio(cld_enrolment: Enrolment) -> Portfolio:
    return portfolio_for(enrolment=cld_enrolment)


@pytest.fixture
def seg_portfolio(seg_enrolment: Enrolment) -> Portfolio:
    return portfolio_for(enrolment=seg_enrolment)
