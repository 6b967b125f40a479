"""What staff read of portfolios through the API, and their formative comments.

The same loaders and services as the staff pages: a cohort's progress (its facilitators, the provider's programme
admins and assessors), one learner's portfolio to read (``access.portfolio_for_staff``), and comments on a section
(``services.comments``: the cohort's facilitators and the provider's programme admins write them; only the author
removes one). Lists are paginated (``limit``, ``offset``) in a fixed number of queries. Nothing here changes evidence.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal
from uuid import UUID

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Query, Schema
from ninja import Status as Reply
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.api_errors import NUL_FREE
from credo.catalogue.api.schemas import Message, Page, Problems
from credo.portfolios import access
from credo.portfolios.api.router import router
from credo.portfolios.forms_staff import SEARCH_MAX
from credo.portfolios.models import (
    AttestationRequest,
    AttestationState,
    EvidenceItem,
    ItemKind,
    Portfolio,
    PortfolioSection,
    SectionComment,
)
from credo.portfolios.services import comments, progress
from credo.portfolios.services.sanitising import sanitise_html

# What is read ---------------------------------------------------------------------------------------------------------


class LearnerProgressOut(Schema):
    enrolment_id: int
    learner_name: str
    learner_email: str
    stage: Literal["not_started", "in_progress", "ready", "submitted"]
    stage_label: str = Field(description="The stage in words: 'Ready to submit', not 'ready'.")
    sections: int
    sections_started: int = Field(description="Sections with at least one piece of evidence.")
    evidence: int
    written: int
    files: int
    links: int
    words: int
    attestations_received: int
    attestations_pending: int = Field(description="Requests still waiting for the attestor's answer.")
    attempt: int
    submitted: bool = Field(description="Whether the current attempt has been submitted.")
    url: str = Field(description="The learner's portfolio in the staff API.")

    @classmethod
    def of(cls, row: progress.LearnerProgress) -> LearnerProgressOut:
        learner = row.enrolment.learner
        return cls(
            enrolment_id=row.enrolment.pk,
            learner_name=learner.full_name,
            learner_email=learner.email,
            stage=row.stage.value,  # type: ignore[arg-type]  # a Stage value is one of the literals
            stage_label=row.stage_label,
            sections=row.sections,
            sections_started=row.sections_started,
            evidence=row.items,
            written=row.texts,
            files=row.files,
            links=row.links,
            words=row.words,
            attestations_received=row.attestations_received,
            attestations_pending=row.attestations_pending,
            attempt=row.attempt,
            submitted=row.submitted,
            url=reverse("api:portfolios_staff_portfolio", kwargs={"enrolment_id": row.enrolment.pk}),
        )


class CriterionRef(Schema):
    id: int
    unit: str
    number: str
    text: str


class CompetencyRef(Schema):
    id: int
    number: int
    title: str


class ItemOut(Schema):
    id: int
    kind: ItemKind
    kind_label: str
    title: str
    html: str = Field(description="Written text: sanitised HTML (sanitised when saved, and again when read).")
    word_count: int
    url: str = Field(description="A link item's address.")
    file_name: str
    file_size: int | None
    content_type: str = Field(description="As identified from the file's bytes when it was uploaded.")
    sha256: str
    download: str = Field(description="A file item's permission-checked download (always an attachment).")
    criteria: list[CriterionRef]
    competencies: list[CompetencyRef]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @classmethod
    def of(cls, item: EvidenceItem, enrolment_id: int) -> ItemOut:
        is_file = item.kind == ItemKind.FILE
        return cls(
            id=item.pk,
            kind=ItemKind(item.kind),
            kind_label=item.get_kind_display(),
            title=item.title,
            html=sanitise_html(item.html) if item.kind == ItemKind.TEXT else "",
            word_count=item.word_count,
            url=item.url,
            file_name=item.original_name if is_file else "",
            file_size=item.size if is_file else None,
            content_type=item.content_type,
            sha256=item.sha256,
            download=reverse("portfolios:staff_download", args=[enrolment_id, item.pk]) if is_file else "",
            criteria=[
                CriterionRef(
                    id=m.criterion_id,
                    unit=m.criterion.outcome.unit.code,
                    number=m.criterion.number,
                    text=m.criterion.text,
                )
                for m in item.mappings.all()
            ],
            competencies=[
                CompetencyRef(id=m.competency_id, number=m.competency.number, title=m.competency.title)
                for m in item.competency_mappings.all()
            ],
            created_at=item.created_at,
            updated_at=item.updated_at,
        )


class AttestationOut(Schema):
    attestor_name: str = Field(description="As the attestor confirmed it.")
    attestor_role: str
    relationship: str = Field(description="How the attestor knows the learner, in their words.")
    statement: str
    answers: list[dict[str, str]]
    completed_at: datetime.datetime
    content_sha256: str


class AttestationRequestOut(Schema):
    id: int
    attestor_name: str
    relationship: str
    state: AttestationState
    state_label: str
    sent_at: datetime.datetime
    expires_at: datetime.datetime
    answered_at: datetime.datetime | None
    attestation: AttestationOut | None = Field(description="What was attested, once it is received.")

    @classmethod
    def of(cls, request: AttestationRequest) -> AttestationRequestOut:
        made = getattr(request, "attestation", None)
        return cls(
            id=request.pk,
            attestor_name=request.attestor_name,
            relationship=request.relationship,
            state=AttestationState(request.state),
            state_label=request.get_state_display(),
            sent_at=request.sent_at,
            expires_at=request.expires_at,
            answered_at=request.answered_at,
            attestation=AttestationOut(
                attestor_name=made.attestor_name,
                attestor_role=made.attestor_role,
                relationship=made.relationship,
                statement=made.statement,
                answers=[
                    {"question": str(a.get("question", "")), "answer": str(a.get("answer", ""))} for a in made.answers
                ],
                completed_at=made.completed_at,
                content_sha256=made.content_sha256,
            )
            if made is not None
            else None,
        )


class CommentOut(Schema):
    id: int
    section_id: int
    author_name: str
    body: str = Field(description="Plain text: a comment to help the learner, not an assessment decision.")
    created_at: datetime.datetime
    yours: bool = Field(description="Whether you wrote it (and so may remove it).")

    @classmethod
    def of(cls, comment: SectionComment, viewer_id: int | None) -> CommentOut:
        return cls(
            id=comment.pk,
            section_id=comment.section_id,
            author_name=comment.author.full_name or comment.author.email,
            body=comment.body,
            created_at=comment.created_at,
            yours=comment.author_id == viewer_id,
        )


class SectionOut(Schema):
    id: int
    position: int
    title: str
    guidance: str
    suggested_length: str
    items: list[ItemOut]
    attestation_requests: list[AttestationRequestOut]
    comments: list[CommentOut]


class SubmissionOut(Schema):
    attempt: int
    submitted_at: datetime.datetime
    content_sha256: str


class StaffPortfolioOut(Schema):
    enrolment_id: int
    learner_name: str
    learner_email: str
    cohort: UUID
    attempt: int = Field(description="The attempt being built now (or last submitted).")
    is_open: bool = Field(description="False from submission until the portfolio is reopened.")
    submitted: bool = Field(description="Whether the current attempt has been submitted.")
    may_comment: bool = Field(description="Whether you may leave comments on its sections now.")
    sections: list[SectionOut]
    submissions: list[SubmissionOut]


def _portfolio_out(portfolio: Portfolio, viewer: object) -> StaffPortfolioOut:
    enrolment = portfolio.enrolment
    viewer_id = getattr(viewer, "pk", None)
    submissions = list(portfolio.submissions.order_by("attempt"))
    return StaffPortfolioOut(
        enrolment_id=enrolment.pk,
        learner_name=enrolment.learner.full_name,
        learner_email=enrolment.learner.email,
        cohort=enrolment.cohort.public_id,
        attempt=portfolio.attempt,
        is_open=portfolio.is_open,
        submitted=any(s.attempt == portfolio.attempt for s in submissions),
        may_comment=portfolio.is_open and access.may_comment(viewer, enrolment),
        sections=[
            SectionOut(
                id=section.pk,
                position=section.position,
                title=section.title,
                guidance=section.guidance,
                suggested_length=section.suggested_length(),
                items=[ItemOut.of(item, enrolment.pk) for item in section.items.all()],
                attestation_requests=[AttestationRequestOut.of(r) for r in section.attestation_requests.all()],
                comments=[CommentOut.of(c, viewer_id) for c in section.comments.all()],
            )
            for section in progress.sections_to_read(portfolio)
        ],
        submissions=[
            SubmissionOut(attempt=s.attempt, submitted_at=s.submitted_at, content_sha256=s.content_sha256)
            for s in submissions
        ],
    )


# Endpoints ------------------------------------------------------------------------------------------------------------

Search = Annotated[str, StringConstraints(max_length=SEARCH_MAX, pattern=NUL_FREE)]
Body = Annotated[str, StringConstraints(max_length=comments.COMMENT_MAX * 2, pattern=NUL_FREE)]


class ProgressFilters(Page):
    stage: Literal["", "not_started", "in_progress", "ready", "submitted"] = Field(
        "", description="Only learners at this stage (empty for everyone)."
    )
    q: Search = Field("", description="Part of a learner's name or email.")


class CommentIn(Schema):
    body: Body = Field(description=f"Plain text, up to {comments.COMMENT_MAX:,} characters once trimmed.")


@router.get(
    "/staff/cohorts/{public_id}/progress",
    auth=django_auth,
    response={200: list[LearnerProgressOut], 401: Message, 403: Message, 404: Message},
    operation_id="portfolios_staff_cohort_progress",
    summary="Each learner's portfolio progress in a cohort, by name (facilitators, programme admins, assessors)",
)
def cohort_progress(request: HttpRequest, public_id: UUID, filters: Query[ProgressFilters]) -> list[LearnerProgressOut]:
    cohort = access.cohort_for_portfolio_staff(request.user, public_id)
    learners = progress.filter_learners(
        progress.cohort_learners(cohort), cohort=cohort, stage=filters.stage, search=filters.q
    )
    page = learners[filters.offset : filters.offset + filters.limit]
    return [LearnerProgressOut.of(row) for row in progress.progress_of(page)]


@router.get(
    "/staff/enrolments/{enrolment_id}",
    auth=django_auth,
    response={200: StaffPortfolioOut, 401: Message, 403: Message, 404: Message},
    operation_id="portfolios_staff_portfolio",
    url_name="portfolios_staff_portfolio",
    summary="A learner's portfolio, to read: sections, evidence and its mapping, attestations, submission, comments",
)
def staff_portfolio(request: HttpRequest, enrolment_id: int) -> StaffPortfolioOut:
    return _portfolio_out(access.portfolio_for_staff(request.user, enrolment_id), request.user)


@router.get(
    "/staff/enrolments/{enrolment_id}/sections/{section_id}/comments",
    auth=django_auth,
    response={200: list[CommentOut], 401: Message, 403: Message, 404: Message},
    operation_id="portfolios_staff_comments",
    summary="The formative comments on a section, oldest first",
)
def list_comments(request: HttpRequest, enrolment_id: int, section_id: int, filters: Query[Page]) -> list[CommentOut]:
    section = access.section_for_staff(access.portfolio_for_staff(request.user, enrolment_id), section_id)
    rows = SectionComment.objects.filter(section=section).select_related("author").order_by("created_at", "id")
    return [CommentOut.of(c, request.user.pk) for c in rows[filters.offset : filters.offset + filters.limit]]


@router.post(
    "/staff/enrolments/{enrolment_id}/sections/{section_id}/comments",
    auth=django_auth,
    response={201: CommentOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="portfolios_staff_comment",
    summary="Leave a formative comment on a section (the cohort's facilitators, the provider's programme admins)",
)
def add_comment(request: HttpRequest, enrolment_id: int, section_id: int, payload: CommentIn) -> Reply[CommentOut]:
    """An empty or overlong comment, or one on a submitted portfolio, is a 422 saying what to do; the learner is
    emailed."""
    section: PortfolioSection = access.section_for_staff(
        access.portfolio_for_staff(request.user, enrolment_id), section_id
    )
    comment = comments.comment_on_section(section=section, actor=request.user, body=payload.body)
    return Reply(201, CommentOut.of(comment, request.user.pk))


@router.delete(
    "/staff/enrolments/{enrolment_id}/comments/{comment_id}",
    auth=django_auth,
    response={204: None, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="portfolios_staff_remove_comment",
    summary="Remove a comment you wrote (it cannot be undone; the record that it was written and removed is kept)",
)
def remove_comment(request: HttpRequest, enrolment_id: int, comment_id: int) -> Reply[None]:
    comment = access.comment_for_staff(access.portfolio_for_staff(request.user, enrolment_id), comment_id)
    comments.remove_comment(comment=comment, actor=request.user)
    return Reply(204, None)
