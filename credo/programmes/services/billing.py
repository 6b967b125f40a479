"""A provider's billing details: who its invoices come from, its GST or VAT number, and how to pay.

Each invoice copies them when it is issued (``invoices.issue_invoice``), so changing them here never rewrites an
invoice already sent.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from credo.accounts.access import roles_in
from credo.accounts.models import Organisation, OrganisationKind, Role
from credo.audit.services import record_event
from credo.programmes.models import ProviderBilling

#: What a GST or VAT registration number is made of: "123-456-789", "GB 123 4567 89".
TAX_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]*")
FIELDS = ("legal_name", "tax_number", "postal_address", "billing_email", "payment_instructions")


def require_billing_admin(actor: Any, provider: Organisation) -> None:
    if Role.PROGRAMME_ADMIN not in roles_in(actor, provider):
        raise PermissionDenied(f"Only {provider}'s programme admins set its billing details.")


def billing_for(provider: Organisation) -> ProviderBilling | None:
    return ProviderBilling.objects.filter(provider=provider).first()


def _lines(text: str) -> str:
    """Multi-line text trimmed line by line, without blank lines (they would leave gaps on the invoice)."""
    return "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())


def clean_tax_number(value: str) -> str:
    """A registration number as people write it, trimmed and with single spaces; empty when not registered."""
    number = " ".join(value.split())
    if not number:
        return ""
    if not TAX_NUMBER.fullmatch(number) or not any(character.isdigit() for character in number):
        raise ValidationError(
            {"tax_number": "Use only letters, digits, spaces and hyphens, e.g. 123-456-789 or GB 123 4567 89."}
        )
    return number


def _checked(provider: Organisation, values: dict[str, str]) -> dict[str, str]:
    problems: dict[str, str] = {}
    cleaned = {
        "legal_name": " ".join(values["legal_name"].split()) or provider.name,
        "postal_address": _lines(values["postal_address"]),
        "billing_email": values["billing_email"].strip(),
        "payment_instructions": _lines(values["payment_instructions"]),
        "tax_number": "",
    }
    try:
        cleaned["tax_number"] = clean_tax_number(values["tax_number"])
    except ValidationError as error:
        problems.update({name: " ".join(found) for name, found in error.message_dict.items()})
    if not cleaned["postal_address"]:
        problems["postal_address"] = "Give the postal address that goes on your invoices."
    if not cleaned["payment_instructions"]:
        problems["payment_instructions"] = (
            "Say how to pay, e.g. the bank account number; learners quote the invoice reference."
        )
    if cleaned["billing_email"]:
        try:
            validate_email(cleaned["billing_email"])
        except ValidationError:
            problems["billing_email"] = "Give an email address like accounts@example.org, or leave it empty."
    if problems:
        raise ValidationError(problems)
    return cleaned


@transaction.atomic
def set_billing(
    provider: Organisation,
    *,
    actor: Any,
    legal_name: str,
    tax_number: str,
    postal_address: str,
    billing_email: str,
    payment_instructions: str,
) -> ProviderBilling:
    """Record (or change) the provider's billing details; invoices issued from now on carry them.

    ``legal_name`` left empty means the provider's everyday name. Audited with what changed.
    """
    require_billing_admin(actor, provider)
    if provider.kind != OrganisationKind.PROVIDER:
        raise ValidationError(f"{provider} is not a provider; only providers issue invoices.")
    values = _checked(
        provider,
        {
            "legal_name": legal_name,
            "tax_number": tax_number,
            "postal_address": postal_address,
            "billing_email": billing_email,
            "payment_instructions": payment_instructions,
        },
    )
    Organisation.objects.select_for_update().get(pk=provider.pk)  # two admins saving at once: one after the other
    billing = billing_for(provider) or ProviderBilling(provider=provider)
    before = {name: getattr(billing, name) for name in FIELDS} if billing.pk else {}
    changed = [name for name in FIELDS if before.get(name) != values[name]]
    if not changed:
        return billing
    for name, value in values.items():
        setattr(billing, name, value)
    billing.full_clean()
    billing.save()
    record_event(
        actor=actor,
        action="programmes.billing_details_set",
        obj=billing,
        organisation_id=provider.pk,
        details={"changed": changed, **{name: values[name] for name in changed}},
    )
    return billing
