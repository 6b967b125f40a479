"""A programme's page in the JSON API: its public sections, information sessions and testimonials (anyone), and
its resources (enrolled learners whose place is confirmed, its facilitators and admins; and a learner's own list,
as their study page shows it).

The same loaders and services as the pages. Lists are paginated (``limit``, ``offset``) in a fixed number of
queries; a file resource's ``url`` is the permission-checked download, never a storage address.
"""

from __future__ import annotations

import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Schema
from ninja.security import django_auth

from credo.catalogue.api.schemas import Message, Page, Problems
from credo.programmes.access import pages as access_pages
from credo.programmes.access.public import public_programme
from credo.programmes.api.router import router
from credo.programmes.models import InformationSession, Resource, ResourceKind, Testimonial
from credo.programmes.services import pages


class WorkshopOut(Schema):
    topic: str
    when: str


class FeeIncludesOut(Schema):
    cohort: str
    items: list[str]
    workshops: list[WorkshopOut]


class PortfolioSectionOut(Schema):
    title: str
    guidance: str
    suggested_length: str
    evidence: list[str]


class ProgrammePageOut(Schema):
    programme: str
    fee_includes: FeeIncludesOut | None
    practical_experience: str
    portfolio_introduction: str
    portfolio: list[PortfolioSectionOut]
    cost_barrier: str
    fee_support: list[str] = Field(description="What registered learners can ask for when cost is a barrier.")


class InformationSessionOut(Schema):
    id: UUID
    title: str
    hosts: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    time_zone: str
    when: str
    recording_url: str
    sign_up: str
    ics: str


class TestimonialOut(Schema):
    text: str
    graduate_name: str
    graduate_detail: str


class ResourceOut(Schema):
    id: UUID
    kind: str
    kind_name: str
    title: str
    description: str
    workshop: str
    url: str = Field(description="A link, or the permission-checked download of a file.")
    file_name: str
    file_size: int | None


class SessionFilters(Page):
    when: Literal["upcoming", "past"] = Field("upcoming", description="upcoming (soonest first) or past (latest first)")


class ResourceFilters(Page):
    kind: Literal["", "reading", "tool", "slides", "recording"] = Field("", description="Only resources of this kind.")


def _page_out(programme_slug: str, provider_slug: str) -> ProgrammePageOut:
    programme = public_programme(provider_slug, programme_slug)
    shown = pages.public_page(programme, viewer=None)
    page, fee, template = shown.page, shown.fee, shown.template
    items: list[str] = []
    if fee is not None:
        extra = [line.strip() for line in page.support_text.splitlines() if line.strip()]
        items = [i for i in (fee.check_ins, fee.workshops_intro, fee.email_support, *extra, fee.assessment) if i]
    sections = list(template.sections.all()) if template is not None else []
    return ProgrammePageOut(
        programme=programme.name,
        fee_includes=FeeIncludesOut(
            cohort=fee.cohort.name,
            items=items,
            workshops=[WorkshopOut(topic=w.topic, when=w.when) for w in fee.workshops],
        )
        if fee is not None
        else None,
        practical_experience=page.practical_experience,
        portfolio_introduction=template.introduction if template is not None else "",
        portfolio=[
            PortfolioSectionOut(
                title=s.title,
                guidance=s.guidance,
                suggested_length=s.suggested_length(),
                evidence=[r.description for r in s.requirements.all()],
            )
            for s in sections
        ],
        cost_barrier=page.cost_barrier,
        fee_support=shown.support_kinds,
    )


@router.get(
    "/public/programmes/{provider}/{programme}/page",
    response={200: ProgrammePageOut, 404: Message},
    summary="A programme page's sections: what the fee includes, experience needed, portfolio, cost",
)
def programme_page(request: HttpRequest, provider: str, programme: str) -> ProgrammePageOut:
    return _page_out(programme, provider)


def _session_out(request: HttpRequest, session: InformationSession) -> InformationSessionOut:
    return InformationSessionOut(
        id=session.public_id,
        title=session.title,
        hosts=session.hosts,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        time_zone=session.time_zone,
        when=pages.span(session, session.time_zone),
        recording_url=session.recording_url,
        sign_up=request.build_absolute_uri(reverse("programmes:information-session-sign-up", args=[session.public_id])),
        ics=request.build_absolute_uri(reverse("programmes:information-session-ics", args=[session.public_id])),
    )


@router.get(
    "/public/programmes/{provider}/{programme}/information-sessions",
    response={200: list[InformationSessionOut], 404: Message, 422: Problems},
    summary="A programme's information sessions, upcoming or past (with their recordings)",
)
def information_sessions(
    request: HttpRequest, provider: str, programme: str, filters: Query[SessionFilters]
) -> list[InformationSessionOut]:
    found = public_programme(provider, programme)
    now = timezone.now()
    chosen = pages.upcoming_sessions(found, now) if filters.when == "upcoming" else pages.past_sessions(found, now)
    rows = chosen.select_related("programme")[filters.offset : filters.offset + filters.limit]
    return [_session_out(request, session) for session in rows]


@router.get(
    "/public/programmes/{provider}/{programme}/testimonials",
    response={200: list[TestimonialOut], 404: Message, 422: Problems},
    summary="Graduates' words about a programme: only those published with the graduate's consent",
)
def testimonials(request: HttpRequest, provider: str, programme: str, filters: Query[Page]) -> list[TestimonialOut]:
    found = public_programme(provider, programme)
    rows: list[Testimonial] = list(
        found.testimonials.published().order_by("-created_at", "-pk")[filters.offset : filters.offset + filters.limit]
    )
    return [TestimonialOut(text=t.text, graduate_name=t.graduate_name, graduate_detail=t.graduate_detail) for t in rows]


def _resource_out(request: HttpRequest, resource: Resource) -> ResourceOut:
    workshop = resource.workshop
    return ResourceOut(
        id=resource.public_id,
        kind=resource.kind,
        kind_name=str(ResourceKind(resource.kind).label),
        title=resource.title,
        description=resource.description,
        workshop=f"{workshop.cohort.name}, workshop {workshop.number}: {workshop.topic}" if workshop else "",
        url=resource.link or request.build_absolute_uri(reverse("programmes:resource-open", args=[resource.public_id])),
        file_name=resource.file_name,
        file_size=resource.file_size,
    )


@router.get(
    "/programmes/{provider}/{programme}/resources",
    auth=django_auth,
    response={200: list[ResourceOut], 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="A programme's resources (its enrolled learners whose place is confirmed, facilitators and admins)",
)
def resources(
    request: HttpRequest, provider: str, programme: str, filters: Query[ResourceFilters]
) -> list[ResourceOut]:
    found = access_pages.programme_for_resource_readers(request.user, provider, programme)
    rows = pages.resources_for_learners(found).select_related("workshop__cohort")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return [_resource_out(request, r) for r in rows[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/my/enrolments/{enrolment_id}/resources",
    auth=django_auth,
    response={200: list[ResourceOut], 401: Message, 403: Message, 404: Message, 422: Problems},
    summary="The resources the signed-in learner's study page lists: the programme's, and their cohort's workshops'",
)
def my_resources(request: HttpRequest, enrolment_id: int, filters: Query[ResourceFilters]) -> list[ResourceOut]:
    enrolment = access_pages.own_enrolment_reading(request.user, enrolment_id)
    if enrolment.state not in pages.READS_RESOURCES:
        raise PermissionDenied("The programme's resources open once your place is confirmed.")
    rows = pages.resources_for_learners(enrolment.cohort.programme, cohort=enrolment.cohort)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return [_resource_out(request, r) for r in rows[filters.offset : filters.offset + filters.limit]]
