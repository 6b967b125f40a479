"""The emails allauth sends for us name the site and speak plainly (never "Hello from !" with the name missing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.test import Client
from django.urls import reverse

from credo.accounts import destinations
from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NEW = {"email": "new.person@example.org", "password1": "a long pass phrase", "password2": "a long pass phrase"}
WORKSHOP = "/organisations/profile/"  # any page of ours stands in for a page a domain app names


@pytest.fixture
def named_destination() -> Iterator[str]:
    """A describer as a domain app registers one (programmes names its registration forms this way)."""
    destinations.register("test.workshop", lambda path: "book the spring workshop" if path == WORKSHOP else None)
    yield WORKSHOP
    destinations.unregister("test.workshop")


def only_mail() -> EmailMessage:
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    return mail.outbox[0]


def assert_signed_by_the_site(message: EmailMessage) -> None:
    body = str(message.body)
    assert message.subject.startswith("[credo] ")
    assert body.startswith("Hello,\n")
    assert body.rstrip().endswith("credo\nhttp://127.0.0.1:8000")
    for broken in ("Hello from !", " on .", "Thank you for using !", "{{", "  "):
        assert broken not in body


def test_the_sign_up_confirmation_names_the_site_and_says_what_to_do(client: Client) -> None:
    client.post(reverse("account_signup"), NEW)
    message = only_mail()
    assert message.subject == "[credo] Confirm your email address"
    assert_signed_by_the_site(message)
    body = str(message.body)
    assert "Thank you for creating a credo account.\n" in body
    assert "To confirm that this address (new.person@example.org) is yours, follow this link:" in body
    assert "/accounts/confirm-email/" in body
    assert "nobody can sign in with this address until it is confirmed" in body


def test_the_site_name_is_a_setting(client: Client, settings: object) -> None:
    settings.CREDO_SITE_NAME = "Inspiring Learning"  # type: ignore[attr-defined]
    client.post(reverse("account_signup"), NEW)
    body = str(only_mail().body)
    assert "Thank you for creating a Inspiring Learning account" in body
    assert body.rstrip().endswith("Inspiring Learning\nhttp://127.0.0.1:8000")


def test_a_password_reset_email_says_what_it_is_for(client: Client, learner: User) -> None:
    client.post(reverse("account_reset_password"), {"email": learner.email})
    message = only_mail()
    assert message.subject == "[credo] Choose a new password"
    assert_signed_by_the_site(message)
    body = str(message.body)
    assert f"asked to choose a new password for the credo account of {learner.email}." in body
    assert "/accounts/password/reset/key/" in body
    assert "If it was not you, ignore this email: your password stays as it is." in body


def test_signing_up_again_with_a_known_address_sends_a_sign_in_link_instead(client: Client) -> None:
    UserFactory(email="taken@example.org")
    client.post(reverse("account_signup"), {**NEW, "email": "taken@example.org"})
    message = only_mail()
    assert message.subject == "[credo] You already have an account"
    assert_signed_by_the_site(message)
    body = str(message.body)
    assert "tried to create a credo account with this address (taken@example.org), but there is one already." in body
    assert "http://127.0.0.1:8000/accounts/login/" in body
    assert "/accounts/password/reset/" in body


def test_asking_to_reset_an_unknown_address_says_no_account_uses_it(client: Client) -> None:
    client.post(reverse("account_reset_password"), {"email": "stranger@example.org"})
    message = only_mail()
    assert message.subject == "[credo] No account uses this address"
    assert_signed_by_the_site(message)
    assert "but no credo account uses this address." in str(message.body)
    assert "/accounts/signup/" in str(message.body)


def test_the_confirmation_names_where_the_person_was_heading(client: Client, named_destination: str) -> None:
    response = client.post(f"{reverse('account_signup')}?next={named_destination}", {**NEW, "next": named_destination})
    assert response["Location"] == f"{reverse('account_email_verification_sent')}?next={named_destination}"
    body = str(only_mail().body)
    assert "Thank you for creating a credo account to book the spring workshop.\n" in body
    assert f"?next={named_destination}" in body
    assert "The link brings you back to where you left off." in body
    page = client.get(response["Location"])
    assert "Follow it to finish creating your account and book the spring workshop." in page.text


def test_already_registered_mail_keeps_where_the_person_was_heading(client: Client, named_destination: str) -> None:
    UserFactory(email="taken@example.org")
    client.post(reverse("account_signup"), {**NEW, "email": "taken@example.org", "next": named_destination})
    body = str(only_mail().body)
    assert "(taken@example.org) to book the spring workshop, but there is one already." in body
    assert f"http://127.0.0.1:8000/accounts/login/?next={named_destination}" in body


def test_a_next_address_on_another_site_is_neither_carried_nor_named(client: Client) -> None:
    response = client.post(reverse("account_signup"), {**NEW, "next": "https://elsewhere.example/register/"})
    assert response["Location"] == reverse("account_email_verification_sent")
    body = str(only_mail().body)
    assert "elsewhere.example" not in body
    assert "Thank you for creating a credo account.\n" in body


def test_signing_in_before_confirming_sends_a_new_link(client: Client) -> None:
    client.post(reverse("account_signup"), NEW)
    mail.outbox.clear()
    cache.clear()  # minutes later: allauth sends one confirmation email per address every three minutes at most
    response = client.post(reverse("account_login"), {"login": NEW["email"], "password": NEW["password1"]})
    assert response["Location"] == reverse("account_email_verification_sent")
    message = only_mail()
    assert message.subject == "[credo] Confirm your email address"
    assert "/accounts/confirm-email/" in str(message.body)
