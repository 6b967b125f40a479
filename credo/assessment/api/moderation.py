"""Assessment API: moderation (sampling plans, preview and draw, samples, moderating), the learner's outcomes, and
appeals (lodge, decide). The same loaders and services as the pages."""

from __future__ import annotations

import datetime
from typing import Annotated, Any
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.accounts.models import User
from credo.api_errors import NUL_FREE
from credo.assessment.access.moderation import (
    appeal_for_review,
    cohort_for_moderation,
    entry_for_moderation,
    own_outcome,
    own_outcomes,
)
from credo.assessment.api.router import router
from credo.assessment.models import Appeal, Assessment, ModerationSample, SampleEntry
from credo.assessment.services import appeals, moderation
from credo.assessment.services.release import appeal_deadline

Text = Annotated[str, StringConstraints(max_length=10000, pattern=NUL_FREE)]
Seed = Annotated[str, StringConstraints(max_length=64, pattern=NUL_FREE)]


class Message(Schema):
    detail: str


class Problems(Schema):
    detail: str
    problems: list[str]


class PlanIn(Schema):
    percent: int = Field(ge=0, le=100, description="Percentage of the rest sampled at random.")
    new_assessor_decisions: int = Field(ge=0, le=100, description="Each assessor's first decisions, all sampled.")
    whole_centre: bool = Field(False, description="True: the centre's plan, for every cohort without its own.")


class PlanOut(Schema):
    scope: str = Field(description="cohort, centre, or default (no plan saved).")
    percent: int
    new_assessor_decisions: int


class PickOut(Schema):
    assessment: int
    learner: str
    assessor: str
    outcome: str
    reasons: list[str]


class EntryOut(Schema):
    id: int
    assessment: int
    learner: str
    assessor: str
    outcome: str
    reasons: list[str]
    state: str = Field(description="In words: Not in the sample, Waiting for the moderator, Referred back, Agreed.")
    rationale: str

    @classmethod
    def of(cls, entry: SampleEntry) -> EntryOut:
        a = entry.assessment
        return cls(
            id=entry.pk,
            assessment=a.pk,
            learner=str(a.learner.full_name or a.learner.email),
            assessor=str(a.assessor.full_name or a.assessor.email),
            outcome=a.get_outcome_display(),
            reasons=list(entry.reasons),
            state=entry.get_state_display(),
            rationale=entry.rationale,
        )


class SampleOut(Schema):
    number: int
    seed: str
    plan: dict[str, Any]
    drawn_at: datetime.datetime
    completed_at: datetime.datetime | None
    population: list[int]


class SampleDetailOut(SampleOut):
    entries: list[EntryOut]


class Page(Schema):
    limit: int = Field(20, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class PreviewIn(Schema):
    seed: Seed = Field(description="The seed to preview with.")


class DrawIn(Schema):
    seed: Seed = Field("", description="Empty: a random seed, recorded with the sample.")


class ModerateIn(Schema):
    agreed: bool
    rationale: Text = ""


class JudgementOut(Schema):
    label: str
    met: bool | None
    comment: str


class OutcomeOut(Schema):
    id: int
    programme: str
    attempt: int
    outcome: str
    feedback: str
    released_at: datetime.datetime
    is_final: bool
    appeal_by: datetime.datetime | None
    judgements: list[JudgementOut]

    @classmethod
    def of(cls, a: Assessment) -> OutcomeOut:
        return cls(
            id=a.pk,
            programme=a.cohort.programme.name,
            attempt=a.attempt,
            outcome=a.get_outcome_display(),
            feedback=a.feedback,
            released_at=a.released_at,  # type: ignore[arg-type]  # own_outcomes has only released ones
            is_final=a.is_final,
            appeal_by=appeal_deadline(a),
            judgements=[JudgementOut(label=j.label, met=j.met, comment=j.comment) for j in a.judgements.all()],
        )


class AppealIn(Schema):
    grounds: Text


class DecideIn(Schema):
    upheld: bool
    decision: Text
    assessor: int | None = Field(None, description="Upheld: the user id of the assessor who assesses again.")


class AppealOut(Schema):
    id: int
    assessment: int
    state: str
    grounds: str
    decision: str
    lodged_at: datetime.datetime
    decided_at: datetime.datetime | None

    @classmethod
    def of(cls, appeal: Appeal) -> AppealOut:
        return cls(
            id=appeal.pk,
            assessment=appeal.assessment_id,
            state=appeal.get_state_display(),
            grounds=appeal.grounds,
            decision=appeal.decision,
            lodged_at=appeal.lodged_at,
            decided_at=appeal.decided_at,
        )


_READ = {200: Any, 401: Message, 403: Message, 404: Message}
_WRITE = {401: Message, 403: Message, 404: Message, 422: Problems}


def _plan_out(plan: Any) -> PlanOut:
    scope = "cohort" if plan.cohort_id else ("centre" if plan.pk else "default")
    return PlanOut(scope=scope, percent=plan.percent, new_assessor_decisions=plan.new_assessor_decisions)


@router.get(
    "/cohorts/{public_id}/sampling-plan",
    auth=django_auth,
    response={**_READ, 200: PlanOut},
    url_name="assessment_sampling_plan",
    summary="The sampling plan a cohort follows",
)
def get_plan(request: HttpRequest, public_id: UUID) -> PlanOut:
    return _plan_out(moderation.plan_for(cohort_for_moderation(request.user, public_id)))


@router.put(
    "/cohorts/{public_id}/sampling-plan",
    auth=django_auth,
    response={200: PlanOut, **_WRITE},
    url_name="assessment_set_sampling_plan",
    summary="Set the cohort's sampling plan (or the centre's): programme admins and internal QA",
)
def set_plan(request: HttpRequest, public_id: UUID, payload: PlanIn) -> PlanOut:
    cohort = cohort_for_moderation(request.user, public_id)
    plan = moderation.set_sampling_plan(
        provider=cohort.programme.provider,
        cohort=None if payload.whole_centre else cohort,
        actor=request.user,
        percent=payload.percent,
        new_assessor_decisions=payload.new_assessor_decisions,
    )
    return _plan_out(plan)


@router.post(
    "/cohorts/{public_id}/samples/preview",
    auth=django_auth,
    response={200: list[PickOut], **_WRITE},
    url_name="assessment_preview_sample",
    summary="What a draw with this seed would sample now (nothing saved)",
)
def preview(request: HttpRequest, public_id: UUID, payload: PreviewIn) -> list[PickOut]:
    cohort = cohort_for_moderation(request.user, public_id)
    return [
        PickOut(
            assessment=a.pk,
            learner=str(a.learner.full_name or a.learner.email),
            assessor=str(a.assessor.full_name or a.assessor.email),
            outcome=a.get_outcome_display(),
            reasons=reasons,
        )
        for a, reasons in moderation.preview_sample(cohort, seed=payload.seed)
    ]


def _detail(sample: ModerationSample) -> SampleDetailOut:
    entries = sample.entries.select_related("assessment__learner", "assessment__assessor").order_by("assessment_id")
    return SampleDetailOut(
        number=sample.number,
        seed=sample.seed,
        plan=sample.plan,
        drawn_at=sample.drawn_at,
        completed_at=sample.completed_at,
        population=sample.population,
        entries=[EntryOut.of(e) for e in entries],
    )


@router.post(
    "/cohorts/{public_id}/samples",
    auth=django_auth,
    response={201: SampleDetailOut, **_WRITE},
    url_name="assessment_draw_sample",
    summary="Draw a sample (irreversible: those passed by are released to their learners at once)",
)
def draw(request: HttpRequest, public_id: UUID, payload: DrawIn) -> Reply[SampleDetailOut]:
    cohort = cohort_for_moderation(request.user, public_id)
    sample = moderation.draw_sample(cohort=cohort, actor=request.user, seed=payload.seed or None)
    return Reply(201, _detail(sample))


@router.get(
    "/cohorts/{public_id}/samples",
    auth=django_auth,
    response={**_READ, 200: list[SampleOut]},
    url_name="assessment_samples",
    summary="A cohort's samples, newest first",
)
def samples(request: HttpRequest, public_id: UUID, page: Query[Page]) -> list[SampleOut]:
    cohort = cohort_for_moderation(request.user, public_id)
    rows = ModerationSample.objects.filter(cohort=cohort).order_by("-number")[page.offset : page.offset + page.limit]
    return [
        SampleOut(
            number=s.number,
            seed=s.seed,
            plan=s.plan,
            drawn_at=s.drawn_at,
            completed_at=s.completed_at,
            population=s.population,
        )
        for s in rows
    ]


@router.get(
    "/cohorts/{public_id}/samples/{number}",
    auth=django_auth,
    response={**_READ, 200: SampleDetailOut},
    url_name="assessment_sample",
    summary="One sample with each assessment, sampled or not, and why",
)
def sample_detail(request: HttpRequest, public_id: UUID, number: int) -> SampleDetailOut:
    cohort = cohort_for_moderation(request.user, public_id)
    return _detail(get_object_or_404(ModerationSample, cohort=cohort, number=number))


@router.post(
    "/moderation/{entry_id}",
    auth=django_auth,
    response={200: EntryOut, **_WRITE},
    url_name="assessment_moderate",
    summary="Agree with a sampled assessment, or refer it back with a rationale (internal QA)",
)
def moderate(request: HttpRequest, entry_id: int, payload: ModerateIn) -> EntryOut:
    entry = entry_for_moderation(request.user, entry_id)
    done = moderation.moderate(entry=entry, actor=request.user, agreed=payload.agreed, rationale=payload.rationale)
    return EntryOut.of(
        SampleEntry.objects.select_related("assessment__learner", "assessment__assessor").get(pk=done.pk)
    )


@router.get(
    "/outcomes",
    auth=django_auth,
    response={200: list[OutcomeOut], 401: Message, 422: Problems},
    url_name="assessment_outcomes",
    summary="The signed-in learner's released outcomes, newest first",
)
def outcomes(request: HttpRequest, page: Query[Page]) -> list[OutcomeOut]:
    rows = own_outcomes(request.user).prefetch_related("judgements")[page.offset : page.offset + page.limit]
    return [OutcomeOut.of(a) for a in rows]


@router.post(
    "/outcomes/{assessment_id}/appeal",
    auth=django_auth,
    response={201: AppealOut, **_WRITE},
    url_name="assessment_lodge_appeal",
    summary="Appeal a final outcome (the learner, within the appeal period)",
)
def lodge(request: HttpRequest, assessment_id: int, payload: AppealIn) -> Reply[AppealOut]:
    assessment = own_outcome(request.user, assessment_id)
    return Reply(
        201, AppealOut.of(appeals.lodge_appeal(assessment=assessment, actor=request.user, grounds=payload.grounds))
    )


@router.post(
    "/appeals/{appeal_id}/decision",
    auth=django_auth,
    response={200: AppealOut, **_WRITE},
    url_name="assessment_decide_appeal",
    summary="Decide an appeal: someone independent of the decision (not its assessor or moderator)",
)
def decide(request: HttpRequest, appeal_id: int, payload: DecideIn) -> AppealOut:
    appeal = appeal_for_review(request.user, appeal_id)
    assessor = User.objects.filter(pk=payload.assessor).first() if payload.assessor else None
    return AppealOut.of(
        appeals.decide_appeal(
            appeal=appeal, actor=request.user, upheld=payload.upheld, decision=payload.decision, assessor=assessor
        )
    )
