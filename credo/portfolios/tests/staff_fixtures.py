"""The people around a cohort's portfolios, for the staff tests (imported by their conftest-free test modules)."""

from __future__ import annotations

import pytest

from credo.accounts.models import Organisation, Role, User
from credo.programmes.models import Cohort
from credo.programmes.tests.support_builders import facilitator_of, facilitator_of_another_cohort

from .staff_builders import member


@pytest.fixture
def cohort_facilitator(cld_cohort: Cohort, provider_admin: User) -> User:
    return facilitator_of(cld_cohort, provider_admin, "facilitator@inspiring-test.example")


@pytest.fixture
def other_cohorts_facilitator(cld_cohort: Cohort, provider_admin: User) -> User:
    return facilitator_of_another_cohort(cld_cohort, provider_admin)


@pytest.fixture
def provider_assessor(provider: Organisation) -> User:
    return member(provider, Role.ASSESSOR, "assessor@inspiring-test.example")


@pytest.fixture
def other_providers_admin(other_provider: Organisation) -> User:
    return member(other_provider, Role.PROGRAMME_ADMIN, "admin@another.example")
