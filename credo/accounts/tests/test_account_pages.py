"""allauth's pages are credo's: its layout, its words, and its one pattern for errors."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import User
from credo.accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url_name", "heading"),
    [
        ("account_login", "Sign in"),
        ("account_signup", "Create an account"),
        ("account_reset_password", "Forgotten your password"),
        ("account_reset_password_done", "Check your email"),
        ("account_email_verification_sent", "Check your email"),
    ],
)
def test_each_page_uses_the_sites_layout_and_words(client: Client, url_name: str, heading: str) -> None:
    page = client.get(reverse(url_name)).text
    assert f"<title>{heading} · credo</title>" in page
    assert f"<h1>{heading}</h1>" in page
    assert 'class="site-header"' in page
    assert '<main id="main"' in page
    for stock in ("Menu:", "Sign Up", "Sign In", "placeholder=", "Forgot your password"):
        assert stock not in page


def test_a_refused_sign_up_shows_the_summary_first_linked_to_each_field(client: Client) -> None:
    response = client.post(
        reverse("account_signup"), {"email": "not an address", "password1": "short", "password2": "other"}
    )
    page = response.text
    assert response.status_code == 200
    assert "<title>Error: Create an account · credo</title>" in page
    summary = page.index('class="error-summary"')
    assert summary < page.index('<label for="id_email"')
    assert '<a href="#id_email">Email address: Enter a valid email address.</a>' in page
    assert '<a href="#id_password1">Choose a password:' in page


def test_a_wrong_password_is_shown_in_the_summary_with_error_in_the_title(client: Client, learner: User) -> None:
    page = client.post(reverse("account_login"), {"login": learner.email, "password": "wrong password"}).text
    assert "<title>Error: Sign in · credo</title>" in page
    assert page.index('class="error-summary"') < page.index('<label for="id_login"')
    assert "The email address and/or password you specified are not correct." in page


def test_the_sign_in_page_labels_its_fields_in_words(client: Client) -> None:
    page = client.get(reverse("account_login")).text
    assert '<label for="id_login">Email address:</label>' in page
    assert "Keep me signed in on this device" in page
    assert f'href="{reverse("account_reset_password")}"' in page


def test_signing_out_asks_first_and_says_so_plainly(client: Client, learner: User) -> None:
    client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    page = client.get(reverse("account_logout")).text
    assert "<h1>Sign out</h1>" in page
    assert "Sign out of credo on this device?" in page


@pytest.mark.parametrize(
    "url_name", ["account_email", "account_change_password", "mfa_index", "account_reauthenticate"]
)
def test_the_signed_in_account_pages_use_the_sites_layout_too(client: Client, learner: User, url_name: str) -> None:
    client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    page = response.text
    assert 'class="site-header"' in page
    assert page.count("<h1>") == 1
    for stock in ("Menu:", "Messages:", "placeholder=", "Change Password", "Email Addresses", "Confirm Access"):
        assert stock not in page


def test_adding_another_address_sends_it_a_confirmation_link(client: Client, learner: User) -> None:
    from django.core import mail

    client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD})
    response = client.post(reverse("account_email"), {"action_add": "", "email": "second@example.org"})
    assert response.status_code == 302
    page = client.get(reverse("account_email")).text
    assert "second@example.org" in page
    assert "Not confirmed yet" in page
    [message] = [m for m in mail.outbox if "second@example.org" in m.to]
    assert message.subject == "[credo] Confirm your email address"
    assert "gave this address (second@example.org) for a credo account." in str(message.body)


def test_notices_after_signing_in_and_out_are_plain(client: Client, learner: User) -> None:
    response = client.post(reverse("account_login"), {"login": learner.email, "password": PASSWORD}, follow=True)
    assert f"You are signed in as {learner.full_name}." in response.text
    response = client.post(reverse("account_logout"), follow=True)
    assert "You are signed out." in response.text
