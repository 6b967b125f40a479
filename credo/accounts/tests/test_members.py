"""Programme admins manage who holds which role in their organisation; nobody else sees its people."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Membership, Organisation, Role, User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]


def test_an_admin_sees_the_members(client_for: ClientFor, centre_admin: User, learner: User, facilitator: User) -> None:
    response = client_for(centre_admin).get(reverse("accounts:members", kwargs={"slug": "test-centre"}))
    assert response.status_code == 200
    assert learner.email in response.text
    assert facilitator.email in response.text


@pytest.mark.parametrize("persona", ["learner", "facilitator", "assessor", "internal_qa"])
def test_other_roles_in_the_organisation_are_forbidden(
    client_for: ClientFor, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    response = client_for(user).get(reverse("accounts:members", kwargs={"slug": "test-centre"}))
    assert response.status_code == 403


def test_people_from_another_organisation_do_not_learn_it_exists(
    client_for: ClientFor, outsider: User, centre: Organisation, catalogue_admin: User
) -> None:
    for user in (outsider, catalogue_admin):
        response = client_for(user).get(reverse("accounts:members", kwargs={"slug": "test-centre"}))
        assert response.status_code == 404
        assert "test-centre" not in response.text.lower().replace("/organisations/", "")


def test_an_admin_adds_a_role_and_it_is_audited(client_for: ClientFor, centre_admin: User) -> None:
    newcomer = UserFactory(email="newcomer@example.org")
    response = client_for(centre_admin).post(
        reverse("accounts:members", kwargs={"slug": "test-centre"}),
        {"email": "Newcomer@example.org", "role": "assessor"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=newcomer, role=Role.ASSESSOR, organisation__slug="test-centre").exists()
    event = AuditEvent.objects.get(action="accounts.membership_added")
    assert event.actor == centre_admin
    assert event.details == {"user": "newcomer@example.org", "role": "assessor"}


def test_inviting_someone_new_asks_for_their_name_next_to_the_field(client_for: ClientFor, centre_admin: User) -> None:
    response = client_for(centre_admin).post(
        reverse("accounts:members", kwargs={"slug": "test-centre"}), {"email": "nobody@example.org", "role": "assessor"}
    )
    assert response.status_code == 422
    assert "<title>Error: Members of Test Centre" in response.text
    assert '<a href="#id_full_name">Their full name: nobody@example.org has no account yet' in response.text
    assert not User.objects.filter(email="nobody@example.org").exists()


def test_adding_the_same_role_twice_is_refused(client_for: ClientFor, centre_admin: User, learner: User) -> None:
    response = client_for(centre_admin).post(
        reverse("accounts:members", kwargs={"slug": "test-centre"}), {"email": learner.email, "role": "learner"}
    )
    assert "is already a learner at Test Centre" in response.text


def test_an_admin_removes_a_role(client_for: ClientFor, centre_admin: User, learner: User) -> None:
    membership = Membership.objects.get(user=learner)
    client_for(centre_admin).post(
        reverse("accounts:remove_member", kwargs={"slug": "test-centre", "membership_id": membership.pk})
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.membership_removed").exists()


def test_the_last_admin_cannot_be_removed(client_for: ClientFor, centre_admin: User) -> None:
    membership = Membership.objects.get(user=centre_admin)
    response = client_for(centre_admin).post(
        reverse("accounts:remove_member", kwargs={"slug": "test-centre", "membership_id": membership.pk}), follow=True
    )
    assert "is the last programme admin at Test Centre; add another first." in response.text
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_membership_of_another_organisation_cannot_be_removed_through_ours(
    client_for: ClientFor, centre_admin: User, outsider: User
) -> None:
    theirs = Membership.objects.get(user=outsider)
    response = client_for(centre_admin).post(
        reverse("accounts:remove_member", kwargs={"slug": "test-centre", "membership_id": theirs.pk})
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_removing_needs_post(client_for: ClientFor, centre_admin: User, learner: User) -> None:
    membership = Membership.objects.get(user=learner)
    response = client_for(centre_admin).get(
        reverse("accounts:remove_member", kwargs={"slug": "test-centre", "membership_id": membership.pk})
    )
    assert response.status_code == 405
