"""What ratification puts on the dashboard: for an institution's ratifiers, the batches waiting for them; for a
provider's programme admins, the outcomes the institution returned. Registered in ``wiring._ratification``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse

from credo.accounts.models import Role
from credo.assessment.models import BatchState, EntryDecision, RatificationBatch, RatificationEntry
from credo.core import panels
from credo.core.panels import Link, Panel, Viewer


def _ratifiers(viewer: Viewer) -> list[Panel]:
    """One query for every institution the viewer ratifies for."""
    memberships = viewer.memberships_as(Role.RATIFIER)
    if not memberships:
        return []
    waiting = dict(
        RatificationBatch.objects.filter(
            institution_id__in=[m.organisation_id for m in memberships], state=BatchState.SUBMITTED
        )
        .values_list("institution_id")
        .annotate(count=Count("pk"))
    )
    found = []
    for membership in memberships:
        count = waiting.get(membership.organisation_id, 0)
        url = reverse("assessment:ratification_batches", kwargs={"slug": membership.organisation.slug})
        found.append(
            panels.for_membership(
                membership,
                links=[Link("Ratification batches", url)],
                template="assessment/ratification/_ratifier_panel.html",
                context={"waiting": count, "url": f"{url}?state={BatchState.SUBMITTED}"},
            )
        )
    return found


def _providers(viewer: Viewer) -> list[Panel]:
    """One query: each cohort of the viewer's providers with outcomes returned and not yet sent again."""
    memberships = viewer.memberships_as(Role.PROGRAMME_ADMIN)
    if not memberships:
        return []
    sent_again = RatificationEntry.objects.filter(assessment=OuterRef("assessment")).exclude(
        decision=EntryDecision.RETURNED
    )
    rows = (
        RatificationEntry.objects.filter(
            batch__cohort__programme__provider_id__in=[m.organisation_id for m in memberships],
            decision=EntryDecision.RETURNED,
        )
        .exclude(Exists(sent_again))
        .values("batch__cohort__programme__provider_id", "batch__cohort__public_id", "batch__cohort__name")
        .annotate(count=Count("pk", filter=Q(decision=EntryDecision.RETURNED)))
        .order_by("batch__cohort__name")
    )
    by_provider: dict[int, list[dict[str, object]]] = {}
    for row in rows:
        by_provider.setdefault(row["batch__cohort__programme__provider_id"], []).append(
            {
                "name": row["batch__cohort__name"],
                "count": row["count"],
                "url": reverse("assessment:ratification_cohort", kwargs={"public_id": row["batch__cohort__public_id"]}),
            }
        )
    return [
        panels.for_membership(
            membership,
            template="assessment/ratification/_returned_panel.html",
            context={"cohorts": by_provider[membership.organisation_id]},
        )
        for membership in memberships
        if membership.organisation_id in by_provider
    ]


def contribute(viewer: Viewer) -> Iterable[Panel]:
    return [*_ratifiers(viewer), *_providers(viewer)]
