"""Permission-checked loaders for the catalogue.

Published entries (live, superseded, withdrawn) are public: awarding bodies
publish their specifications. Drafts are seen and edited only by programme
admins of the owning awarding body or issuing institution.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from credo.accounts.access import organisations_where
from credo.accounts.models import Organisation, Role
from credo.catalogue.models import Qualification, QualificationQuerySet, Status, Unit
from credo.catalogue.services import CATALOGUE_OWNER_KINDS


def catalogue_owners_for(user: Any) -> list[Organisation]:
    """The organisations whose catalogue entries this user may edit."""
    return [org for org in organisations_where(user, [Role.PROGRAMME_ADMIN]) if org.kind in CATALOGUE_OWNER_KINDS]


def visible_qualifications(user: Any) -> QualificationQuerySet:
    owners = catalogue_owners_for(user)
    return Qualification.objects.filter(~Q(status=Status.DRAFT) | Q(owner__in=owners))


def visible_units(user: Any) -> Any:
    owners = catalogue_owners_for(user)
    published = Qualification.objects.published().values("pk")
    return Unit.objects.filter(Q(group_memberships__qualification__in=published) | Q(owner__in=owners)).distinct()


def access_qualification(user: Any, slug: str, version: int) -> Qualification:
    qualification = visible_qualifications(user).filter(slug=slug, version=version).first()
    if qualification is None:
        raise Http404("No such qualification in the catalogue.")
    return qualification


def can_edit(user: Any, owner: Organisation) -> bool:
    return owner in catalogue_owners_for(user)


def access_qualification_for_edit(user: Any, slug: str, version: int) -> Qualification:
    qualification = access_qualification(user, slug, version)
    if not can_edit(user, qualification.owner):
        raise PermissionDenied(f"Only {qualification.owner}'s programme admins can change this qualification.")
    return qualification


def access_unit(user: Any, slug: str) -> Unit:
    unit = visible_units(user).filter(slug=slug).first()
    if unit is None:
        raise Http404("No such unit in the catalogue.")
    return unit


def access_unit_for_edit(user: Any, slug: str) -> Unit:
    unit = access_unit(user, slug)
    if not can_edit(user, unit.owner):
        raise PermissionDenied(f"Only {unit.owner}'s programme admins can change this unit.")
    return unit


def access_owner_for_edit(user: Any, slug: str) -> Organisation:
    for owner in catalogue_owners_for(user):
        if owner.slug == slug:
            return owner
    raise PermissionDenied("You cannot add entries to that organisation's catalogue.")
