"""What the claims tests start from: competent, moderated, released assessments made directly with the ORM (the
assessing and moderation services are written in parallel), and a certificate that counts units a learner already
holds (the carried-in case).

An assessment made here is exactly what ``common.LEAVES_THE_CENTRE`` asks for: completed competent, released, in
a moderation draw that is complete; one judgement per criterion the submission maps (key "criterion:<pk>", the
unit's code kept), all met.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.assessment.models import (
    Assessment,
    AssessmentState,
    Judgement,
    ModerationReview,
    ModerationSample,
    ModerationState,
    Outcome,
    SampleEntry,
)
from credo.catalogue import services as catalogue
from credo.catalogue.models import GroupKind, Qualification, QualificationKind, Unit
from credo.catalogue.services import CriterionSpec, OutcomeSpec
from credo.catalogue.tests.builders import make_qualification, make_unit
from credo.credentials import services as credentials
from credo.credentials.models import Attainment, Route
from credo.portfolios.models import Submission
from credo.portfolios.tests.builders import cohort_of
from credo.programmes.models import Cohort

from .builders import submitted


def staff(organisation: Organisation, role: str, email: str) -> User:
    user = UserFactory(email=email, full_name=email.split("@")[0].title())
    return MembershipFactory(user=user, organisation=organisation, role=role).user


def _criteria(submission: Submission) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for section in submission.manifest["sections"]:
        for item in section["items"]:
            for criterion in item["criteria"]:
                seen.setdefault(criterion["criterion"], criterion)
    return list(seen.values())


def competent(
    submission: Submission,
    *,
    assessor: User,
    moderator: User | None = None,
    units: set[str] | None = None,
    met: bool = True,
    sampled: bool = False,
) -> Assessment:
    """A completed, competent, released assessment of ``submission``, in a completed moderation draw.

    ``units``: judge only the criteria of these unit codes (the rest of the manifest is not judged: a learner who
    already holds a unit is not assessed on it again). ``met=False`` leaves the judgements unmet (an outcome that
    could not have been competent: for the refusals). ``sampled``: agreed by ``moderator`` rather than passed by.
    """
    cohort = submission.portfolio.enrolment.cohort
    now = timezone.now()
    assessment = Assessment.objects.create(
        submission=submission,
        cohort=cohort,
        learner=submission.portfolio.enrolment.learner,
        attempt=submission.attempt,
        assessor=assessor,
        assigned_by=assessor,
        assigned_at=now - datetime.timedelta(days=3),
        due_on=cohort.assessment_ends,
        state=AssessmentState.COMPLETED,
        outcome=Outcome.COMPETENT,
        feedback="Well evidenced.",
        declaration="I assessed this work myself.",
        completed_at=now - datetime.timedelta(days=2),
        files_verified=True,
        released_at=now - datetime.timedelta(days=1),
    )
    criteria = [c for c in _criteria(submission) if units is None or c["unit"] in units]
    Judgement.objects.bulk_create(
        Judgement(
            assessment=assessment,
            key=f"criterion:{c['criterion']}",
            position=position,
            label=f"{c['outcome']}.{c['number']} {c['text']}"[:500],
            unit_code=c["unit"],
            met=met,
            comment="Shown in the account.",
        )
        for position, c in enumerate(criteria, start=1)
    )
    number = ModerationSample.objects.filter(cohort=cohort).count() + 1
    sample = ModerationSample.objects.create(
        cohort=cohort,
        number=number,
        seed=f"seed-{number}",
        plan={"percent": 25, "new_assessor_decisions": 5},
        population=[assessment.pk],
        drawn_by=moderator or assessor,
        drawn_at=now - datetime.timedelta(days=2),
        completed_at=now - datetime.timedelta(days=1),
    )
    entry = SampleEntry.objects.create(
        sample=sample,
        assessment=assessment,
        reasons=["random 25%"] if sampled else [],
        state=ModerationState.AGREED if sampled else ModerationState.NOT_SAMPLED,
        moderator=moderator if sampled else None,
        rationale="The judgements follow the evidence." if sampled else "",
        decided_at=now - datetime.timedelta(days=1) if sampled else None,
    )
    if sampled:
        assert moderator is not None
        ModerationReview.objects.create(
            entry=entry,
            moderator=moderator,
            agreed=True,
            rationale="The judgements follow the evidence.",
            reviewed_at=now - datetime.timedelta(days=1),
        )
    return assessment


def ready_to_claim(cohort: Cohort, email: str, full_name: str = "A Learner", **options: Any) -> Assessment:
    """A learner of ``cohort`` submits, and their work is assessed competent, moderated and released."""
    provider = cohort.programme.provider
    assessor = options.pop("assessor", None) or _assessor_of(provider)
    return competent(submitted(cohort, email, full_name), assessor=assessor, **options)


def _assessor_of(provider: Organisation) -> User:
    found = provider.memberships.filter(role=Role.ASSESSOR).select_related("user").first()
    return found.user if found else staff(provider, Role.ASSESSOR, f"assessor@{provider.slug}.example")


def seg_certificate(actor: Any, owner: Organisation, award: Qualification) -> Qualification:
    """A certificate whose mandatory units are the award's two and one of its own: who holds the award carries its
    units in ("the Awards lead to the Certificates")."""
    own = make_unit(actor, owner, "7000903", "Organising unit 3")
    catalogue.set_unit_outcomes(
        actor=actor,
        unit=own,
        outcomes=[
            OutcomeSpec(
                number=1,
                text="Lead an organising campaign",
                criteria=(CriterionSpec("1.1", "Plan it"), CriterionSpec("1.2", "Review it")),
            )
        ],
    )
    certificate = make_qualification(
        actor, owner, "7000011", "Organising Certificate (test)", QualificationKind.CERTIFICATE
    )
    group = catalogue.add_rule_group(actor=actor, qualification=certificate, name="Mandatory", kind=GroupKind.MANDATORY)
    for unit in [*award_units(award), own]:
        catalogue.add_unit_to_group(actor=actor, group=group, unit=unit)
    return catalogue.publish_qualification(actor=actor, qualification=certificate)


def award_units(qualification: Qualification) -> list[Unit]:
    return [m.unit for g in qualification.rule_groups.all() for m in g.memberships.select_related("unit")]


def certificate_cohort(admin: User, centre: Organisation, certificate: Qualification) -> Cohort:
    return cohort_of(admin, centre, certificate, "organising-certificate")


def holding(learner: User, units: list[Unit], decided_by: User) -> list[Attainment]:
    """The learner already holds ``units`` (certificated earlier): the award they complete follows."""
    return [
        credentials.record_attainment(
            learner=learner,
            achievement=credentials.achievement_for_unit(unit),
            route=Route.RATIFIED_ASSESSMENT,
            attained_on=datetime.date(2023, 7, 1),
            decided_by=decided_by,
            note="Certificated in 2023",
        )
        for unit in units
    ]
