"""Organisations and memberships: every change is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from credo.accounts.models import Membership, Organisation, Role, User
from credo.audit.services import record_event


@transaction.atomic
def create_organisation(*, actor: Any, name: str, slug: str, kind: str, country: str, **fields: Any) -> Organisation:
    organisation = Organisation(name=name, slug=slug, kind=kind, country=country.upper(), **fields)
    organisation.full_clean()
    organisation.save()
    record_event(
        actor=actor,
        action="accounts.organisation_created",
        obj=organisation,
        organisation_id=organisation.pk,
        details={"kind": kind},
    )
    return organisation


@transaction.atomic
def add_membership(*, actor: Any, organisation: Organisation, user: User, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role; choose one of {', '.join(Role.values)}."})
    if Membership.objects.filter(organisation=organisation, user=user, role=role).exists():
        raise ValidationError(f"{user.email} is already a {Role(role).label.lower()} at {organisation}.")
    membership = Membership.objects.create(organisation=organisation, user=user, role=role)
    record_event(
        actor=actor,
        action="accounts.membership_added",
        obj=membership,
        organisation_id=organisation.pk,
        details={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def remove_membership(*, actor: Any, membership: Membership) -> None:
    organisation = membership.organisation
    admins = Membership.objects.select_for_update().filter(organisation=organisation, role=Role.PROGRAMME_ADMIN)
    if membership.role == Role.PROGRAMME_ADMIN and admins.count() == 1:
        raise ValidationError(
            f"{membership.user.email} is the last programme admin at {organisation}; add another first."
        )
    details = {"user": membership.user.email, "role": membership.role}
    record_event(
        actor=actor,
        action="accounts.membership_removed",
        obj=membership,
        organisation_id=organisation.pk,
        details=details,
    )
    membership.delete()
