"""A provider's billing details: set by its programme admins only (service and page), checked, audited, and copied
onto each invoice when it is issued, so a later change never rewrites an invoice already sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from credo.accounts.models import Organisation, OrganisationKind, Role, User
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort, ProviderBilling
from credo.programmes.services import billing

from .staff_helpers import other_provider_admin, register

SLUG = "inspiring-test"
URL = f"/programmes/setup/{SLUG}/billing-details/"


def details(**changes: str) -> dict[str, str]:
    values = {
        "legal_name": "Inspiring Communities Trust",
        "tax_number": "123-456-789",
        "postal_address": "PO Box 24 198\nWellington 6142",
        "billing_email": "accounts@inspiring-test.example",
        "payment_instructions": "Internet banking: 00-1234-0123456-00",
    }
    values.update(changes)
    return values


def member(provider: Organisation, role: str, email: str) -> User:
    user = MembershipFactory(user=UserFactory(email=email), organisation=provider, role=role).user
    assert isinstance(user, User)
    return user


class TestSettingBillingDetails:
    def test_a_programme_admin_sets_them_trimmed_and_audited(
        self, provider: Organisation, provider_admin: User
    ) -> None:
        saved = billing.set_billing(
            provider,
            actor=provider_admin,
            **details(
                tax_number="  123  456-789 ",
                postal_address="  PO Box 24 198 \n\n  Wellington 6142  \n",
                payment_instructions="\n Internet banking: 00-1234-0123456-00 \n",
            ),
        )

        saved.refresh_from_db()
        assert saved.tax_number == "123 456-789"
        assert saved.postal_address == "PO Box 24 198\nWellington 6142"
        assert saved.payment_instructions == "Internet banking: 00-1234-0123456-00"
        event = AuditEvent.objects.get(action="programmes.billing_details_set")
        assert event.actor == provider_admin
        assert event.organisation_id_at_event == provider.pk
        assert event.details["tax_number"] == "123 456-789"
        assert set(event.details["changed"]) == set(billing.FIELDS)

    def test_a_change_records_only_what_changed_and_saving_the_same_records_nothing(
        self, provider: Organisation, provider_admin: User
    ) -> None:
        billing.set_billing(provider, actor=provider_admin, **details())
        billing.set_billing(provider, actor=provider_admin, **details(payment_instructions="Pay at the office"))
        billing.set_billing(provider, actor=provider_admin, **details(payment_instructions="Pay at the office"))

        events = AuditEvent.objects.filter(action="programmes.billing_details_set").order_by("seq")
        assert [event.details["changed"] for event in events] == [list(billing.FIELDS), ["payment_instructions"]]
        assert ProviderBilling.objects.get().payment_instructions == "Pay at the office"

    def test_an_empty_legal_name_means_the_providers_own_name(
        self, provider: Organisation, provider_admin: User
    ) -> None:
        saved = billing.set_billing(provider, actor=provider_admin, **details(legal_name="  "))

        assert saved.legal_name == "Inspiring Communities (test)"

    def test_an_unregistered_provider_leaves_the_tax_number_empty(
        self, provider: Organisation, provider_admin: User
    ) -> None:
        assert billing.set_billing(provider, actor=provider_admin, **details(tax_number=" ")).tax_number == ""

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("postal_address", " \n ", "Give the postal address"),
            ("payment_instructions", "", "Say how to pay"),
            ("tax_number", "123/456/789", "letters, digits, spaces and hyphens"),
            ("tax_number", "GST-ABC", "letters, digits, spaces and hyphens"),
            ("tax_number", "-123", "letters, digits, spaces and hyphens"),
            ("billing_email", "accounts at example", "Give an email address"),
        ],
    )
    def test_bad_input_is_refused_by_field_and_nothing_is_saved(
        self, provider: Organisation, provider_admin: User, field: str, value: str, message: str
    ) -> None:
        with pytest.raises(ValidationError) as refused:
            billing.set_billing(provider, actor=provider_admin, **details(**{field: value}))

        assert message in refused.value.message_dict[field][0]
        assert not ProviderBilling.objects.exists()
        assert not AuditEvent.objects.filter(action="programmes.billing_details_set").exists()

    @pytest.mark.parametrize("who", ["facilitator_here", "learner_here", "outsider", "other_provider_admin"])
    def test_nobody_but_its_programme_admins_may_set_them(
        self, provider: Organisation, who: str, request: pytest.FixtureRequest
    ) -> None:
        actor = {
            "facilitator_here": lambda: member(provider, Role.FACILITATOR, "fac@inspiring-test.example"),
            "learner_here": lambda: member(provider, Role.LEARNER, "learn@inspiring-test.example"),
            "outsider": lambda: request.getfixturevalue("outsider"),
            "other_provider_admin": other_provider_admin,
        }[who]()

        with pytest.raises(PermissionDenied):
            billing.set_billing(provider, actor=actor, **details())
        assert not ProviderBilling.objects.exists()

    def test_an_organisation_that_is_not_a_provider_has_no_billing_details(self, db: None) -> None:
        body = OrganisationFactory(slug="awards-body", kind=OrganisationKind.AWARDING_BODY)
        admin = member(body, Role.PROGRAMME_ADMIN, "admin@awards-body.example")

        with pytest.raises(ValidationError, match="not a provider"):
            billing.set_billing(body, actor=admin, **details())


class TestInvoicesCopyThem:
    def test_an_invoice_carries_the_details_as_they_were_when_it_was_issued(
        self, cohort: Cohort, provider_admin: User, applicant: User
    ) -> None:
        provider = cohort.programme.provider
        billing.set_billing(provider, actor=provider_admin, **details())
        invoice = register(cohort, applicant).invoices.get()

        billing.set_billing(
            provider, actor=provider_admin, **details(legal_name="Renamed Trust", payment_instructions="Cash only")
        )
        invoice.refresh_from_db()

        assert invoice.supplier_name == "Inspiring Communities Trust"
        assert invoice.supplier_tax_number == "123-456-789"
        assert invoice.supplier_address == "PO Box 24 198\nWellington 6142"
        assert invoice.supplier_email == "accounts@inspiring-test.example"
        assert invoice.payment_instructions == "Internet banking: 00-1234-0123456-00"

    def test_without_billing_details_an_invoice_still_issues_from_the_providers_name(
        self, cohort: Cohort, applicant: User
    ) -> None:
        invoice = register(cohort, applicant).invoices.get()

        assert invoice.supplier_name == "Inspiring Communities (test)"
        assert (invoice.supplier_tax_number, invoice.supplier_address, invoice.payment_instructions) == ("", "", "")


# The setup page ---------------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client_for: Callable[[User | None], Client], provider_admin: User) -> Client:
    return client_for(provider_admin)


class TestTheBillingPage:
    def test_an_admin_saves_the_details_and_is_sent_back_to_setup(
        self, admin_client: Client, provider: Organisation
    ) -> None:
        assert admin_client.get(URL).status_code == 200

        response = admin_client.post(URL, details())

        assert response.status_code == 302
        assert response["Location"] == f"/programmes/setup/{SLUG}/"
        assert ProviderBilling.objects.get(provider=provider).tax_number == "123-456-789"

    def test_the_form_shows_the_saved_details(
        self, admin_client: Client, provider: Organisation, provider_admin: User
    ) -> None:
        billing.set_billing(provider, actor=provider_admin, **details())

        page = admin_client.get(URL).content.decode()

        assert "123-456-789" in page
        assert "Internet banking: 00-1234-0123456-00" in page

    def test_problems_are_shown_by_their_fields(self, admin_client: Client) -> None:
        response = admin_client.post(URL, details(tax_number="12/34", postal_address="", payment_instructions=""))

        assert response.status_code == 422
        errors = response.context["form"].errors
        assert "Use only letters, digits" in errors["tax_number"][0]
        assert set(errors) == {"tax_number", "postal_address", "payment_instructions"}
        assert not ProviderBilling.objects.exists()

    def test_setup_says_when_invoices_have_no_billing_details_and_links_the_page(
        self, admin_client: Client, cohort: Cohort, provider: Organisation, provider_admin: User
    ) -> None:
        home = f"/programmes/setup/{SLUG}/"
        cohort_page = f"/programmes/setup/{SLUG}/{cohort.programme.slug}/{cohort.slug}/edit/"
        for url in (home, cohort_page):
            page = admin_client.get(url).content.decode()
            assert "show no postal address, GST or VAT number, or payment instructions" in page, url
            assert URL in page, url

        billing.set_billing(provider, actor=provider_admin, **details())

        for url in (home, cohort_page):
            assert "show no postal address" not in admin_client.get(url).content.decode(), url

    def test_setup_says_when_a_cohort_charges_tax_but_no_registration_number_is_given(
        self, admin_client: Client, cohort: Cohort, provider: Organisation, provider_admin: User
    ) -> None:
        billing.set_billing(provider, actor=provider_admin, **details(tax_number=""))

        page = admin_client.get(f"/programmes/setup/{SLUG}/").content.decode()

        assert "your invoices are not tax invoices" in page


#: No role at the provider: 404 (nothing leaks); another role there: 403.
REFUSED = [
    ("outsider", 404),
    ("learner", 404),
    ("other_provider_admin", 404),
    ("facilitator_here", 403),
    ("learner_here", 403),
]


class TestRefusals:
    @pytest.mark.parametrize(("who", "status"), REFUSED)
    def test_others_are_refused_and_nothing_changes(
        self,
        client_for: Callable[[User | None], Client],
        provider: Organisation,
        who: str,
        status: int,
        request: pytest.FixtureRequest,
    ) -> None:
        user: Any = {
            "facilitator_here": lambda: member(provider, Role.FACILITATOR, "fac@inspiring-test.example"),
            "learner_here": lambda: member(provider, Role.LEARNER, "learn@inspiring-test.example"),
            "other_provider_admin": other_provider_admin,
        }.get(who, lambda: request.getfixturevalue(who))()
        client = client_for(user)

        assert client.get(URL).status_code == status
        assert client.post(URL, details()).status_code == status
        assert not ProviderBilling.objects.exists()
        assert not AuditEvent.objects.filter(action="programmes.billing_details_set").exists()

    def test_anonymous_people_are_sent_to_sign_in(self, client: Client, provider: Organisation) -> None:
        for response in (client.get(URL), client.post(URL, details())):
            assert response.status_code == 302
            assert "/login" in response["Location"]
        assert not ProviderBilling.objects.exists()
