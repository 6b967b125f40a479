"""Permission-checked loaders for moderation, outcomes and appeals: views and endpoints get objects only through these.

Staff: the provider's programme admins and internal quality assurers follow a cohort's moderation and appeals
(``MODERATION_STAFF``); moderating itself is an internal quality assurer's (the service checks it). The learner
reads only their own released outcomes. Anyone else at the provider with another role is refused (403); anyone
outside it learns nothing (404).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.access import roles_in
from credo.accounts.models import Organisation, Role
from credo.assessment.models import Appeal, Assessment, SampleEntry
from credo.programmes.models import Cohort

MODERATION_STAFF = frozenset({Role.PROGRAMME_ADMIN, Role.INTERNAL_QA})


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def require_staff(user: Any, provider: Organisation, what: str) -> None:
    """403 for someone with another role at the provider, 404 for anyone else."""
    roles = roles_in(user, provider) if _signed_in(user) else set()
    if roles & MODERATION_STAFF:
        return
    if roles - {Role.LEARNER}:
        raise PermissionDenied(f"Your role at this provider does not include {what}.")
    raise Http404("Not found.")


def provider_for_staff(user: Any, slug: str) -> Organisation:
    provider = Organisation.objects.filter(slug=slug).first()
    if provider is None:
        raise Http404("No such organisation.")
    require_staff(user, provider, "setting sampling plans")
    return provider


def cohort_for_moderation(user: Any, public_id: Any) -> Cohort:
    """A cohort whose moderation the viewer follows: the provider's programme admins and internal QA."""
    cohort = Cohort.objects.select_related("programme__provider", "programme__qualification__owner").filter(
        public_id=public_id
    )
    found = cohort.first()
    if found is None or not _signed_in(user):
        raise Http404("No such cohort.")
    require_staff(user, found.programme.provider, "the moderation of this cohort")
    return found


def entry_for_moderation(user: Any, entry_id: int) -> SampleEntry:
    entry = (
        SampleEntry.objects.select_related(
            "sample__cohort__programme__provider",
            "assessment__submission",
            "assessment__assessor",
            "assessment__learner",
            "moderator",
        )
        .filter(pk=entry_id)
        .first()
    )
    if entry is None or not _signed_in(user):
        raise Http404("No such sampled assessment.")
    require_staff(user, entry.sample.cohort.programme.provider, "moderating assessments")
    return entry


def own_outcome(user: Any, assessment_id: int) -> Assessment:
    """One of the signed-in learner's outcomes, once released to them (never while it is being moderated)."""
    if not _signed_in(user):
        raise Http404("No such outcome.")
    found = (
        Assessment.objects.select_related("cohort__programme__qualification__owner", "submission__portfolio")
        .filter(pk=assessment_id, learner_id=user.pk, released_at__isnull=False)
        .first()
    )
    if found is None:
        raise Http404("No such outcome.")
    return found


def own_outcomes(user: Any) -> Any:
    if not _signed_in(user):
        return Assessment.objects.none()
    return (
        Assessment.objects.filter(learner_id=user.pk, released_at__isnull=False)
        .select_related("cohort__programme")
        .order_by("-released_at", "-pk")
    )


def appeal_for_review(user: Any, appeal_id: int) -> Appeal:
    appeal = (
        Appeal.objects.select_related(
            "assessment__cohort__programme__provider", "assessment__learner", "assessment__assessor", "reviewer"
        )
        .filter(pk=appeal_id)
        .first()
    )
    if appeal is None or not _signed_in(user):
        raise Http404("No such appeal.")
    require_staff(user, appeal.assessment.cohort.programme.provider, "reviewing appeals")
    return appeal
