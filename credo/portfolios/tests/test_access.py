"""Who loads a portfolio: its learner; the cohort's facilitators, the provider's admins and assessors; nobody else."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.portfolios.access import own_portfolio, portfolio_for_staff
from credo.portfolios.models import Portfolio
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.tests.support_builders import enrol, facilitator_of

from .builders import studying

pytestmark = pytest.mark.django_db


def _member(organisation: Organisation, role: str, email: str) -> User:
    return MembershipFactory(user=UserFactory(email=email), organisation=organisation, role=role).user


def test_the_learner_loads_their_own_portfolio_made_on_first_use(cld_enrolment: Enrolment, aroha: User) -> None:
    assert not Portfolio.objects.exists()
    portfolio = own_portfolio(aroha, cld_enrolment.pk)
    assert portfolio.enrolment == cld_enrolment
    assert own_portfolio(aroha, cld_enrolment.pk) == portfolio


def test_another_learner_or_someone_signed_out_learns_nothing(
    cld_enrolment: Enrolment, cld_cohort: Cohort, provider_admin: User
) -> None:
    other = studying(cld_cohort, provider_admin, "tama@example.org", "Tama")
    for person in (other.learner, AnonymousUser()):
        with pytest.raises(Http404):
            own_portfolio(person, cld_enrolment.pk)
        with pytest.raises(Http404):
            portfolio_for_staff(person, cld_enrolment.pk)


def test_a_learner_not_yet_studying_is_told_it_opens_later(cld_cohort: Cohort) -> None:
    applied = enrol(cld_cohort, "early@example.org", "Early Bird")
    with pytest.raises(Http404, match="opens when study starts"):
        own_portfolio(applied.learner, applied.pk)


def test_an_unknown_enrolment_is_not_found(aroha: User) -> None:
    with pytest.raises(Http404):
        own_portfolio(aroha, 999_999)


def test_the_providers_admins_and_assessors_and_the_cohorts_facilitators_read_it(
    cld_enrolment: Enrolment, cld_cohort: Cohort, provider: Organisation, provider_admin: User
) -> None:
    assessor = _member(provider, Role.ASSESSOR, "assessor@inspiring-test.example")
    facilitator = facilitator_of(cld_cohort, provider_admin, "facilitator@inspiring-test.example")
    for person in (provider_admin, assessor, facilitator):
        assert portfolio_for_staff(person, cld_enrolment.pk).enrolment == cld_enrolment


def test_staff_cannot_use_the_learners_own_loader(cld_enrolment: Enrolment, provider_admin: User) -> None:
    with pytest.raises(Http404):
        own_portfolio(provider_admin, cld_enrolment.pk)


def test_a_facilitator_of_another_cohort_is_refused(cld_enrolment: Enrolment, provider: Organisation) -> None:
    not_on_the_cohort = _member(provider, Role.FACILITATOR, "elsewhere@inspiring-test.example")
    with pytest.raises(PermissionDenied):
        portfolio_for_staff(not_on_the_cohort, cld_enrolment.pk)


def test_a_facilitator_whose_role_was_removed_is_refused(
    cld_enrolment: Enrolment, cld_cohort: Cohort, provider_admin: User
) -> None:
    facilitator = facilitator_of(cld_cohort, provider_admin, "former@inspiring-test.example")
    facilitator.memberships.filter(role=Role.FACILITATOR).delete()
    with pytest.raises(Http404):
        portfolio_for_staff(facilitator, cld_enrolment.pk)


def test_another_providers_admin_and_outsiders_learn_nothing(
    cld_enrolment: Enrolment, other_provider: Organisation, outsider: User, catalogue_admin: User
) -> None:
    other_admin = _member(other_provider, Role.PROGRAMME_ADMIN, "admin@another.example")
    other_assessor = _member(other_provider, Role.ASSESSOR, "assessor@another.example")
    # The awarding body's own admin is not the provider: it reads submissions through assessment, later.
    for person in (other_admin, other_assessor, outsider, catalogue_admin):
        with pytest.raises(Http404):
            portfolio_for_staff(person, cld_enrolment.pk)
