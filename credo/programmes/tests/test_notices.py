"""The workshop emails people expect: facilitators hear of changes and cancellations they did not make, and
learners are reminded the day before each session, once, and again if it moves."""

from __future__ import annotations

import datetime
import io
import threading
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import OperationalError, connection

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.programmes.models import Cohort, Enrolment, Session
from credo.programmes.services import enrolments, workshops
from credo.programmes.tasks import send_workshop_reminders

from .builders import nz
from .test_checkins_concurrency import Turns
from .workshops_builders import DURING_REGISTRATION, SEED_WORKSHOPS, ZOOM, details, enrol

# The shared workshop fixtures (session, enrolled, cohort_facilitator, other_cohort, ...).
pytest_plugins = ["credo.programmes.tests.workshops_fixtures"]

WORKSHOP_1_DAY, WORKSHOP_1_TOPIC = SEED_WORKSHOPS[0][1], SEED_WORKSHOPS[0][2]
#: Workshop 1 starts at 12:00 NZDT on Wednesday 3 April 2024, 23:00 UTC on the 2nd; a day before that.
THE_DAY_BEFORE = nz(2024, 4, 2, 12)


def later(topic: str = WORKSHOP_1_TOPIC, **changes: Any) -> workshops.SessionDetails:
    """Workshop 1 an hour later: 13:00-14:30."""
    fields: dict[str, Any] = {"starts": datetime.time(13, 0), "ends": datetime.time(14, 30), **changes}
    return details(WORKSHOP_1_DAY, topic, **fields)


def facilitator_of(cohort: Cohort, provider: Organisation, email: str, **fields: Any) -> User:
    person = MembershipFactory(user=UserFactory(email=email, **fields), organisation=provider, role=Role.FACILITATOR)
    cohort.facilitators.add(person.user)
    return person.user


def to(person: User) -> list[mail.EmailMessage]:
    return [message for message in mail.outbox if message.to == [person.email]]


class TestFacilitatorsHearOfChanges:
    def test_a_change_tells_the_cohorts_facilitators_what_changed_in_their_zone_too(
        self,
        provider_admin: User,
        session: Session,
        enrolled: Enrolment,
        cohort_facilitator: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        cohort_facilitator.time_zone = "Europe/London"
        cohort_facilitator.save(update_fields=["time_zone"])
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            workshops.change_session(session, actor=provider_admin, details=later())
        (message,) = to(cohort_facilitator)
        assert message.subject == f"Changed: Workshop 1: {WORKSHOP_1_TOPIC} ({session.cohort})"
        assert message.body.startswith("Kia ora Tui Facilitator,")
        assert ": ends_at, starts_at." in message.body
        assert f"Online: {ZOOM}" in message.body
        # 13:00 NZDT is midnight UTC, 01:00 in London (summer time began on 31 March).
        assert (
            "When: Wednesday 3 April, 13:00\u201314:30 NZDT (your time: Wednesday 3 April, 01:00\u201302:30 BST)"
            in message.body
        )
        assert len(to(enrolled.learner)) == 1  # the learners are told as before

    def test_a_cancellation_tells_them_why(
        self, provider_admin: User, session: Session, cohort_facilitator: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            workshops.cancel_session(session, actor=provider_admin, reason="Storm warning for Wellington")
        (message,) = to(cohort_facilitator)
        assert message.subject == f"Cancelled: Workshop 1: {WORKSHOP_1_TOPIC} ({session.cohort})"
        assert "Reason: Storm warning for Wellington" in message.body
        assert "When: Wednesday 3 April, 12:00\u201313:30 NZDT" in message.body

    def test_the_facilitator_who_made_the_change_is_not_told_of_it(
        self,
        cohort: Cohort,
        provider: Organisation,
        provider_admin: User,
        session: Session,
        cohort_facilitator: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        MembershipFactory(user=provider_admin, organisation=provider, role=Role.FACILITATOR)
        cohort.facilitators.add(provider_admin)  # an admin who also facilitates this cohort
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            workshops.change_session(session, actor=provider_admin, details=later())
            workshops.cancel_session(session, actor=provider_admin, reason="Moved online to next week")
        assert to(provider_admin) == []
        assert [message.subject.split(":")[0] for message in to(cohort_facilitator)] == ["Changed", "Cancelled"]

    def test_other_cohorts_facilitators_and_former_facilitators_are_not_told(
        self,
        cohort: Cohort,
        provider: Organisation,
        provider_admin: User,
        session: Session,
        other_facilitator: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        former = facilitator_of(cohort, provider, "former@inspiring-test.example")
        former.memberships.filter(role=Role.FACILITATOR).delete()  # the role ended; the cohort still names them
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            workshops.change_session(session, actor=provider_admin, details=later())
        assert to(former) == []
        assert to(other_facilitator) == []

    def test_a_change_of_time_clears_the_reminder_mark_and_a_change_of_topic_keeps_it(
        self, provider_admin: User, session: Session
    ) -> None:
        Session.objects.filter(pk=session.pk).update(reminder_sent_at=THE_DAY_BEFORE)
        renamed = workshops.change_session(session, actor=provider_admin, details=details(WORKSHOP_1_DAY, "New name"))
        assert renamed.reminder_sent_at == THE_DAY_BEFORE
        moved = workshops.change_session(session, actor=provider_admin, details=later(topic="New name"))
        assert moved.reminder_sent_at is None
        Session.objects.filter(pk=session.pk).update(reminder_sent_at=THE_DAY_BEFORE)
        longer = workshops.change_session(session, actor=provider_admin, details=later(ends=datetime.time(15, 0)))
        assert longer.reminder_sent_at is None


# Reminders -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def learners(cohort: Cohort, provider_admin: User, enrolled: Enrolment) -> dict[str, Enrolment]:
    """Learners in every state: applied, confirmed (Mere, in New York's zone), active, and withdrawn."""
    enrolled.learner.time_zone = "America/New_York"
    enrolled.learner.save(update_fields=["time_zone"])
    applied = enrolments.register(
        cohort=cohort,
        learner=UserFactory(email="hemi@example.org", full_name="Hemi Walker"),
        organisation_name="Hutt Valley Trust",
        organisation_type="community",
        terms_accepted=True,
        now=DURING_REGISTRATION,
    )
    active = enrolments.activate(enrol(cohort, provider_admin, "ana@example.org", "Ana Studying"), actor=provider_admin)
    withdrawn = enrol(cohort, provider_admin, "gone@example.org")
    enrolments.withdraw(withdrawn, actor=provider_admin, reason="Moved away")
    return {"applied": applied, "confirmed": enrolled, "active": active, "withdrawn": withdrawn}


def reminded(session: Session) -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if m.subject.startswith(f"Reminder: Workshop {session.number}:"))


class TestReminders:
    def test_each_learner_holding_a_place_is_reminded_once_with_both_times_and_the_link(
        self,
        session: Session,
        learners: dict[str, Enrolment],
        other_cohort: Cohort,
        provider_admin: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        elsewhere = enrol(other_cohort, provider_admin, "elsewhere@example.org")
        workshops.add_session(other_cohort, actor=provider_admin, number=1, details=details(WORKSHOP_1_DAY))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert workshops.send_reminders(now=THE_DAY_BEFORE) == 4  # three here, one in the other cohort
            assert workshops.send_reminders(now=THE_DAY_BEFORE + datetime.timedelta(hours=1)) == 0
        assert reminded(session) == ["ana@example.org", "elsewhere@example.org", "hemi@example.org", "mere@example.org"]
        assert "gone@example.org" not in [m.to[0] for m in mail.outbox]
        (to_mere,) = to(learners["confirmed"].learner)
        assert to_mere.subject == f"Reminder: Workshop 1: {WORKSHOP_1_TOPIC} (Wednesday 3 April, 12:00\u201313:30 NZDT)"
        # 23:00 UTC on the 2nd is 19:00 in New York (daylight time since 10 March).
        assert (
            "When: Wednesday 3 April, 12:00\u201313:30 NZDT (your time: Tuesday 2 April, 19:00\u201320:30 EDT)"
            in to_mere.body
        )
        assert f"Online: {ZOOM}" in to_mere.body
        (to_hemi,) = to(learners["applied"].learner)
        assert "When: Wednesday 3 April, 12:00\u201313:30 NZDT\n" in to_hemi.body  # no zone of his own: the cohort's
        session.refresh_from_db()
        assert session.reminder_sent_at == THE_DAY_BEFORE
        assert elsewhere.learner.email == "elsewhere@example.org"

    def test_a_venue_is_named_where_there_is_no_link(
        self, cohort: Cohort, provider_admin: User, enrolled: Enrolment, django_capture_on_commit_callbacks: Any
    ) -> None:
        at_the_hall = details(WORKSHOP_1_DAY, meeting_url="", venue="Newtown Community Hall, 7 Colombo Street")
        workshops.add_session(cohort, actor=provider_admin, number=1, details=at_the_hall)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            workshops.send_reminders(now=THE_DAY_BEFORE)
        (message,) = mail.outbox
        assert "Where: Newtown Community Hall, 7 Colombo Street" in message.body
        assert "Online:" not in message.body

    @pytest.mark.parametrize(
        "now",
        [
            THE_DAY_BEFORE - datetime.timedelta(seconds=1),  # more than 24 hours ahead
            nz(2024, 4, 3, 12),  # started
        ],
    )
    def test_only_sessions_starting_within_24_hours_are_reminded(
        self, session: Session, enrolled: Enrolment, now: datetime.datetime
    ) -> None:
        assert workshops.send_reminders(now=now) == 0
        session.refresh_from_db()
        assert session.reminder_sent_at is None

    def test_a_cancelled_session_is_not_reminded(
        self, provider_admin: User, session: Session, enrolled: Enrolment
    ) -> None:
        workshops.cancel_session(session, actor=provider_admin, reason="Storm")
        assert workshops.send_reminders(now=THE_DAY_BEFORE) == 0

    def test_a_session_moved_after_its_reminder_is_reminded_again_before_its_new_time(
        self, provider_admin: User, session: Session, enrolled: Enrolment, django_capture_on_commit_callbacks: Any
    ) -> None:
        assert workshops.send_reminders(now=THE_DAY_BEFORE) == 1
        next_week = datetime.date(2024, 4, 10)
        workshops.change_session(session, actor=provider_admin, details=details(next_week, WORKSHOP_1_TOPIC))
        assert workshops.send_reminders(now=THE_DAY_BEFORE + datetime.timedelta(hours=2)) == 0  # not due yet
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert workshops.send_reminders(now=nz(2024, 4, 9, 13)) == 1
            assert workshops.send_reminders(now=nz(2024, 4, 9, 14)) == 0
        (message,) = mail.outbox
        assert "When: Wednesday 10 April, 12:00\u201313:30 NZST" in message.body  # NZ daylight time ended 7 April

    def test_the_task_takes_the_clock_as_text(
        self, session: Session, enrolled: Enrolment, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert send_workshop_reminders.enqueue(now=THE_DAY_BEFORE.isoformat()).return_value == 1
            assert send_workshop_reminders.enqueue(now=THE_DAY_BEFORE.isoformat()).return_value == 0
        assert reminded(session) == ["mere@example.org"]


def test_one_command_queues_every_periodic_reminder(
    session: Session, enrolled: Enrolment, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: THE_DAY_BEFORE)
    mail.outbox.clear()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split(" (task")[0] for line in lines] == [
        "Queued the reminders for 1:1 check-ins",
        "Queued the reminders for workshops",
        "Queued the reminders for invoices due",
        "Queued the closing of waiting lists once study starts",
        # Registered by other apps in credo.core.periodic (programmes does not import them).
        "Queued the deletion of export files whose time is up",
        "Queued the reminders for attestation links about to expire",
        "Queued the expiry of attestation links past their date",
        "Queued the issuing of credentials for attainments that have none yet",
    ]
    assert reminded(session) == ["mere@example.org"]
    assert Session.objects.get(pk=session.pk).reminder_sent_at == THE_DAY_BEFORE


def test_the_check_in_command_still_queues_only_check_in_reminders(session: Session, enrolled: Enrolment) -> None:
    out = io.StringIO()
    call_command("send_check_in_reminders", stdout=out)
    assert out.getvalue().startswith("Queued the check-in reminders")


# Two workers at once -------------------------------------------------------------------------------------------------


def _remind_waiting_for_the_writer(turns: Turns) -> int | str:
    """As a worker would: on SQLite a busy writer is reported at once, so try again after the other's attempt."""
    for _attempt in range(200):
        seen = turns.ended
        try:
            return workshops.send_reminders(now=THE_DAY_BEFORE)
        except OperationalError as busy:
            if connection.vendor != "sqlite" or "locked" not in str(busy):
                raise
            turns.end_one()
            turns.wait_for_another(seen + 1)
    return "gave up waiting for the other writer"


def test_two_workers_at_once_remind_each_learner_once(
    committed_db: None,
    cohort: Cohort,
    provider_admin: User,
) -> None:
    """PostgreSQL: the second worker waits on the session's row lock, then finds it reminded."""
    for number, email in enumerate(["mere@example.org", "hemi@example.org", "ana@example.org"], start=1):
        enrol(cohort, provider_admin, email)
        day = WORKSHOP_1_DAY if number == 1 else SEED_WORKSHOPS[number - 1][1]
        workshops.add_session(cohort, actor=provider_admin, number=number, details=details(day, f"Topic {number}"))
    mail.outbox.clear()
    start = threading.Barrier(2)
    turns = Turns()
    outcomes: list[int | str] = []

    def work() -> None:
        try:
            start.wait(timeout=10)
            outcomes.append(_remind_waiting_for_the_writer(turns))
        finally:
            turns.end_one()
            connection.close()  # the thread's own connection

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes, key=str) == [0, 3]  # workshop 1 only: three learners, reminded by one worker
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "hemi@example.org", "mere@example.org"]
    assert Session.objects.filter(reminder_sent_at__isnull=False).count() == 1
