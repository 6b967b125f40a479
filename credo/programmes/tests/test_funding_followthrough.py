"""What follows a decision on fee support: the payment plan's schedule, the grant letter, and staff hearing of a
withdrawal."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.credentials.tests.test_presentation import _pdf_text
from credo.programmes.documents.grant_letter import grant_letter_pdf
from credo.programmes.models import Cohort, Enrolment, FundingRequest, InvoiceState, SupportKind
from credo.programmes.services import enrolments, funding
from credo.programmes.services.funding import Instalment, payment_plan

from .builders import nz

CENT = Decimal("0.01")

# The schedule, as a pure function ------------------------------------------------------------------------------------

totals = st.integers(min_value=0, max_value=10_000_000).map(lambda cents: Decimal(cents) * CENT)
counts = st.integers(min_value=1, max_value=24)
days = st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2090, 12, 31))


@given(total=totals, instalments=counts, first_due=days)
def test_the_instalments_add_up_to_the_total_exactly(
    total: Decimal, instalments: int, first_due: datetime.date
) -> None:
    plan = payment_plan(total, instalments, first_due)
    assert len(plan) == instalments
    assert sum((item.amount for item in plan), Decimal(0)) == total
    assert all(item.amount == item.amount.quantize(CENT) and item.amount >= 0 for item in plan)


@given(total=totals, instalments=counts, first_due=days)
def test_no_two_instalments_differ_by_more_than_a_cent_and_the_extra_cents_come_first(
    total: Decimal, instalments: int, first_due: datetime.date
) -> None:
    amounts = [item.amount for item in payment_plan(total, instalments, first_due)]
    assert max(amounts) - min(amounts) <= CENT
    assert amounts == sorted(amounts, reverse=True)


@given(total=totals, instalments=counts, first_due=days)
def test_the_days_are_monthly_from_the_first_and_strictly_increasing(
    total: Decimal, instalments: int, first_due: datetime.date
) -> None:
    plan = payment_plan(total, instalments, first_due)
    assert plan[0].due_on == first_due
    assert [item.number for item in plan] == list(range(1, instalments + 1))
    for earlier, later in itertools.pairwise(plan):
        assert earlier.due_on < later.due_on
        months_on = (later.due_on.year - earlier.due_on.year) * 12 + later.due_on.month - earlier.due_on.month
        assert months_on == 1
        assert later.due_on.day == first_due.day or later.due_on.day < first_due.day  # clamped to the month's end


def test_the_seed_fee_in_three_from_the_due_date() -> None:
    assert payment_plan(Decimal("746.35"), 3, datetime.date(2024, 2, 21)) == [
        Instalment(1, Decimal("248.79"), datetime.date(2024, 2, 21)),
        Instalment(2, Decimal("248.78"), datetime.date(2024, 3, 21)),
        Instalment(3, Decimal("248.78"), datetime.date(2024, 4, 21)),
    ]


def d(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


@pytest.mark.parametrize(
    ("first_due", "expected"),
    [
        (d(2024, 1, 31), [d(2024, 1, 31), d(2024, 2, 29), d(2024, 3, 31)]),  # a leap year
        (d(2025, 1, 31), [d(2025, 1, 31), d(2025, 2, 28), d(2025, 3, 31)]),
        (d(2024, 11, 30), [d(2024, 11, 30), d(2024, 12, 30), d(2025, 1, 30)]),  # into the next year
    ],
)
def test_a_day_the_month_lacks_falls_on_its_last_day(first_due: datetime.date, expected: list[datetime.date]) -> None:
    assert [item.due_on for item in payment_plan(Decimal("100.00"), 3, first_due)] == expected


@pytest.mark.parametrize(
    ("total", "instalments", "error", "says"),
    [
        (Decimal("-1.00"), 2, ValueError, "zero or more"),
        (Decimal("10.005"), 2, ValueError, "whole number of cents"),
        (Decimal("NaN"), 2, ValueError, "whole number of cents"),
        (Decimal("10.00"), 0, ValueError, "one instalment or more"),
        (Decimal("10.00"), True, ValueError, "one instalment or more"),
        (10.0, 2, TypeError, "never a float"),
    ],
)
def test_bad_input_is_refused_saying_what_to_fix(total: Any, instalments: Any, error: type, says: str) -> None:
    with pytest.raises(error, match=says):
        payment_plan(total, instalments, datetime.date(2024, 2, 21))


# The plan and the letter, for a learner ------------------------------------------------------------------------------


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


@pytest.fixture
def approver(provider_admin: User) -> User:
    provider_admin.full_name = "Rangi Kaiwhakahaere"
    provider_admin.save(update_fields=["full_name"])
    return provider_admin


def squashed(text: str) -> str:
    return "".join(text.split())


def ask(enrolment: Enrolment, kind: str) -> FundingRequest:
    return funding.request_support(enrolment, actor=enrolment.learner, kind=kind, explanation="Our budget is tight.")


def page(enrolment: Enrolment) -> str:
    return f"/programmes/my/{enrolment.pk}/"


class TestPaymentPlan:
    def test_the_decision_email_and_the_enrolment_page_show_the_schedule(
        self,
        enrolment: Enrolment,
        approver: User,
        client_for: Callable[[User | None], Client],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        plan = ask(enrolment, SupportKind.PAYMENT_PLAN)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            funding.decide_support(plan, actor=approver, approve=True, note="Three months it is.", instalments=3)
        (message,) = mail.outbox
        assert message.to == ["aroha@example.org"]
        reference = enrolment.invoices.get().reference
        for expected in (
            f"Invoice {reference} (NZD 746.35) is now payable in 3 monthly instalments:",
            "1. NZD 248.79 due 21 February 2024",
            "2. NZD 248.78 due 21 March 2024",
            "3. NZD 248.78 due 21 April 2024",
            funding.REMAINDER_RULE,
        ):
            assert expected in message.body, expected
        text = client_for(enrolment.learner).get(page(enrolment)).content.decode()
        for expected in ("Your payment plan", "1 of 3", "NZD 248.79", "21 February 2024", "NZD 248.78",
                         "21 April 2024", "the first instalments are one cent more"):  # fmt: skip
            assert expected in text, expected

    def test_the_schedule_follows_a_reduced_fee_approved_later(
        self, enrolment: Enrolment, approver: User, client_for: Callable[[User | None], Client]
    ) -> None:
        funding.decide_support(ask(enrolment, SupportKind.PAYMENT_PLAN), actor=approver, approve=True, note="Yes",
                               instalments=2)  # fmt: skip
        funding.decide_support(ask(enrolment, SupportKind.REDUCED_FEE), actor=approver, approve=True, note="Yes",
                               reduced_amount="300")  # fmt: skip
        text = client_for(enrolment.learner).get(page(enrolment)).content.decode()
        assert text.count("NZD 172.50") == 2  # 345.00 over two months
        assert "NZD 373.18" not in text

    def test_a_paid_invoice_leaves_no_schedule_to_show(
        self, enrolment: Enrolment, approver: User, client_for: Callable[[User | None], Client]
    ) -> None:
        funding.decide_support(ask(enrolment, SupportKind.PAYMENT_PLAN), actor=approver, approve=True, note="Yes",
                               instalments=2)  # fmt: skip
        enrolments.record_payment(enrolment.invoices.get(), actor=approver, paid_on=datetime.date(2024, 2, 10))
        assert "Your payment plan" not in client_for(enrolment.learner).get(page(enrolment)).content.decode()

    def test_a_plan_needs_an_unpaid_invoice_to_spread(self, enrolment: Enrolment, approver: User) -> None:
        plan = ask(enrolment, SupportKind.PAYMENT_PLAN)
        enrolments.record_payment(enrolment.invoices.get(), actor=approver, paid_on=datetime.date(2024, 2, 10))
        with pytest.raises(ValidationError, match="no unpaid invoice"):
            funding.decide_support(plan, actor=approver, approve=True, note="Yes", instalments=3)
        plan.refresh_from_db()
        assert plan.instalments is None


class TestGrantLetter:
    def test_the_letter_confirms_the_enrolment_the_fee_and_who_approved_it(
        self, enrolment: Enrolment, approver: User
    ) -> None:
        letter = funding.decide_support(
            ask(enrolment, SupportKind.GRANT_LETTER), actor=approver, approve=True, note="Good luck with it."
        )
        text = _pdf_text(grant_letter_pdf(letter, compress=False))
        for expected in (
            "Inspiring Communities (test)",
            "To whom it may concern",
            "We confirm that Aroha Te Whare is enrolled in Micro-credential in CLD facilitation",
            "2024 intake",
            "3 April 2024",
            "31 August 2024",
            "Two 1:1 guidance sessions",
            "Assessment and moderation",
            "Fee, before tax",
            "NZD 649.00",
            "GST at 15%",
            "NZD 97.35",
            "NZD 746.35",
            f"Invoice reference: {enrolment.invoices.get().reference}",
            "Rangi Kaiwhakahaere",
        ):
            assert squashed(expected) in squashed(text), expected  # wrapped lines join without a space

    def test_the_letter_states_a_reduced_fee_as_invoiced(self, enrolment: Enrolment, approver: User) -> None:
        funding.decide_support(ask(enrolment, SupportKind.REDUCED_FEE), actor=approver, approve=True, note="Yes",
                               reduced_amount="300")  # fmt: skip
        letter = funding.decide_support(ask(enrolment, SupportKind.GRANT_LETTER), actor=approver, approve=True,
                                        note="Yes")  # fmt: skip
        text = _pdf_text(grant_letter_pdf(letter, compress=False))
        issued = enrolment.invoices.get(state=InvoiceState.ISSUED)
        assert "NZD 300.00" in text
        assert "NZD 345.00" in text
        assert f"Invoice reference: {issued.reference}" in text

    def test_the_decision_email_says_where_to_download_it(
        self, enrolment: Enrolment, approver: User, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.SITE_URL = "https://credo.example"
        letter = ask(enrolment, SupportKind.GRANT_LETTER)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            funding.decide_support(letter, actor=approver, approve=True, note="Good luck.")
        (message,) = mail.outbox
        assert "Your letter for a grant application is ready" in message.body
        assert f"https://credo.example/programmes/grant-letters/{letter.pk}.pdf" in message.body

    def test_a_declined_request_email_offers_no_letter(
        self, enrolment: Enrolment, approver: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        letter = ask(enrolment, SupportKind.GRANT_LETTER)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            funding.decide_support(letter, actor=approver, approve=False, note="We cannot write one this year.")
        (message,) = mail.outbox
        assert "grant-letters" not in message.body

    @pytest.mark.parametrize("who", ["applicant", "provider_admin"])
    def test_the_learner_and_the_providers_programme_admins_download_it(
        self,
        who: str,
        enrolment: Enrolment,
        approver: User,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        letter = funding.decide_support(ask(enrolment, SupportKind.GRANT_LETTER), actor=approver, approve=True,
                                        note="Yes")  # fmt: skip
        response = client_for(request.getfixturevalue(who)).get(f"/programmes/grant-letters/{letter.pk}.pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Cache-Control"] == "private, no-store"
        assert response.content.startswith(b"%PDF-")

    def test_the_learners_page_and_the_staff_enrolment_page_link_to_the_letter(
        self, enrolment: Enrolment, approver: User, client_for: Callable[[User | None], Client]
    ) -> None:
        letter = funding.decide_support(ask(enrolment, SupportKind.GRANT_LETTER), actor=approver, approve=True,
                                        note="Yes")  # fmt: skip
        link = f'href="/programmes/grant-letters/{letter.pk}.pdf"'
        assert link in client_for(enrolment.learner).get(page(enrolment)).content.decode()
        staff_page = f"/programmes/staff/{enrolment.cohort.public_id}/enrolments/{enrolment.pk}/"
        assert link in client_for(approver).get(staff_page).content.decode()

    def test_once_the_learner_has_left_there_is_no_letter_saying_they_are_enrolled(
        self, enrolment: Enrolment, approver: User, client_for: Callable[[User | None], Client]
    ) -> None:
        letter = funding.decide_support(ask(enrolment, SupportKind.GRANT_LETTER), actor=approver, approve=True,
                                        note="Yes")  # fmt: skip
        enrolments.withdraw(enrolment, actor=enrolment.learner, reason="Moving overseas")
        for who in (enrolment.learner, approver):
            assert client_for(who).get(f"/programmes/grant-letters/{letter.pk}.pdf").status_code == 404
        assert "grant-letters" not in client_for(enrolment.learner).get(page(enrolment)).content.decode()

    @pytest.mark.parametrize(
        ("decide", "kind"),
        [
            (None, SupportKind.GRANT_LETTER),  # still waiting
            (False, SupportKind.GRANT_LETTER),  # declined
            (True, SupportKind.PAYMENT_PLAN),  # approved, but no letter was asked for
        ],
    )
    def test_there_is_no_letter_for_a_request_not_approved_or_of_another_kind(
        self,
        enrolment: Enrolment,
        approver: User,
        client_for: Callable[[User | None], Client],
        decide: bool | None,
        kind: str,
    ) -> None:
        support = ask(enrolment, kind)
        if decide is not None:
            funding.decide_support(support, actor=approver, approve=decide, note="Decided", instalments=3)
        for who in (enrolment.learner, approver):
            assert client_for(who).get(f"/programmes/grant-letters/{support.pk}.pdf").status_code == 404

    @pytest.mark.parametrize(
        ("who", "status"), [("outsider", 404), ("other_learner", 404), ("provider_facilitator", 403)]
    )
    def test_anyone_else_is_refused(
        self,
        who: str,
        status: int,
        enrolment: Enrolment,
        approver: User,
        provider: Organisation,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        letter = funding.decide_support(ask(enrolment, SupportKind.GRANT_LETTER), actor=approver, approve=True,
                                        note="Yes")  # fmt: skip
        people = {
            "other_learner": lambda: UserFactory(),
            "provider_facilitator": lambda: (
                MembershipFactory(user=UserFactory(), organisation=provider, role=Role.FACILITATOR).user
            ),
            "outsider": lambda: request.getfixturevalue("outsider"),
        }
        response = client_for(people[who]()).get(f"/programmes/grant-letters/{letter.pk}.pdf")
        assert response.status_code == status
        assert not response.content.startswith(b"%PDF-")

    def test_an_anonymous_visitor_is_sent_to_sign_in(
        self, enrolment: Enrolment, approver: User, client_for: Callable[[User | None], Client]
    ) -> None:
        letter = funding.decide_support(ask(enrolment, SupportKind.GRANT_LETTER), actor=approver, approve=True,
                                        note="Yes")  # fmt: skip
        response = client_for(None).get(f"/programmes/grant-letters/{letter.pk}.pdf")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    def test_the_pdf_is_only_written_for_an_approved_letter(self, enrolment: Enrolment) -> None:
        with pytest.raises(ValueError, match="approved request"):
            grant_letter_pdf(ask(enrolment, SupportKind.GRANT_LETTER))


# Staff hear of a withdrawal ------------------------------------------------------------------------------------------


@pytest.fixture
def cohort_facilitator(cohort: Cohort, provider: Organisation) -> User:
    person = MembershipFactory(
        user=UserFactory(email="tui@inspiring-test.example"), organisation=provider, role=Role.FACILITATOR
    ).user
    cohort.facilitators.add(person)
    return person


class TestWithdrawal:
    def test_the_programme_admins_and_facilitators_hear_who_left_and_why(
        self,
        enrolment: Enrolment,
        provider_admin: User,
        provider: Organisation,
        cohort_facilitator: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        second_admin = MembershipFactory(
            user=UserFactory(email="second-admin@inspiring-test.example"), organisation=provider,
            role=Role.PROGRAMME_ADMIN,
        ).user  # fmt: skip
        former = MembershipFactory(user=UserFactory(email="former@inspiring-test.example"), organisation=provider,
                                   role=Role.FACILITATOR).user  # fmt: skip
        enrolment.cohort.facilitators.add(former)
        former.memberships.all().delete()  # no longer a facilitator at the provider: no longer told
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            enrolments.withdraw(enrolment, actor=enrolment.learner, reason="A new job overseas")
        to_staff = next(m for m in mail.outbox if m.subject.startswith("Withdrawn:"))
        assert sorted(to_staff.to) == sorted([provider_admin.email, second_admin.email, cohort_facilitator.email])
        assert to_staff.subject == f"Withdrawn: Aroha Te Whare from {enrolment.cohort}"
        assert "Aroha Te Whare (aroha@example.org) has withdrawn from" in to_staff.body
        assert "Reason: A new job overseas" in to_staff.body
        assert sorted(m.to[0] for m in mail.outbox if m is not to_staff) == ["aroha@example.org"]

    def test_the_admin_who_withdrew_the_learner_is_not_told_again(
        self,
        enrolment: Enrolment,
        provider_admin: User,
        cohort_facilitator: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            enrolments.withdraw(enrolment, actor=provider_admin, reason="Asked us by phone")
        (to_staff,) = (m for m in mail.outbox if m.subject.startswith("Withdrawn:"))
        assert to_staff.to == [cohort_facilitator.email]

    def test_nobody_is_told_of_a_withdrawal_that_is_refused(
        self, enrolment: Enrolment, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
            enrolments.withdraw(enrolment, actor=enrolment.learner, reason="  ")
        assert mail.outbox == []
