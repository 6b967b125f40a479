"""The invoice PDF: what an invoice must say, for the learner it bills and the provider's programme admins only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.credentials.tests.test_presentation import _pdf_text
from credo.programmes.documents.invoice import invoice_pdf
from credo.programmes.models import Cohort, Invoice
from credo.programmes.services import enrolments

from .builders import nz


@pytest.fixture
def invoice(cohort: Cohort, applicant: User) -> Invoice:
    enrolment = enrolments.register(
        cohort=cohort,
        learner=applicant,
        organisation_name="Ōtautahi Community Trust",
        organisation_type="community",
        terms_accepted=True,
        invoice_to_organisation=True,
        now=nz(2024, 2, 1, 10),
    )
    return enrolment.invoices.get()


def test_the_pdf_shows_provider_number_addressee_dates_line_tax_and_total(invoice: Invoice) -> None:
    text = _pdf_text(invoice_pdf(invoice, compress=False))
    for expected in (
        "Inspiring Communities (test)",
        f"Invoice {invoice.reference}",
        "Invoice number 1",
        "Ōtautahi Community Trust",
        "For Aroha Te Whare",
        "aroha@example.org",
        "Issued 1 February 2024",
        "Due 21 February 2024",
        "Micro-credential in CLD facilitation, 2024 intake: Community organisations and volunteer groups",
        "NZD 525.00",
        "GST at 15%",
        "NZD 78.75",
        "Total (NZD)",
        "NZD 603.75",
        "Tax is calculated on the fee and rounded to the nearest cent",
    ):
        assert expected in text, expected


def url(invoice: Invoice) -> str:
    return f"/programmes/invoices/{invoice.pk}.pdf"


@pytest.mark.parametrize("who", ["applicant", "provider_admin"])
def test_the_learner_and_the_providers_programme_admins_download_it(
    who: str, invoice: Invoice, client_for: Callable[[User | None], Client], request: pytest.FixtureRequest
) -> None:
    response = client_for(request.getfixturevalue(who)).get(url(invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-")


@pytest.fixture
def provider_facilitator(provider: Organisation) -> User:
    return MembershipFactory(user=UserFactory(), organisation=provider, role=Role.FACILITATOR).user


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("outsider", 404),
        ("learner", 404),
        ("facilitator", 404),
        ("another_learner", 404),
        ("provider_facilitator", 403),
    ],
)
def test_everyone_else_is_refused(
    who: str,
    status: int,
    invoice: Invoice,
    client_for: Callable[[User | None], Client],
    request: pytest.FixtureRequest,
) -> None:
    user = UserFactory() if who == "another_learner" else request.getfixturevalue(who)
    assert client_for(user).get(url(invoice)).status_code == status


def test_an_anonymous_visitor_is_sent_to_sign_in(invoice: Invoice, client: Client) -> None:
    response = client.get(url(invoice))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
