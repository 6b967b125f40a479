"""A person sets their own name and time zone; pages then show times in that zone too."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from credo.accounts.models import User
from credo.audit.models import AuditEvent


def test_a_person_sets_their_name_and_time_zone(learner: User, client_for: Callable[[User | None], Client]) -> None:
    client = client_for(learner)
    assert client.get("/organisations/profile/").status_code == 200
    response = client.post("/organisations/profile/", {"full_name": "Jordan Ellis", "time_zone": "Europe/London"})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert (learner.full_name, learner.time_zone) == ("Jordan Ellis", "Europe/London")
    assert AuditEvent.objects.filter(action="accounts.name_changed").count() == 1


def test_a_zone_that_does_not_exist_or_a_blank_name_is_refused(
    learner: User, client_for: Callable[[User | None], Client]
) -> None:
    before = (learner.full_name, learner.time_zone)
    page = client_for(learner).post("/organisations/profile/", {"full_name": " ", "time_zone": "Mars/Olympus"})
    assert page.status_code == 422
    text = page.content.decode()
    assert "<title>Error: Your profile" in text
    assert "&#x27;Mars/Olympus&#x27; is not a time zone we know. Start typing a city or country" in text
    assert '<a href="#id_full_name">Your full name: This field is required.</a>' in text
    learner.refresh_from_db()
    assert (learner.full_name, learner.time_zone) == before


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, db: None) -> None:
    response = client.get("/organisations/profile/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
