"""What the catalogue puts on the dashboard: editing links and the catalogue for an owner's programme admins, and
what a centre is approved to deliver for its programme admins and facilitators. Registered in
``CatalogueConfig.ready``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse

from credo.accounts.models import Role
from credo.catalogue.models import CentreApproval, Qualification, Status
from credo.catalogue.services import CATALOGUE_OWNER_KINDS
from credo.core import panels
from credo.core.panels import Link, Panel, Viewer

#: The card lists an owner's latest entries; the catalogue itself has them all, searchable.
QUALIFICATIONS_SHOWN = 10


def _owners(viewer: Viewer) -> list[Panel]:
    admin_of = [m for m in viewer.memberships_as(Role.PROGRAMME_ADMIN) if m.organisation.kind in CATALOGUE_OWNER_KINDS]
    if not admin_of:
        return []
    by_owner: defaultdict[int, list[Qualification]] = defaultdict(list)
    owned = Qualification.objects.filter(owner_id__in=[m.organisation_id for m in admin_of])
    for qualification in owned.select_related("level").order_by("code", "-version"):
        by_owner[qualification.owner_id].append(qualification)
    found = []
    for membership in admin_of:
        slug = membership.organisation.slug
        entries = by_owner[membership.organisation_id]
        found.append(
            panels.for_membership(
                membership,
                links=[
                    Link("New qualification", reverse("catalogue:qualification_create", kwargs={"owner": slug})),
                    Link("New unit", reverse("catalogue:unit_create", kwargs={"owner": slug})),
                ],
                template="catalogue/panels/qualifications.html",
                context={
                    "heading": "Your catalogue",
                    "qualifications": entries[:QUALIFICATIONS_SHOWN],
                    "more": len(entries) > QUALIFICATIONS_SHOWN,
                },
            )
        )
    return found


def _centres(viewer: Viewer) -> list[Panel]:
    """The live qualifications each centre is approved to deliver (two queries, however many centres)."""
    staff = [
        m
        for m in viewer.memberships_as(Role.PROGRAMME_ADMIN, Role.FACILITATOR)
        if m.organisation.kind not in CATALOGUE_OWNER_KINDS
    ]
    if not staff:
        return []
    approvals = CentreApproval.objects.filter(centre_id__in={m.organisation_id for m in staff})
    codes: defaultdict[int, set[tuple[int, str]]] = defaultdict(set)
    for centre_id, owner_id, code in approvals.values_list("centre_id", "owner_id", "qualification_code"):
        codes[centre_id].add((owner_id, code))
    every = {code for pairs in codes.values() for _, code in pairs}
    live = list(
        Qualification.objects.filter(code__in=every, status=Status.LIVE).select_related("level").order_by("code")
    )
    found = []
    for membership in staff:
        approved = [q for q in live if (q.owner_id, q.code) in codes[membership.organisation_id]]
        if approved:  # a list of nothing is no work to do
            found.append(
                panels.for_membership(
                    membership,
                    template="catalogue/panels/qualifications.html",
                    context={"heading": "Approved to deliver", "qualifications": approved, "more": False},
                )
            )
    return found


def contribute(viewer: Viewer) -> Iterable[Panel]:
    return [*_owners(viewer), *_centres(viewer)]
