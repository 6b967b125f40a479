"""Fixtures for the workshop tests, loaded with ``pytest_plugins``: a session, a learner holding a place, the
cohort's own facilitator, and the people who must be refused (another cohort's learner and facilitator, another
provider's admin)."""

from __future__ import annotations

import pytest

from credo.accounts.models import Organisation, OrganisationKind, Role, User
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.programmes.models import Cohort, Enrolment, Programme, Session
from credo.programmes.services import workshops

from .builders import cohort_2024
from .workshops_builders import SEED_WORKSHOPS, details, enrol


@pytest.fixture
def session(cohort: Cohort, provider_admin: User) -> Session:
    number, day, topic = SEED_WORKSHOPS[0]
    return workshops.add_session(cohort, actor=provider_admin, number=number, details=details(day, topic))


@pytest.fixture
def enrolled(cohort: Cohort, provider_admin: User) -> Enrolment:
    return enrol(cohort, provider_admin, "mere@example.org", "Mere Parata")


@pytest.fixture
def cohort_facilitator(cohort: Cohort, provider: Organisation) -> User:
    person = MembershipFactory(
        user=UserFactory(email="tui@inspiring-test.example", full_name="Tui Facilitator"),
        organisation=provider,
        role=Role.FACILITATOR,
    ).user
    cohort.facilitators.add(person)
    return person


@pytest.fixture
def other_cohort(provider_admin: User, programme: Programme) -> Cohort:
    return cohort_2024(provider_admin, programme, name="2024 second intake", slug="2024-b")


@pytest.fixture
def other_learner(other_cohort: Cohort, provider_admin: User) -> User:
    """A learner of another cohort of the same programme: sees nothing of this cohort's workshops."""
    return enrol(other_cohort, provider_admin, "other-learner@example.org").learner


@pytest.fixture
def other_facilitator(other_cohort: Cohort, provider: Organisation) -> User:
    """A facilitator at the same provider, of another cohort."""
    person = MembershipFactory(
        user=UserFactory(email="other-facilitator@inspiring-test.example"), organisation=provider, role=Role.FACILITATOR
    ).user
    other_cohort.facilitators.add(person)
    return person


@pytest.fixture
def other_admin(db: None) -> User:
    """A programme admin of another provider."""
    elsewhere = OrganisationFactory(name="Elsewhere Trust", slug="elsewhere", kind=OrganisationKind.PROVIDER)
    return MembershipFactory(
        user=UserFactory(email="admin@elsewhere.example"), organisation=elsewhere, role=Role.PROGRAMME_ADMIN
    ).user
