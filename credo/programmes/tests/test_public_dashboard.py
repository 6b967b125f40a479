"""The learner's own pages: their programmes, the timeline, study hours, invoices, support and withdrawal."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent
from credo.programmes.models import (
    Cohort,
    Enrolment,
    EnrolmentState,
    FundingRequest,
    InvoiceState,
    Session,
    StudyLogEntry,
    SupportDecision,
)
from credo.programmes.services import enrolments, funding

from .builders import nz

MID_STUDY = nz(2024, 5, 1, 12)


def freeze(monkeypatch: pytest.MonkeyPatch, moment: datetime.datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


@pytest.fixture
def enrolment(cohort: Cohort, applicant: User) -> Enrolment:
    return enrolments.register(
        cohort=cohort,
        learner=applicant,
        organisation_name="Wellington City Council",
        organisation_type="local_government",
        terms_accepted=True,
        now=nz(2024, 2, 1, 10),
    )


def add_workshops(cohort: Cohort, count: int) -> None:
    for number in range(1, count + 1):
        starts = nz(2024, 4, 10, 12) + datetime.timedelta(weeks=number - 1)
        Session.objects.create(
            cohort=cohort,
            number=number,
            topic=f"Topic {number}",
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=90),
        )


def page(enrolment: Enrolment) -> str:
    return f"/programmes/my/{enrolment.pk}/"


class TestTheLearnersPages:
    def test_my_programmes_lists_only_my_enrolments(
        self, enrolment: Enrolment, client_for: Callable[[User | None], Client]
    ) -> None:
        stranger = client_for(UserFactory()).get("/programmes/my/").content.decode()
        mine = client_for(enrolment.learner).get("/programmes/my/").content.decode()
        assert page(enrolment) in mine
        assert page(enrolment) not in stranger
        assert "You have not registered for a programme yet." in stranger

    def test_the_enrolment_page_shows_the_timeline_progress_and_invoices(
        self,
        cohort: Cohort,
        enrolment: Enrolment,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        add_workshops(cohort, 4)
        StudyLogEntry.objects.create(enrolment=enrolment, day=datetime.date(2024, 4, 20), hours=Decimal("3"))
        freeze(monkeypatch, MID_STUDY)
        text = client_for(enrolment.learner).get(page(enrolment)).content.decode()
        invoice = enrolment.invoices.get()
        for expected in (
            # still to come at noon; marked up so the browser adds the viewer's own time (no zone on the profile)
            'Workshop 4: Topic 4, <time class="local-time"',
            'data-zone="Pacific/Auckland">Wednesday 1 May, 12:00\u201313:30 NZST</time>',
            "0 used, 2 left of 2",
            "Saturday 31 August 2024, 11:59 PM (Pacific/Auckland)",
            "1 September 2024 to 31 October 2024",
            "3 h logged of the 8.2 h expected by now (2 h a week over 4.1 weeks): 5.2 h behind.",
            '<progress max="8.2" value="3.00"',
            "The guideline is 2 h a week: 43.2 h over the whole study period.",
            'name="day" value="2024-05-01"',  # today in Auckland, as a date input needs it
            f'href="/programmes/invoices/{invoice.pk}.pdf"',
            "NZD 746.35",
            "Ask for support",
            "Withdraw",
        ):
            assert expected in text, expected

    def test_the_page_keeps_a_fixed_number_of_queries_however_long_the_log(
        self,
        cohort: Cohort,
        enrolment: Enrolment,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, MID_STUDY)
        client = client_for(enrolment.learner)
        add_workshops(cohort, 1)
        StudyLogEntry.objects.create(enrolment=enrolment, day=datetime.date(2024, 4, 3), hours=Decimal("1"))
        client.get(page(enrolment))  # the session and user are loaded once
        with CaptureQueriesContext(connection) as few:
            assert client.get(page(enrolment)).status_code == 200
        Session.objects.filter(cohort=cohort).delete()
        add_workshops(cohort, 12)
        for offset in range(25):
            StudyLogEntry.objects.create(
                enrolment=enrolment, day=datetime.date(2024, 4, 3) + datetime.timedelta(days=offset), hours=Decimal(1)
            )
        funding.request_support(enrolment, actor=enrolment.learner, kind="payment_plan", explanation="Tight month")
        with CaptureQueriesContext(connection) as many:
            assert client.get(page(enrolment)).status_code == 200
        assert len(many) == len(few)


class TestLoggingHours:
    def test_the_learner_logs_hours(
        self, enrolment: Enrolment, client_for: Callable[[User | None], Client], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, MID_STUDY)
        response = client_for(enrolment.learner).post(
            f"{page(enrolment)}log-hours/", {"day": "2024-04-30", "hours": "1.5", "note": "Reflection"}, follow=True
        )
        assert "Logged 1.5 h on 30 April 2024." in response.content.decode()
        entry = StudyLogEntry.objects.get()
        assert (entry.day, entry.hours, entry.note) == (datetime.date(2024, 4, 30), Decimal("1.5"), "Reflection")

    def test_a_future_day_is_refused_saying_why(
        self, enrolment: Enrolment, client_for: Callable[[User | None], Client], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, MID_STUDY)
        response = client_for(enrolment.learner).post(f"{page(enrolment)}log-hours/", {"day": "2024-05-02", "hours": 1})
        assert response.status_code == 422
        assert "The day cannot be in the future: today is 1 May 2024" in response.content.decode()
        assert not StudyLogEntry.objects.exists()


class TestAskingForSupport:
    def test_the_learner_asks_and_later_sees_the_decision(
        self,
        enrolment: Enrolment,
        provider_admin: User,
        client_for: Callable[[User | None], Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, MID_STUDY)
        client = client_for(enrolment.learner)
        response = client.post(
            f"{page(enrolment)}fee-support/", {"kind": "reduced_fee", "explanation": "Our trust is volunteer-run."}
        )
        assert response.status_code == 302
        request = FundingRequest.objects.get()
        assert (request.kind, request.decision) == ("reduced_fee", SupportDecision.PENDING)
        assert "A reduced fee</strong>: Waiting for a decision" in client.get(page(enrolment)).content.decode()
        funding.decide_support(request, actor=provider_admin, approve=True, note="Glad to help.", reduced_amount="300")
        text = client.get(page(enrolment)).content.decode()
        assert "A reduced fee</strong>: Approved (fee NZD 300.00 before tax). Glad to help." in text
        assert "NZD 345.00" in text  # the replacement invoice

    def test_asking_twice_for_the_same_help_is_refused(
        self, enrolment: Enrolment, client_for: Callable[[User | None], Client], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, MID_STUDY)
        client = client_for(enrolment.learner)
        form = {"kind": "payment_plan", "explanation": "Monthly would help."}
        client.post(f"{page(enrolment)}fee-support/", form)
        response = client.post(f"{page(enrolment)}fee-support/", form)
        assert response.status_code == 422
        assert "You already have a request for a payment plan waiting." in response.content.decode()
        assert FundingRequest.objects.count() == 1


class TestWithdrawing:
    def test_the_learner_withdraws_and_the_unpaid_invoice_is_cancelled(
        self, enrolment: Enrolment, client_for: Callable[[User | None], Client], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, MID_STUDY)
        client = client_for(enrolment.learner)
        reference = enrolment.invoices.get().reference
        asked = client.post(f"{page(enrolment)}withdraw/", {"reason": "New job overseas"})
        assert asked.status_code == 200  # first, what it will do: nothing has changed yet
        text = asked.content.decode()
        assert f"You give up your place in {enrolment.cohort}." in text
        assert f"Your unpaid invoice {reference}: cancelled." in text
        assert "This cannot be undone." in text
        assert 'class="danger">Withdraw from' in text
        assert 'name="confirmed" value="yes"' in text
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED
        assert enrolment.invoices.get().state == InvoiceState.ISSUED

        confirmed = {"reason": "New job overseas", "confirmed": "yes"}
        assert client.post(f"{page(enrolment)}withdraw/", confirmed).status_code == 302
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.WITHDRAWN
        assert enrolment.invoices.get().state == InvoiceState.CANCELLED
        text = client.get(page(enrolment)).content.decode()
        assert "Log hours</button>" not in text
        assert "Withdraw…</button>" not in text

    def test_a_withdrawal_needs_a_reason(
        self, enrolment: Enrolment, client_for: Callable[[User | None], Client], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, MID_STUDY)
        response = client_for(enrolment.learner).post(
            f"{page(enrolment)}withdraw/", {"reason": " ", "confirmed": "yes"}
        )
        assert response.status_code == 422
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED


ACTIONS = [
    ("log-hours/", {"day": "2024-04-30", "hours": "1"}),
    ("fee-support/", {"kind": "reduced_fee", "explanation": "Please"}),
    ("withdraw/", {"reason": "Not mine to withdraw", "confirmed": "yes"}),
]


class TestEveryoneElseIsRefused:
    @pytest.mark.parametrize("who", ["another_learner", "outsider", "learner", "facilitator", "provider_admin"])
    def test_nobody_else_sees_a_learners_page(
        self,
        who: str,
        enrolment: Enrolment,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        user = UserFactory() if who == "another_learner" else request.getfixturevalue(who)
        client = client_for(user)
        assert client.get(page(enrolment)).status_code == 404
        assert client.get(f"{page(enrolment)}registered/").status_code == 404

    @pytest.mark.parametrize(("action", "form"), ACTIONS)
    @pytest.mark.parametrize("who", ["another_learner", "outsider", "provider_admin"])
    def test_nobody_else_changes_anything(
        self,
        who: str,
        action: str,
        form: dict[str, str],
        enrolment: Enrolment,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, MID_STUDY)
        user = UserFactory() if who == "another_learner" else request.getfixturevalue(who)
        events = AuditEvent.objects.count()
        assert client_for(user).post(f"{page(enrolment)}{action}", form).status_code == 404
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED
        assert not StudyLogEntry.objects.exists()
        assert not FundingRequest.objects.exists()
        assert AuditEvent.objects.count() == events

    @pytest.mark.parametrize("url", ["/programmes/my/", "/programmes/my/1/", "/programmes/my/1/registered/"])
    def test_anonymous_visitors_are_sent_to_sign_in(self, url: str, client: Client) -> None:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    @pytest.mark.parametrize(("action", "form"), ACTIONS)
    def test_anonymous_posts_change_nothing(
        self, action: str, form: dict[str, str], enrolment: Enrolment, client: Client
    ) -> None:
        assert client.post(f"{page(enrolment)}{action}", form).status_code == 302
        assert not StudyLogEntry.objects.exists()
        assert not FundingRequest.objects.exists()
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED
