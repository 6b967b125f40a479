"""What a person sees when they sign in: their own learning first, then the work of each role they hold.

The panels come from the apps (``credo.core.panels``): this module imports no domain app. A role whose work is not
built yet has no card; it is listed plainly under "Your roles", and nothing on the page promises work that
cannot be done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from credo.accounts.models import Membership, Role
from credo.core import panels


@dataclass(frozen=True)
class Home:
    cards: list[panels.Card]
    roles: list[Membership]


def _members_and_roles(viewer: panels.Viewer) -> list[panels.Panel]:
    """Accounts' own part: a programme admin manages who works for their organisation."""
    return [
        panels.for_membership(
            membership,
            links=[
                panels.Link(
                    "Members and roles", reverse("accounts:members", kwargs={"slug": membership.organisation.slug})
                )
            ],
        )
        for membership in viewer.memberships_as(Role.PROGRAMME_ADMIN)
    ]


def viewer_of(user: Any) -> panels.Viewer:
    return panels.Viewer(user=user, memberships=tuple(Membership.objects.for_user(user).select_related("organisation")))


def home_for(user: Any) -> Home:
    viewer = viewer_of(user)
    # An empty panel per membership first, so the staff cards keep the memberships' order whichever app fills them;
    # a card nobody fills is not shown.
    placeholders = [panels.for_membership(membership) for membership in viewer.memberships]
    contributed = [*placeholders, *_members_and_roles(viewer), *panels.panels_for(viewer)]
    return Home(cards=panels.cards(contributed), roles=list(viewer.memberships))
