"""Assessors and their queue: the provider's programme admins name a cohort's assessors, and each submission is
assigned to one of them (by an admin, or by the assessor taking it from the cohort's unassigned list).

Assigning makes the Assessment and its Judgement rows from the submission's frozen manifest (never the live
portfolio): one per section, one per criterion of each unit whose criteria the learner mapped evidence to, and, for
a micro-credential, one per competency. One assessment per submitted attempt: the database refuses a second.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.assessment.models import Assessment, CohortAssessor, Judgement
from credo.assessment.services.common import audit, settings_for
from credo.catalogue.models import AssessmentCriterion, Competency
from credo.portfolios.models import Submission
from credo.programmes.models import CheckInBooking, Cohort

#: The longest label a judgement keeps (the model's limit).
LABEL_MAX = 500
ALREADY_ASSIGNED = "This submission already has an assessor: each attempt is assessed once."
CONFLICT_RULE = "this cohort does not allow facilitators to assess their own learners"


def name_of(user: Any) -> str:
    return str(user.full_name or user.email)


def _require_programme_admin(actor: Any, cohort: Cohort, doing: str) -> None:
    provider = cohort.programme.provider
    if Role.PROGRAMME_ADMIN not in roles_in(actor, provider):
        raise PermissionDenied(f"Only {provider}'s programme admins can {doing}.")


@transaction.atomic
def assign_assessors(*, cohort: Cohort, actor: Any, assessors: Iterable[Any]) -> list[CohortAssessor]:
    """Name people as the cohort's assessors (its submissions come to their queue); each must hold the assessor role
    at the cohort's provider. Naming someone already named changes nothing. Returns the rows for ``assessors``."""
    _require_programme_admin(actor, cohort, "choose a cohort's assessors")
    provider = cohort.programme.provider
    people = list(assessors)
    if not people:
        raise ValidationError({"assessors": "Choose at least one assessor."})
    not_assessors = [name_of(person) for person in people if Role.ASSESSOR not in roles_in(person, provider)]
    if not_assessors:
        raise ValidationError(
            {
                "assessors": f"{', '.join(not_assessors)} {'is' if len(not_assessors) == 1 else 'are'} not an "
                f"assessor at {provider}. Give them the assessor role first (Organisation → Members)."
            }
        )
    rows = []
    for person in people:
        row, made = CohortAssessor.objects.get_or_create(
            cohort=cohort, assessor=person, defaults={"assigned_by": actor}
        )
        if made:
            audit(actor, "assessor_named", row, cohort, assessor=person.pk)
        rows.append(row)
    return rows


def is_cohort_assessor(user: Any, cohort: Cohort) -> bool:
    """Named as one of the cohort's assessors, and still an assessor at its provider (losing the role ends it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return CohortAssessor.objects.filter(cohort=cohort, assessor=user).exists() and Role.ASSESSOR in roles_in(
        user, cohort.programme.provider
    )


def facilitated_check_ins(assessor: Any, submission: Submission) -> bool:
    """Whether ``assessor`` facilitated any (not cancelled) 1:1 check-in of the learner who made ``submission``."""
    return CheckInBooking.objects.filter(
        enrolment_id=submission.portfolio.enrolment_id, slot__facilitator=assessor, cancelled_at__isnull=True
    ).exists()


def conflict_of_interest(*, submission: Submission, assessor: Any, actor: Any) -> str | None:
    """Why ``assessor`` may not assess ``submission``, naming the rule, or None."""
    enrolment = submission.portfolio.enrolment
    you = assessor.pk == actor.pk
    if enrolment.learner_id == assessor.pk:
        return (
            "Conflict of interest: nobody assesses their own work."
            if you
            else (f"Conflict of interest: {name_of(assessor)} is the learner who made this submission.")
        )
    if not settings_for(enrolment.cohort).facilitators_may_assess_own_learners and facilitated_check_ins(
        assessor, submission
    ):
        who = "you" if you else name_of(assessor)
        then = "" if you else " Choose another assessor."
        return f"Conflict of interest: {who} facilitated this learner's 1:1 check-ins, and {CONFLICT_RULE}.{then}"
    return None


def _load_submission(pk: int) -> Submission:
    """The submission, locked so that two people assigning it at once queue up (the second then finds it taken)."""
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related(
            "portfolio__enrolment__learner",
            "portfolio__enrolment__cohort__programme__provider",
            "portfolio__enrolment__cohort__programme__qualification",
        )
        .get(pk=pk)
    )


@transaction.atomic
def assign(*, submission: Submission, assessor: Any, actor: Any, now: datetime.datetime | None = None) -> Assessment:
    """Give a submitted attempt to an assessor: a programme admin assigns it, or an assessor named for the cohort
    takes it (``actor`` is ``assessor``). The assessor must be named for the cohort; a conflict of interest is
    refused with the rule it breaks. Makes the assessment (due at the end of the cohort's assessment window) and
    its judgements, from the frozen manifest."""
    submission = _load_submission(submission.pk)
    enrolment = submission.portfolio.enrolment
    cohort = enrolment.cohort
    provider = cohort.programme.provider
    roles = roles_in(actor, provider)
    taking = actor.pk == assessor.pk
    if not (Role.PROGRAMME_ADMIN in roles or (taking and Role.ASSESSOR in roles)):
        raise PermissionDenied(
            f"Only {provider}'s programme admins assign submissions; an assessor named for the cohort can take one."
        )
    if Role.ASSESSOR not in roles_in(assessor, provider):
        raise ValidationError({"assessor": f"{name_of(assessor)} is not an assessor at {provider}."})
    if not CohortAssessor.objects.filter(cohort=cohort, assessor=assessor).exists():
        you = "You are" if taking else f"{name_of(assessor)} is"
        raise ValidationError(
            {"assessor": f"{you} not one of this cohort's assessors: a programme admin names them first."}
        )
    if Assessment.objects.filter(submission=submission).exists():
        raise ValidationError(ALREADY_ASSIGNED)
    if problem := conflict_of_interest(submission=submission, assessor=assessor, actor=actor):
        raise ValidationError({"assessor": problem})
    now = now or timezone.now()
    try:
        with transaction.atomic():
            assessment = Assessment.objects.create(
                submission=submission,
                cohort=cohort,
                learner=enrolment.learner,
                attempt=submission.attempt,
                assessor=assessor,
                assigned_by=actor,
                assigned_at=now,
                due_on=cohort.assessment_ends,
            )
    except IntegrityError:
        raise ValidationError(ALREADY_ASSIGNED) from None
    Judgement.objects.bulk_create(judgements_from_manifest(assessment, submission, cohort))
    audit(
        actor,
        "assigned",
        assessment,
        cohort,
        submission=submission.pk,
        attempt=submission.attempt,
        assessor=assessor.pk,
        self_assigned=taking,
    )
    return assessment


def judgements_from_manifest(assessment: Assessment, submission: Submission, cohort: Cohort) -> list[Judgement]:
    """What is judged, read from the manifest: its sections, then every criterion of each unit whose criteria it
    maps evidence to, then (micro-credentials) every competency of the qualification. Three queries at most."""
    rows: list[Judgement] = []

    def add(key: str, label: str, unit_code: str = "") -> None:
        rows.append(
            Judgement(
                assessment=assessment,
                key=key,
                position=len(rows) + 1,
                label=label[:LABEL_MAX],
                unit_code=unit_code,
            )
        )

    sections = submission.manifest.get("sections", [])
    for section in sections:
        add(f"section:{section['position']}", f"Section {section['position']}: {section['title']}")
    mapped = {
        criterion["criterion"]
        for section in sections
        for item in section.get("items", [])
        for criterion in item.get("criteria", [])
    }
    if mapped:
        units = AssessmentCriterion.objects.filter(pk__in=mapped).values_list("outcome__unit_id", flat=True)
        criteria = (
            AssessmentCriterion.objects.filter(outcome__unit_id__in=set(units))
            .select_related("outcome__unit")
            .order_by("outcome__unit__code", "outcome__number", "number", "pk")
        )
        for criterion in criteria:
            unit = criterion.outcome.unit
            add(f"criterion:{criterion.pk}", f"{unit.code} AC{criterion.number}: {criterion.text}", unit.code)
    qualification = cohort.programme.qualification
    if qualification.is_micro_credential:
        for competency in Competency.objects.filter(qualification=qualification).order_by("number", "pk"):
            add(f"competency:{competency.pk}", f"C{competency.number}: {competency.title}")
    return rows


def unassigned(cohort: Cohort) -> QuerySet[Submission]:
    """The cohort's submitted attempts that nobody assesses yet, oldest first."""
    return (
        Submission.objects.filter(portfolio__enrolment__cohort=cohort, assessment__isnull=True)
        .select_related("portfolio__enrolment__learner")
        .defer("manifest")
        .order_by("submitted_at", "pk")
    )
