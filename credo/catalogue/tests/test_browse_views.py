"""Browsing, searching and reading the catalogue, and checking progression, through HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Organisation, User
from credo.catalogue.tests.builders import SmallCatalogue, build_small_catalogue, make_qualification

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]


@pytest.fixture
def small(catalogue_admin: User, awarding_body: Organisation) -> SmallCatalogue:
    return build_small_catalogue(catalogue_admin, awarding_body)


def test_anyone_can_browse_live_qualifications(client: Client, small: SmallCatalogue) -> None:
    response = client.get(reverse("catalogue:index"))
    assert response.status_code == 200
    assert "Test Level 3 Award" in response.text
    assert "Test Level 3 Certificate" in response.text


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("700/0001", "Test Level 3 Award"),
        ("certificate", "Test Level 3 Certificate"),
        ("Optional unit 2", "Test Level 3 Certificate"),
    ],
)
def test_search_finds_by_code_title_or_unit(client: Client, small: SmallCatalogue, query: str, found: str) -> None:
    response = client.get(reverse("catalogue:index"), {"q": query})
    assert found in response.text


def test_search_says_when_nothing_matches(client: Client, small: SmallCatalogue) -> None:
    response = client.get(reverse("catalogue:index"), {"q": "zzz"})
    assert "Nothing found for “zzz”" in response.text


def test_search_answers_htmx_with_just_the_results(client: Client, small: SmallCatalogue) -> None:
    response = client.get(reverse("catalogue:index"), {"q": "award"}, headers={"HX-Request": "true"})
    assert "Test Level 3 Award" in response.text
    assert "<html" not in response.text


def test_a_draft_is_seen_only_by_its_owners_admins(
    client_for: ClientFor, small: SmallCatalogue, catalogue_admin: User, awarding_body: Organisation,
    outsider: User, learner: User, external_qa: User,
) -> None:  # fmt: skip
    draft = make_qualification(catalogue_admin, awarding_body, "7000008", "Secret draft")
    url = draft.get_absolute_url()
    assert client_for(catalogue_admin).get(url).status_code == 200
    assert "Secret draft" in client_for(catalogue_admin).get(reverse("catalogue:index")).text
    for user in (None, outsider, learner, external_qa):
        assert client_for(user).get(url).status_code == 404
        assert "Secret draft" not in client_for(user).get(reverse("catalogue:index")).text


def test_a_qualification_page_shows_units_rules_and_versions(client: Client, small: SmallCatalogue) -> None:
    response = client.get(small.certificate.get_absolute_url())
    assert response.status_code == 200
    for unit in small.shared_units + small.certificate_only_units:
        assert unit.code in response.text
    assert "Achieve at least 2 units." in response.text
    assert "Manage" not in response.text


def test_a_code_without_version_goes_to_the_live_version(client: Client, small: SmallCatalogue) -> None:
    response = client.get(reverse("catalogue:qualification_latest", kwargs={"slug": small.award.slug}))
    assert response.status_code == 302
    assert response["Location"] == small.award.get_absolute_url()


def test_a_unit_page_lists_the_qualifications_that_share_it(client: Client, small: SmallCatalogue) -> None:
    response = client.get(small.shared_units[0].get_absolute_url())
    assert "Test Level 3 Award" in response.text
    assert "Test Level 3 Certificate" in response.text


def test_an_unknown_unit_or_qualification_is_404(client: Client, small: SmallCatalogue) -> None:
    assert client.get(reverse("catalogue:unit", kwargs={"slug": "y-999-9999"})).status_code == 404
    assert (
        client.get(reverse("catalogue:qualification", kwargs={"slug": "603-1939-2", "version": 1})).status_code == 404
    )


def test_the_progression_check_shows_what_is_missing(client: Client, small: SmallCatalogue) -> None:
    response = client.get(reverse("catalogue:progression"), {"unit": [u.code for u in small.shared_units]})
    assert response.status_code == 200
    assert "Complete: your units meet every rule of combination." in response.text
    assert "You have 3 of its units." in response.text
    for unit in small.certificate_only_units:
        assert unit.code in response.text
    assert "2 more units needed: all of those listed." in response.text


def test_the_progression_check_refuses_unknown_units_politely(client: Client, small: SmallCatalogue) -> None:
    response = client.get(reverse("catalogue:progression"), {"unit": ["NOT/A/UNIT"]})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
