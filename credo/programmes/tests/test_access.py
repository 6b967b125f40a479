"""Who counts as a cohort's facilitator: named on the cohort, and still holding the role at its provider."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from credo.accounts.models import Membership, Role, User
from credo.accounts.services import add_membership, remove_membership
from credo.accounts.tests.factories import UserFactory
from credo.programmes.access.common import is_facilitator
from credo.programmes.models import Cohort
from credo.programmes.services import cohorts


def make_facilitator(cohort: Cohort, admin: User, person: User) -> None:
    add_membership(actor=admin, organisation=cohort.programme.provider, user=person, role=Role.FACILITATOR)


def test_a_facilitator_removed_from_the_provider_loses_the_cohort(
    cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    facilitator = UserFactory(email="sione@example.org")
    add_membership(
        actor=provider_admin, organisation=cohort.programme.provider, user=facilitator, role=Role.FACILITATOR
    )
    cohorts.assign_facilitators(cohort, actor=provider_admin, facilitators=[facilitator])
    assert is_facilitator(facilitator, cohort)
    check_ins = f"/programmes/cohorts/{cohort.public_id}/check-ins/"
    assert client_for(facilitator).get(check_ins).status_code == 200

    membership = Membership.objects.get(user=facilitator, role=Role.FACILITATOR)
    remove_membership(actor=provider_admin, membership=membership)
    assert not is_facilitator(facilitator, cohort)
    assert client_for(facilitator).get(check_ins).status_code in {403, 404}


def test_a_deactivated_account_is_no_facilitator(cohort: Cohort, provider_admin: User) -> None:
    facilitator = UserFactory(email="kate@example.org")
    add_membership(
        actor=provider_admin, organisation=cohort.programme.provider, user=facilitator, role=Role.FACILITATOR
    )
    cohorts.assign_facilitators(cohort, actor=provider_admin, facilitators=[facilitator])
    facilitator.is_active = False
    facilitator.save()
    assert not is_facilitator(facilitator, cohort)
