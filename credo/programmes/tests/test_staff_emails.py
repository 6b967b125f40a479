"""The emails people expect when staff act: a withdrawal staff made, a workshop added, a reduced fee's new invoice,
a check-in cancelled by staff (with their reason), and the waiting list closed once study starts."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Organisation, User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent
from credo.programmes.models import CheckInBooking, Cohort, Enrolment, EnrolmentState, InvoiceState, Programme
from credo.programmes.services import checkins, cohorts, enrolments, funding, waiting_list, workshops
from credo.programmes.tasks import close_waiting_lists

from .builders import AUCKLAND, cohort_2024, nz
from .checkins_builders import NOW, CheckIns, check_ins, facilitator_of
from .staff_helpers import DURING, register
from .workshops_builders import SEED_WORKSHOPS, details, enrol

pytest_plugins = ["credo.programmes.tests.workshops_fixtures"]

SITE = "https://credo.example"
SignIn = Callable[[User | None], Client]


@pytest.fixture(autouse=True)
def site(settings: Any) -> None:
    settings.SITE_URL = SITE


def sent_to(email: str) -> list[Any]:
    return [message for message in mail.outbox if email in message.to]


def name_of(user: User) -> str:
    return user.full_name or user.email


# Withdrawals ---------------------------------------------------------------------------------------------------------


class TestWithdrawalWording:
    def test_a_learner_who_withdraws_reads_that_they_withdrew(
        self, cohort: Cohort, applicant: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        enrolment = register(cohort, applicant)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            enrolments.withdraw(enrolment, actor=applicant, reason="A new job overseas")
        (message,) = sent_to(applicant.email)
        assert message.subject == f"You have withdrawn from {cohort}"
        assert "Your withdrawal is recorded: A new job overseas" in message.body
        assert "has withdrawn you" not in message.body

    def test_a_learner_withdrawn_by_staff_reads_who_withdrew_them_and_why(
        self, cohort: Cohort, applicant: User, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        enrolment = register(cohort, applicant)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            enrolments.withdraw(enrolment, actor=provider_admin, reason="Asked us by phone")
        (message,) = sent_to(applicant.email)
        assert message.subject == f"You have been withdrawn from {cohort}"
        assert f"{name_of(provider_admin)} has withdrawn you from {cohort}: Asked us by phone" in message.body
        assert "You have withdrawn" not in message.body
        assert "Your withdrawal is recorded" not in message.body

    def test_the_facilitators_read_that_staff_withdrew_the_learner(
        self,
        cohort: Cohort,
        applicant: User,
        provider_admin: User,
        cohort_facilitator: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        enrolment = register(cohort, applicant)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            enrolments.withdraw(enrolment, actor=provider_admin, reason="Asked us by phone")
        (message,) = sent_to(cohort_facilitator.email)
        expected = f"{name_of(provider_admin)} has withdrawn Aroha Te Whare (aroha@example.org) from {cohort}."
        assert expected in message.body
        assert "Reason: Asked us by phone" in message.body


# A workshop added ----------------------------------------------------------------------------------------------------


class TestAWorkshopAdded:
    def test_learners_holding_a_place_hear_of_it_in_their_zone_and_the_cohorts_with_the_ics_address(
        self,
        cohort: Cohort,
        provider_admin: User,
        enrolled: Enrolment,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        enrolled.learner.time_zone = "Europe/London"
        enrolled.learner.save(update_fields=["time_zone"])
        at_home = enrol(cohort, provider_admin, "rangi@example.org", "Rangi Parata")  # no zone of their own
        gone = enrol(cohort, provider_admin, "gone@example.org", "Gone Learner")
        enrolments.withdraw(gone, actor=gone.learner, reason="Moved away")
        mail.outbox.clear()
        number, day, topic = SEED_WORKSHOPS[0]
        with django_capture_on_commit_callbacks(execute=True):
            session = workshops.add_session(cohort, actor=provider_admin, number=number, details=details(day, topic))
        ics = f"{SITE}/programmes/sessions/{session.public_id}.ics"
        assert ics == SITE + reverse("programmes:session-ics", kwargs={"session_id": session.public_id})

        (message,) = sent_to("mere@example.org")
        assert message.subject == (
            "New workshop: Workshop 1: Exploring community-led development frameworks "
            "(Wednesday 3 April, 12:00\u201313:30 NZDT)"
        )
        # 3 April 2024: New Zealand is still on daylight time (UTC+13), the UK already on summer time (UTC+1).
        expected = "When: Wednesday 3 April, 12:00\u201313:30 NZDT (your time: Wednesday 3 April, 00:00\u201301:30 BST)"
        assert expected in message.body
        assert "Online: https://zoom.example/j/123" in message.body
        assert f"Add it to your calendar: {ics}" in message.body

        (plain,) = sent_to(at_home.learner.email)
        assert "When: Wednesday 3 April, 12:00\u201313:30 NZDT\n" in plain.body
        assert "your time" not in plain.body
        assert sent_to(gone.learner.email) == []

    def test_nobody_is_told_of_a_workshop_that_was_refused(
        self, cohort: Cohort, provider_admin: User, enrolled: Enrolment, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
            workshops.add_session(
                cohort, actor=provider_admin, number=1, details=details(datetime.date(2024, 4, 3), topic=" ")
            )
        assert mail.outbox == []


# A reduced fee -------------------------------------------------------------------------------------------------------


class TestAReducedFee:
    def test_the_decision_names_the_new_invoice_attaches_it_and_says_the_old_one_is_cancelled(
        self,
        cohort: Cohort,
        applicant: User,
        provider_admin: User,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: DURING)
        enrolment = register(cohort, applicant, organisation_type="volunteer_group")
        request = funding.request_support(
            enrolment, actor=applicant, kind="reduced_fee", explanation="Our group has no budget this year."
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            funding.decide_support(
                request,
                actor=provider_admin,
                approve=True,
                note="Approved from the hardship fund.",
                reduced_amount="300",
            )
        old = enrolment.invoices.get(number=1)
        new = enrolment.invoices.get(number=2)
        assert (old.state, new.state, new.total) == (InvoiceState.CANCELLED, InvoiceState.ISSUED, Decimal("345.00"))
        (message,) = sent_to(applicant.email)
        assert message.subject == "Your request for a reduced fee: approved"
        assert "Approved from the hardship fund." in message.body
        # Registered on 1 February 2024; the new invoice is issued the same day, due 20 days on.
        assert (
            f"Your new invoice is {new.reference}: NZD 345.00 including GST, due 21 February 2024. It is attached."
            in message.body
        )
        assert f"The earlier invoice {old.reference} is cancelled: do not pay it." in message.body
        assert f"Quote reference {new.reference} when you pay." in message.body
        ((filename, content, mimetype),) = message.attachments
        assert (filename, mimetype) == (f"Invoice-{new.reference}.pdf", "application/pdf")
        assert content.startswith(b"%PDF")

    def test_a_declined_reduced_fee_names_no_invoice(
        self, cohort: Cohort, applicant: User, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        enrolment = register(cohort, applicant)
        request = funding.request_support(enrolment, actor=applicant, kind="reduced_fee", explanation="Tight year.")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            funding.decide_support(request, actor=provider_admin, approve=False, note="The fund is spent this year.")
        (message,) = sent_to(applicant.email)
        assert message.subject == "Your request for a reduced fee: declined"
        assert "new invoice" not in message.body
        assert "cancelled" not in message.body
        assert message.attachments == []


# A check-in cancelled by staff ---------------------------------------------------------------------------------------


@pytest.fixture
def world(cohort: Cohort, provider_admin: User, provider: Organisation, monkeypatch: pytest.MonkeyPatch) -> CheckIns:
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    return check_ins(cohort, provider_admin, provider)


def cancel_url(world: CheckIns, booking: CheckInBooking) -> str:
    return reverse("programmes:checkins-staff-cancel", args=[world.cohort.public_id, booking.pk])


class TestStaffCancellingACheckIn:
    def test_the_staff_page_links_to_a_confirmation_rather_than_cancelling_at_once(
        self, world: CheckIns, client_for: SignIn
    ) -> None:
        booking = world.book(world.aroha, 0)
        page = client_for(world.facilitator).get(f"/programmes/cohorts/{world.cohort.public_id}/check-ins/")
        assert f'<a href="{cancel_url(world, booking)}">Cancel booking' in page.content.decode()
        confirm = client_for(world.facilitator).get(cancel_url(world, booking))
        text = confirm.content.decode()
        assert confirm.status_code == 200
        assert "Cancel this check-in?" in text
        assert "aroha@example.org" in text
        assert 'name="reason"' in text
        booking.refresh_from_db()
        assert booking.cancelled_at is None  # looking is not cancelling

    def test_the_reason_goes_to_the_learner_the_facilitator_and_the_audit_log(
        self, world: CheckIns, client_for: SignIn, django_capture_on_commit_callbacks: Any
    ) -> None:
        booking = world.book(world.aroha, 0)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(world.admin).post(cancel_url(world, booking), {"reason": "  Tui is unwell  "})
        assert response.status_code == 302
        booking.refresh_from_db()
        assert (booking.cancelled_at, booking.cancelled_by) == (NOW, world.admin)
        for email in ("aroha@example.org", world.facilitator.email):
            (message,) = sent_to(email)
            assert f"A 1:1 check-in was cancelled by {name_of(world.admin)}." in message.body
            assert "Reason: Tui is unwell\n" in message.body
        event = AuditEvent.objects.filter(action="programmes.check_in_cancelled").get()
        assert event.details["reason"] == "Tui is unwell"

    def test_without_a_reason_the_emails_carry_no_reason_line(
        self, world: CheckIns, client_for: SignIn, django_capture_on_commit_callbacks: Any
    ) -> None:
        booking = world.book(world.aroha, 0)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            client_for(world.facilitator).post(cancel_url(world, booking), {"reason": ""})
        (message,) = sent_to("aroha@example.org")
        assert "was cancelled by" in message.body
        assert "Reason:" not in message.body

    def test_a_refusal_by_the_service_is_shown_on_the_confirmation_page(
        self, world: CheckIns, client_for: SignIn, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        booking = world.book(world.aroha, 0)
        monkeypatch.setattr("django.utils.timezone.now", lambda: booking.slot.starts_at)
        response = client_for(world.admin).post(cancel_url(world, booking), {"reason": "Late"})
        assert response.status_code == 422
        assert "This check-in has started; it can no longer be cancelled." in response.content.decode()
        booking.refresh_from_db()
        assert booking.cancelled_at is None

    def test_a_reason_longer_than_500_characters_is_refused(self, world: CheckIns, client_for: SignIn) -> None:
        booking = world.book(world.aroha, 0)
        response = client_for(world.admin).post(cancel_url(world, booking), {"reason": "x" * 501})
        assert response.status_code == 422
        booking.refresh_from_db()
        assert booking.cancelled_at is None

    def test_the_learner_cancelling_their_own_still_works_without_a_reason(
        self, world: CheckIns, django_capture_on_commit_callbacks: Any
    ) -> None:
        booking = world.book(world.aroha, 0)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            checkins.cancel(booking, actor=world.aroha.learner)
        (message,) = sent_to("aroha@example.org")
        assert "A 1:1 check-in was cancelled by You." in message.body
        assert "Reason:" not in message.body

    @pytest.mark.parametrize(
        "who", ["anonymous", "outsider", "the learner", "other cohort's facilitator", "other admin"]
    )
    def test_others_cannot_see_the_confirmation_or_cancel(
        self,
        who: str,
        world: CheckIns,
        client_for: SignIn,
        request: pytest.FixtureRequest,
        provider: Organisation,
        programme: Programme,
    ) -> None:
        booking = world.book(world.aroha, 0)
        people: dict[str, Callable[[], User | None]] = {
            "anonymous": lambda: None,
            "outsider": lambda: request.getfixturevalue("outsider"),
            "the learner": lambda: world.aroha.learner,
            "other cohort's facilitator": lambda: facilitator_of(
                cohort_2024(world.admin, programme, slug="2024b", name="2024 second intake"),
                provider,
                "kahu@inspiring-test.example",
            ),
            "other admin": lambda: request.getfixturevalue("other_admin"),
        }
        client = client_for(people[who]())
        before = AuditEvent.objects.count()
        for response in (client.get(cancel_url(world, booking)), client.post(cancel_url(world, booking), {})):
            if who == "anonymous":
                assert response.status_code == 302
                assert "login" in response["Location"]
            else:
                assert response.status_code in (403, 404)
        booking.refresh_from_db()
        assert booking.cancelled_at is None
        assert AuditEvent.objects.count() == before


# The waiting list once study starts ----------------------------------------------------------------------------------

BEFORE_STUDY = nz(2024, 4, 2, 23, 59)
STUDY_STARTED = nz(2024, 4, 3, 0, 0)


@pytest.fixture
def full_cohort(provider_admin: User, programme: Programme) -> Cohort:
    """The 2024 intake with one place: Aroha holds it; Mere and Rua wait."""
    small = cohort_2024(provider_admin, programme, name="2024 small intake", slug="2024-small", capacity=1)
    register(small, UserFactory(email="aroha@example.org", full_name="Aroha Te Whare"))
    for email, name in (("mere@example.org", "Mere Parata"), ("rua@example.org", "Rua Kahu")):
        register(small, UserFactory(email=email, full_name=name))
    return small


@pytest.fixture
def next_intake(provider_admin: User, programme: Programme) -> Cohort:
    """A later intake of the same programme, taking registrations when the small one starts."""
    return cohort_2024(
        provider_admin,
        programme,
        name="2024 spring intake",
        slug="2024-spring",
        registration_opens=nz(2024, 3, 1, 9),
        registration_closes=cohorts.end_of_day(datetime.date(2024, 7, 31), AUCKLAND),
        study_starts=datetime.date(2024, 8, 7),
        study_ends=datetime.date(2024, 12, 20),
        submission_deadline=cohorts.end_of_day(datetime.date(2024, 12, 20), AUCKLAND),
        assessment_starts=datetime.date(2025, 1, 10),
        assessment_ends=datetime.date(2025, 2, 28),
    )


def states_of(cohort: Cohort) -> dict[str, str]:
    return dict(cohort.enrolments.values_list("learner__email", "state"))


class TestClosingTheWaitingList:
    def test_before_study_starts_the_list_stays_open(self, full_cohort: Cohort, provider_admin: User) -> None:
        before = (states_of(full_cohort), AuditEvent.objects.count())
        with pytest.raises(ValidationError, match="starts on 3 April 2024"):
            waiting_list.close_waiting_list(full_cohort, actor=provider_admin, now=BEFORE_STUDY)
        assert (states_of(full_cohort), AuditEvent.objects.count()) == before

    def test_once_study_starts_the_waiting_are_withdrawn_and_pointed_to_the_next_intake(
        self,
        full_cohort: Cohort,
        next_intake: Cohort,
        provider_admin: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            withdrawn = waiting_list.close_waiting_list(full_cohort, actor=provider_admin, now=STUDY_STARTED)
        assert [enrolment.learner.email for enrolment in withdrawn] == ["mere@example.org", "rua@example.org"]
        assert states_of(full_cohort) == {
            "aroha@example.org": EnrolmentState.APPLIED,  # holds the place: untouched
            "mere@example.org": EnrolmentState.WITHDRAWN,
            "rua@example.org": EnrolmentState.WITHDRAWN,
        }
        events = AuditEvent.objects.filter(action="programmes.enrolment_withdrawn")
        assert [event.details["reason"] for event in events] == [waiting_list.NO_PLACE] * 2
        assert {event.details["from"] for event in events} == {EnrolmentState.WAITLISTED}
        assert sent_to("aroha@example.org") == []
        link = SITE + reverse("programmes:cohort", args=["inspiring-test", "cld-facilitation", "2024-spring"])
        for email, name in (("mere@example.org", "Mere Parata"), ("rua@example.org", "Rua Kahu")):
            (message,) = sent_to(email)
            assert message.subject == f"No place opened in {full_cohort}"
            assert message.body.startswith(f"Kia ora {name},")
            assert "no place opened before study started on 3 April 2024" in message.body
            assert "There is nothing to pay." in message.body
            assert "Registration is open for the next intake, 2024 spring intake, until 31 July 2024:" in message.body
            assert link in message.body
        # Nobody waits any more: running it again withdraws nobody and tells nobody.
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert waiting_list.close_waiting_list(full_cohort, actor=provider_admin, now=STUDY_STARTED) == []
        assert mail.outbox == []

    def test_without_a_next_intake_they_are_pointed_to_the_programme_page(
        self, full_cohort: Cohort, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            waiting_list.close_waiting_list(full_cohort, actor=provider_admin, now=STUDY_STARTED)
        (message,) = sent_to("mere@example.org")
        programme_page = SITE + reverse("programmes:programme", args=["inspiring-test", "cld-facilitation"])
        assert f"We will announce the next intake on the programme's page: {programme_page}" in message.body
        assert "Registration is open" not in message.body

    @pytest.mark.parametrize("who", ["cohort_facilitator", "other_admin", "outsider"])
    def test_only_the_providers_programme_admins_close_it(
        self, who: str, full_cohort: Cohort, request: pytest.FixtureRequest
    ) -> None:
        actor = request.getfixturevalue(who)
        before = (states_of(full_cohort), AuditEvent.objects.count())
        with pytest.raises(PermissionDenied):
            waiting_list.close_waiting_list(full_cohort, actor=actor, now=STUDY_STARTED)
        assert (states_of(full_cohort), AuditEvent.objects.count()) == before

    def test_the_task_closes_every_started_cohort_once_and_leaves_the_rest(
        self,
        full_cohort: Cohort,
        provider_admin: User,
        programme: Programme,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        later = cohort_2024(
            provider_admin, programme, name="2024 later intake", slug="2024-later", capacity=1,
            study_starts=datetime.date(2024, 4, 10),
        )  # fmt: skip
        register(later, UserFactory(email="holder@example.org"))
        register(later, UserFactory(email="waiting-later@example.org"))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert close_waiting_lists.enqueue(now=BEFORE_STUDY.isoformat()).return_value == 0
            assert close_waiting_lists.enqueue(now=STUDY_STARTED.isoformat()).return_value == 2
            assert close_waiting_lists.enqueue(now=STUDY_STARTED.isoformat()).return_value == 0
        assert sorted(m.to[0] for m in mail.outbox) == ["mere@example.org", "rua@example.org"]
        assert states_of(later)["waiting-later@example.org"] == EnrolmentState.WAITLISTED
        event = AuditEvent.objects.filter(action="programmes.enrolment_withdrawn").first()
        assert event is not None
        assert (event.actor_id, event.actor_label) == (None, waiting_list.TASK_ACTOR)

    def test_the_periodic_command_queues_it(
        self, full_cohort: Cohort, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
    ) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: STUDY_STARTED)
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", stdout=out)
        assert "Queued the closing of waiting lists once study starts (task " in out.getvalue()
        assert states_of(full_cohort)["mere@example.org"] == EnrolmentState.WITHDRAWN
