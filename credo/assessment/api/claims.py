"""Assessment API: claims for certification, external quality assurance and certification (SEG).

The same loaders (``access.claims``) and services (``services.claims``, ``services.eqa``) as the pages: a centre's
programme admins list what they may claim, build, change and submit a claim; the awarding body's external quality
assurers read the claims sent to them with the centre's sampling records and review them; its certification staff
approve a released claim, which starts the certification job (202, with the job's progress page). Lists are
paginated (``limit``, ``offset``) in a fixed number of queries. Refusals: 403 with a reason for a wrong role, 404 for
what the caller may not know of, 422 listing the problems.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Query, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.api_errors import NUL_FREE
from credo.assessment.access import claims as access
from credo.assessment.api.router import router
from credo.assessment.models import Assessment, Claim, ClaimState, EqaReview, ModerationSample, RiskRating
from credo.assessment.services import claims, eqa
from credo.catalogue.api.schemas import Message, Page, Problems
from credo.core.jobs import job_url

Text = Annotated[str, StringConstraints(max_length=eqa.FINDINGS_MAX * 2, pattern=NUL_FREE)]
Slug = Annotated[str, StringConstraints(max_length=100, pattern=NUL_FREE)]
ClaimStateValue = Literal["", "draft", "submitted", "blocked", "released", "certificating", "certificated"]

# What is read ---------------------------------------------------------------------------------------------------------


class ClaimableOut(Schema):
    assessment_id: int
    learner_name: str
    learner_email: str
    qualification: str
    cohort: str
    released_at: datetime.datetime | None

    @classmethod
    def of(cls, assessment: Assessment) -> ClaimableOut:
        return cls(
            assessment_id=assessment.pk,
            learner_name=assessment.learner.full_name,
            learner_email=assessment.learner.email,
            qualification=str(assessment.cohort.programme.qualification),
            cohort=assessment.cohort.name,
            released_at=assessment.released_at,
        )


class ClaimSummaryOut(Schema):
    id: int
    centre: str
    awarding_body: str
    state: ClaimState
    state_label: str = Field(description="The state in words.")
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    url: str

    @classmethod
    def of(cls, claim: Claim) -> ClaimSummaryOut:
        return cls(
            id=claim.pk,
            centre=claim.centre.name,
            awarding_body=claim.awarding_body.name,
            state=ClaimState(claim.state),
            state_label=ClaimState(claim.state).label,
            created_at=claim.created_at,
            submitted_at=claim.submitted_at,
            url=reverse("api:assessment_claim", kwargs={"claim_id": claim.pk}),
        )


class LineOut(Schema):
    kind: Literal["unit", "qualification"]
    code: str
    title: str
    carried_in: list[str] = Field(description="Unit codes the learner already held, counted towards it.")
    certificated: bool


class LearnerOut(Schema):
    learner_id: int
    learner_name: str
    learner_email: str
    assessment_id: int | None
    lines: list[LineOut]
    missing: list[str] = Field(description="What the learner still needs for their qualification, when not claimed.")


class ReviewOut(Schema):
    reviewer: str
    released: bool
    findings: str
    actions: str
    risk: RiskRating
    risk_label: str
    sampled: list[int] = Field(description="The assessments (portfolios) sampled.")
    reviewed_at: datetime.datetime

    @classmethod
    def of(cls, review: EqaReview) -> ReviewOut:
        return cls(
            reviewer=review.reviewer.full_name or review.reviewer.email,
            released=review.released,
            findings=review.findings,
            actions=review.actions,
            risk=RiskRating(review.risk),
            risk_label=review.get_risk_display(),
            sampled=sorted(a.pk for a in review.portfolios_sampled.all()),
            reviewed_at=review.reviewed_at,
        )


class ClaimOut(ClaimSummaryOut):
    learners: list[LearnerOut]
    problems: list[str] = Field(
        description="What stops the centre submitting it (only while the centre may change it)."
    )
    reviews: list[ReviewOut]
    centre_risk: RiskRating | None
    job: str = Field(description="The certification job's progress page, once approved.")


def _claim_out(claim: Claim, side: str) -> ClaimOut:
    learners = [
        LearnerOut(
            learner_id=row.learner.pk,
            learner_name=row.learner.full_name,
            learner_email=row.learner.email,
            assessment_id=row.assessment.pk if row.assessment else None,
            lines=[
                LineOut(
                    kind="unit" if line.achievement.unit_id else "qualification",
                    code=line.achievement.code,
                    title=line.achievement.name,
                    carried_in=list(line.carried_in),
                    certificated=line.attainment_id is not None,
                )
                for line in [*row.units, *([row.qualification] if row.qualification else [])]
            ],
            missing=row.missing,
        )
        for row in claims.summary(claim)
    ]
    risk = eqa.centre_risk(claim)
    reviews = claim.eqa_reviews.select_related("reviewer").prefetch_related("portfolios_sampled")
    return ClaimOut(
        **ClaimSummaryOut.of(claim).model_dump(),
        learners=learners,
        problems=claims.check_claim(claim) if side == access.CENTRE and claim.state in claims.EDITABLE else [],
        reviews=[ReviewOut.of(review) for review in reviews],
        centre_risk=RiskRating(risk.risk) if risk else None,
        job=job_url(claim.job) if claim.job else "",
    )


class SampleEntryOut(Schema):
    assessment_id: int
    learner: str
    assessor: str
    state: str
    state_label: str
    reasons: list[str]
    decisions: list[str] = Field(description="Each moderator decision, in order, in words.")


class SampleOut(Schema):
    cohort: str
    number: int
    drawn_at: datetime.datetime
    completed_at: datetime.datetime | None
    entries: list[SampleEntryOut]

    @classmethod
    def of(cls, sample: ModerationSample) -> SampleOut:
        return cls(
            cohort=f"{sample.cohort.programme.name}, {sample.cohort.name}",
            number=sample.number,
            drawn_at=sample.drawn_at,
            completed_at=sample.completed_at,
            entries=[
                SampleEntryOut(
                    assessment_id=entry.assessment_id,
                    learner=entry.assessment.learner.full_name or entry.assessment.learner.email,
                    assessor=entry.assessment.assessor.full_name or entry.assessment.assessor.email,
                    state=entry.state,
                    state_label=entry.get_state_display(),
                    reasons=list(entry.reasons),
                    decisions=[
                        f"{'Agreed' if r.agreed else 'Referred'} by {r.moderator.full_name or r.moderator.email}: "
                        f"{r.rationale}"
                        for r in entry.reviews.all()
                    ],
                )
                for entry in sample.entries.all()
            ],
        )


class JobOut(Schema):
    job: str = Field(description="The certification job's progress page.")
    claim: str


# What is sent -------------------------------------------------------------------------------------------------------


class ClaimIn(Schema):
    centre: Slug = Field(description="The centre's slug.")
    awarding_body: Slug = Field(description="The awarding body's slug.")
    assessments: list[int] = Field(description="The claimable assessments to claim for.", max_length=1000)


class LearnersIn(Schema):
    assessments: list[int] = Field(max_length=1000)


class ReviewIn(Schema):
    findings: Text
    actions: Text = ""
    risk: RiskRating
    released: bool = Field(description="True: release for certification; false: block (actions needed).")
    sampled: list[int] = Field(default_factory=list, description="The assessments (portfolios) you read.")


class ClaimFilters(Page):
    state: ClaimStateValue = Field("", description="Only claims in this state.")


class ReceivedFilters(ClaimFilters):
    centre: Slug = Field("", description="Only claims from this centre (its slug).")


class ClaimableFilters(Page):
    awarding_body: Slug = Field(description="The awarding body's slug.")


REFUSED = {401: Message, 403: Message, 404: Message}


def _assessments(ids: list[int]) -> list[Assessment]:
    return list(Assessment.objects.filter(pk__in=ids))


@router.get(
    "/claims/centres/{slug}/claimable",
    auth=django_auth,
    response={200: list[ClaimableOut], **REFUSED},
    operation_id="assessment_claimable",
    summary="The outcomes a centre may claim from an awarding body (the centre's programme admins)",
)
def claimable(request: HttpRequest, slug: str, filters: Query[ClaimableFilters]) -> list[ClaimableOut]:
    centre = access.centre_for_claims(request.user, slug)
    body = access.awarding_body_of_centre(centre, filters.awarding_body)
    rows = claims.claimable(centre, body)[filters.offset : filters.offset + filters.limit]
    return [ClaimableOut.of(a) for a in rows]


@router.get(
    "/claims/centres/{slug}",
    auth=django_auth,
    response={200: list[ClaimSummaryOut], **REFUSED},
    operation_id="assessment_centre_claims",
    summary="A centre's claims, newest first (the centre's programme admins)",
)
def centre_claims(request: HttpRequest, slug: str, filters: Query[ClaimFilters]) -> list[ClaimSummaryOut]:
    centre = access.centre_for_claims(request.user, slug)
    found = Claim.objects.filter(centre=centre).select_related("centre", "awarding_body").order_by("-created_at", "-id")
    if filters.state:
        found = found.filter(state=filters.state)
    return [ClaimSummaryOut.of(c) for c in found[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/claims/awarding/{slug}",
    auth=django_auth,
    response={200: list[ClaimSummaryOut], **REFUSED},
    operation_id="assessment_received_claims",
    summary="The claims sent to an awarding body (its external quality assurers and certification staff)",
)
def received_claims(request: HttpRequest, slug: str, filters: Query[ReceivedFilters]) -> list[ClaimSummaryOut]:
    body = access.awarding_body_for_claims(request.user, slug)
    found = access.received(body).select_related("centre", "awarding_body").order_by("-submitted_at", "-id")
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.centre:
        found = found.filter(centre__slug=filters.centre)
    return [ClaimSummaryOut.of(c) for c in found[filters.offset : filters.offset + filters.limit]]


@router.post(
    "/claims",
    auth=django_auth,
    response={201: ClaimOut, **REFUSED, 422: Problems},
    operation_id="assessment_build_claim",
    summary="Draft a claim for the chosen claimable outcomes (the centre's programme admins)",
)
def build_claim(request: HttpRequest, payload: ClaimIn) -> Reply[ClaimOut]:
    centre = access.centre_for_claims(request.user, payload.centre)
    body = access.awarding_body_of_centre(centre, payload.awarding_body)
    claim = claims.build_claim(
        centre=centre, awarding_body=body, actor=request.user, assessments=_assessments(payload.assessments)
    )
    return Reply(201, _claim_out(claim, access.CENTRE))


@router.get(
    "/claims/{claim_id}",
    auth=django_auth,
    response={200: ClaimOut, **REFUSED},
    operation_id="assessment_claim",
    url_name="assessment_claim",
    summary="A claim: its learners, units, qualifications and the units carried in, problems, EQA reviews",
)
def claim(request: HttpRequest, claim_id: int) -> ClaimOut:
    found, side = access.claim_for(request.user, claim_id)
    return _claim_out(found, side)


@router.post(
    "/claims/{claim_id}/learners",
    auth=django_auth,
    response={200: ClaimOut, **REFUSED, 422: Problems},
    operation_id="assessment_claim_add",
    summary="Add learners to a draft or blocked claim (the centre's programme admins)",
)
def add_learners(request: HttpRequest, claim_id: int, payload: LearnersIn) -> ClaimOut:
    found = access.claim_for_centre(request.user, claim_id)
    claims.add_to_claim(claim=found, actor=request.user, assessments=_assessments(payload.assessments))
    return _claim_out(found, access.CENTRE)


@router.delete(
    "/claims/{claim_id}/learners/{learner_id}",
    auth=django_auth,
    response={200: ClaimOut, **REFUSED, 422: Problems},
    operation_id="assessment_claim_remove",
    summary="Take a learner off a draft or blocked claim (the centre's programme admins)",
)
def remove_learner(request: HttpRequest, claim_id: int, learner_id: int) -> ClaimOut:
    found = access.claim_for_centre(request.user, claim_id)
    row = next((r for r in claims.summary(found) if r.learner.pk == learner_id), None)
    if row is None:
        raise Http404("That learner is not on this claim.")
    claims.remove_from_claim(claim=found, actor=request.user, learner=row.learner)
    return _claim_out(found, access.CENTRE)


@router.post(
    "/claims/{claim_id}/submit",
    auth=django_auth,
    response={200: ClaimOut, **REFUSED, 422: Problems},
    operation_id="assessment_claim_submit",
    summary="Submit a draft or revised claim to the awarding body (the centre's programme admins)",
)
def submit(request: HttpRequest, claim_id: int) -> ClaimOut:
    found = access.claim_for_centre(request.user, claim_id)
    found = claims.submit_claim(claim=found, actor=request.user)
    return _claim_out(found, access.CENTRE)


@router.get(
    "/claims/{claim_id}/sampling",
    auth=django_auth,
    response={200: list[SampleOut], **REFUSED},
    operation_id="assessment_claim_sampling",
    summary="The centre's sampling records for the cohorts of a claim (the awarding body's EQA and certification)",
)
def sampling(request: HttpRequest, claim_id: int) -> list[SampleOut]:
    found, side = access.claim_for(request.user, claim_id)
    if side != access.AWARDING_BODY:
        raise PermissionDenied("The sampling records are read here by the awarding body; the centre has its own pages.")
    return [SampleOut.of(sample) for sample in eqa.sampling_records(found)]


@router.post(
    "/claims/{claim_id}/review",
    auth=django_auth,
    response={201: ReviewOut, **REFUSED, 422: Problems},
    operation_id="assessment_claim_review",
    summary="Record the EQA's review: findings, actions, risk, the portfolios sampled; release or block",
)
def review(request: HttpRequest, claim_id: int, payload: ReviewIn) -> Reply[ReviewOut]:
    found = access.claim_for_eqa(request.user, claim_id)
    made = eqa.review_claim(
        claim=found,
        actor=request.user,
        findings=payload.findings,
        actions=payload.actions,
        risk=payload.risk,
        released=payload.released,
        sampled=_assessments(payload.sampled),
    )
    return Reply(201, ReviewOut.of(made))


@router.post(
    "/claims/{claim_id}/approve",
    auth=django_auth,
    response={202: JobOut, **REFUSED, 422: Problems},
    operation_id="assessment_claim_approve",
    summary="Approve certification of a released claim (the awarding body's certification staff); starts the job",
)
def approve(request: HttpRequest, claim_id: int) -> Reply[JobOut]:
    found = access.claim_for_certification(request.user, claim_id)
    job = eqa.approve_claim(claim=found, actor=request.user)
    return Reply(202, JobOut(job=job_url(job), claim=reverse("api:assessment_claim", kwargs={"claim_id": found.pk})))
