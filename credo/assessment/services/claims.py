"""Claims for certification (SEG): a centre claims, from the awarding body, the units and qualifications its learners
have achieved, once their assessments are moderated and released (``common.LEAVES_THE_CENTRE``).

A claim is built by one of the centre's programme admins from the claimable assessments. Each assessment gives a
line per unit achieved (every criterion judgement of the unit met) that the learner does not already hold, and a
line for the cohort's qualification when its rules of combination are complete with the units claimed and the units
the learner already holds (those are "carried in" and named on the line). When the qualification is not complete the
claim says exactly what is missing, in the progression's own words; the units are still claimed.

A claim is edited (learners added and removed) while it is a draft, or once external quality assurance has blocked
it; it is then submitted (again) to the awarding body. External quality assurance and certification are in
``services.eqa``. The database holds the rest: one line per learner and achievement in a claim.

States: DRAFT -> SUBMITTED -> RELEASED | BLOCKED (-> SUBMITTED again) ; RELEASED -> CERTIFICATING -> CERTIFICATED.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import Organisation, OrganisationKind, Role, User
from credo.assessment.models import Assessment, Claim, ClaimLine, ClaimState
from credo.assessment.services.common import LEAVES_THE_CENTRE
from credo.audit.services import record_event
from credo.catalogue.models import Qualification, Unit
from credo.catalogue.progression import QualificationProgress, progress_towards
from credo.credentials.models import AchievementKind, Attainment, Credential, CredentialState, Issuer
from credo.credentials.services import achievement_for_qualification, achievement_for_unit

#: The states in which the centre may change a claim: before it is first submitted, and after EQA blocked it.
EDITABLE = (ClaimState.DRAFT, ClaimState.BLOCKED)
CRITERION = "criterion:"


def is_centre_admin(user: Any, centre: Organisation) -> bool:
    return getattr(user, "is_authenticated", False) and Role.PROGRAMME_ADMIN in roles_in(user, centre)


def require_centre_admin(actor: Any, centre: Organisation) -> None:
    if not is_centre_admin(actor, centre):
        raise PermissionDenied(f"Only {centre}'s programme admins can make and submit its claims for certification.")


def claim_audit(actor: Any, action: str, claim: Claim, organisation_id: int, **details: Any) -> None:
    """One event on the audit chain (call inside the transaction that makes the change)."""
    record_event(
        actor=actor,
        action=f"assessment.{action}",
        obj=claim,
        organisation_id=organisation_id,
        details={"centre": claim.centre_id, "awarding_body": claim.awarding_body_id, **details},
    )


# What may be claimed ---------------------------------------------------------------------------------------------


def claimable(centre: Organisation, awarding_body: Organisation) -> QuerySet[Assessment]:
    """The centre's outcomes that may leave it for ``awarding_body``: released, moderated and competent
    (``LEAVES_THE_CENTRE``), of qualifications the awarding body owns, and on no claim yet."""
    on_a_claim = ClaimLine.objects.filter(assessment=OuterRef("pk"))
    return (
        Assessment.objects.filter(
            LEAVES_THE_CENTRE,
            cohort__programme__provider=centre,
            cohort__programme__qualification__owner=awarding_body,
        )
        .exclude(Exists(on_a_claim))
        .select_related("learner", "cohort__programme__qualification")
        .order_by("cohort__programme__qualification__code", "learner__full_name", "learner__email", "pk")
    )


def awarding_bodies_for(centre: Organisation) -> QuerySet[Organisation]:
    """The awarding bodies whose qualifications the centre delivers (the claims it can make)."""
    return Organisation.objects.filter(
        kind=OrganisationKind.AWARDING_BODY, qualifications__programmes__provider=centre
    ).distinct()


def held_units(learner_ids: Iterable[int]) -> dict[int, set[str]]:
    """The unit codes each learner holds now (one query); a unit whose credential was revoked no longer counts."""
    revoked = Credential.objects.filter(
        attainment=OuterRef("pk"), superseded_at__isnull=True, state=CredentialState.REVOKED
    )
    rows = (
        Attainment.objects.filter(learner_id__in=list(learner_ids), achievement__unit__isnull=False)
        .exclude(Exists(revoked))
        .values_list("learner_id", "achievement__unit__code")
    )
    found: dict[int, set[str]] = defaultdict(set)
    for learner_id, code in rows:
        found[learner_id].add(code)
    return found


def held_qualifications(learner_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(learner, qualification) pairs already attained (one query)."""
    return set(
        Attainment.objects.filter(
            learner_id__in=list(learner_ids), achievement__unit__isnull=True, achievement__qualification__isnull=False
        ).values_list("learner_id", "achievement__qualification_id")
    )


def units_achieved(assessment: Assessment) -> list[str]:
    """The codes of the units whose criterion judgements are all met (in the order judged)."""
    by_unit: dict[str, list[bool]] = {}
    for judgement in assessment.judgements.all():
        if judgement.key.startswith(CRITERION) and judgement.unit_code:
            by_unit.setdefault(judgement.unit_code, []).append(judgement.met is True)
    return [code for code, met in by_unit.items() if all(met)]


def shortfall(progress: QualificationProgress) -> list[str]:
    """What is still missing for a qualification, in the progression's own words, group by group."""
    missing = []
    for group in progress.groups:
        if group.satisfied:
            continue
        codes = ", ".join(unit.code for unit in group.remaining)
        missing.append(f"{group.group.name}: {group.shortfall_text()} ({codes})")
    if progress.credits_short:
        missing.append(f"{progress.credits_short} more credits overall.")
    return missing


@dataclass
class LearnerClaim:
    """What one assessment claims for its learner: the units to claim, and the qualification if it is complete."""

    assessment: Assessment
    qualification: Qualification
    units: list[Unit]
    already_held: list[str]
    progress: QualificationProgress
    carried_in: list[str]
    holds_qualification: bool

    @property
    def learner(self) -> User:
        return self.assessment.learner

    @property
    def claims_qualification(self) -> bool:
        return self.progress.complete and not self.holds_qualification

    @property
    def missing(self) -> list[str]:
        return [] if self.progress.complete or self.holds_qualification else shortfall(self.progress)


def plan_for(assessment: Assessment, *, held: set[str], holds_qualification: bool) -> LearnerClaim:
    """What ``assessment`` claims, given the unit codes its learner already holds."""
    qualification = Qualification.objects.with_structure().get(pk=assessment.cohort.programme.qualification_id)
    achieved = units_achieved(assessment)
    claimed = [code for code in achieved if code not in held]
    units = {unit.code: unit for unit in Unit.objects.filter(code__in=claimed).select_related("framework", "level")}
    progress = progress_towards(qualification, [*claimed, *held])
    carried = sorted(unit.code for unit in progress.units_achieved if unit.code in held and unit.code not in claimed)
    return LearnerClaim(
        assessment=assessment,
        qualification=qualification,
        units=[units[code] for code in claimed if code in units],
        already_held=[code for code in achieved if code in held],
        progress=progress,
        carried_in=carried,
        holds_qualification=holds_qualification,
    )


# Building and editing a claim ------------------------------------------------------------------------------------


def _lock_claimable(centre: Organisation, awarding_body: Organisation, assessments: Sequence[Assessment]) -> list[Any]:
    ids = sorted({a.pk for a in assessments})
    if not ids:
        raise ValidationError({"assessments": "Choose at least one learner to claim for."})
    # Locked in id order (no deadlock between two admins): a second claim of the same outcome waits, then sees it.
    list(Assessment.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk").values_list("pk"))
    found = {a.pk: a for a in claimable(centre, awarding_body).filter(pk__in=ids).prefetch_related("judgements")}
    gone = [pk for pk in ids if pk not in found]
    if gone:
        names = ", ".join(
            str(a.learner) for a in Assessment.objects.filter(pk__in=gone).select_related("learner").order_by("pk")
        )
        raise ValidationError(
            {
                "assessments": (
                    f"Not claimable: {names or 'unknown'}. Only released, moderated, competent outcomes of "
                    f"{awarding_body}'s qualifications, on no other claim, can be claimed; reload the list."
                )
            }
        )
    return [found[pk] for pk in ids]


def _add_lines(claim: Claim, assessments: Sequence[Assessment]) -> list[LearnerClaim]:
    existing = set(ClaimLine.objects.filter(claim=claim).values_list("learner_id", "achievement_id"))
    learner_ids = {a.learner_id for a in assessments}
    held = held_units(learner_ids)
    quals = held_qualifications(learner_ids)
    plans = []
    for assessment in assessments:
        plan = plan_for(
            assessment,
            held=held.get(assessment.learner_id, set()),
            holds_qualification=(assessment.learner_id, assessment.cohort.programme.qualification_id) in quals,
        )
        lines = [ClaimLine(claim=claim, learner=plan.learner, achievement=achievement_for_unit(u)) for u in plan.units]
        if plan.claims_qualification:
            lines.append(
                ClaimLine(
                    claim=claim,
                    learner=plan.learner,
                    achievement=achievement_for_qualification(plan.qualification),
                    carried_in=plan.carried_in,
                )
            )
        if not lines:
            held_all = f"{plan.learner} already holds everything this outcome shows: there is nothing to claim."
            raise ValidationError({"assessments": held_all})
        for line in lines:
            line.assessment = assessment
            if (line.learner.pk, line.achievement.pk) in existing:
                raise ValidationError(
                    {"assessments": f"{plan.learner} is already claimed for {line.achievement.name} in this claim."}
                )
            existing.add((line.learner.pk, line.achievement.pk))
        try:
            with transaction.atomic():
                ClaimLine.objects.bulk_create(lines)
        except IntegrityError:
            raise ValidationError(
                {"assessments": f"{plan.learner}'s outcome is already on another claim: it can be claimed once."}
            ) from None
        plans.append(plan)
    return plans


def _lock(claim: Claim) -> Claim:
    return Claim.objects.select_for_update(of=("self",)).select_related("centre", "awarding_body").get(pk=claim.pk)


def _state_words(claim: Claim) -> str:
    return ClaimState(claim.state).label.lower()


def build_claim(
    *, centre: Organisation, awarding_body: Organisation, actor: Any, assessments: Sequence[Assessment]
) -> Claim:
    """A new draft claim to ``awarding_body`` for the chosen claimable outcomes (see the module's docstring)."""
    require_centre_admin(actor, centre)
    if awarding_body.kind != OrganisationKind.AWARDING_BODY:
        raise ValidationError({"awarding_body": f"{awarding_body} is not an awarding body: claims go to one."})
    with transaction.atomic():
        locked = _lock_claimable(centre, awarding_body, assessments)
        claim = Claim.objects.create(centre=centre, awarding_body=awarding_body, created_by=actor)
        plans = _add_lines(claim, locked)
        claim_audit(actor, "claim_built", claim, centre.pk, learners=[p.learner.email for p in plans])
    return claim


def add_to_claim(*, claim: Claim, actor: Any, assessments: Sequence[Assessment]) -> Claim:
    """Add learners to a claim the centre may still change (a draft, or blocked by EQA)."""
    require_centre_admin(actor, claim.centre)
    with transaction.atomic():
        claim = _lock(claim)
        if claim.state not in EDITABLE:
            raise ValidationError(f"This claim is {_state_words(claim)}: learners can no longer be added to it.")
        locked = _lock_claimable(claim.centre, claim.awarding_body, assessments)
        plans = _add_lines(claim, locked)
        claim_audit(actor, "claim_learners_added", claim, claim.centre_id, learners=[p.learner.email for p in plans])
    return claim


def remove_from_claim(*, claim: Claim, actor: Any, learner: User) -> Claim:
    """Take a learner (all their lines) off a claim the centre may still change; their outcome is claimable again."""
    require_centre_admin(actor, claim.centre)
    with transaction.atomic():
        claim = _lock(claim)
        if claim.state not in EDITABLE:
            raise ValidationError(f"This claim is {_state_words(claim)}: learners can no longer be taken off it.")
        removed, _ = ClaimLine.objects.filter(claim=claim, learner=learner).delete()
        if not removed:
            raise ValidationError(f"{learner} is not on this claim.")
        claim_audit(actor, "claim_learner_removed", claim, claim.centre_id, learner=learner.email)
    return claim


# Checking and submitting -----------------------------------------------------------------------------------------


@dataclass
class LearnerSummary:
    """One learner's part of a claim, as pages, exports and the API show it."""

    learner: User
    assessment: Assessment | None
    units: list[ClaimLine] = field(default_factory=list)
    qualification: ClaimLine | None = None
    missing: list[str] = field(default_factory=list)
    qualification_title: str = ""


def claim_lines(claim: Claim) -> QuerySet[ClaimLine]:
    return (
        ClaimLine.objects.filter(claim=claim)
        .select_related("learner", "achievement__unit", "assessment__cohort__programme__qualification", "attainment")
        .order_by("learner__full_name", "learner__email", "learner_id", "achievement__kind", "achievement__code")
    )


def summary(claim: Claim) -> list[LearnerSummary]:
    """Each learner's lines, with what is missing for their qualification when it is not claimed (a fixed number of
    queries however many learners)."""
    rows: dict[int, LearnerSummary] = {}
    for line in claim_lines(claim):
        row = rows.setdefault(line.learner_id, LearnerSummary(learner=line.learner, assessment=line.assessment))
        if line.achievement.kind == AchievementKind.UNIT:
            row.units.append(line)
        else:
            row.qualification = line
    if claim.state in (ClaimState.CERTIFICATING, ClaimState.CERTIFICATED):
        return list(rows.values())
    wanting = [row for row in rows.values() if row.qualification is None and row.assessment is not None]
    qualification_ids = {row.assessment.cohort.programme.qualification_id for row in wanting if row.assessment}
    structures = {q.pk: q for q in Qualification.objects.with_structure().filter(pk__in=qualification_ids)}
    held = held_units(row.learner.pk for row in wanting)
    for row in wanting:
        assert row.assessment is not None
        qualification = structures[row.assessment.cohort.programme.qualification_id]
        codes = {line.achievement.code for line in row.units} | held.get(row.learner.pk, set())
        progress = progress_towards(qualification, codes)
        row.qualification_title = str(qualification)
        row.missing = [] if progress.complete else shortfall(progress)
    return list(rows.values())


def check_claim(claim: Claim) -> list[str]:
    """What stops the claim being submitted, in words the centre can act on (empty: it may be submitted)."""
    problems = []
    lines = list(claim_lines(claim))
    if not lines:
        return ["The claim has no learners yet: add at least one."]
    if not Issuer.objects.filter(organisation_id=claim.awarding_body_id).exists():
        problems.append(f"{claim.awarding_body} cannot certificate yet (it has no issuer profile): ask them.")
    assessment_ids = {line.assessment_id for line in lines if line.assessment_id}
    still_out = set(Assessment.objects.filter(LEAVES_THE_CENTRE, pk__in=assessment_ids).values_list("pk", flat=True))
    elsewhere = set(
        ClaimLine.objects.filter(assessment_id__in=assessment_ids)
        .exclude(claim=claim)
        .values_list("assessment_id", flat=True)
    )
    learner_ids = {line.learner_id for line in lines}
    held = held_units(learner_ids)
    quals = held_qualifications(learner_ids)
    told: set[tuple[int, str]] = set()

    def once(learner_id: int, problem: str) -> None:
        if (learner_id, problem) not in told:
            told.add((learner_id, problem))
            problems.append(problem)

    for line in lines:
        who = str(line.learner)
        if line.assessment_id not in still_out:
            once(
                line.learner_id,
                f"{who}: the outcome is no longer released, moderated and competent (it may have been reopened on "
                "appeal): take them off the claim.",
            )
        if line.assessment_id in elsewhere:
            once(line.learner_id, f"{who}: the same outcome is on another claim: take them off one of the two.")
        unit = line.achievement.unit
        if unit is not None and unit.code in held.get(line.learner_id, set()):
            once(
                line.learner_id,
                f"{who} already holds {unit.code}: take them off and add them again to claim what is left.",
            )
        if line.achievement.kind != AchievementKind.UNIT and (line.learner_id, line.achievement.qualification_id) in (
            quals
        ):
            once(line.learner_id, f"{who} already holds {line.achievement.name}: take them off and add them again.")
    return problems


def submit_claim(*, claim: Claim, actor: Any, now: datetime.datetime | None = None) -> Claim:
    """Send a draft (or a revised, blocked) claim to the awarding body's external quality assurance."""
    require_centre_admin(actor, claim.centre)
    with transaction.atomic():
        claim = _lock(claim)
        if claim.state not in EDITABLE:
            raise ValidationError(f"This claim is {_state_words(claim)}: only a draft or blocked claim is submitted.")
        problems = check_claim(claim)
        if problems:
            raise ValidationError(problems)
        again = claim.state == ClaimState.BLOCKED
        claim.state = ClaimState.SUBMITTED
        claim.submitted_at = now or timezone.now()
        claim.save(update_fields=["state", "submitted_at"])
        claim_audit(
            actor,
            "claim_resubmitted" if again else "claim_submitted",
            claim,
            claim.centre_id,
            lines=ClaimLine.objects.filter(claim=claim).count(),
        )
    return claim


def centre_staff_emails(centre: Organisation) -> list[str]:
    return sorted(
        set(
            centre.memberships.filter(role=Role.PROGRAMME_ADMIN, user__is_active=True).values_list(
                "user__email", flat=True
            )
        )
    )
