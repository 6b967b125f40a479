"""Internal quality assurance (IQA): sampling plans, seeded draws of completed assessments, and the moderator's
decisions on each sampled one.

A draw takes every completed assessment of a cohort not yet in a draw (the *population*, ordered by id) and picks,
in this order: every "not yet competent"; each assessor's first ``new_assessor_decisions`` decisions (counting the
decisions of theirs already drawn at the provider); ``percent`` of the rest at random; then one more for each
assessor, unit and assessment method found in the population and not yet covered by the plan's samples. The
random choices come from ``random.Random(seed)``; the seed, the plan and what was already covered are recorded
with the sample, so the same seed and the same population always give the same sample (``reproduce``).

Assessments the draw passes by are released to the learner at once; sampled ones wait for the moderator, who
agrees (released) or refers back (the assessor completes again, the moderator reviews again). Nothing leaves the
centre until the whole draw is moderated: ``common.LEAVES_THE_CENTRE``. See docs/decisions/0020.
"""

from __future__ import annotations

import datetime
import math
import random
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, QuerySet
from django.urls import reverse
from django.utils import timezone

from credo.accounts.access import roles_in
from credo.accounts.models import Organisation, Role
from credo.assessment.models import (
    Assessment,
    AssessmentState,
    ModerationReview,
    ModerationSample,
    ModerationState,
    Outcome,
    SampleEntry,
    SamplingPlan,
)
from credo.assessment.services import release
from credo.assessment.services.common import audit, lock_assessment
from credo.audit.services import record_event
from credo.core.tasks import send_email
from credo.programmes.models import Cohort

#: Who sets a sampling plan and draws samples.
PLANS = frozenset({Role.PROGRAMME_ADMIN, Role.INTERNAL_QA})
DRAWS = PLANS
#: Who moderates a sampled assessment.
MODERATES = frozenset({Role.INTERNAL_QA})
DEFAULT_PERCENT = 25
DEFAULT_NEW_ASSESSOR_DECISIONS = 5
MAX_NEW_ASSESSOR_DECISIONS = 100
RATIONALE_MAX = 5000
#: The assessment methods, as evidence kinds in the frozen submission, in words.
METHODS = {"text": "written text", "file": "file", "link": "link", "attestation": "attestation"}
NOT_YET_COMPETENT = "not yet competent"


# Plans ----------------------------------------------------------------------------------------------------------


def plan_for(cohort: Cohort) -> SamplingPlan:
    """The cohort's own plan, else its centre's, else the default (unsaved: ``pk`` is None)."""
    plans = {
        plan.cohort_id: plan
        for plan in SamplingPlan.objects.filter(provider_id=cohort.programme.provider_id).filter(cohort__isnull=True)
        | SamplingPlan.objects.filter(cohort=cohort)
    }
    found = plans.get(cohort.pk) or plans.get(None)
    if found is not None:
        return found
    return SamplingPlan(
        provider_id=cohort.programme.provider_id,
        cohort=None,
        percent=DEFAULT_PERCENT,
        new_assessor_decisions=DEFAULT_NEW_ASSESSOR_DECISIONS,
    )


def _require(actor: Any, provider: Organisation, roles: frozenset[str], what: str) -> None:
    if not getattr(actor, "is_authenticated", False) or not roles_in(actor, provider) & roles:
        raise PermissionDenied(f"Only {provider}'s {what} can do this.")


@transaction.atomic
def set_sampling_plan(
    *, provider: Organisation, cohort: Cohort | None, actor: Any, percent: int, new_assessor_decisions: int
) -> SamplingPlan:
    """Set the plan of one cohort (``cohort``) or of the whole centre (``cohort`` None): the provider's programme
    admins and internal quality assurers."""
    _require(actor, provider, PLANS, "programme admins and internal quality assurers")
    if cohort is not None and cohort.programme.provider_id != provider.pk:
        raise PermissionDenied(f"{cohort} is not one of {provider}'s cohorts.")
    problems: dict[str, str] = {}
    if not 0 <= int(percent) <= 100:
        problems["percent"] = "Give a percentage from 0 to 100."
    if not 0 <= int(new_assessor_decisions) <= MAX_NEW_ASSESSOR_DECISIONS:
        problems["new_assessor_decisions"] = f"Give a number from 0 to {MAX_NEW_ASSESSOR_DECISIONS}."
    if problems:
        raise ValidationError(problems)
    lookup: dict[str, Any] = (
        {"cohort": cohort} if cohort is not None else {"provider": provider, "cohort__isnull": True}
    )
    plan = SamplingPlan.objects.select_for_update().filter(**lookup).first()
    if plan is None:
        plan = SamplingPlan(provider=provider, cohort=cohort, updated_by=actor)
    previous = {"percent": plan.percent, "new_assessor_decisions": plan.new_assessor_decisions} if plan.pk else {}
    plan.percent = int(percent)
    plan.new_assessor_decisions = int(new_assessor_decisions)
    plan.updated_by = actor
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:
        raise ValidationError("Someone else set this plan at the same moment: reload the page and try again.") from None
    record_event(
        actor=actor,
        action="assessment.sampling_plan_set",
        obj=plan,
        organisation_id=provider.pk,
        details={
            "cohort": cohort.pk if cohort else None,
            "percent": plan.percent,
            "new_assessor_decisions": plan.new_assessor_decisions,
            "previous": previous,
        },
    )
    return plan


# Drawing --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """What the draw needs to know of one assessment in the population."""

    pk: int
    assessor: int
    assessor_name: str
    not_yet_competent: bool
    units: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()


@dataclass
class Covered:
    """What the plan's earlier samples already covered, and how many decisions of each assessor were drawn."""

    assessors: set[int] = field(default_factory=set)
    units: set[str] = field(default_factory=set)
    methods: set[str] = field(default_factory=set)
    decisions: dict[int, int] = field(default_factory=dict)


def choose(
    seed: str,
    population: Sequence[Candidate],
    *,
    percent: int,
    new_assessor_decisions: int,
    covered: Covered | None = None,
) -> dict[int, list[str]]:
    """The sampled assessments' ids with the reasons, in words: a pure function of its arguments.

    ``population`` is taken in id order whatever order it comes in, so only its content matters.
    """
    covered = covered or Covered()
    ordered = sorted(population, key=lambda c: c.pk)
    rng = random.Random(seed)  # noqa: S311 - reproducible by design: the seed is recorded (decision 0020)
    chosen: dict[int, list[str]] = {}
    for candidate in ordered:
        if candidate.not_yet_competent:
            chosen.setdefault(candidate.pk, []).append(NOT_YET_COMPETENT)
    seen = dict(covered.decisions)
    for candidate in ordered:
        count = seen.get(candidate.assessor, 0)
        if count < new_assessor_decisions:
            chosen.setdefault(candidate.pk, []).append(
                f"one of the assessor's first {new_assessor_decisions} decisions"
            )
        seen[candidate.assessor] = count + 1
    rest = [c for c in ordered if c.pk not in chosen]
    for candidate in rng.sample(rest, math.ceil(len(rest) * percent / 100)):
        chosen[candidate.pk] = [f"random {percent}%"]
    in_sample = [c for c in ordered if c.pk in chosen]
    assessors = covered.assessors | {c.assessor for c in in_sample}
    units = covered.units | {u for c in in_sample for u in c.units}
    methods = covered.methods | {m for c in in_sample for m in c.methods}
    for candidate in ordered:  # each assessor not yet covered: one of theirs, at random
        if candidate.assessor in assessors:
            continue
        theirs = [c for c in ordered if c.assessor == candidate.assessor]
        pick = rng.choice(theirs)
        chosen.setdefault(pick.pk, []).append(f"covers assessor {candidate.assessor_name} not yet sampled")
        assessors.add(candidate.assessor)
        units |= set(pick.units)
        methods |= set(pick.methods)
    for unit in sorted({u for c in ordered for u in c.units} - units):
        if unit in units:
            continue
        pick = rng.choice([c for c in ordered if unit in c.units])
        chosen.setdefault(pick.pk, []).append(f"covers unit {unit} not yet sampled")
        units |= set(pick.units)
        methods |= set(pick.methods)
    for method in sorted({m for c in ordered for m in c.methods} - methods):
        if method in methods:
            continue
        pick = rng.choice([c for c in ordered if method in c.methods])
        chosen.setdefault(pick.pk, []).append(f"covers method {METHODS.get(method, method)} not yet sampled")
        methods |= set(pick.methods)
    return {pk: chosen[pk] for pk in sorted(chosen)}


def units_and_methods(manifest: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The units a frozen submission gives evidence for, and its assessment methods (the kinds of evidence)."""
    units: set[str] = set()
    methods: set[str] = set()
    for section in manifest.get("sections", []):
        for item in section.get("items", []):
            methods.add(str(item.get("kind", "")))
            units.update(str(c["unit"]) for c in item.get("criteria", []) if c.get("unit"))
        if section.get("attestations"):
            methods.add("attestation")
    methods.discard("")
    return tuple(sorted(units)), tuple(sorted(methods))


def awaiting_sample(cohort: Cohort) -> QuerySet[Assessment]:
    """The cohort's completed assessments not yet in any draw."""
    return Assessment.objects.filter(
        cohort=cohort, state=AssessmentState.COMPLETED, sample_entry__isnull=True
    ).order_by("pk")


def _candidates(assessments: Sequence[Assessment]) -> list[Candidate]:
    found = []
    for assessment in assessments:
        units, methods = units_and_methods(assessment.submission.manifest)
        found.append(
            Candidate(
                pk=assessment.pk,
                assessor=assessment.assessor_id,
                assessor_name=str(assessment.assessor.full_name or assessment.assessor.email),
                not_yet_competent=assessment.outcome == Outcome.NOT_YET_COMPETENT,
                units=units,
                methods=methods,
            )
        )
    return found


def _plan_scope(cohort: Cohort, plan: SamplingPlan) -> QuerySet[SampleEntry]:
    """The sampled entries of the plan's earlier samples: the cohort's (its own plan), or those of every cohort of
    the centre that follows the centre's plan."""
    entries = SampleEntry.objects.exclude(state=ModerationState.NOT_SAMPLED)
    if plan.cohort_id is not None or plan.pk is None:
        return entries.filter(sample__cohort=cohort)
    return entries.filter(
        sample__cohort__programme__provider_id=cohort.programme.provider_id, sample__cohort__sampling_plan__isnull=True
    )


def _covered(cohort: Cohort, plan: SamplingPlan, assessors: set[int]) -> Covered:
    covered = Covered()
    sampled = _plan_scope(cohort, plan).select_related("assessment__submission")
    for entry in sampled:
        covered.assessors.add(entry.assessment.assessor_id)
        units, methods = units_and_methods(entry.assessment.submission.manifest)
        covered.units.update(units)
        covered.methods.update(methods)
    drawn = (
        SampleEntry.objects.filter(
            sample__cohort__programme__provider_id=cohort.programme.provider_id, assessment__assessor_id__in=assessors
        )
        .values_list("assessment__assessor_id", flat=True)
        .order_by()
    )
    for assessor in drawn:
        covered.decisions[assessor] = covered.decisions.get(assessor, 0) + 1
    return covered


def _plan_record(plan: SamplingPlan, covered: Covered) -> dict[str, Any]:
    return {
        "percent": plan.percent,
        "new_assessor_decisions": plan.new_assessor_decisions,
        "plan": "cohort" if plan.cohort_id else ("centre" if plan.pk else "default"),
        "covered": {
            "assessors": sorted(covered.assessors),
            "units": sorted(covered.units),
            "methods": sorted(covered.methods),
            "decisions": {str(k): v for k, v in sorted(covered.decisions.items())},
        },
    }


def _covered_from(record: Mapping[str, Any]) -> Covered:
    found = record.get("covered", {})
    return Covered(
        assessors=set(found.get("assessors", [])),
        units=set(found.get("units", [])),
        methods=set(found.get("methods", [])),
        decisions={int(k): int(v) for k, v in found.get("decisions", {}).items()},
    )


def _population(cohort: Cohort) -> list[Assessment]:
    return list(awaiting_sample(cohort).select_related("assessor", "submission"))


def preview_sample(cohort: Cohort, *, seed: str) -> list[tuple[Assessment, list[str]]]:
    """What a draw with ``seed`` would sample now, with the reasons; nothing is saved."""
    assessments = _population(cohort)
    plan = plan_for(cohort)
    covered = _covered(cohort, plan, {a.assessor_id for a in assessments})
    chosen = choose(
        seed,
        _candidates(assessments),
        percent=plan.percent,
        new_assessor_decisions=plan.new_assessor_decisions,
        covered=covered,
    )
    return [(assessment, chosen[assessment.pk]) for assessment in assessments if assessment.pk in chosen]


def reproduce(sample: ModerationSample) -> dict[int, list[str]]:
    """The selection again, from the sample's own record (seed, plan, what was covered, population)."""
    assessments = list(
        Assessment.objects.filter(pk__in=sample.population).select_related("assessor", "submission").order_by("pk")
    )
    record = sample.plan
    return choose(
        sample.seed,
        _candidates(assessments),
        percent=int(record["percent"]),
        new_assessor_decisions=int(record["new_assessor_decisions"]),
        covered=_covered_from(record),
    )


def new_seed() -> str:
    return secrets.token_hex(8)


@transaction.atomic
def draw_sample(
    *, cohort: Cohort, actor: Any, seed: str | None = None, now: datetime.datetime | None = None
) -> ModerationSample:
    """Draw a sample from the cohort's completed assessments not yet drawn; release those it passes by.

    Takes the cohort's row lock, so two people drawing at once make one draw (the second finds nothing left to
    draw); the unique (cohort, number) refuses a second sample with the same number as well.
    """
    now = now or timezone.now()
    cohort = Cohort.objects.select_for_update().select_related("programme__provider").get(pk=cohort.pk)
    provider = cohort.programme.provider
    _require(actor, provider, DRAWS, "programme admins and internal quality assurers")
    seed = (seed or "").strip() or new_seed()
    if len(seed) > 64:
        raise ValidationError({"seed": "Give a seed of at most 64 characters."})
    assessments = _population(cohort)
    if not assessments:
        raise ValidationError("No completed assessments are waiting to be sampled in this cohort.")
    plan = plan_for(cohort)
    covered = _covered(cohort, plan, {a.assessor_id for a in assessments})
    chosen = choose(
        seed,
        _candidates(assessments),
        percent=plan.percent,
        new_assessor_decisions=plan.new_assessor_decisions,
        covered=covered,
    )
    number = (ModerationSample.objects.filter(cohort=cohort).aggregate(last=Max("number"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            sample = ModerationSample.objects.create(
                cohort=cohort,
                number=number,
                seed=seed,
                plan=_plan_record(plan, covered),
                population=[a.pk for a in assessments],
                drawn_by=actor,
                drawn_at=now,
                completed_at=None if chosen else now,
            )
            SampleEntry.objects.bulk_create(
                SampleEntry(
                    sample=sample,
                    assessment=assessment,
                    reasons=chosen.get(assessment.pk, []),
                    state=ModerationState.PENDING if assessment.pk in chosen else ModerationState.NOT_SAMPLED,
                )
                for assessment in assessments
            )
    except IntegrityError:
        raise ValidationError(
            "Someone else drew a sample of this cohort at the same moment: reload the page to see it."
        ) from None
    audit(
        actor,
        "sample_drawn",
        sample,
        cohort,
        number=number,
        seed=seed,
        plan=sample.plan,
        population=sample.population,
        sampled={str(pk): reasons for pk, reasons in chosen.items()},
    )
    for assessment in assessments:
        if assessment.pk not in chosen:
            release.release_outcome(assessment, actor=actor, now=now)
    return sample


# Moderating -----------------------------------------------------------------------------------------------------


def _tell_assessor(entry: SampleEntry, assessment: Assessment, rationale: str) -> None:
    learner = assessment.learner.full_name or assessment.learner.email
    subject = f"An assessment is referred back to you: {learner}"
    body = (
        f"Kia ora {assessment.assessor.full_name or assessment.assessor.email},\n\n"
        f"The internal quality assurer has referred your assessment of {learner} ({assessment.cohort}, attempt "
        f"{assessment.attempt}) back to you. Their reasons:\n\n{rationale}\n\n"
        "The learner sees nothing until you complete the assessment again and the moderator agrees with it.\n"
    )
    to = assessment.assessor.email
    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, body=body, to=[to], from_email=settings.DEFAULT_FROM_EMAIL)
    )


def moderators_of(entry: SampleEntry) -> set[int]:
    """Everyone who has reviewed the sampled assessment (for the appeal's conflict of interest)."""
    found = set(ModerationReview.objects.filter(entry=entry).values_list("moderator_id", flat=True))
    if entry.moderator_id:
        found.add(entry.moderator_id)
    return found


@transaction.atomic
def moderate(
    *, entry: SampleEntry, actor: Any, agreed: bool, rationale: str, now: datetime.datetime | None = None
) -> SampleEntry:
    """The internal quality assurer agrees with a sampled assessment (it is released to the learner) or refers it
    back to the assessor with a rationale (state REFERRED: the learner sees nothing yet).

    Locks the sample, then the entry, then the assessment: the last agreement of a draw completes it exactly once.
    """
    now = now or timezone.now()
    sample = (
        ModerationSample.objects.select_for_update()
        .select_related("cohort__programme__provider")
        .get(pk=entry.sample_id)
    )
    entry = SampleEntry.objects.select_for_update().get(pk=entry.pk)
    assessment = lock_assessment(entry.assessment_id)
    provider = sample.cohort.programme.provider
    _require(actor, provider, MODERATES, "internal quality assurers")
    if assessment.assessor_id == actor.pk:
        raise PermissionDenied(
            "Conflict of interest: you made this assessment, and nobody moderates their own assessment. Another "
            "internal quality assurer must moderate it."
        )
    if entry.state == ModerationState.NOT_SAMPLED:
        raise ValidationError("This assessment is not in the sample, so there is nothing to moderate.")
    if entry.state == ModerationState.AGREED:
        raise ValidationError("This assessment has already been agreed; the learner has it.")
    if entry.state == ModerationState.REFERRED or assessment.state != AssessmentState.COMPLETED:
        raise ValidationError(
            "This assessment is back with the assessor: you can moderate it again once they complete it."
        )
    rationale = (rationale or "").strip()
    if not agreed and not rationale:
        raise ValidationError({"rationale": "Say why you are referring it back: the assessor acts on it."})
    if len(rationale) > RATIONALE_MAX:
        raise ValidationError({"rationale": f"Shorten the rationale to {RATIONALE_MAX:,} characters or fewer."})
    ModerationReview.objects.create(entry=entry, moderator=actor, agreed=agreed, rationale=rationale, reviewed_at=now)
    entry.state = ModerationState.AGREED if agreed else ModerationState.REFERRED
    entry.moderator = actor
    entry.rationale = rationale
    entry.decided_at = now
    entry.save(update_fields=["state", "moderator", "rationale", "decided_at"])
    audit(
        actor,
        "moderated",
        entry,
        sample.cohort,
        assessment=assessment.pk,
        sample=sample.number,
        agreed=agreed,
        rationale=rationale,
    )
    if agreed:
        release.release_outcome(assessment, actor=actor, now=now)
        waiting = sample.entries.exclude(state__in=(ModerationState.AGREED, ModerationState.NOT_SAMPLED))
        if not waiting.exists():
            sample.completed_at = now
            sample.save(update_fields=["completed_at"])
            audit(actor, "sample_completed", sample, sample.cohort, number=sample.number)
    else:
        Assessment.objects.filter(pk=assessment.pk).update(
            state=AssessmentState.REFERRED, version=F("version") + 1, updated_at=now
        )
        _tell_assessor(entry, assessment, rationale)
    entry.assessment = Assessment.objects.get(pk=assessment.pk)
    return entry


def review_url(entry: SampleEntry) -> str:
    return reverse("assessment:moderation-review", args=[entry.pk])
