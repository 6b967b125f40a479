"""The learner's own portfolio pages: the overview, each section's evidence, the editor with autosave, uploads,
links, sharing, mapping to criteria or competencies, the gap matrix, version history and downloads.

Every object loads through ``portfolios.access`` (``own_portfolio``, ``own_section_at``, ``own_item``): anything not
the signed-in learner's is a 404. Every change is one call to a service in ``portfolios.services``.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.catalogue.models import LearningOutcome
from credo.core.forms import add_service_errors
from credo.portfolios.access import own_item, own_portfolio, own_section_at
from credo.portfolios.downloads import file_response
from credo.portfolios.feedback import feedback_for
from credo.portfolios.forms.learner import (
    FileForm,
    LinkForm,
    MappingForm,
    RemoveForm,
    SaveTextForm,
    SharingForm,
    TextForm,
)
from credo.portfolios.lengths import is_editable, section_length
from credo.portfolios.models import EvidenceItem, EvidenceVersion, ItemKind, Portfolio, PortfolioSection
from credo.portfolios.services import evidence, files, mapping
from credo.portfolios.services.common import EditConflictError

PER_PAGE = 20


# What the pages show -------------------------------------------------------------------------------------------------


def _zone(portfolio: Portfolio) -> ZoneInfo:
    return ZoneInfo(portfolio.enrolment.cohort.time_zone)


def _saved_at(item: EvidenceItem, portfolio: Portfolio) -> str:
    return f"{timezone.localtime(item.updated_at, _zone(portfolio)):%H:%M}"


def _page(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _section_url(section: PortfolioSection) -> str:
    return reverse("portfolios:learner-section", args=[section.portfolio.enrolment_id, section.position])


def _item_url(item: EvidenceItem, name: str = "learner-item") -> str:
    return reverse(f"portfolios:{name}", args=[item.portfolio.enrolment_id, item.pk])


def _items_of(section: PortfolioSection) -> QuerySet[EvidenceItem]:
    """A section's evidence with how many criteria or competencies each is mapped to, in one query per page."""
    return (
        EvidenceItem.objects.filter(section=section)
        .annotate(
            criteria_count=Count("mappings", distinct=True),
            competencies_count=Count("competency_mappings", distinct=True),
        )
        .order_by("created_at", "id")
    )


# The overview and the gap matrix --------------------------------------------------------------------------------------


@login_required
@require_GET
def portfolio_page(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    portfolio = own_portfolio(request.user, enrolment_id)
    sections = (
        PortfolioSection.objects.filter(portfolio=portfolio)
        .annotate(item_count=Count("items"), words=Sum("items__word_count", filter=Q(items__kind=ItemKind.TEXT)))
        .order_by("position")
    )
    # The assessor's comments on the last attempt, beside each section (from the assessment app, when installed).
    comments = feedback_for(portfolio)
    rows = [
        (section, section_length(section, section.words or 0), comments.get(section.position, []))
        for section in sections
    ]
    matrix = mapping.gap_matrix(portfolio=portfolio)
    return render(
        request,
        "portfolios/learner/portfolio.html",
        {
            "portfolio": portfolio,
            "enrolment": portfolio.enrolment,
            "rows": rows,
            "matrix": matrix,
            "editable": is_editable(portfolio),
        },
    )


@login_required
@require_GET
def gaps_page(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """Criteria (or competencies) by evidence: covered or not. ``?show=gaps`` lists only those not yet covered."""
    portfolio = own_portfolio(request.user, enrolment_id)
    matrix = mapping.gap_matrix(portfolio=portfolio)
    only_gaps = request.GET.get("show") == "gaps"
    return render(
        request,
        "portfolios/learner/gaps.html",
        {
            "portfolio": portfolio,
            "enrolment": portfolio.enrolment,
            "matrix": matrix,
            "shown": matrix.gaps if only_gaps else matrix.rows,
            "only_gaps": only_gaps,
        },
    )


# A section and adding evidence to it -------------------------------------------------------------------------------


def _outcomes(section: PortfolioSection) -> list[LearningOutcome]:
    """A unit's section shows what the unit asks: its learning outcomes, each with its assessment criteria."""
    if section.unit_id is None:
        return []
    return list(LearningOutcome.objects.filter(unit_id=section.unit_id).prefetch_related("criteria"))


def _section_page(request: HttpRequest, section: PortfolioSection, *, status: int = 200, **bound: Any) -> HttpResponse:
    portfolio = section.portfolio
    kind = request.GET.get("kind", "")
    rows = _items_of(section)
    if kind in ItemKind.values:
        rows = rows.filter(kind=kind)
    page = _page(request, rows)
    by_criteria = mapping.criteria_of(portfolio.enrolment.cohort.programme.qualification_id).exists()
    total_words = int(section.items.filter(kind=ItemKind.TEXT).aggregate(total=Sum("word_count"))["total"] or 0)
    return render(
        request,
        "portfolios/learner/section.html",
        {
            "portfolio": portfolio,
            "enrolment": portfolio.enrolment,
            "section": section,
            "page": page,
            "kinds": [(value, label, value == kind) for value, label in ItemKind.choices],
            "kind": kind if kind in ItemKind.values else "",
            "map_label": "Map to criteria" if by_criteria else "Map to competencies",
            "outcomes": _outcomes(section),
            "length": section_length(section, total_words),
            "editable": is_editable(portfolio),
            "text_form": bound.get("text_form") or TextForm(prefix="text"),
            "file_form": bound.get("file_form") or FileForm(prefix="upload", allowed=files.ALLOWED_DESCRIPTION),
            "link_form": bound.get("link_form") or LinkForm(prefix="link"),
            "max_file": files.in_mb(files.max_file_bytes()),
        },
        status=status,
    )


@login_required
@require_GET
def section_page(request: HttpRequest, enrolment_id: int, position: int) -> HttpResponse:
    return _section_page(request, own_section_at(request.user, enrolment_id, position))


@login_required
@require_POST
def add_text(request: HttpRequest, enrolment_id: int, position: int) -> HttpResponse:
    """Start a piece of writing; the editor page opens on it, where it autosaves."""
    section = own_section_at(request.user, enrolment_id, position)
    form = TextForm(request.POST, prefix="text")
    if form.is_valid():
        try:
            item = evidence.add_text(
                section=section, actor=request.user, title=form.cleaned_data["title"], html=form.cleaned_data["html"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{item.title}” is saved. Keep writing: it saves as you go.")
            return redirect(_item_url(item))
    return _section_page(request, section, status=422, text_form=form)


@login_required
@require_POST
def add_link(request: HttpRequest, enrolment_id: int, position: int) -> HttpResponse:
    section = own_section_at(request.user, enrolment_id, position)
    form = LinkForm(request.POST, prefix="link")
    if form.is_valid():
        try:
            item = evidence.add_link(
                section=section, actor=request.user, title=form.cleaned_data["title"], url=form.cleaned_data["url"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The link “{item.title}” is added.")
            return redirect(_section_url(section))
    return _section_page(request, section, status=422, link_form=form)


# add_file stores the file before it records it, and deletes it again if recording fails; an outer transaction
# rolling back after it returned would leave a stored file with no row (see its docstring). So this view must never
# run inside a transaction: non_atomic_requests says so even if ATOMIC_REQUESTS is switched on one day.
@transaction.non_atomic_requests
@login_required
@require_POST
def add_file(request: HttpRequest, enrolment_id: int, position: int) -> HttpResponse:
    section = own_section_at(request.user, enrolment_id, position)
    form = FileForm(request.POST, request.FILES, prefix="upload", allowed=files.ALLOWED_DESCRIPTION)
    if form.is_valid():
        try:
            item = evidence.add_file(
                section=section,
                actor=request.user,
                uploaded_file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{item.original_name}” is uploaded.")
            return redirect(_section_url(section))
    return _section_page(request, section, status=422, file_form=form)


# One item: the editor, autosave, versions ----------------------------------------------------------------------------


def _item_page(request: HttpRequest, item: EvidenceItem, *, status: int = 200, form: Any = None) -> HttpResponse:
    portfolio = item.portfolio
    editable = is_editable(portfolio)
    if form is None and item.kind == ItemKind.TEXT:
        form = SaveTextForm(initial={"html": item.html, "expected_version": item.version})
    return render(
        request,
        "portfolios/learner/item.html",
        {
            "portfolio": portfolio,
            "enrolment": portfolio.enrolment,
            "section": item.section,
            "item": item,
            "form": form,
            "editable": editable,
            "length": section_length(item.section, item.word_count),
            "saved_at": _saved_at(item, portfolio),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_page(request: HttpRequest, enrolment_id: int, item_id: int) -> HttpResponse:
    """A piece of evidence; for writing, the editor. Saving without JavaScript posts here (autosave posts to
    ``autosave``); a save from a stale page is refused, and what was typed stays in the box to copy."""
    item = own_item(request.user, enrolment_id, item_id)
    if request.method == "GET":
        return _item_page(request, item)
    form = SaveTextForm(request.POST)
    if form.is_valid():
        try:
            saved = evidence.save_text(
                item=item,
                actor=request.user,
                html=form.cleaned_data["html"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except EditConflictError as error:
            add_service_errors(form, error)
            return _item_page(request, item, status=409, form=form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved at {_saved_at(saved, saved.portfolio)}.")
            return redirect(_item_url(saved))
    return _item_page(request, item, status=422, form=form)


@login_required
@require_POST
def autosave(request: HttpRequest, enrolment_id: int, item_id: int) -> JsonResponse:
    """editor.js posts here a few seconds after typing stops: the new version, or why it was not saved.

    A conflict (another tab or window saved first) is a 409 and changes nothing: the editor stops autosaving and
    asks the learner to copy their text and reload.
    """
    item = own_item(request.user, enrolment_id, item_id)
    form = SaveTextForm(request.POST)
    if not form.is_valid():
        problems = [str(message) for errors in form.errors.values() for message in errors]
        return JsonResponse({"saved": False, "message": " ".join(problems)}, status=422)
    try:
        saved = evidence.save_text(
            item=item,
            actor=request.user,
            html=form.cleaned_data["html"],
            expected_version=form.cleaned_data["expected_version"],
        )
    except EditConflictError as error:
        return JsonResponse({"saved": False, "conflict": True, "message": " ".join(error.messages)}, status=409)
    except ValidationError as error:
        return JsonResponse({"saved": False, "message": " ".join(error.messages)}, status=422)
    at = _saved_at(saved, saved.portfolio)
    return JsonResponse(
        {
            "saved": True,
            "version": saved.version,
            "words": saved.word_count,
            "saved_at": at,
            "message": f"Saved at {at}",
        }
    )


@login_required
@require_GET
def versions_page(request: HttpRequest, enrolment_id: int, item_id: int) -> HttpResponse:
    item = own_item(request.user, enrolment_id, item_id)
    if item.kind != ItemKind.TEXT:
        raise Http404("Only written text has versions.")
    rows = EvidenceVersion.objects.filter(item=item).defer("html").order_by("-number")
    return render(
        request,
        "portfolios/learner/versions.html",
        {
            "portfolio": item.portfolio,
            "enrolment": item.portfolio.enrolment,
            "item": item,
            "page": _page(request, rows),
            "zone": item.portfolio.enrolment.cohort.time_zone,
        },
    )


@login_required
@require_GET
def version_page(request: HttpRequest, enrolment_id: int, item_id: int, number: int) -> HttpResponse:
    item = own_item(request.user, enrolment_id, item_id)
    version = EvidenceVersion.objects.filter(item=item, number=number).first()
    if version is None:
        raise Http404("There is no such version of this writing.")
    return render(
        request,
        "portfolios/learner/version.html",
        {
            "portfolio": item.portfolio,
            "enrolment": item.portfolio.enrolment,
            "item": item,
            "version": version,
            "zone": item.portfolio.enrolment.cohort.time_zone,
        },
    )


# Sharing, mapping, removing, downloading -----------------------------------------------------------------------------


@login_required
@require_POST
def sharing(request: HttpRequest, enrolment_id: int, item_id: int) -> HttpResponse:
    """Posts the state wanted ("yes" or "no"), not a toggle, so a repeated click cannot flip it back."""
    item = own_item(request.user, enrolment_id, item_id)
    form = SharingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to share this evidence in your credential.")
        return redirect(_section_url(item.section))
    try:
        item = evidence.set_sharing(item=item, actor=request.user, share=form.wanted())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_section_url(item.section))
    if request.headers.get("HX-Request"):
        return render(
            request,
            "portfolios/learner/_sharing.html",
            {"item": item, "enrolment": item.portfolio.enrolment, "editable": True, "announce": True},
        )
    shared = "will be shared" if item.share_in_credential else "will not be shared"
    messages.success(request, f"“{item.title}” {shared} in your credential.")
    return redirect(_section_url(item.section))


@login_required
@require_http_methods(["GET", "POST"])
def mapping_page(request: HttpRequest, enrolment_id: int, item_id: int) -> HttpResponse:
    """Tick the criteria (or competencies) this item is evidence for; the ticks sent are the whole mapping."""
    item = own_item(request.user, enrolment_id, item_id)
    matrix = mapping.gap_matrix(portfolio=item.portfolio)
    mapped = [row.key for row in matrix.rows if any(found.pk == item.pk for found in row.items)]
    status = 200
    if request.method == "POST":
        form = MappingForm(request.POST, matrix=matrix)
        if form.is_valid():
            chosen = form.chosen()
            try:
                mapping.set_mapping(
                    item=item,
                    actor=request.user,
                    criterion_ids=chosen if matrix.kind == mapping.CRITERIA else (),
                    competency_ids=chosen if matrix.kind == mapping.COMPETENCIES else (),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"“{item.title}” is mapped to {len(chosen)} of {len(matrix.rows)}.")
                return redirect(_section_url(item.section))
        status = 422
    else:
        form = MappingForm(initial={matrix.kind: mapped}, matrix=matrix)
    return render(
        request,
        "portfolios/learner/mapping.html",
        {
            "portfolio": item.portfolio,
            "enrolment": item.portfolio.enrolment,
            "item": item,
            "matrix": matrix,
            "form": form,
            "editable": is_editable(item.portfolio),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def remove(request: HttpRequest, enrolment_id: int, item_id: int) -> HttpResponse:
    """A page saying what will go; only its POST (``confirmed=yes``) removes the item."""
    item = own_item(request.user, enrolment_id, item_id)
    context = {"portfolio": item.portfolio, "enrolment": item.portfolio.enrolment, "item": item}
    if request.method == "POST" and RemoveForm(request.POST).is_confirmed():
        section = item.section
        try:
            evidence.remove_item(item=item, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"“{item.title}” is removed from your portfolio.")
        return redirect(_section_url(section))
    return render(request, "portfolios/learner/remove.html", context)


@login_required
@require_GET
def download(request: HttpRequest, enrolment_id: int, item_id: int) -> HttpResponseBase:
    item = own_item(request.user, enrolment_id, item_id)
    if item.kind != ItemKind.FILE or not item.file:
        raise Http404("That evidence is not a file.")
    return file_response(item)
