"""What credentials puts on the dashboard (a learner's credentials, issuing for an issuer's staff), and the units
it tells the catalogue's progression checker a learner holds."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials.models import Attainment, Credential, Issuer
from credo.credentials.services import issuance, status

from .conftest import attain

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]


def dashboard(client: Client) -> str:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def headings(html: str) -> list[str]:
    return re.findall(r"<h2 id=\"[^\"]+\">([^<]+)</h2>", html)


def ticked(html: str) -> set[str]:
    return set(re.findall(r'<input type="checkbox" name="unit" value="([^"]+)"[^>]*\bchecked\b', html))


@pytest.fixture
def graduate(issuer: Issuer, catalogue: SmallCatalogue, ratifier: User) -> User:
    """Someone who belongs to no organisation and holds a credential: the demo's past graduate."""
    person = UserFactory(email="graduate@example.org")
    issuance.issue_credential(attain(person, catalogue.shared_units[0], ratifier))
    return person


class TestTheLearnersCredentials:
    def test_a_graduate_without_memberships_sees_their_credential_first_with_its_link(
        self, graduate: User, client_for: ClientFor
    ) -> None:
        credential = Credential.objects.get(learner=graduate)
        html = dashboard(client_for(graduate))
        assert headings(html)[0] == "Your credentials"
        assert f'href="/credentials/{credential.public_id}"' in html
        assert credential.attainment is not None
        assert credential.attainment.achievement.name in html
        assert f'href="{reverse("my-credentials")}"' in html
        assert "Nothing here yet" not in html
        assert "Your roles" not in html

    def test_a_revoked_credential_says_so(self, graduate: User, ratifier: User, client_for: ClientFor) -> None:
        status.revoke(Credential.objects.get(learner=graduate), actor=ratifier, reason="Issued in error")
        assert "Revoked by the issuer" in dashboard(client_for(graduate))

    def test_nobody_else_sees_them(self, graduate: User, outsider: User, client_for: ClientFor) -> None:
        credential = Credential.objects.get(learner=graduate)
        for someone in (outsider, UserFactory()):
            html = dashboard(client_for(someone))
            assert "Your credentials" not in html
            assert str(credential.public_id) not in html

    def test_the_home_costs_the_same_with_one_credential_or_several(
        self, graduate: User, catalogue: SmallCatalogue, ratifier: User, client_for: ClientFor
    ) -> None:
        client = client_for(graduate)
        dashboard(client)  # warm: the session, the user, compiled templates
        with CaptureQueriesContext(connection) as one:
            dashboard(client)
        for unit in [*catalogue.shared_units[1:], *catalogue.certificate_only_units]:
            issuance.issue_credential(attain(graduate, unit, ratifier))
        with CaptureQueriesContext(connection) as several:
            html = dashboard(client)
        assert "All your programmes" not in html
        assert html.count('href="/credentials/') >= 5
        assert len(several) == len(one)


class TestIssuing:
    def test_an_issuers_programme_admins_and_ratifiers_are_linked_to_issuing(
        self, issuer: Issuer, catalogue_admin: User, ratifier: User, client_for: ClientFor
    ) -> None:
        link = f'href="{reverse("issuing:home", kwargs={"slug": issuer.organisation.slug})}"'
        admin = dashboard(client_for(catalogue_admin))
        ratifying = dashboard(client_for(ratifier))
        assert link in admin
        assert link in ratifying
        assert "Ratifier at Test Awarding Body" in headings(ratifying)

    def test_without_an_issuer_an_admin_is_offered_set_up_and_a_ratifier_only_their_claims(
        self, catalogue_admin: User, ratifier: User, client_for: ClientFor
    ) -> None:
        assert "Set up credential issuing" in dashboard(client_for(catalogue_admin))
        ratifying = dashboard(client_for(ratifier))
        # An awarding body's ratifier certificates claims (assessment's card); there is no issuing to link to yet.
        assert "Ratifier at Test Awarding Body" in headings(ratifying)
        assert "/issuing/" not in ratifying
        assert "Set up credential issuing" not in ratifying


class TestTheProgressionChecker:
    def test_it_ticks_the_units_a_signed_in_learner_holds_and_shows_where_they_lead(
        self, award_attainments: list[Attainment], catalogue: SmallCatalogue, learner: User, client_for: ClientFor
    ) -> None:
        html = client_for(learner).get(reverse("catalogue:progression")).content.decode()
        assert ticked(html) == {unit.code for unit in catalogue.shared_units}
        assert "We have ticked the 3 units your credentials show you hold." in html
        assert "Complete: your units meet every rule of combination." in html

    def test_what_the_learner_sends_wins_even_unticking_everything(
        self, award_attainments: list[Attainment], learner: User, client_for: ClientFor
    ) -> None:
        html = client_for(learner).get(reverse("catalogue:progression"), {"checked": "1"}).content.decode()
        assert ticked(html) == set()
        assert "We have ticked" not in html

    def test_nobody_else_gets_the_learners_units(
        self, award_attainments: list[Attainment], outsider: User, client_for: ClientFor
    ) -> None:
        for someone in (None, outsider):
            html = client_for(someone).get(reverse("catalogue:progression")).content.decode()
            assert ticked(html) == set()

    def test_a_unit_whose_credential_was_revoked_is_not_ticked(
        self,
        award_attainments: list[Attainment],
        catalogue: SmallCatalogue,
        learner: User,
        ratifier: User,
        client_for: ClientFor,
    ) -> None:
        withdrawn = issuance.issue_credential(award_attainments[0])
        status.revoke(withdrawn, actor=ratifier, reason="Issued in error")
        html = client_for(learner).get(reverse("catalogue:progression")).content.decode()
        assert ticked(html) == {unit.code for unit in catalogue.shared_units[1:]}
