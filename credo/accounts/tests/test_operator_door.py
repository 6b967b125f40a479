"""The operator pages (/operator/, the Django admin) open only through the site's sign-in, limits and second factor."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import User
from credo.accounts.tests.factories import PASSWORD, UserFactory, authenticator_code, give_authenticator

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed login attempts. Try again later."
AN_API_PAGE_THAT_NEEDS_SIGN_IN = "/api/v1/credentials/attainments"


@pytest.fixture
def operator() -> User:
    return UserFactory(email="operator@credo.example", is_staff=True, is_superuser=True)


@pytest.fixture
def totp_secret(operator: User, settings: Any) -> str:
    """The operator has an authenticator app."""
    settings.MFA_TOTP_TOLERANCE = 1  # a code read at the end of its 30 seconds still counts a moment later
    return give_authenticator(operator)


def _sign_in_with_code(client: Client, operator: User, secret: str, next_url: str = "/operator/") -> str:
    """Through the front door: password, then the code; returns where the site sends the operator."""
    response = client.post(reverse("account_login"), {"login": operator.email, "password": PASSWORD, "next": next_url})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": authenticator_code(secret)})
    assert response.status_code == 302
    return str(response["Location"])


def test_the_admin_sign_in_address_sends_people_to_the_site_sign_in(client: Client) -> None:
    response = client.get("/operator/login/", {"next": "/operator/audit/auditevent/"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/operator/audit/auditevent/"


def test_the_operator_pages_lead_a_visitor_to_the_site_sign_in_and_back(client: Client) -> None:
    response = client.get("/operator/", follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('account_login')}?next=/operator/"
    assert 'name="password"' in response.text


def test_a_redirect_elsewhere_is_not_followed(client: Client) -> None:
    response = client.get("/operator/login/", {"next": "https://elsewhere.example/"})
    assert response["Location"] == f"{reverse('account_login')}?next=/operator/"


def test_a_password_posted_to_the_admin_sign_in_signs_nobody_in(
    client: Client, operator: User, totp_secret: str
) -> None:
    """Django's admin form took a password alone, skipping the operator's authentication code."""
    response = client.post("/operator/login/", {"username": operator.email, "password": PASSWORD, "next": "/operator/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/operator/").status_code == 302
    assert client.get(AN_API_PAGE_THAT_NEEDS_SIGN_IN).status_code == 401


def test_a_password_alone_at_the_front_door_does_not_open_the_operator_pages(
    client: Client, operator: User, totp_secret: str
) -> None:
    response = client.post(reverse("account_login"), {"login": operator.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/operator/").status_code == 302
    assert client.get(AN_API_PAGE_THAT_NEEDS_SIGN_IN).status_code == 401


def test_an_operator_signs_in_with_password_and_code_and_lands_on_the_operator_pages(
    client: Client, operator: User, totp_secret: str
) -> None:
    assert _sign_in_with_code(client, operator, totp_secret) == "/operator/"
    assert client.get("/operator/").status_code == 200


def test_fifteen_wrong_passwords_for_an_operator_meet_the_lockout(client: Client, operator: User) -> None:
    locked = [
        LOCKED in client.post(reverse("account_login"), {"login": operator.email, "password": f"guess {n}"}).text
        for n in range(15)
    ]
    assert locked == [False] * 5 + [True] * 10
    assert LOCKED in client.post(reverse("account_login"), {"login": operator.email, "password": PASSWORD}).text


def test_a_member_of_an_organisation_signed_in_is_told_the_pages_are_for_operators(
    client_for: Any, catalogue_admin: User
) -> None:
    response = client_for(catalogue_admin).get("/operator/", follow=True)
    assert response.status_code == 403
    assert "The operator pages are for platform operators" in response.text


class TestWhereOperatorsMustUseASecondFactor:
    """``CREDO_OPERATOR_MFA`` (on by default in production)."""

    @pytest.fixture(autouse=True)
    def _required(self, settings: Any) -> None:
        settings.CREDO_OPERATOR_MFA = True

    def test_an_operator_without_an_authenticator_is_told_to_set_one_up(self, client: Client, operator: User) -> None:
        client.force_login(operator)
        response = client.get("/operator/", follow=True)
        assert response.status_code == 403
        assert "Set up two-factor authentication to use the operator pages" in response.text
        assert f'href="{reverse("mfa_index")}"' in response.text

    def test_an_operator_signed_in_without_the_code_is_asked_for_it(
        self, client: Client, operator: User, totp_secret: str
    ) -> None:
        client.force_login(operator)  # a session that did not pass the code (e.g. signed in before setting it up)
        response = client.get("/operator/audit/auditevent/", follow=True)
        assert response.status_code == 403
        assert "Confirm with your authentication code" in response.text
        assert f'href="{reverse("mfa_reauthenticate")}?next=/operator/audit/auditevent/"' in response.text

    def test_an_operator_who_signed_in_with_the_code_is_let_in(
        self, client: Client, operator: User, totp_secret: str
    ) -> None:
        _sign_in_with_code(client, operator, totp_secret)
        assert client.get("/operator/").status_code == 200
        assert client.get("/operator/audit/auditevent/").status_code == 200

    def test_staff_without_the_code_cannot_reach_any_operator_page(self, client: Client, operator: User) -> None:
        client.force_login(operator)
        for path in ("/operator/", "/operator/accounts/user/", f"/operator/accounts/user/{operator.pk}/change/"):
            response = client.get(path)
            assert response.status_code == 302
            assert response["Location"].startswith("/operator/login/")


def test_the_admin_password_change_page_is_the_site_s_own(client_for: Any, operator: User) -> None:
    response = client_for(operator).get("/operator/password_change/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_change_password")
