"""Refusals and missing pages explain themselves in the site's own layout."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import User

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]


def test_a_refusal_says_why(client_for: ClientFor, learner: User) -> None:
    response = client_for(learner).get(reverse("accounts:members", kwargs={"slug": "test-centre"}))
    assert response.status_code == 403
    assert "Your role in this organisation does not allow this." in response.text
    assert '<a class="skip-link"' in response.text


def test_a_missing_page_points_somewhere_useful(client: Client) -> None:
    response = client.get("/catalogue/qualifications/no-such/v1/")
    assert response.status_code == 404
    assert "search the catalogue" in response.text
