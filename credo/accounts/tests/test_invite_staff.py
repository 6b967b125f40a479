"""A programme admin adds staff by email: someone with an account gets the role, anyone else an invitation
whose link (once) sets their password, confirms their address and leaves them holding the role."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Membership, Organisation, Role, User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]
MEMBERS = reverse("accounts:members", kwargs={"slug": "test-centre"})
PASSWORD = "a long and unusual passphrase 9"


Invite = Callable[..., str]


@pytest.fixture
def invite(django_capture_on_commit_callbacks: Any) -> Invite:
    """Post the members form; the emails go once the change is committed, so run those callbacks."""

    def post(client: Client, **fields: str) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(MEMBERS, {"role": "facilitator", **fields})
        assert response.status_code == 302, response.content.decode()
        return client.get(response["Location"]).text

    return post


def link_in(email_body: str) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", email_body)
    assert found is not None, email_body
    return found.group(1)


def choose_password(client: Client, link: str) -> None:
    form = client.get(link, follow=True)
    assert "<h1>Choose a password</h1>" in form.text
    response = client.post(form.redirect_chain[-1][0], {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302


def test_someone_new_is_invited_by_email_and_the_invitation_is_audited(
    client_for: ClientFor, centre_admin: User, centre: Organisation, invite: Invite
) -> None:
    page = invite(client_for(centre_admin), email="Rangi@Example.org", full_name="Rangi Parata")
    assert "We have emailed rangi@example.org an invitation." in page
    assert "Invited: has not chosen a password yet" in page
    rangi = User.objects.get(email="rangi@example.org")
    assert not rangi.has_usable_password()
    assert Membership.objects.filter(user=rangi, organisation=centre, role=Role.FACILITATOR).exists()
    assert [e.action for e in AuditEvent.objects.order_by("pk")][-2:] == [
        "accounts.invited",
        "accounts.membership_added",
    ]
    assert AuditEvent.objects.filter(
        action="accounts.invited", actor=centre_admin, organisation_id_at_event=centre.pk
    ).exists()

    [message] = mail.outbox
    assert message.to == ["rangi@example.org"]
    assert message.subject == "Test Centre invites you to credo"
    body = str(message.body)
    assert body.startswith("Hello Rangi Parata,\n")
    assert f"Test Centre has added you as a facilitator on credo (invited by {centre_admin.full_name})." in body
    assert "To accept, choose a password here; it also confirms this email address:" in body
    assert "The link works once, for 3 days." in body


def test_the_invited_person_chooses_a_password_and_lands_with_the_role(
    client_for: ClientFor, centre_admin: User, client: Client, invite: Invite
) -> None:
    invite(client_for(centre_admin), email="rangi@example.org", full_name="Rangi Parata")
    choose_password(client, link_in(str(mail.outbox[0].body)))
    # Claiming signs nobody in (ACCOUNT_LOGIN_ON_PASSWORD_RESET is off): sign-in is at the one front door.
    assert "_auth_user_id" not in client.session
    rangi = User.objects.get(email="rangi@example.org")
    assert EmailAddress.objects.get(user=rangi).verified
    signed_in = Client()
    response = signed_in.post(reverse("account_login"), {"login": "rangi@example.org", "password": PASSWORD})
    assert response.status_code == 302
    dashboard = signed_in.get(reverse("dashboard")).text
    assert "Test Centre" in dashboard
    members = client_for(centre_admin).get(MEMBERS).text
    assert "Invited: has not chosen a password yet" not in members


def test_the_link_works_once_and_then_says_so_plainly(
    client_for: ClientFor, centre_admin: User, client: Client, invite: Invite
) -> None:
    invite(client_for(centre_admin), email="rangi@example.org", full_name="Rangi Parata")
    link = link_in(str(mail.outbox[0].body))
    choose_password(client, link)
    again = Client().get(link, follow=True)
    assert again.status_code == 200
    assert "<h1>This link no longer works</h1>" in again.text
    assert "It has already been used, or it has expired. Each link works once." in again.text
    assert 'name="password1"' not in again.text


def test_someone_with_an_account_gets_the_role_at_once_and_an_email_saying_so(
    client_for: ClientFor, centre_admin: User, centre: Organisation, invite: Invite
) -> None:
    known = UserFactory(email="known@example.org", full_name="Known Person")
    page = invite(client_for(centre_admin), email="known@example.org", role="assessor")
    assert "known@example.org is now an assessor at Test Centre; we have emailed them to say so." in page
    assert Membership.objects.filter(user=known, organisation=centre, role=Role.ASSESSOR).exists()
    assert not AuditEvent.objects.filter(action="accounts.invited").exists()
    [message] = mail.outbox
    assert message.subject == "Test Centre has added you as an assessor"
    assert "Test Centre has added you as an assessor on credo." in str(message.body)
    assert "/password/reset/" not in str(message.body)


def test_a_role_must_be_chosen(client_for: ClientFor, centre_admin: User) -> None:
    response = client_for(centre_admin).post(MEMBERS, {"email": "rangi@example.org", "full_name": "R", "role": ""})
    assert response.status_code == 422
    assert '<a href="#id_role">Role: This field is required.</a>' in response.text
    assert not User.objects.filter(email="rangi@example.org").exists()
    assert not mail.outbox


@pytest.mark.parametrize("persona", ["learner", "facilitator", "outsider", "catalogue_admin"])
def test_nobody_but_the_organisations_programme_admins_may_invite(
    client_for: ClientFor, persona: str, request: pytest.FixtureRequest, centre: Organisation
) -> None:
    user = request.getfixturevalue(persona)
    response = client_for(user).post(MEMBERS, {"email": "rangi@example.org", "full_name": "R", "role": "assessor"})
    assert response.status_code in (403, 404)
    assert not User.objects.filter(email="rangi@example.org").exists()
    assert not Membership.objects.filter(organisation=centre, role=Role.ASSESSOR).exists()
    assert not mail.outbox


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, centre: Organisation) -> None:
    response = client.post(MEMBERS, {"email": "rangi@example.org", "full_name": "R", "role": "assessor"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not User.objects.filter(email="rangi@example.org").exists()


def test_someone_invited_before_who_never_claimed_gets_a_fresh_invitation(
    client_for: ClientFor, centre_admin: User, centre: Organisation, invite: Invite
) -> None:
    waiting = UserFactory(email="waiting@example.org", full_name="Waiting Person")
    waiting.set_unusable_password()
    waiting.save()
    page = invite(client_for(centre_admin), email="waiting@example.org")
    assert "We have emailed waiting@example.org an invitation." in page
    [message] = mail.outbox
    assert message.subject == "Test Centre invites you to credo"
    assert "/accounts/password/reset/key/" in str(message.body)
    assert Membership.objects.filter(user=waiting, organisation=centre, role=Role.FACILITATOR).exists()
