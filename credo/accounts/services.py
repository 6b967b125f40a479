"""Organisations and memberships: every change is audited."""

from __future__ import annotations

import zoneinfo
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


@transaction.atomic
def update_profile(user: User, *, full_name: str, time_zone: str) -> User:
    """A person's own name and time zone; a name change is audited (credentials carry names)."""
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError({"full_name": "Give your full name."})
    if time_zone:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                {"time_zone": f"{time_zone!r} is not a time zone; choose one from the list."}
            ) from None
    before = user.full_name
    user.full_name, user.time_zone = full_name, time_zone
    user.save(update_fields=["full_name", "time_zone"])
    if before != full_name:
        record_event(actor=user, action="accounts.name_changed", obj=user, details={"from": before, "to": full_name})
    return user
