"""Who may read a provider's pipeline: its programme admins, internal quality assurers and assessors.

A cohort of a provider where the viewer holds none of these roles is refused: with a reason (403) when they work
there in another role (a facilitator), as nothing at all (404) otherwise, so that another organisation's cohorts do
not show they exist.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.access import organisations_where, roles_in
from credo.accounts.models import Organisation, OrganisationKind, Role
from credo.programmes.models import Cohort

#: Roles at a provider that may follow its pipeline.
PIPELINE_READERS = frozenset({Role.PROGRAMME_ADMIN, Role.INTERNAL_QA, Role.ASSESSOR})

REFUSED = "Only the provider's programme admins, internal quality assurers and assessors can follow its pipeline."


def providers_for_pipeline(user: Any) -> list[Organisation]:
    """The providers whose pipeline the viewer may read; refused (403) when there are none (an awarding body's
    staff follow claims, not a provider's pipeline)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise PermissionDenied(REFUSED)
    found = [org for org in organisations_where(user, PIPELINE_READERS) if org.kind == OrganisationKind.PROVIDER]
    if not found:
        raise PermissionDenied(REFUSED)
    return found


def cohort_for_pipeline(user: Any, public_id: Any) -> Cohort:
    """A cohort whose pipeline the viewer may read, with what the pipeline reads of it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404("No such cohort.")
    cohort = (
        Cohort.objects.select_related("programme__provider", "programme__qualification__owner")
        .filter(public_id=public_id)
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort.")
    roles = roles_in(user, cohort.programme.provider)
    if roles & PIPELINE_READERS:
        return cohort
    if roles - {Role.LEARNER}:
        raise PermissionDenied(REFUSED)
    raise Http404("No such cohort.")
