"""Each move of an enrolment that a learner would expect to hear about sends them an email that says what happened
and what to do next."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort, EnrolmentState, FundingRequest, Programme, Session, SupportKind
from credo.programmes.services import enrolments, funding

from .builders import cohort_2024, nz
from .staff_helpers import PAID_ON, register, register_many


def emails_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if address in message.to]


class TestStartingStudy:
    def test_starting_study_tells_the_learner_the_first_workshop_and_where_to_book(
        self, cohort: Cohort, applicant: User, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        Session.objects.create(
            cohort=cohort, number=1, topic="Introductions", starts_at=nz(2024, 4, 3, 12), ends_at=nz(2024, 4, 3, 13, 30)
        )
        enrolment = register(cohort, applicant)
        enrolments.record_payment(enrolment.invoices.get(), actor=provider_admin, paid_on=PAID_ON)
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            enrolments.activate(enrolment, actor=provider_admin)

        (email,) = emails_to(applicant.email)
        assert email.subject == f"Study has started: {cohort}"
        assert "The first workshop is Introductions, on Wednesday 3 April at 12:00 (Pacific/Auckland)." in email.body
        assert f"/programmes/my/{enrolment.pk}/check-ins/" in email.body

    def test_staff_start_study_for_every_confirmed_learner_at_once(
        self, cohort: Cohort, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        paid, unpaid, also_paid = register_many(cohort, 3)
        for enrolment in (paid, also_paid):
            enrolments.record_payment(enrolment.invoices.get(), actor=provider_admin, paid_on=PAID_ON)
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            started = enrolments.activate_all_confirmed(cohort, actor=provider_admin)

        assert [e.pk for e in started] == [paid.pk, also_paid.pk]
        unpaid.refresh_from_db()
        assert unpaid.state == EnrolmentState.APPLIED
        assert sorted(m.to[0] for m in mail.outbox) == ["learner0@example.org", "learner2@example.org"]
        assert AuditEvent.objects.filter(action="programmes.enrolment_active").count() == 2

    @pytest.mark.parametrize("who", ["facilitator", "outsider", "applicant"])
    def test_only_the_providers_programme_admins_start_study(
        self, cohort: Cohort, provider_admin: User, who: str, request: pytest.FixtureRequest
    ) -> None:
        (enrolment,) = register_many(cohort, 1)
        enrolments.record_payment(enrolment.invoices.get(), actor=provider_admin, paid_on=PAID_ON)
        with pytest.raises(PermissionDenied):
            enrolments.activate_all_confirmed(cohort, actor=request.getfixturevalue(who))
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.CONFIRMED


class TestOtherMoves:
    def test_confirmation_and_lapse_are_emailed_with_the_reason(
        self, cohort: Cohort, applicant: User, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        enrolment = register(cohort, applicant)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            enrolments.confirm(enrolment, actor=provider_admin, reason="Council purchase order received")
        with django_capture_on_commit_callbacks(execute=True):
            enrolments.lapse(enrolment, actor=provider_admin, reason="No submission by the deadline")
        confirmed, lapsed = emails_to(applicant.email)
        assert confirmed.subject == f"Your place in {cohort} is confirmed"
        assert "Council purchase order received" in confirmed.body
        assert lapsed.subject == f"Your enrolment in {cohort} has lapsed"
        assert "No submission by the deadline. Talk to us about what next." in lapsed.body


@pytest.mark.usefixtures("during_2024_intake")
class TestDeferring:
    def test_an_unpaid_learner_is_told_which_invoice_replaces_the_old_one(
        self,
        cohort: Cohort,
        applicant: User,
        provider_admin: User,
        programme: Programme,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        later = cohort_2024(provider_admin, programme, slug="2025", name="2025 intake")
        enrolment = register(cohort, applicant)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            new = enrolments.defer(enrolment, actor=provider_admin, to=later, reason="Busy this year")
        (email,) = emails_to(applicant.email)
        invoice = new.invoices.get()
        assert email.subject == f"Your place has moved to {later}"
        assert f"Invoice {invoice.reference} for {later} replaces it" in email.body
        assert f"NZD 746.35 including GST, due {invoice.due_on:%-d %B %Y}." in email.body

    def test_a_paid_learner_is_told_the_fee_goes_with_them(
        self,
        cohort: Cohort,
        applicant: User,
        provider_admin: User,
        programme: Programme,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        later = cohort_2024(provider_admin, programme, slug="2025", name="2025 intake")
        enrolment = register(cohort, applicant)
        enrolments.record_payment(enrolment.invoices.get(), actor=provider_admin, paid_on=PAID_ON)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            enrolments.defer(enrolment, actor=provider_admin, to=later, reason="Busy this year")
        (email,) = emails_to(applicant.email)
        assert "The fee you paid goes with you: there is nothing more to pay." in email.body

    def test_an_approved_reduced_fee_goes_with_the_learner(
        self,
        cohort: Cohort,
        applicant: User,
        provider_admin: User,
        programme: Programme,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        later = cohort_2024(provider_admin, programme, slug="2025", name="2025 intake")
        enrolment = register(cohort, applicant)
        asked = funding.request_support(
            enrolment, actor=applicant, kind=SupportKind.REDUCED_FEE, explanation="Our trust has no budget."
        )
        funding.decide_support(asked, actor=provider_admin, approve=True, note="Agreed.", reduced_amount="300.00")
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True):
            new = enrolments.defer(enrolment, actor=provider_admin, to=later, reason="Busy this year")

        invoice = new.invoices.get()
        assert (invoice.amount_excluding_tax, invoice.total) == (Decimal("300.00"), Decimal("345.00"))
        assert FundingRequest.objects.get().enrolment == new
        assert AuditEvent.objects.filter(action="programmes.fee_support_moved").count() == 1
        (email,) = emails_to(applicant.email)
        assert "(at your reduced fee)" in email.body
        assert "Your requests for help with the fee, and the decisions on them, go with you." in email.body
        assert [name for name, _content, _type in email.attachments] == [f"Invoice-{invoice.reference}.pdf"]
