"""The pipeline on the dashboard: for a provider's programme admins, internal quality assurers and assessors, how
many learners are waiting at each stage across the provider's cohorts, with the way to the pipeline. Two queries
for any number of providers (``services.pipeline.provider_totals``). Registered from ``wiring._pipeline``."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse

from credo.accounts.models import OrganisationKind, Role
from credo.assessment.access.pipeline import PIPELINE_READERS
from credo.assessment.services.pipeline import LABELS, Stage, provider_totals
from credo.core import panels
from credo.core.panels import Link, Panel, Viewer

#: The stages the summary names: where someone at the provider has work to do, and what it has awarded.
SUMMARISED = (Stage.SUBMITTED, Stage.IN_ASSESSMENT, Stage.AWAITING_MODERATION, Stage.AWAITING_AWARD, Stage.AWARDED)
#: The summary's word for the stage before the award, true of ratification and certification alike.
AWAITING_AWARD = "Competent, waiting for ratification or certification"


#: Whose card carries the summary when one person holds several of these roles at a provider (the others link only).
_FIRST = (Role.PROGRAMME_ADMIN, Role.INTERNAL_QA, Role.ASSESSOR)


def contribute(viewer: Viewer) -> Iterable[Panel]:
    memberships = sorted(
        (
            membership
            for membership in viewer.memberships_as(*PIPELINE_READERS)
            if membership.organisation.kind == OrganisationKind.PROVIDER
        ),
        key=lambda membership: _FIRST.index(Role(membership.role)),
    )
    if not memberships:
        return []
    providers = list({m.organisation_id: m.organisation for m in memberships}.values())
    totals = provider_totals(providers)
    url = reverse("assessment:pipeline")
    found = []
    summarised: set[int] = set()
    for membership in memberships:
        link = [Link("Assessment pipeline", url)]
        if membership.organisation_id in summarised:
            found.append(panels.for_membership(membership, links=link))
            continue
        summarised.add(membership.organisation_id)
        counts = totals[membership.organisation_id]
        stages = [(AWAITING_AWARD if s is Stage.AWAITING_AWARD else LABELS[s], counts[s]) for s in SUMMARISED]
        found.append(
            panels.for_membership(
                membership, links=link, template="assessment/pipeline/_panel.html", context={"stages": stages}
            )
        )
    return found
