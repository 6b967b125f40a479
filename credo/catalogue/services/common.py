"""What every catalogue service shares: who may own entries, the draft and frozen-unit rules, and auditing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from credo.accounts.models import Organisation, OrganisationKind
from credo.audit.services import record_event
from credo.catalogue.models import (
    Qualification,
    Status,
    Unit,
)

CATALOGUE_OWNER_KINDS = frozenset({OrganisationKind.AWARDING_BODY, OrganisationKind.ISSUING_INSTITUTION})


def require_draft(qualification: Qualification) -> None:
    if qualification.status != Status.DRAFT:
        raise ValidationError(
            f"{qualification.code} version {qualification.version} is {qualification.get_status_display().lower()}: "
            "its structure cannot change. Start a new version to change it."
        )


def require_unit_unpublished(unit: Unit) -> None:
    published = (
        Qualification.objects.published().filter(rule_groups__units=unit).values_list("code", flat=True).distinct()
    )
    codes = sorted(published)
    if codes:
        raise ValidationError(
            f"Unit {unit.code} is part of published qualification(s) {', '.join(codes)}, so its content cannot change. "
            "A changed unit needs a new unit reference number."
        )


def require_owner(owner: Organisation) -> None:
    if owner.kind not in CATALOGUE_OWNER_KINDS:
        raise ValidationError(
            f"{owner} is a {owner.get_kind_display().lower()}; "
            "only awarding bodies and issuing institutions own catalogue entries."
        )


def audit(actor: Any, action: str, obj: Any, owner: Organisation, **details: Any) -> None:
    record_event(actor=actor, action=action, obj=obj, organisation_id=owner.pk, details=details)
