"""Registration, invoices, the enrolment lifecycle and support requests: checked, audited, emailed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent
from credo.programmes.forms.staff import DeferForm
from credo.programmes.models import (
    Cohort,
    Enrolment,
    EnrolmentState,
    FundingRequest,
    Invoice,
    InvoiceState,
    Programme,
    SupportDecision,
)
from credo.programmes.services import enrolments, funding

from .builders import cohort_2024, nz

DURING = nz(2024, 2, 1, 10)
AFTER_CLOSING = nz(2024, 3, 21, 0, 0, 1)


def register(cohort: Cohort, learner: User, **changes: Any) -> Enrolment:
    fields: dict[str, Any] = {
        "organisation_name": "Wellington City Council",
        "organisation_type": "local_government",
        "terms_accepted": True,
        "now": DURING,
    }
    fields.update(changes)
    return enrolments.register(cohort=cohort, learner=learner, **fields)


class TestRegistration:
    def test_registering_makes_an_applied_enrolment_an_invoice_with_gst_and_an_email(
        self, cohort: Cohort, applicant: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            enrolment = register(cohort, applicant)
        assert enrolment.state == EnrolmentState.APPLIED
        invoice = Invoice.objects.get(enrolment=enrolment)
        assert invoice.number == 1
        assert (invoice.amount_excluding_tax, invoice.tax_amount, invoice.total) == (
            Decimal("649.00"),
            Decimal("97.35"),
            Decimal("746.35"),
        )
        assert invoice.addressed_to == "Aroha Te Whare"
        (message,) = mail.outbox
        assert message.subject == f"You are registered for {cohort}"
        assert "NZD 649.00 plus GST 97.35, total NZD 746.35" in message.body
        assert message.body.startswith("Kia ora Aroha Te Whare,")

    def test_a_community_organisation_pays_the_community_fee_and_can_be_invoiced_itself(
        self, cohort: Cohort, applicant: User
    ) -> None:
        enrolment = register(
            cohort,
            applicant,
            organisation_name="Ōtautahi Community Trust",
            organisation_type="community",
            invoice_to_organisation=True,
        )
        invoice = enrolment.invoices.get()
        assert invoice.total == Decimal("603.75")
        assert invoice.addressed_to == "Ōtautahi Community Trust"
        assert invoice.address_detail == "For Aroha Te Whare"

    def test_invoice_numbers_follow_on_per_provider(self, cohort: Cohort) -> None:
        numbers = [register(cohort, UserFactory()).invoices.get().number for _ in range(3)]
        assert numbers == [1, 2, 3]

    def test_late_registration_is_refused_saying_when_it_closed(self, cohort: Cohort, applicant: User) -> None:
        with pytest.raises(ValidationError, match="Registration closed Wednesday 20 March 2024"):
            register(cohort, applicant, now=AFTER_CLOSING)
        assert not Enrolment.objects.exists()
        assert not Invoice.objects.exists()

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"terms_accepted": False}, "terms_accepted"),
            ({"organisation_name": "  "}, "organisation_name"),
            ({"organisation_type": "corporate"}, "organisation_type"),
        ],
    )
    def test_what_is_missing_is_named_and_nothing_is_written(
        self, cohort: Cohort, applicant: User, changes: dict[str, Any], field: str
    ) -> None:
        with pytest.raises(ValidationError) as refused:
            register(cohort, applicant, **changes)
        assert field in refused.value.message_dict
        assert not Enrolment.objects.exists()

    def test_registering_twice_is_refused(self, cohort: Cohort, applicant: User) -> None:
        register(cohort, applicant)
        with pytest.raises(ValidationError, match="already registered"):
            register(cohort, applicant)
        assert Invoice.objects.count() == 1


class TestCapacity:
    def test_a_full_cohort_waitlists_and_a_withdrawal_offers_the_place(
        self, programme: Programme, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        cohort = cohort_2024(provider_admin, programme, slug="small", capacity=1)
        first = register(cohort, UserFactory())
        waiting = register(cohort, UserFactory())
        assert waiting.state == EnrolmentState.WAITLISTED
        assert not waiting.invoices.exists()
        with django_capture_on_commit_callbacks(execute=True):
            enrolments.withdraw(first, actor=first.learner, reason="Changed roles")
        waiting.refresh_from_db()
        assert waiting.state == EnrolmentState.APPLIED
        assert waiting.invoices.get().state == InvoiceState.ISSUED
        assert first.invoices.get().state == InvoiceState.CANCELLED
        (offer,) = [m for m in mail.outbox if waiting.learner.email in m.to]
        assert offer.subject == f"A place has opened for you in {cohort}"
        assert (
            offer.body.splitlines()[2]
            == f"Good news: a place has opened in {cohort}, and it is yours. You are now registered."
        )
        assert [name for name, _content, _type in offer.attachments] == [
            f"Invoice-{waiting.invoices.get().reference}.pdf"
        ]


class TestLifecycle:
    def test_payment_confirms_then_study_starts(self, cohort: Cohort, applicant: User, provider_admin: User) -> None:
        enrolment = register(cohort, applicant)
        invoice = enrolment.invoices.get()
        enrolments.record_payment(invoice, actor=provider_admin, paid_on=datetime.date(2024, 2, 5), reference="DC-1")
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.CONFIRMED
        enrolments.activate(enrolment, actor=provider_admin)
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.ACTIVE
        actions = list(AuditEvent.objects.filter(action__startswith="programmes.").values_list("action", flat=True))
        assert actions[-3:] == [
            "programmes.invoice_paid",
            "programmes.enrolment_confirmed",
            "programmes.enrolment_active",
        ]

    def test_a_payment_cannot_be_recorded_twice_or_for_the_future(
        self, cohort: Cohort, applicant: User, provider_admin: User
    ) -> None:
        invoice = register(cohort, applicant).invoices.get()
        with pytest.raises(ValidationError, match="has not come yet"):
            enrolments.record_payment(invoice, actor=provider_admin, paid_on=datetime.date(2999, 1, 1))
        enrolments.record_payment(invoice, actor=provider_admin, paid_on=invoice.issued_on)
        with pytest.raises(ValidationError, match="is paid"):
            enrolments.record_payment(invoice, actor=provider_admin, paid_on=invoice.issued_on)

    def test_only_a_confirmed_or_active_enrolment_lapses(
        self, cohort: Cohort, applicant: User, provider_admin: User
    ) -> None:
        enrolment = register(cohort, applicant)
        with pytest.raises(ValidationError, match="it cannot become lapsed"):
            enrolments.lapse(enrolment, actor=provider_admin)
        confirmed = enrolments.confirm(enrolment, actor=provider_admin, reason="Invoice paid")
        # Confirmed but never started studying, and the deadline has gone: lapsing says what happened.
        assert enrolments.lapse(confirmed, actor=provider_admin).state == EnrolmentState.LAPSED

    @pytest.mark.usefixtures("during_2024_intake")
    def test_deferring_moves_a_paid_learner_to_the_next_cohort_confirmed(
        self, cohort: Cohort, applicant: User, provider_admin: User, programme: Programme
    ) -> None:
        later = cohort_2024(provider_admin, programme, slug="2025", name="2025 intake")
        enrolment = register(cohort, applicant)
        enrolments.record_payment(enrolment.invoices.get(), actor=provider_admin, paid_on=datetime.date(2024, 2, 5))
        new = enrolments.defer(enrolment, actor=provider_admin, to=later, reason="Bereavement")
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.DEFERRED
        assert enrolment.deferred_to == new
        assert new.state == EnrolmentState.CONFIRMED
        assert not new.invoices.exists(), "the paid fee goes with them"

    @pytest.mark.usefixtures("during_2024_intake")
    def test_deferring_into_a_full_cohort_is_refused_and_changes_nothing(
        self, cohort: Cohort, applicant: User, provider_admin: User, programme: Programme
    ) -> None:
        full = cohort_2024(provider_admin, programme, slug="full", name="Full intake", capacity=1)
        register(full, UserFactory())
        enrolment = register(cohort, applicant)
        with pytest.raises(ValidationError, match="is full"):
            enrolments.defer(enrolment, actor=provider_admin, to=full, reason="Busy")
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED
        assert full.enrolments.count() == 1

    @pytest.mark.parametrize("who", ["outsider", "facilitator", "catalogue_admin", "applicant"])
    def test_staff_moves_are_refused_to_anyone_but_the_providers_admins(
        self, cohort: Cohort, applicant: User, who: str, request: pytest.FixtureRequest
    ) -> None:
        enrolment = register(cohort, applicant)
        actor = request.getfixturevalue(who)
        events = AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            enrolments.record_payment(enrolment.invoices.get(), actor=actor, paid_on=datetime.date(2024, 2, 5))
        with pytest.raises(PermissionDenied):
            enrolments.confirm(enrolment, actor=actor, reason="Funded")
        assert AuditEvent.objects.count() == events
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED


class TestSupport:
    def test_the_providers_admins_hear_of_a_request(
        self, cohort: Cohort, applicant: User, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        enrolment = register(cohort, applicant)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            funding.request_support(enrolment, actor=applicant, kind="grant_letter", explanation="For the council fund")
        (message,) = mail.outbox
        assert message.to == [provider_admin.email]
        assert "asks for a letter for a grant application" in message.body

    def test_an_approved_reduced_fee_replaces_the_invoice(
        self, cohort: Cohort, applicant: User, provider_admin: User
    ) -> None:
        enrolment = register(cohort, applicant, organisation_type="volunteer_group")
        request = funding.request_support(
            enrolment, actor=applicant, kind="reduced_fee", explanation="Our group has no budget this year."
        )
        funding.decide_support(
            request, actor=provider_admin, approve=True, note="Approved from the hardship fund.", reduced_amount="300"
        )
        request.refresh_from_db()
        assert request.decision == SupportDecision.APPROVED
        states = dict(enrolment.invoices.values_list("number", "state"))
        assert states == {1: InvoiceState.CANCELLED, 2: InvoiceState.ISSUED}
        assert enrolment.invoices.get(number=2).total == Decimal("345.00")
        assert AuditEvent.objects.filter(action="programmes.support_approved").count() == 1

    def test_only_the_learner_asks_and_only_staff_decide(
        self, cohort: Cohort, applicant: User, facilitator: User
    ) -> None:
        enrolment = register(cohort, applicant)
        with pytest.raises(PermissionDenied):
            funding.request_support(enrolment, actor=facilitator, kind="payment_plan", explanation="x")
        request = funding.request_support(enrolment, actor=applicant, kind="payment_plan", explanation="Cash flow")
        with pytest.raises(PermissionDenied):
            funding.decide_support(request, actor=applicant, approve=True, note="Self-approved", instalments=3)
        assert FundingRequest.objects.get().decision == SupportDecision.PENDING


class TestNames:
    def test_a_learner_without_a_name_gives_one_and_the_invoice_carries_it(self, cohort: Cohort) -> None:
        newcomer = UserFactory(full_name="")
        with pytest.raises(ValidationError) as refused:
            register(cohort, newcomer)
        assert "full_name" in refused.value.message_dict
        enrolment = register(cohort, newcomer, full_name="  Hana Newcomer ")
        newcomer.refresh_from_db()
        assert newcomer.full_name == "Hana Newcomer"
        assert enrolment.invoices.get().addressed_to == "Hana Newcomer"

    def test_a_known_name_is_not_changed_by_registering(self, cohort: Cohort, applicant: User) -> None:
        register(cohort, applicant, full_name="Someone Else")
        applicant.refresh_from_db()
        assert applicant.full_name == "Aroha Te Whare"


class TestDeferringOnlyForward:
    def test_a_cohort_that_has_finished_is_refused_and_not_offered(
        self, cohort: Cohort, applicant: User, provider_admin: User, programme: Programme, monkeypatch: Any
    ) -> None:
        later = cohort_2024(provider_admin, programme, slug="2025", name="2025 intake")
        enrolment = register(cohort, applicant)
        # The day after the later cohort's study ended, in Auckland (still 31 August in UTC).
        monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 9, 1, 9))
        with pytest.raises(ValidationError, match="has finished"):
            enrolments.defer(enrolment, actor=provider_admin, to=later, reason="Busy")
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.APPLIED

        monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 9, 3, 9))
        assert list(DeferForm(cohort=cohort).fields["to"].queryset) == []  # type: ignore[attr-defined]

    def test_the_last_day_of_study_is_still_in_time(
        self, cohort: Cohort, applicant: User, provider_admin: User, programme: Programme, monkeypatch: Any
    ) -> None:
        later = cohort_2024(provider_admin, programme, slug="2025", name="2025 intake")
        enrolment = register(cohort, applicant)
        monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 8, 31, 23, 59))
        assert enrolments.defer(enrolment, actor=provider_admin, to=later, reason="Busy").cohort == later
