"""The learner's own portfolio in the JSON API: its sections and evidence, adding and editing evidence (text with a
stale-version check, links, file uploads), removing it, sharing it in a credential, mapping it to criteria or
competencies, the gap matrix, versions and file downloads.

The same loaders (``access.own_portfolio``, ``own_section``, ``own_item``: anything not the caller's own is a 404)
and services as the pages. A service's refusal is a 422 listing every problem; a save from a stale version is a 409
saying when the other save happened. Lists are paginated (``limit``, ``offset``) in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from ninja import Field, File, Form, Path, Query, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.api_errors import NUL_FREE
from credo.catalogue.api.schemas import Message, Page, Problems
from credo.portfolios.access import own_item, own_portfolio, own_section_at
from credo.portfolios.api.router import router
from credo.portfolios.downloads import file_response
from credo.portfolios.lengths import is_editable, section_length
from credo.portfolios.models import (
    CompetencyMapping,
    CriterionMapping,
    EvidenceItem,
    EvidenceVersion,
    ItemKind,
    Portfolio,
    PortfolioSection,
)
from credo.portfolios.services import evidence, mapping
from credo.portfolios.services.common import TITLE_MAX, EditConflictError

#: A database row's id: bigger numbers are not ids, and would overflow SQLite's integers.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Position = Annotated[int, Field(ge=1, le=32767)]
Title = Annotated[str, StringConstraints(max_length=TITLE_MAX, pattern=NUL_FREE)]
Html = Annotated[str, StringConstraints(max_length=evidence.TEXT_MAX, pattern=NUL_FREE)]
Url = Annotated[str, StringConstraints(max_length=evidence.URL_MAX, pattern=NUL_FREE)]

LEARNER = "Learner's own portfolio"


class Conflict(Schema):
    detail: str
    current_version: int


class RequirementOut(Schema):
    kind: str
    description: str
    min_count: int
    attestor_relationship: str


class SectionOut(Schema):
    position: int
    title: str
    guidance: str
    suggested_length: str
    min_words: int | None
    max_words: int | None
    requirements: list[RequirementOut]
    item_count: int
    words: int
    length: str = Field(description="Words written against the suggested length, in words.")
    url: str


class PortfolioOut(Schema):
    enrolment: int
    cohort: str
    attempt: int
    is_open: bool = Field(description="False once submitted: read-only until reopened for a resubmission.")
    editable: bool = Field(description="Whether the learner may change it now.")
    sections: list[SectionOut]


class ItemOut(Schema):
    id: int
    section: int = Field(description="The section's position.")
    kind: ItemKind
    kind_name: str
    title: str
    html: str = Field(description="Written text: sanitised HTML.")
    word_count: int
    url: str = Field(description="A link's address.")
    file_name: str
    file_size: int | None
    content_type: str = Field(description="A file's type, as identified from its bytes.")
    sha256: str
    download: str = Field(description="A file's permission-checked download; empty for text and links.")
    version: int = Field(description="Send it back as expected_version when saving text.")
    share_in_credential: bool
    criteria: list[int]
    competencies: list[int]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @classmethod
    def of(cls, item: EvidenceItem, *, criteria: list[int], competencies: list[int]) -> ItemOut:
        return cls(
            id=item.pk,
            section=item.section.position,
            kind=ItemKind(item.kind),
            kind_name=str(ItemKind(item.kind).label),
            title=item.title,
            html=item.html,
            word_count=item.word_count,
            url=item.url,
            file_name=item.original_name,
            file_size=item.size,
            content_type=item.content_type,
            sha256=item.sha256,
            download=reverse("api:portfolios_my_file", args=[item.portfolio.enrolment_id, item.pk])
            if item.kind == ItemKind.FILE
            else "",
            version=item.version,
            share_in_credential=item.share_in_credential,
            criteria=criteria,
            competencies=competencies,
            created_at=item.created_at,
            updated_at=item.updated_at,
        )


def _item_out(item: EvidenceItem) -> ItemOut:
    return ItemOut.of(
        item,
        criteria=sorted(item.mappings.values_list("criterion_id", flat=True)),
        competencies=sorted(item.competency_mappings.values_list("competency_id", flat=True)),
    )


def _items_out(rows: list[EvidenceItem]) -> list[ItemOut]:
    """A page of items with their mappings: three queries for the page, however many items it holds."""
    ids = [item.pk for item in rows]
    criteria: dict[int, list[int]] = {pk: [] for pk in ids}
    competencies: dict[int, list[int]] = {pk: [] for pk in ids}
    for item_id, criterion_id in CriterionMapping.objects.filter(item_id__in=ids).values_list(
        "item_id", "criterion_id"
    ):
        criteria[item_id].append(criterion_id)
    for item_id, competency_id in CompetencyMapping.objects.filter(item_id__in=ids).values_list(
        "item_id", "competency_id"
    ):
        competencies[item_id].append(competency_id)
    return [
        ItemOut.of(item, criteria=sorted(criteria[item.pk]), competencies=sorted(competencies[item.pk]))
        for item in rows
    ]


class ItemFilters(Page):
    kind: Literal["", "text", "file", "link"] = Field("", description="Only evidence of this kind.")


class TextIn(Schema):
    title: Title
    html: Html = Field("", description="The writing, as HTML: it is sanitised (headings, lists, bold, links only).")


class TextSaveIn(Schema):
    html: Html
    expected_version: int = Field(ge=1, le=2**31 - 1, description="The item's version when you loaded it.")


class LinkIn(Schema):
    title: Title
    url: Url


class SharingIn(Schema):
    share: bool = Field(description="True: willing to have this item published with your credential.")


class MappingIn(Schema):
    criteria: list[RowId] = Field(default_factory=list, max_length=1000, description="Assessment criteria ids.")
    competencies: list[RowId] = Field(default_factory=list, max_length=1000, description="Competency ids.")


class GapRowOut(Schema):
    id: int = Field(description="The criterion's or competency's id, as mapping takes it.")
    code: str
    text: str
    covered: bool
    items: list[int]


class GapMatrixOut(Schema):
    kind: Literal["criteria", "competencies"]
    covered: int
    total: int
    rows: list[GapRowOut]


class VersionOut(Schema):
    number: int
    saved_at: datetime.datetime
    word_count: int
    html: str


def _portfolio_out(portfolio: Portfolio) -> PortfolioOut:
    sections = (
        PortfolioSection.objects.filter(portfolio=portfolio)
        .annotate(item_count=Count("items"), words=Sum("items__word_count", filter=Q(items__kind=ItemKind.TEXT)))
        .order_by("position")
    )
    enrolment_id = portfolio.enrolment_id
    return PortfolioOut(
        enrolment=enrolment_id,
        cohort=str(portfolio.enrolment.cohort),
        attempt=portfolio.attempt,
        is_open=portfolio.is_open,
        editable=is_editable(portfolio),
        sections=[
            SectionOut(
                position=section.position,
                title=section.title,
                guidance=section.guidance,
                suggested_length=section.suggested_length(),
                min_words=section.min_words,
                max_words=section.max_words,
                requirements=[
                    RequirementOut(
                        kind=str(r.get("kind", "")),
                        description=str(r.get("description", "")),
                        min_count=int(r.get("min_count") or 0),
                        attestor_relationship=str(r.get("attestor_relationship") or ""),
                    )
                    for r in section.requirements or []
                ],
                item_count=section.item_count,
                words=section.words or 0,
                length=section_length(section, section.words or 0).summary,
                url=reverse("portfolios:learner-section", args=[enrolment_id, section.position]),
            )
            for section in sections
        ],
    )


@router.get(
    "/my/{enrolment_id}",
    auth=django_auth,
    response={200: PortfolioOut, 401: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_portfolio",
    summary="Your portfolio for one of your enrolments: its sections, with evidence counts and words written",
    tags=[LEARNER],
)
def my_portfolio(request: HttpRequest, enrolment_id: Path[RowId]) -> PortfolioOut:
    return _portfolio_out(own_portfolio(request.user, enrolment_id))


def _section_items(section: PortfolioSection) -> QuerySet[EvidenceItem]:
    return EvidenceItem.objects.filter(section=section).select_related("section").order_by("created_at", "id")


@router.get(
    "/my/{enrolment_id}/sections/{position}/items",
    auth=django_auth,
    response={200: list[ItemOut], 401: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_section_items",
    summary="The evidence in one section of your portfolio, oldest first",
    tags=[LEARNER],
)
def section_items(
    request: HttpRequest, enrolment_id: Path[RowId], position: Path[Position], filters: Query[ItemFilters]
) -> list[ItemOut]:
    section = own_section_at(request.user, enrolment_id, position)
    rows = _section_items(section)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    page = list(rows[filters.offset : filters.offset + filters.limit])
    for item in page:
        item.portfolio = section.portfolio
    return _items_out(page)


@router.post(
    "/my/{enrolment_id}/sections/{position}/text",
    auth=django_auth,
    response={201: ItemOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_add_text",
    summary="Start a piece of writing in a section (its first version is kept)",
    tags=[LEARNER],
)
def add_text(
    request: HttpRequest, enrolment_id: Path[RowId], position: Path[Position], payload: TextIn
) -> Reply[ItemOut]:
    section = own_section_at(request.user, enrolment_id, position)
    item = evidence.add_text(section=section, actor=request.user, title=payload.title, html=payload.html)
    return Reply(201, _item_out(item))


@router.post(
    "/my/{enrolment_id}/sections/{position}/links",
    auth=django_auth,
    response={201: ItemOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_add_link",
    summary="Add a link (https:// or http://) to a section",
    tags=[LEARNER],
)
def add_link(
    request: HttpRequest, enrolment_id: Path[RowId], position: Path[Position], payload: LinkIn
) -> Reply[ItemOut]:
    section = own_section_at(request.user, enrolment_id, position)
    item = evidence.add_link(section=section, actor=request.user, title=payload.title, url=payload.url)
    return Reply(201, _item_out(item))


@router.post(
    "/my/{enrolment_id}/sections/{position}/files",
    auth=django_auth,
    response={201: ItemOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_upload_file",
    summary="Upload a file to a section (multipart): checked by its bytes, size, your quota and for duplicates",
    tags=[LEARNER],
)
def upload_file(
    request: HttpRequest,
    enrolment_id: Path[RowId],
    position: Path[Position],
    file: File[UploadedFile],
    title: str = Form("", max_length=TITLE_MAX, pattern=NUL_FREE, description="What the file is (else its name)."),
) -> Reply[ItemOut]:
    """Not in a transaction (the API runs none around it): ``add_file`` deletes what it stored if recording fails,
    which only holds when nothing outside it can roll back."""
    section = own_section_at(request.user, enrolment_id, position)
    item = evidence.add_file(section=section, actor=request.user, uploaded_file=file, title=title)
    return Reply(201, _item_out(item))


@router.get(
    "/my/{enrolment_id}/items/{item_id}",
    auth=django_auth,
    response={200: ItemOut, 401: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_item",
    summary="One piece of your evidence, with its current version and mapping",
    tags=[LEARNER],
)
def get_item(request: HttpRequest, enrolment_id: Path[RowId], item_id: Path[RowId]) -> ItemOut:
    return _item_out(own_item(request.user, enrolment_id, item_id))


@router.put(
    "/my/{enrolment_id}/items/{item_id}/text",
    auth=django_auth,
    response={200: ItemOut, 401: Message, 403: Message, 404: Message, 409: Conflict, 422: Problems},
    operation_id="portfolios_my_save_text",
    summary="Save a new version of a piece of writing; refused (409) if it changed since the version you loaded",
    tags=[LEARNER],
)
def save_text(
    request: HttpRequest, enrolment_id: Path[RowId], item_id: Path[RowId], payload: TextSaveIn
) -> Reply[ItemOut] | Reply[Conflict]:
    item = own_item(request.user, enrolment_id, item_id)
    try:
        saved = evidence.save_text(
            item=item, actor=request.user, html=payload.html, expected_version=payload.expected_version
        )
    except EditConflictError as error:
        current = EvidenceItem.objects.filter(pk=item.pk).values_list("version", flat=True).first() or item.version
        return Reply(409, Conflict(detail=" ".join(error.messages), current_version=current))
    return Reply(200, _item_out(saved))


@router.delete(
    "/my/{enrolment_id}/items/{item_id}",
    auth=django_auth,
    response={204: None, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_remove_item",
    summary="Remove a piece of evidence, with its versions and mapping (a file is deleted)",
    tags=[LEARNER],
)
def remove_item(request: HttpRequest, enrolment_id: Path[RowId], item_id: Path[RowId]) -> Reply[None]:
    evidence.remove_item(item=own_item(request.user, enrolment_id, item_id), actor=request.user)
    return Reply(204, None)


@router.put(
    "/my/{enrolment_id}/items/{item_id}/sharing",
    auth=django_auth,
    response={200: ItemOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_sharing",
    summary="Whether you are willing to have this evidence published with your credential (off by default)",
    tags=[LEARNER],
)
def sharing(request: HttpRequest, enrolment_id: Path[RowId], item_id: Path[RowId], payload: SharingIn) -> ItemOut:
    item = evidence.set_sharing(
        item=own_item(request.user, enrolment_id, item_id), actor=request.user, share=payload.share
    )
    return _item_out(item)


@router.put(
    "/my/{enrolment_id}/items/{item_id}/mapping",
    auth=django_auth,
    response={200: ItemOut, 401: Message, 403: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_mapping",
    summary="Set the criteria and competencies this evidence is for: the lists sent are the whole mapping",
    tags=[LEARNER],
)
def set_mapping(request: HttpRequest, enrolment_id: Path[RowId], item_id: Path[RowId], payload: MappingIn) -> ItemOut:
    item = own_item(request.user, enrolment_id, item_id)
    mapping.set_mapping(
        item=item, actor=request.user, criterion_ids=payload.criteria, competency_ids=payload.competencies
    )
    return _item_out(own_item(request.user, enrolment_id, item_id))


@router.get(
    "/my/{enrolment_id}/gaps",
    auth=django_auth,
    response={200: GapMatrixOut, 401: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_gaps",
    summary="The gap matrix: each criterion (or competency) of your qualification, and the evidence mapped to it",
    tags=[LEARNER],
)
def gaps(request: HttpRequest, enrolment_id: Path[RowId]) -> GapMatrixOut:
    matrix = mapping.gap_matrix(portfolio=own_portfolio(request.user, enrolment_id))
    return GapMatrixOut(
        kind="competencies" if matrix.kind == mapping.COMPETENCIES else "criteria",
        covered=matrix.covered_count,
        total=len(matrix.rows),
        rows=[
            GapRowOut(id=row.key, code=row.code, text=row.text, covered=row.covered, items=[i.pk for i in row.items])
            for row in matrix.rows
        ],
    )


@router.get(
    "/my/{enrolment_id}/items/{item_id}/versions",
    auth=django_auth,
    response={200: list[VersionOut], 401: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_versions",
    summary="Every saved version of a piece of writing, newest first",
    tags=[LEARNER],
)
def versions(
    request: HttpRequest, enrolment_id: Path[RowId], item_id: Path[RowId], filters: Query[Page]
) -> list[VersionOut]:
    item = own_item(request.user, enrolment_id, item_id)
    rows = EvidenceVersion.objects.filter(item=item).order_by("-number")[
        filters.offset : filters.offset + filters.limit
    ]
    return [VersionOut(number=v.number, saved_at=v.saved_at, word_count=v.word_count, html=v.html) for v in rows]


@router.get(
    "/my/{enrolment_id}/items/{item_id}/file",
    auth=django_auth,
    response={401: Message, 404: Message, 422: Problems},
    operation_id="portfolios_my_file",
    url_name="portfolios_my_file",
    summary="Download one of your files, as uploaded (always as an attachment)",
    tags=[LEARNER],
    openapi_extra={
        "responses": {
            200: {
                "description": "The file's bytes, with the type identified when it was uploaded.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download(request: HttpRequest, enrolment_id: Path[RowId], item_id: Path[RowId]) -> HttpResponseBase:
    item = own_item(request.user, enrolment_id, item_id)
    if item.kind != ItemKind.FILE or not item.file:
        raise Http404("That evidence is not a file.")
    return file_response(item)
