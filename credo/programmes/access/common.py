"""Permission-checked loaders for programmes: views and endpoints load objects only through these.

Staff of a cohort are the provider's programme admins, and its facilitators for
the work facilitators do. A learner sees their own enrolment. Anyone else learns
nothing (404), except where a page is public (a programme's cohort page).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.programmes.models import Cohort, Enrolment


def public_cohort(provider_slug: str, programme_slug: str, cohort_slug: str) -> Cohort:
    cohort = (
        Cohort.objects.select_related("programme__provider", "programme__qualification")
        .filter(programme__provider__slug=provider_slug, programme__slug=programme_slug, slug=cohort_slug)
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def is_programme_admin(user: Any, cohort: Cohort) -> bool:
    return Role.PROGRAMME_ADMIN in roles_in(user, cohort.programme.provider)


def is_facilitator(user: Any, cohort: Cohort) -> bool:
    """Named on the cohort, and still a facilitator at its provider (removing the role ends the access)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return cohort.facilitators.filter(pk=user.pk).exists() and Role.FACILITATOR in roles_in(
        user, cohort.programme.provider
    )


def cohort_for_staff(user: Any, public_id: str, *, facilitators: bool = False) -> Cohort:
    """A cohort for its provider's programme admins (and, with ``facilitators``, its facilitators)."""
    cohort = Cohort.objects.select_related("programme__provider").filter(public_id=public_id).first()
    if cohort is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such cohort.")
    if is_programme_admin(user, cohort) or (facilitators and is_facilitator(user, cohort)):
        return cohort
    if roles_in(user, cohort.programme.provider):
        raise PermissionDenied("Your role at this provider does not allow this.")
    raise Http404("No such cohort.")


def own_enrolment(user: Any, pk: int) -> Enrolment:
    """The signed-in learner's own enrolment."""
    enrolment = (
        Enrolment.objects.select_related("cohort__programme__provider", "fee_tier")
        .filter(pk=pk, learner_id=getattr(user, "pk", None))
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment.")
    return enrolment


def enrolment_for_staff(user: Any, pk: int, *, facilitators: bool = False) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_related("cohort__programme__provider", "learner", "fee_tier").filter(pk=pk).first()
    )
    if enrolment is None:
        raise Http404("No such enrolment.")
    cohort_for_staff(user, str(enrolment.cohort.public_id), facilitators=facilitators)
    return enrolment
