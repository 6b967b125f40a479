"""A visitor who presses Register is told, through sign-up and the confirmation email, which course they are
signing up for, and confirming their address brings them back to its registration form."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from credo.accounts import destinations
from credo.accounts.models import User
from credo.accounts.tests.factories import PASSWORD, UserFactory
from credo.programmes.models import Cohort

pytestmark = pytest.mark.django_db
REGISTER_URL = "/programmes/inspiring-test/cld-facilitation/2024/register/"
NEW = {"email": "hana@example.org", "password1": "a long pass phrase", "password2": "a long pass phrase"}


def confirmation_link() -> str:
    [message] = [m for m in mail.outbox if "hana@example.org" in m.to]
    found = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", str(message.body))
    assert found is not None, message.body
    return found.group(1)


def test_a_registration_form_is_described_by_its_cohort(cohort: Cohort) -> None:
    assert destinations.describe(REGISTER_URL) == f"register for {cohort}"
    assert destinations.describe(REGISTER_URL + "?x=1") == f"register for {cohort}"
    assert destinations.describe("/programmes/inspiring-test/cld-facilitation/nope/register/") is None
    assert destinations.describe("/programmes/inspiring-test/cld-facilitation/2024/") is None  # the page, not the form
    assert destinations.describe("https://elsewhere.example" + REGISTER_URL) is None  # never someone else's page


def test_the_register_button_leads_to_sign_up_and_sign_in_pages_that_name_the_course(
    client: Client, cohort: Cohort
) -> None:
    page = client.get(REGISTER_URL).text
    after = quote(REGISTER_URL, safe="/")
    assert f'href="/accounts/signup/?next={after}"' in page
    assert f'href="/accounts/login/?next={after}"' in page
    sign_up = client.get(f"/accounts/signup/?next={after}").text
    assert f"<h1>Create an account to register for {cohort}</h1>" in sign_up
    assert f'name="next" value="{REGISTER_URL}"' in sign_up
    assert "<title>Create an account · credo</title>" in sign_up
    sign_in = client.get(f"/accounts/login/?next={after}").text
    assert f"<h1>Sign in to register for {cohort}</h1>" in sign_in


def test_confirming_the_email_lands_on_the_registration_form_signed_in(client: Client, cohort: Cohort) -> None:
    response = client.post(f"/accounts/signup/?next={REGISTER_URL}", {**NEW, "next": REGISTER_URL})
    check_email = client.get(response["Location"]).text
    assert f"Follow it to finish creating your account and register for {cohort}." in check_email
    message = next(m for m in mail.outbox if "hana@example.org" in m.to)
    assert f"Thank you for creating a credo account to register for {cohort}.\n" in str(message.body)

    link = confirmation_link()
    confirm_page = client.get(link).text
    assert f"then carry on to register for {cohort}" in confirm_page
    response = client.post(link)
    assert response.status_code == 302
    assert response["Location"] == REGISTER_URL
    form = client.get(REGISTER_URL)
    assert form.wsgi_request.user.email == "hana@example.org"  # signed in by confirming, in this browser
    assert "You need a credo account to register" not in form.text


def test_confirming_in_another_browser_still_comes_back_to_the_form(client: Client, cohort: Cohort) -> None:
    client.post("/accounts/signup/", {**NEW, "next": REGISTER_URL})
    other_browser = Client()
    response = other_browser.post(confirmation_link())
    assert response["Location"] == REGISTER_URL
    assert User.objects.get(email="hana@example.org").emailaddress_set.get().verified
    # Not signed in there: the form asks them to, and signing in comes back to it.
    assert "Sign in" in other_browser.get(REGISTER_URL).text
    response = other_browser.post(
        f"{reverse('account_login')}?next={REGISTER_URL}",
        {"login": "hana@example.org", "password": NEW["password1"], "next": REGISTER_URL},
    )
    assert response["Location"] == REGISTER_URL


def test_signing_in_from_the_register_button_comes_back_to_the_form(client: Client, cohort: Cohort) -> None:
    UserFactory(email="known@example.org")
    response = client.post(
        f"{reverse('account_login')}?next={REGISTER_URL}",
        {"login": "known@example.org", "password": PASSWORD, "next": REGISTER_URL},
    )
    assert response["Location"] == REGISTER_URL
