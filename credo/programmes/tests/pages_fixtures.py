"""Fixtures for the programme-page tests, loaded with ``pytest_plugins``: private storage in a temporary folder, the
qualification's portfolio template, and people who must be refused (an applicant not yet confirmed, the provider's
assessor, another provider's admin)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.catalogue.models import EvidenceKind, EvidenceRequirement, PortfolioTemplate, Qualification, TemplateSection
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.services import enrolments

from .staff_helpers import other_provider_admin as make_other_provider_admin
from .workshops_builders import DURING_REGISTRATION


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploaded files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def portfolio_template(micro_credential: Qualification) -> PortfolioTemplate:
    """Two of the seed's six parts, as the catalogue holds them (made directly: the entry is already published)."""
    template = PortfolioTemplate.objects.create(
        qualification=micro_credential, introduction="Evidence of one CLD process you facilitated."
    )
    case_study = TemplateSection.objects.create(
        template=template,
        position=1,
        title="Case study",
        guidance="One CLD process you have facilitated.",
        min_words=1500,
        max_words=3000,
    )
    TemplateSection.objects.create(template=template, position=2, title="A plan for your future practice")
    EvidenceRequirement.objects.create(
        section=case_study, kind=EvidenceKind.ATTESTATION, description="An attestation from a participant"
    )
    return template


@pytest.fixture
def applicant_enrolment(cohort: Cohort) -> Enrolment:
    """Registered, invoice unpaid: no place confirmed yet, so no resources."""
    return enrolments.register(
        cohort=cohort,
        learner=UserFactory(email="applied@example.org", full_name="Applied Person"),
        organisation_name="Kāpiti Community Trust",
        organisation_type="community",
        terms_accepted=True,
        now=DURING_REGISTRATION,
    )


@pytest.fixture
def provider_assessor(provider: Organisation) -> User:
    """Staff of the provider, but not of the programme's page or resources: told why (403)."""
    return MembershipFactory(
        user=UserFactory(email="assessor@inspiring-test.example"), organisation=provider, role=Role.ASSESSOR
    ).user


@pytest.fixture
def other_provider_admin(db: None) -> User:
    return make_other_provider_admin()
