"""Catalogue pages anyone may read: browse and search, a qualification, a unit, and the progression check."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from credo.catalogue import access, holdings, services
from credo.catalogue.forms import (
    AddUnitForm,
    ProgressionForm,
    RuleGroupForm,
    SearchForm,
)
from credo.catalogue.models import (
    CentreApproval,
    LearningOutcome,
    ProgressionRoute,
    Qualification,
    QualificationQuerySet,
    Status,
    TemplateSection,
    Unit,
)
from credo.catalogue.offers import offers_for
from credo.catalogue.progression import progression_for
from credo.core.http import HtmxHttpRequest

PAGE_SIZE = 50


def _search(user: Any, form: SearchForm) -> QualificationQuerySet:
    qualifications = access.visible_qualifications(user).select_related("owner", "framework", "level")
    if form.is_valid():
        qualifications = qualifications.search(form.cleaned_data["q"])
        if form.cleaned_data["framework"]:
            qualifications = qualifications.filter(framework=form.cleaned_data["framework"])
        if form.cleaned_data["kind"]:
            qualifications = qualifications.filter(kind=form.cleaned_data["kind"])
    return qualifications.order_by("framework__code", "level__number", "code", "-version")


@require_GET
def index(request: HtmxHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    qualifications = list(_search(request.user, form)[: PAGE_SIZE + 1])
    context = {
        "form": form,
        "qualifications": qualifications[:PAGE_SIZE],
        "more": len(qualifications) > PAGE_SIZE,
        "query": request.GET.get("q", ""),
    }
    if request.htmx:
        return render(request, "catalogue/_results.html", context)
    return render(request, "catalogue/index.html", context)


@require_GET
def qualification_latest(request: HttpRequest, slug: str) -> HttpResponseRedirect:
    """The version people mean when they give no version: the live one, else the newest they may see."""
    versions = access.visible_qualifications(request.user).filter(slug=slug)
    current = versions.filter(status=Status.LIVE).first() or versions.order_by("-version").first()
    if current is None:
        return redirect("catalogue:index")
    return redirect(current)


@require_GET
def qualification_detail(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    found = access.access_qualification(request.user, slug, version)
    qualification = (
        Qualification.objects.with_structure()
        .prefetch_related(
            "competencies",
            Prefetch(
                "portfolio_template__sections",
                queryset=TemplateSection.objects.prefetch_related("requirements"),
            ),
        )
        .get(pk=found.pk)
    )
    versions = access.visible_qualifications(request.user).filter(code=qualification.code).order_by("version")
    routes_to = ProgressionRoute.objects.filter(from_code=qualification.code).values("to_code")
    routes_from = ProgressionRoute.objects.filter(to_code=qualification.code).values("from_code")
    visible = access.visible_qualifications(request.user)
    approvals = CentreApproval.objects.filter(qualification_code=qualification.code).select_related("centre")
    offers = offers_for(qualification.code)
    context = {
        "qualification": qualification,
        "template": getattr(qualification, "portfolio_template", None),
        "versions": versions,
        "leads_to": visible.filter(code__in=routes_to, status=Status.LIVE),
        "leads_from": visible.filter(code__in=routes_from, status=Status.LIVE),
        # Each centre with its page for the entry, if it has one, and the intakes open now: from the apps that
        # deliver entries (programmes), which the catalogue does not import.
        "centres": [(approval, offers.centre_pages.get(approval.centre_id, "")) for approval in approvals],
        "offers": offers,
        "can_edit": access.can_edit(request.user, qualification.owner),
        "problems": services.structure_problems(qualification) if qualification.is_draft else [],
        "add_unit_form": AddUnitForm(units=access.visible_units(request.user)),
        "group_form": RuleGroupForm(),
        "has_sample_content": qualification.competencies.filter(is_sample=True).exists()
        or LearningOutcome.objects.filter(unit__rule_groups__qualification=qualification, is_sample=True).exists(),
    }
    return render(request, "catalogue/qualification.html", context)


@require_GET
def unit_detail(request: HttpRequest, slug: str) -> HttpResponse:
    unit = access.access_unit(request.user, slug)
    outcomes = unit.outcomes.prefetch_related("criteria")
    qualifications = (
        access.visible_qualifications(request.user)
        .filter(rule_groups__units=unit)
        .exclude(status=Status.SUPERSEDED)
        .select_related("level")
        .distinct()
    )
    return render(
        request,
        "catalogue/unit.html",
        {
            "unit": unit,
            "outcomes": outcomes,
            "qualifications": qualifications,
            "can_edit": access.can_edit(request.user, unit.owner),
            "has_sample_content": any(o.is_sample for o in outcomes),
        },
    )


def _ticks(request: HttpRequest, units: list[Unit]) -> tuple[QueryDict | None, int]:
    """The form's data, and how many units were ticked for the learner. What they sent, when they sent the form
    (it always sends ``checked``, so unticking every box is kept); otherwise the units they already hold, as the
    apps that know (``holdings``) say."""
    if request.GET:
        return request.GET, 0
    offered = {unit.code for unit in units}
    held = sorted(holdings.units_held_by(request.user) & offered)
    if not held:
        return None, 0
    data = QueryDict(mutable=True)
    data.setlist("unit", held)
    return data, len(held)


@require_GET
def progression(request: HtmxHttpRequest) -> HttpResponse:
    """Which qualifications the units you hold complete, and what is missing for the others."""
    units = list(
        access.visible_units(request.user)
        .filter(group_memberships__qualification__status=Status.LIVE)
        .select_related("level")
        .order_by("level__number", "code")
    )
    data, held = _ticks(request, units)
    form = ProgressionForm(data, units=units)
    achieved = form.cleaned_data["unit"] if form.is_valid() else []
    live = access.visible_qualifications(request.user).filter(status=Status.LIVE)
    results = progression_for(achieved, live) if achieved else []
    context = {"form": form, "results": results, "achieved": set(achieved), "held": held}
    if request.htmx:
        return render(request, "catalogue/_progression_results.html", context)
    return render(request, "catalogue/progression.html", context)
