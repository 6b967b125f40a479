"""Permission-checked loaders for organisations and their people.

Views call these instead of querying models directly. An object the user may
not know about is a 404 (so its existence does not leak); one they may see but
not act on is a 403.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.models import Membership, Organisation, Role, User


def roles_in(user: Any, organisation: Organisation) -> set[str]:
    return set(Membership.objects.for_user(user).filter(organisation=organisation).values_list("role", flat=True))


def organisations_of(user: Any) -> list[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Organisation.objects.filter(memberships__user=user).distinct())


def organisations_where(user: Any, roles: Iterable[str]) -> list[Organisation]:
    """The organisations in which the user holds any of `roles`."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Organisation.objects.filter(memberships__user=user, memberships__role__in=list(roles)).distinct())


def access_organisation(user: Any, slug: str, *, roles: Iterable[str] | None = None) -> Organisation:
    """The organisation, if the user is a member of it (and holds one of `roles`, if given)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such organisation.")
    organisation = Organisation.objects.filter(slug=slug, memberships__user_id=user.pk).first()
    if organisation is None:
        raise Http404("No such organisation.")
    if roles is not None and not roles_in(user, organisation) & set(roles):
        raise PermissionDenied("Your role in this organisation does not allow this.")
    return organisation


def access_member(user: Any, organisation: Organisation, member_id: int) -> User:
    """A person in `organisation`, for one of its programme admins."""
    if Role.PROGRAMME_ADMIN not in roles_in(user, organisation):
        raise PermissionDenied("Only programme admins manage members.")
    member = User.objects.filter(pk=member_id, memberships__organisation=organisation).first()
    if member is None:
        raise Http404("No such member.")
    return member
