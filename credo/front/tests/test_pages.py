from __future__ import annotations

import re
from collections.abc import Callable
from unittest import mock

import pytest
from django.contrib.staticfiles import finders
from django.db.utils import OperationalError
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Organisation, User
from credo.catalogue.tests.builders import build_small_catalogue

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]


def test_healthz_says_ok_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_says_unavailable_when_the_database_does_not(client: Client) -> None:
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_the_home_page_has_landmarks_and_a_skip_link(client: Client) -> None:
    html = client.get("/").text
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main"' in html
    assert "<header" in html
    assert "<footer" in html
    assert '<nav aria-label="Main">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_each_role_with_work_to_do_gets_its_own_card(
    client_for: ClientFor, catalogue_admin: User, awarding_body: Organisation, learner: User, facilitator: User
) -> None:
    build_small_catalogue(catalogue_admin, awarding_body)
    admin_page = client_for(catalogue_admin).get(reverse("dashboard")).text
    assert "Programme admin at Test Awarding Body</h2>" in admin_page
    assert "New qualification" in admin_page
    assert "Members and roles" in admin_page
    assert "Your catalogue" in admin_page
    assert "Test Level 3 Award" in admin_page
    # A learner's membership with nothing registered yet, and a facilitator of no cohort: listed, no card.
    learner_page = client_for(learner).get(reverse("dashboard")).text
    assert "<li>Learner at Test Centre</li>" in learner_page
    assert "Nothing here yet" in learner_page
    assert "New qualification" not in learner_page
    facilitator_page = client_for(facilitator).get(reverse("dashboard")).text
    assert "<li>Facilitator at Test Centre</li>" in facilitator_page
    assert "Facilitator at Test Centre</h2>" not in facilitator_page


def test_someone_with_no_roles_is_told_what_happens_next(client_for: ClientFor) -> None:
    from credo.accounts.tests.factories import UserFactory

    page = client_for(UserFactory()).get(reverse("dashboard")).text
    assert "Nothing here yet" in page
    assert "When you register for a programme, it appears here" in page
    assert "Your roles" not in page


def test_the_dashboard_shows_nothing_of_other_organisations(
    client_for: ClientFor, catalogue_admin: User, awarding_body: Organisation, outsider: User
) -> None:
    build_small_catalogue(catalogue_admin, awarding_body)
    page = client_for(outsider).get(reverse("dashboard")).text
    assert "Test Awarding Body" not in page
    assert "Test Level 3 Award" not in page


def test_every_page_names_its_icon_and_favicon_ico_leads_to_it(client: Client) -> None:
    html = client.get("/").text
    assert '<link rel="icon" href="/static/credo/favicon.svg" type="image/svg+xml">' in html
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/credo/favicon.svg"
    assert finders.find("credo/favicon.svg")  # collected, then served by WhiteNoise


def test_the_api_docs_page_is_in_credos_layout_with_local_assets(client: Client) -> None:
    html = client.get("/api/v1/docs").text
    assert '<html lang="en-GB">' in html
    assert '<main id="main"' in html
    assert "<h1>credo API, version 1</h1>" in html
    assert '<script src="/static/ninja/swagger-ui-bundle.js" defer></script>' in html
    assert '<script type="application/json" id="swagger-settings">' in html
    assert "/api/v1/openapi.json" in html
    # No script from elsewhere, and none inline: the page works under a strict Content-Security-Policy.
    assert "cdn" not in html.lower()
    assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))[^>]*>", html)
