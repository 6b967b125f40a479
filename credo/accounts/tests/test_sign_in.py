"""Signing up and in with an email address, through django-allauth."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from credo.accounts.models import User
from credo.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_person_signs_in_with_their_email_and_lands_on_the_dashboard(client: Client, learner: User) -> None:
    response = client.post(reverse("account_login"), {"login": "LEARNER@credo.example", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_a_wrong_password_is_refused_in_plain_words(client: Client, learner: User) -> None:
    response = client.post(reverse("account_login"), {"login": learner.email, "password": "wrong password"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text


def test_repeated_failed_sign_ins_lock_the_account_for_a_while(client: Client, learner: User) -> None:
    locked = "Too many failed login attempts. Try again later."
    for n in range(5):
        response = client.post(reverse("account_login"), {"login": learner.email, "password": f"wrong {n}"})
        assert locked not in response.text
    response = client.post(reverse("account_login"), {"login": learner.email, "password": "still wrong"})
    assert locked in response.text
    # Even the right password waits until the lock expires.
    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    assert response.status_code == 200
    assert locked in response.text


def test_sign_up_asks_for_email_verification_before_sign_in(client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {"email": "New.Person@Example.org", "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert user.email == "new.person@example.org"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    assert "new.person@example.org" in mail.outbox[0].to
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_the_same_email_cannot_sign_up_twice_in_another_case(client: Client) -> None:
    UserFactory(email="taken@example.org")
    response = client.post(
        reverse("account_signup"),
        {"email": "TAKEN@example.org", "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    assert response.status_code in (200, 302)
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1


def test_a_password_reset_email_is_sent(client: Client, learner: User) -> None:
    response = client.post(reverse("account_reset_password"), {"email": learner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_two_factor_authentication_asks_for_a_fresh_sign_in_then_offers_an_authenticator_app(
    client: Client, learner: User
) -> None:
    client.force_login(learner)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert "Authenticator" in response.text


def test_pages_that_need_sign_in_send_people_to_sign_in(client: Client) -> None:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_strangers_wrong_passwords_do_not_lock_the_owner_out(learner: User) -> None:
    """The failed-sign-in limit counts per account and address together: anyone could lock anyone out before."""
    stranger, owner = Client(REMOTE_ADDR="203.0.113.9"), Client(REMOTE_ADDR="198.51.100.7")
    locked = "Too many failed login attempts. Try again later."
    for n in range(6):
        stranger.post(reverse("account_login"), {"login": learner.email, "password": f"guess {n}"})
    assert locked in stranger.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD}).text
    response = owner.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_one_address_guessing_across_many_accounts_is_slowed_down(client: Client, db: None) -> None:
    locked = "Too many failed login attempts. Try again later."
    for n in range(20):
        response = client.post(reverse("account_login"), {"login": f"person{n}@example.org", "password": "guess"})
        assert locked not in response.text
    response = client.post(reverse("account_login"), {"login": "one-more@example.org", "password": "guess"})
    assert locked in response.text
