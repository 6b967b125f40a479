"""Programme admins manage who holds which role in their organisation; nobody else sees its people."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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


def test_the_list_is_filtered_by_name_or_address_and_role(
    client_for: ClientFor, centre_admin: User, learner: User, facilitator: User
) -> None:
    client = client_for(centre_admin)
    url = reverse("accounts:members", kwargs={"slug": "test-centre"})
    by_role = client.get(url, {"role": "facilitator"}).text
    assert facilitator.email in by_role
    assert learner.email not in by_role
    by_address = client.get(url, {"q": "LEARNER@"}).text
    assert learner.email in by_address
    assert facilitator.email not in by_address
    assert "Nobody matches." in client.get(url, {"q": "no such person"}).text


def test_the_list_is_paginated_and_its_queries_do_not_grow_with_it(
    client_for: ClientFor, centre_admin: User, centre: Organisation, django_assert_max_num_queries: Any
) -> None:
    client = client_for(centre_admin)
    url = reverse("accounts:members", kwargs={"slug": "test-centre"})
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(60):
        Membership.objects.create(
            user=UserFactory(email=f"member{n:02}@example.org"), organisation=centre, role="learner"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).text
    assert "Page 1 of 2" in page
    assert "member48@example.org" in page
    assert "member49@example.org" not in page  # 50 a page: the admin's own row comes first
    assert "member59@example.org" in client.get(url, {"page": 2}).text
