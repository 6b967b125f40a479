"""Permission-checked loaders for ratification: views and endpoints get a batch, an entry or a cohort only here.

The issuing institution's ratifiers see the batches sent to their institution, and act on them. The provider's
programme admins see their cohorts' batches (to follow them, and to see what was returned) and send new ones.
Anyone else learns nothing (404); someone with another role at the institution or the provider is refused (403).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.access import roles_in
from credo.accounts.models import Organisation, Role
from credo.assessment.models import RatificationBatch, RatificationEntry
from credo.programmes.models import Cohort


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _staff_roles(user: Any, organisation: Organisation) -> set[str]:
    return roles_in(user, organisation) - {Role.LEARNER}


def cohort_for_sending(user: Any, public_id: UUID) -> Cohort:
    """A cohort whose outcomes the viewer may send for ratification: the provider's programme admins."""
    if not _signed_in(user):
        raise Http404("No such cohort.")
    cohort = (
        Cohort.objects.select_related("programme__provider", "programme__qualification__owner")
        .filter(public_id=public_id)
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort.")
    roles = _staff_roles(user, cohort.programme.provider)
    if Role.PROGRAMME_ADMIN in roles:
        return cohort
    if roles:
        raise PermissionDenied("Only the provider's programme admins send outcomes for ratification.")
    raise Http404("No such cohort.")


def institution_for_ratifier(user: Any, slug: str) -> Organisation:
    """An issuing institution whose batches the viewer ratifies."""
    if not _signed_in(user):
        raise Http404("No such organisation.")
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404("No such organisation.")
    roles = _staff_roles(user, organisation)
    if Role.RATIFIER in roles:
        return organisation
    if roles:
        raise PermissionDenied(f"Only {organisation}'s ratifiers see the batches sent to it for ratification.")
    raise Http404("No such organisation.")


def may_ratify(user: Any, batch: RatificationBatch) -> bool:
    return _signed_in(user) and Role.RATIFIER in roles_in(user, batch.institution)


def batch_for_reader(user: Any, pk: int) -> RatificationBatch:
    """A batch, to read: the institution's ratifiers, and the provider's programme admins."""
    if not _signed_in(user):
        raise Http404("No such batch.")
    batch = (
        RatificationBatch.objects.select_related(
            "institution",
            "cohort__programme__provider",
            "cohort__programme__qualification",
            "submitted_by",
            "ratified_by",
            "job",
        )
        .filter(pk=pk)
        .first()
    )
    if batch is None:
        raise Http404("No such batch.")
    if may_ratify(user, batch) or Role.PROGRAMME_ADMIN in roles_in(user, batch.cohort.programme.provider):
        return batch
    if _staff_roles(user, batch.institution) or _staff_roles(user, batch.cohort.programme.provider):
        raise PermissionDenied("Your role does not include reading ratification batches.")
    raise Http404("No such batch.")


def batch_for_ratifier(user: Any, pk: int) -> RatificationBatch:
    """A batch, to act on (return a learner, ratify): the institution's ratifiers only."""
    batch = batch_for_reader(user, pk)
    if not may_ratify(user, batch):
        raise PermissionDenied(f"Only {batch.institution}'s ratifiers return learners and ratify batches.")
    return batch


def entry_of(batch: RatificationBatch, entry_id: int) -> RatificationEntry:
    """One learner's entry of a batch already loaded through the loaders above."""
    entry = (
        RatificationEntry.objects.select_related(
            "assessment__learner", "assessment__assessor", "assessment__submission", "attainment"
        )
        .filter(batch=batch, pk=entry_id)
        .first()
    )
    if entry is None:
        raise Http404("No such learner in this batch.")
    entry.batch = batch
    return entry
