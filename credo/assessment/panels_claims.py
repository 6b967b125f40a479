"""What claims put on the dashboard: the claims waiting for an awarding body's external quality assurers, the released
claims waiting for its certification staff, and a centre's claims (those blocked by EQA first). Registered in
``wiring._claims``; one query per kind of viewer, however many organisations they work for."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q
from django.urls import reverse

from credo.accounts.models import OrganisationKind, Role
from credo.assessment.models import Claim, ClaimState
from credo.core import panels
from credo.core.panels import Link, Panel, Viewer
from credo.programmes.models import Programme


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _awarding_body(viewer: Viewer) -> list[Panel]:
    memberships = [
        m
        for m in viewer.memberships_as(Role.EXTERNAL_QA, Role.RATIFIER)
        if m.organisation.kind == OrganisationKind.AWARDING_BODY
    ]
    if not memberships:
        return []
    counts = {
        row["awarding_body_id"]: row
        for row in Claim.objects.filter(awarding_body_id__in={m.organisation_id for m in memberships})
        .values("awarding_body_id")
        .annotate(
            submitted=Count("id", filter=Q(state=ClaimState.SUBMITTED)),
            released=Count("id", filter=Q(state=ClaimState.RELEASED)),
        )
    }
    found = []
    for membership in memberships:
        row = counts.get(membership.organisation_id, {})
        url = reverse("assessment:awarding_claims", kwargs={"slug": membership.organisation.slug})
        if membership.role == Role.EXTERNAL_QA:
            waiting = int(row.get("submitted", 0))
            label = f"Claims waiting for external quality assurance: {waiting}"
            links = [Link(label, f"{url}?state={ClaimState.SUBMITTED}")]
        else:
            waiting = int(row.get("released", 0))
            label = f"Released claims waiting for certification: {waiting}"
            links = [Link(label, f"{url}?state={ClaimState.RELEASED}")]
        links.append(Link("All claims received", url))
        found.append(panels.for_membership(membership, links=links))
    return found


def _centre(viewer: Viewer) -> list[Panel]:
    """Only centres that deliver an awarding body's qualifications claim (two queries)."""
    admin_at = [m for m in viewer.memberships_as(Role.PROGRAMME_ADMIN) if m.organisation.kind == OrganisationKind.PROVIDER]
    if not admin_at:
        return []
    ids = {m.organisation_id for m in admin_at}
    delivering = set(
        Programme.objects.filter(provider_id__in=ids, qualification__owner__kind=OrganisationKind.AWARDING_BODY)
        .values_list("provider_id", flat=True)
        .distinct()
    )
    memberships = [m for m in admin_at if m.organisation_id in delivering]
    if not memberships:
        return []
    blocked = dict(
        Claim.objects.filter(centre_id__in=delivering, state=ClaimState.BLOCKED)
        .values("centre_id")
        .annotate(n=Count("id"))
        .values_list("centre_id", "n")
    )
    found = []
    for membership in memberships:
        url = reverse("assessment:centre_claims", kwargs={"slug": membership.organisation.slug})
        links = [Link("Claims for certification", url)]
        count = blocked.get(membership.organisation_id, 0)
        if count:
            label = f"{_plural(count, 'claim', 'claims')} blocked by external quality assurance: revise and resubmit"
            links.insert(0, Link(label, f"{url}?state={ClaimState.BLOCKED}"))
        found.append(panels.for_membership(membership, links=links))
    return found


def contribute(viewer: Viewer) -> Iterable[Panel]:
    return [*_awarding_body(viewer), *_centre(viewer)]
