"""Permission-checked loaders for assessing: pages and endpoints get cohorts, submissions and assessments only here.

The queue is for the provider's assessors (their own work, and the unassigned submissions of the cohorts they are
named for) and its programme admins (every cohort's). An assessment is read by its assessor, the provider's
programme admins and internal quality assurers; only its assessor writes it. Someone from another organisation (or
a learner) learns nothing (404); someone with another role at the provider is refused (403).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from credo.accounts.access import roles_in
from credo.accounts.models import Membership, OrganisationKind, Role
from credo.assessment.models import Assessment, CohortAssessor
from credo.portfolios.models import Submission, SubmittedFile
from credo.programmes.models import Cohort

#: Roles at the provider that read any of its assessments.
READERS = frozenset({Role.PROGRAMME_ADMIN, Role.INTERNAL_QA})
QUEUE_ROLES = frozenset({Role.ASSESSOR, Role.PROGRAMME_ADMIN})


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _refuse(user: Any, provider: Any, what: str, reason: str) -> NoReturn:
    """403 for staff of the provider with the wrong role; 404 for everyone else (it does not exist for them)."""
    if _signed_in(user) and roles_in(user, provider) - {Role.LEARNER}:
        raise PermissionDenied(reason)
    raise Http404(f"No such {what}.")


def providers_as(user: Any, *roles: str) -> list[int]:
    if not _signed_in(user):
        return []
    return list(
        Membership.objects.for_user(user)
        .filter(role__in=roles, organisation__kind=OrganisationKind.PROVIDER)
        .values_list("organisation_id", flat=True)
        .distinct()
    )


def require_queue(user: Any) -> None:
    """The queue is for assessors and programme admins of a provider."""
    if not providers_as(user, *QUEUE_ROLES):
        raise PermissionDenied("The assessment queue is for assessors and programme admins.")


def queue_cohorts(user: Any) -> QuerySet[Cohort]:
    """The cohorts whose queue the user sees: those they are named to assess (still holding the assessor role), and
    every cohort of the providers where they are a programme admin."""
    admin_of = providers_as(user, Role.PROGRAMME_ADMIN)
    assessor_at = providers_as(user, Role.ASSESSOR)
    named = CohortAssessor.objects.filter(assessor_id=user.pk, cohort__programme__provider_id__in=assessor_at)
    return (
        Cohort.objects.filter(Q(programme__provider_id__in=admin_of) | Q(pk__in=named.values("cohort_id")))
        .select_related("programme__provider")
        .order_by("-assessment_ends", "programme__name", "name", "pk")
    )


def queue_assessments(user: Any) -> QuerySet[Assessment]:
    """The assessments in the user's queue: their own (as assessor at a provider), and every one of the providers
    where they are a programme admin."""
    admin_of = providers_as(user, Role.PROGRAMME_ADMIN)
    assessor_at = providers_as(user, Role.ASSESSOR)
    return Assessment.objects.filter(
        Q(cohort__programme__provider_id__in=admin_of)
        | Q(assessor_id=user.pk, cohort__programme__provider_id__in=assessor_at)
    )


def queue_unassigned(user: Any) -> QuerySet[Submission]:
    """Unassigned submissions of the cohorts in the user's queue."""
    return Submission.objects.filter(
        assessment__isnull=True, portfolio__enrolment__cohort__in=queue_cohorts(user).values("pk")
    )


def _cohort(public_id: Any) -> Cohort:
    cohort = (
        Cohort.objects.select_related("programme__provider", "programme__qualification")
        .filter(public_id=public_id)
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def cohort_for_admin(user: Any, public_id: Any) -> Cohort:
    """A cohort, for its provider's programme admins (naming assessors, assigning, the assessment settings)."""
    cohort = _cohort(public_id)
    if _signed_in(user) and Role.PROGRAMME_ADMIN in roles_in(user, cohort.programme.provider):
        return cohort
    _refuse(user, cohort.programme.provider, "cohort", "Only the provider's programme admins manage assessment.")


def submission_for_assigning(user: Any, submission_id: int) -> Submission:
    """A submitted attempt, for a programme admin of its provider to assign, or an assessor there to take (the
    service checks that they are named for its cohort)."""
    submission = (
        Submission.objects.select_related("portfolio__enrolment__cohort__programme__provider")
        .defer("manifest")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        raise Http404("No such submission.")
    provider = submission.portfolio.enrolment.cohort.programme.provider
    if _signed_in(user) and roles_in(user, provider) & QUEUE_ROLES:
        return submission
    _refuse(user, provider, "submission", "Only the provider's assessors and programme admins assign submissions.")


def may_read(user: Any, assessment: Assessment) -> bool:
    if not _signed_in(user):
        return False
    roles = roles_in(user, assessment.cohort.programme.provider)
    return bool(roles & READERS) or (assessment.assessor_id == user.pk and Role.ASSESSOR in roles)


def may_judge(user: Any, assessment: Assessment) -> bool:
    return (
        _signed_in(user)
        and assessment.assessor_id == user.pk
        and Role.ASSESSOR in roles_in(user, assessment.cohort.programme.provider)
    )


def assessment_to_read(user: Any, assessment_id: int) -> Assessment:
    """An assessment, for its assessor, the provider's programme admins and internal quality assurers."""
    assessment = (
        Assessment.objects.select_related(
            "cohort__programme__provider",
            "cohort__programme__qualification",
            "learner",
            "assessor",
            "submission__portfolio__enrolment",
        )
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        raise Http404("No such assessment.")
    if may_read(user, assessment):
        return assessment
    _refuse(user, assessment.cohort.programme.provider, "assessment", "Your role does not include this assessment.")


def assessment_to_judge(user: Any, assessment_id: int) -> Assessment:
    """An assessment, for its assessor to judge (the others who may read it are refused: 403)."""
    assessment = assessment_to_read(user, assessment_id)
    if not may_judge(user, assessment):
        raise PermissionDenied("Only the assessor assigned to this submission can judge it.")
    return assessment


def submitted_file(user: Any, assessment_id: int, file_id: int) -> SubmittedFile:
    """A file of the assessed submission, for those who may read the assessment."""
    assessment = assessment_to_read(user, assessment_id)
    stored = SubmittedFile.objects.filter(submission_id=assessment.submission_id, pk=file_id).first()
    if stored is None:
        raise Http404("No such file in this submission.")
    return stored
