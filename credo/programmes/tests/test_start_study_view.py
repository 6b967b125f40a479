"""The staff button that starts study for every confirmed learner at once: it says how many, starts exactly those
(each audited and emailed), refuses a stale count, and refuses everyone but the cohort's provider's programme admins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort, Enrolment, EnrolmentState
from credo.programmes.services import enrolments

from .staff_helpers import REFUSED, audit_count, refused_user, register_many

SignIn = Callable[[User | None], Client]


def list_url(cohort: Cohort) -> str:
    return f"/programmes/staff/{cohort.public_id}/enrolments/"


def start_url(cohort: Cohort) -> str:
    return f"/programmes/staff/{cohort.public_id}/enrolments/start-study"


@pytest.fixture
def learners(cohort: Cohort, provider_admin: User) -> list[Enrolment]:
    """Three registered learners: two confirmed (paid), one still applied (unpaid)."""
    registered = register_many(cohort, 3)
    for enrolment in registered[:2]:
        enrolments.confirm(enrolment, actor=provider_admin, reason="Invoice paid")
    return registered


def states(cohort: Cohort) -> dict[str, str]:
    return dict(cohort.enrolments.values_list("learner__email", "state"))


def said(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


class TestTheButton:
    def test_the_list_offers_the_button_with_the_number_of_confirmed_learners(
        self, client_for: SignIn, provider_admin: User, cohort: Cohort, learners: list[Enrolment]
    ) -> None:
        page = client_for(provider_admin).get(list_url(cohort)).content.decode()
        assert "Start study for 2 confirmed learners" in page
        assert 'name="expected" value="2"' in page
        assert start_url(cohort) in page

    def test_with_nobody_confirmed_there_is_no_button(
        self, client_for: SignIn, provider_admin: User, cohort: Cohort
    ) -> None:
        register_many(cohort, 1)  # applied, not confirmed
        page = client_for(provider_admin).get(list_url(cohort)).content.decode()
        assert "Start study for" not in page
        assert start_url(cohort) not in page

    def test_it_starts_every_confirmed_learner_emails_each_and_says_how_many(
        self,
        client_for: SignIn,
        provider_admin: User,
        cohort: Cohort,
        learners: list[Enrolment],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(provider_admin).post(start_url(cohort), {"expected": "2"})
        assert response.status_code == 302
        assert response["Location"] == list_url(cohort)
        assert said(response) == ["Study started for 2 learners; each has been emailed."]
        assert states(cohort) == {
            "learner0@example.org": EnrolmentState.ACTIVE,
            "learner1@example.org": EnrolmentState.ACTIVE,
            "learner2@example.org": EnrolmentState.APPLIED,  # unpaid: not started
        }
        started = [m for m in mail.outbox if m.subject == f"Study has started: {cohort}"]
        assert sorted(m.to[0] for m in started) == ["learner0@example.org", "learner1@example.org"]
        events = AuditEvent.objects.filter(action="programmes.enrolment_active")
        assert events.count() == 2
        assert {event.actor_id for event in events} == {provider_admin.pk}

    def test_one_learner_is_one_learner(
        self, client_for: SignIn, provider_admin: User, cohort: Cohort, learners: list[Enrolment]
    ) -> None:
        enrolments.withdraw(learners[1], actor=provider_admin, reason="Moved away")
        page = client_for(provider_admin).get(list_url(cohort)).content.decode()
        assert "Start study for 1 confirmed learner<" in page
        response = client_for(provider_admin).post(start_url(cohort), {"expected": "1"})
        assert said(response) == ["Study started for 1 learner; each has been emailed."]

    def test_a_count_that_changed_since_the_page_was_shown_changes_nothing(
        self, client_for: SignIn, provider_admin: User, cohort: Cohort, learners: list[Enrolment]
    ) -> None:
        # The page said 2; meanwhile the third learner paid.
        enrolments.confirm(learners[2], actor=provider_admin, reason="Invoice paid")
        before = (states(cohort), audit_count())
        response = client_for(provider_admin).post(start_url(cohort), {"expected": "2"})
        assert response.status_code == 302
        assert said(response) == [
            "Nothing changed: 3 learners are confirmed now, not 2. Check the list and press the button again."
        ]
        assert (states(cohort), audit_count()) == before

    @pytest.mark.parametrize("data", [{}, {"expected": "two"}, {"expected": "-1"}])
    def test_a_post_without_a_proper_count_changes_nothing(
        self, client_for: SignIn, provider_admin: User, cohort: Cohort, learners: list[Enrolment], data: dict[str, str]
    ) -> None:
        before = (states(cohort), audit_count())
        response = client_for(provider_admin).post(start_url(cohort), data)
        assert said(response) == ["Use the button on this page to start study."]
        assert (states(cohort), audit_count()) == before

    def test_a_get_is_not_allowed(self, client_for: SignIn, provider_admin: User, cohort: Cohort) -> None:
        assert client_for(provider_admin).get(start_url(cohort)).status_code == 405


class TestRefusals:
    @pytest.mark.parametrize(("who", "status"), REFUSED)
    def test_everyone_but_the_providers_programme_admins_is_refused_and_nothing_changes(
        self,
        who: str,
        status: int,
        cohort: Cohort,
        learners: list[Enrolment],
        client_for: SignIn,
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(refused_user(who, cohort, request))
        assert "Start study for" not in client.get(list_url(cohort)).content.decode()
        before = (states(cohort), audit_count())
        assert client.post(start_url(cohort), {"expected": "2"}).status_code == status
        assert (states(cohort), audit_count()) == before

    def test_someone_signed_out_is_sent_to_sign_in_and_nothing_changes(
        self, client_for: SignIn, cohort: Cohort, learners: list[Enrolment]
    ) -> None:
        before = (states(cohort), audit_count())
        response = client_for(None).post(start_url(cohort), {"expected": "2"})
        assert response.status_code == 302
        assert "login" in response["Location"]
        assert (states(cohort), audit_count()) == before
