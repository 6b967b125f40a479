"""Reading the catalogue: anyone may, drafts only for their owners' programme admins."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query

from credo.catalogue import access
from credo.catalogue.api.router import router
from credo.catalogue.api.schemas import (
    AchievedUnits,
    Message,
    Problems,
    ProgressOut,
    QualificationDetail,
    QualificationSummary,
    SearchFilters,
    UnitDetail,
    UnitFilters,
    UnitSummary,
)
from credo.catalogue.api.serialisers import (
    progress_out,
    qualification_detail,
    unit_detail,
    unit_summary,
)
from credo.catalogue.forms import SearchForm
from credo.catalogue.models import (
    Status,
)
from credo.catalogue.progression import progression_for

# Reading ------------------------------------------------------------------------------------------


@router.get(
    "/qualifications", response={200: list[QualificationSummary], 422: Problems}, summary="Search qualifications"
)
def list_qualifications(request: HttpRequest, filters: Query[SearchFilters]) -> list[QualificationSummary]:
    """Qualifications the caller may see (published ones; drafts too for their owners), by code or title."""
    form = SearchForm({"q": filters.q, "framework": filters.framework, "kind": filters.kind})
    qs = access.visible_qualifications(request.user).select_related("owner", "framework", "level")
    if form.is_valid():
        qs = qs.search(form.cleaned_data["q"])
        if form.cleaned_data["framework"]:
            qs = qs.filter(framework=form.cleaned_data["framework"])
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
    page = qs.order_by("framework__code", "level__number", "code", "version")[
        filters.offset : filters.offset + filters.limit
    ]
    return [QualificationSummary.of(q) for q in page]


@router.get(
    "/qualifications/{slug}/versions/{version}",
    response={200: QualificationDetail, 404: Message, 422: Problems},
    summary="One version of a qualification, with its rules, competencies and portfolio template",
)
def get_qualification(request: HttpRequest, slug: str, version: int) -> QualificationDetail:
    return qualification_detail(access.access_qualification(request.user, slug, version).pk)


@router.get("/units", response={200: list[UnitSummary], 422: Problems}, summary="Search units")
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> list[UnitSummary]:
    units = access.visible_units(request.user).select_related("level").order_by("code")
    if text := filters.q.strip():
        units = units.filter(Q(code__icontains=text) | Q(title__icontains=text))
    return [unit_summary(u) for u in units[filters.offset : filters.offset + filters.limit]]


@router.get(
    "/units/{slug}",
    response={200: UnitDetail, 404: Message, 422: Problems},
    summary="A unit with its outcomes and criteria",
)
def get_unit(request: HttpRequest, slug: str) -> UnitDetail:
    return unit_detail(access.access_unit(request.user, slug))


@router.get(
    "/progression",
    response={200: list[ProgressOut], 422: Problems},
    summary="Progress towards each live qualification, given the units achieved",
)
def progression(request: HttpRequest, achieved: Query[AchievedUnits]) -> list[ProgressOut]:
    """Pass each achieved unit as `unit=Y/615/8308`; complete qualifications come first."""
    live = access.visible_qualifications(request.user).filter(status=Status.LIVE)
    return [progress_out(p) for p in progression_for(achieved.unit, live)]
