"""A calendar feed's address is a secret: making, replacing and stopping one is audited, and the audit log never
holds the token itself (anyone reading the log could otherwise read the calendar)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.urls import reverse

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.programmes.models import CalendarFeed, Cohort, Enrolment, Session
from credo.programmes.services import workshops

from .workshops_builders import REFUSED, person

pytest_plugins = ["credo.programmes.tests.workshops_fixtures"]

Clients = Callable[[User | None], Client]


def feed_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith="programmes.calendar_feed_").order_by("seq"))


def logged(event: AuditEvent) -> str:
    """Everything the event stores about the feed, as one text to search for a token."""
    shown = [event.action, event.actor_label, event.object_type, event.object_id, event.object_repr]
    return " ".join(shown) + json.dumps(event.details, cls=DjangoJSONEncoder)


def every_token() -> list[str]:
    return list(CalendarFeed.objects.values_list("token", flat=True))


def assert_no_token_logged() -> None:
    everything = " ".join(logged(event) for event in AuditEvent.objects.all())
    tokens = every_token()
    assert tokens
    for token in tokens:
        assert token not in everything


class TestTheServices:
    def test_making_a_learners_feed_is_audited_once_without_its_token(
        self, session: Session, enrolled: Enrolment, cohort: Cohort
    ) -> None:
        feed = workshops.feed_for(enrolled.learner, enrolment=enrolled)
        assert workshops.feed_for(enrolled.learner, enrolment=enrolled) == feed  # the same address: no new event
        (event,) = feed_events()
        assert event.action == "programmes.calendar_feed_created"
        assert event.actor_id == enrolled.learner.pk
        assert (event.object_type, event.object_id) == ("programmes.calendarfeed", str(feed.pk))
        assert event.organisation_id_at_event == cohort.programme.provider_id
        assert event.details == {"for": "enrolment", "cohort": str(cohort), "enrolment": enrolled.pk}
        assert_no_token_logged()

    def test_replacing_an_address_says_which_feed_it_replaced_and_logs_neither_token(
        self, session: Session, cohort_facilitator: User, cohort: Cohort
    ) -> None:
        old = workshops.feed_for(cohort_facilitator, cohort=cohort)
        new = workshops.regenerate_feed(cohort_facilitator, cohort=cohort)
        assert new.token != old.token
        old.refresh_from_db()
        assert old.revoked_at is not None
        created, replaced = feed_events()
        assert created.action == "programmes.calendar_feed_created"
        assert replaced.action == "programmes.calendar_feed_replaced"
        assert replaced.object_id == str(new.pk)
        assert replaced.details == {"for": "cohort", "cohort": str(cohort), "enrolment": None, "revoked": [old.pk]}
        assert_no_token_logged()

    def test_replacing_when_there_was_none_yet_is_audited_as_a_replacement_of_nothing(
        self, session: Session, provider_admin: User, cohort: Cohort
    ) -> None:
        feed = workshops.regenerate_feed(provider_admin, cohort=cohort)
        (event,) = feed_events()
        assert (event.action, event.object_id, event.details["revoked"]) == (
            "programmes.calendar_feed_replaced",
            str(feed.pk),
            [],
        )

    def test_stopping_an_address_is_audited_and_stopping_nothing_is_not(
        self, session: Session, enrolled: Enrolment
    ) -> None:
        feed = workshops.feed_for(enrolled.learner, enrolment=enrolled)
        assert workshops.revoke_feeds(enrolled.learner, enrolment=enrolled) == 1
        assert workshops.revoke_feeds(enrolled.learner, enrolment=enrolled) == 0
        _created, revoked = feed_events()
        assert revoked.action == "programmes.calendar_feed_revoked"
        assert revoked.object_id == str(feed.pk)
        assert revoked.details["revoked"] == [feed.pk]
        assert revoked.actor_id == enrolled.learner.pk
        assert_no_token_logged()

    def test_stopping_needs_a_cohort_or_an_enrolment_not_neither(self, enrolled: Enrolment) -> None:
        workshops.feed_for(enrolled.learner, enrolment=enrolled)
        with pytest.raises(ValueError, match="cohort or for a learner's enrolment"):
            workshops.revoke_feeds(enrolled.learner)
        assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1
        assert [event.action for event in feed_events()] == ["programmes.calendar_feed_created"]

    @pytest.mark.parametrize("who", ["other_admin", "outsider", "other_facilitator"])
    def test_someone_who_may_not_hold_the_feed_gets_none_and_nothing_is_audited(
        self, request: pytest.FixtureRequest, session: Session, cohort: Cohort, who: str
    ) -> None:
        stranger = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            workshops.feed_for(stranger, cohort=cohort)
        with pytest.raises(PermissionDenied):
            workshops.regenerate_feed(stranger, cohort=cohort)
        assert not CalendarFeed.objects.exists()
        assert feed_events() == []


class TestThroughThePage:
    def test_subscribe_replace_and_stop_each_leave_one_event(
        self, client_for: Clients, session: Session, enrolled: Enrolment
    ) -> None:
        client = client_for(enrolled.learner)
        url = reverse("programmes:calendar-subscription", kwargs={"cohort_id": session.cohort.public_id})
        for action in ("subscribe", "regenerate", "revoke"):
            assert client.post(url, {"action": action}).status_code == 302
        assert [event.action for event in feed_events()] == [
            "programmes.calendar_feed_created",
            "programmes.calendar_feed_replaced",
            "programmes.calendar_feed_revoked",
        ]
        assert {event.actor_id for event in feed_events()} == {enrolled.learner.pk}
        assert not CalendarFeed.objects.filter(revoked_at__isnull=True).exists()
        assert_no_token_logged()

    @pytest.mark.parametrize("who", REFUSED)
    def test_others_are_refused_and_nothing_is_audited(
        self, request: pytest.FixtureRequest, client_for: Clients, session: Session, who: str
    ) -> None:
        client = client_for(person(request, who))
        url = reverse("programmes:calendar-subscription", kwargs={"cohort_id": session.cohort.public_id})
        for action in ("subscribe", "regenerate", "revoke"):
            response = client.post(url, {"action": action})
            assert response.status_code in (302, 403, 404)
            if response.status_code == 302:
                assert "/accounts/login/" in response["Location"]
        assert feed_events() == []
