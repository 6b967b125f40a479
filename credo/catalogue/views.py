"""Catalogue pages: browse, search, read, check progression, and (for owners' programme admins) edit drafts.

Every object is loaded through `access.py`; every change is a call to `services.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.catalogue import access, services
from credo.catalogue.forms import (
    AddUnitForm,
    CompetenciesForm,
    EvidenceRequirementForm,
    MoveSectionForm,
    OutcomesForm,
    ProgressionForm,
    QualificationForm,
    RuleGroupForm,
    SearchForm,
    TemplateIntroductionForm,
    TemplateSectionForm,
    UnitForm,
    WithdrawForm,
    format_outcomes,
)
from credo.catalogue.models import (
    CentreApproval,
    EvidenceRequirement,
    LearningOutcome,
    PortfolioTemplate,
    ProgressionRoute,
    Qualification,
    QualificationQuerySet,
    RuleGroup,
    Status,
    TemplateSection,
    Unit,
)
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
    context = {
        "qualification": qualification,
        "template": getattr(qualification, "portfolio_template", None),
        "versions": versions,
        "leads_to": visible.filter(code__in=routes_to, status=Status.LIVE),
        "leads_from": visible.filter(code__in=routes_from, status=Status.LIVE),
        "centres": CentreApproval.objects.filter(qualification_code=qualification.code).select_related("centre"),
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


@require_GET
def progression(request: HtmxHttpRequest) -> HttpResponse:
    """Which qualifications the units you hold complete, and what is missing for the others."""
    units = list(
        access.visible_units(request.user)
        .filter(group_memberships__qualification__status=Status.LIVE)
        .select_related("level")
        .order_by("level__number", "code")
    )
    form = ProgressionForm(request.GET or None, units=units)
    achieved = form.cleaned_data["unit"] if form.is_valid() else []
    live = access.visible_qualifications(request.user).filter(status=Status.LIVE)
    results = progression_for(achieved, live) if achieved else []
    context = {"form": form, "results": results, "achieved": set(achieved)}
    if request.htmx:
        return render(request, "catalogue/_progression_results.html", context)
    return render(request, "catalogue/progression.html", context)


# Editing -----------------------------------------------------------------------------------------


def _apply(request: HttpRequest, change: Callable[[], Any], success: str) -> bool:
    """Run one service call; show its refusal as a message instead of an error page."""
    try:
        change()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True


@login_required
@require_http_methods(["GET", "POST"])
def qualification_create(request: HttpRequest, owner: str) -> HttpResponse:
    organisation = access.access_owner_for_edit(request.user, owner)
    form = QualificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            qualification = services.create_qualification(actor=request.user, owner=organisation, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Draft {qualification.code} created. Add its units and rules next.")
            return redirect(qualification)
    return render(request, "catalogue/qualification_form.html", {"form": form, "owner": organisation})


@login_required
@require_http_methods(["GET", "POST"])
def qualification_edit(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    if not qualification.is_draft:
        messages.error(
            request,
            f"{qualification.code} v{qualification.version} is {qualification.get_status_display().lower()}: "
            "its structure cannot change. Start a new version to change it.",
        )
        return redirect(qualification)
    form = QualificationForm(request.POST or None, instance=Qualification.objects.get(pk=qualification.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_qualification(actor=request.user, qualification=qualification, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved.")
            return redirect(qualification)
    return render(
        request,
        "catalogue/qualification_form.html",
        {"form": form, "owner": qualification.owner, "qualification": qualification},
    )


@login_required
@require_POST
def rule_group_add(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    form = RuleGroupForm(request.POST)
    if form.is_valid():
        _apply(
            request,
            lambda: services.add_rule_group(actor=request.user, qualification=qualification, **form.cleaned_data),
            f"Rule group “{form.cleaned_data['name']}” added.",
        )
    else:
        for field_errors in form.errors.values():
            for error in field_errors:
                messages.error(request, str(error))
    return redirect(qualification)


def _group(qualification: Qualification, group_id: int) -> RuleGroup:
    return get_object_or_404(RuleGroup, pk=group_id, qualification=qualification)


@login_required
@require_POST
def rule_group_remove(request: HttpRequest, slug: str, version: int, group_id: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    group = _group(qualification, group_id)
    _apply(request, lambda: services.remove_rule_group(actor=request.user, group=group), "Rule group removed.")
    return redirect(qualification)


@login_required
@require_POST
def group_unit_add(request: HttpRequest, slug: str, version: int, group_id: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    group = _group(qualification, group_id)
    form = AddUnitForm(request.POST, units=access.visible_units(request.user))
    if form.is_valid():
        unit = form.cleaned_data["unit_code"]
        _apply(
            request,
            lambda: services.add_unit_to_group(actor=request.user, group=group, unit=unit),
            f"{unit.code} added to “{group.name}”.",
        )
    else:
        for error in form.errors.get("unit_code", []):
            messages.error(request, str(error))
    return redirect(qualification)


@login_required
@require_POST
def group_unit_remove(request: HttpRequest, slug: str, version: int, group_id: int, unit_slug: str) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    group = _group(qualification, group_id)
    unit = get_object_or_404(Unit, slug=unit_slug)
    _apply(
        request,
        lambda: services.remove_unit_from_group(actor=request.user, group=group, unit=unit),
        f"{unit.code} removed from “{group.name}”.",
    )
    return redirect(qualification)


@login_required
@require_http_methods(["GET", "POST"])
def competencies_edit(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    initial = "\n".join(
        f"{c.title}: {c.description}" if c.description else c.title for c in qualification.competencies.all()
    )
    form = CompetenciesForm(request.POST or None, initial={"text": initial})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_competencies(
                actor=request.user, qualification=qualification, competencies=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Competencies saved.")
            return redirect(qualification)
    return render(request, "catalogue/competencies_form.html", {"form": form, "qualification": qualification})


@login_required
@require_POST
def qualification_publish(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    _apply(
        request,
        lambda: services.publish_qualification(actor=request.user, qualification=qualification),
        f"{qualification.code} v{qualification.version} is live.",
    )
    return redirect(qualification)


@login_required
@require_POST
def qualification_new_version(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    try:
        draft = services.start_new_version(actor=request.user, qualification=qualification)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(qualification)
    messages.success(request, f"Draft version {draft.version} started: change it, then publish it.")
    return redirect(draft)


@login_required
@require_http_methods(["GET", "POST"])
def qualification_withdraw(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_qualification(
                actor=request.user, qualification=qualification, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{qualification.code} withdrawn.")
            return redirect(qualification)
    return render(request, "catalogue/withdraw_form.html", {"form": form, "qualification": qualification})


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest, owner: str) -> HttpResponse:
    organisation = access.access_owner_for_edit(request.user, owner)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(actor=request.user, owner=organisation, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Unit {unit.code} created. Add its learning outcomes next.")
            return redirect(unit)
    return render(request, "catalogue/unit_form.html", {"form": form, "owner": organisation})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, slug: str) -> HttpResponse:
    unit = access.access_unit_for_edit(request.user, slug)
    form = UnitForm(request.POST or None, instance=Unit.objects.get(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Saved.")
            return redirect(unit)
    return render(request, "catalogue/unit_form.html", {"form": form, "owner": unit.owner, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def unit_outcomes_edit(request: HttpRequest, slug: str) -> HttpResponse:
    unit = access.access_unit_for_edit(request.user, slug)
    form = OutcomesForm(
        request.POST or None,
        initial={"text": format_outcomes(unit), "is_sample": unit.outcomes.filter(is_sample=True).exists()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_unit_outcomes(actor=request.user, unit=unit, outcomes=form.cleaned_data["outcomes"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Learning outcomes and criteria saved.")
            return redirect(unit)
    return render(request, "catalogue/outcomes_form.html", {"form": form, "unit": unit})


# Portfolio templates -----------------------------------------------------------------------------


def _template_url(qualification: Qualification, anchor: str = "") -> str:
    url = reverse("catalogue:template_edit", kwargs={"slug": qualification.slug, "version": qualification.version})
    return f"{url}#{anchor}" if anchor else url


def _back_to_template(qualification: Qualification, anchor: str = "") -> HttpResponseRedirect:
    """Back to the template page, or to the qualification's page once it is no longer a draft."""
    if not qualification.is_draft:
        return redirect(qualification)
    return redirect(_template_url(qualification, anchor))


def _form_refusals(request: HttpRequest, form: Form) -> None:
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        label = f"{field.label}: " if field is not None and field.label else ""
        for error in errors:
            messages.error(request, f"{label}{error}")


def _template_section(qualification: Qualification, section_id: int) -> TemplateSection:
    return get_object_or_404(TemplateSection, pk=section_id, template__qualification=qualification)


@login_required
@require_GET
def template_edit(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """The portfolio template of a draft, with a small form for each change."""
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    if not qualification.is_draft:
        messages.error(
            request,
            f"{qualification.code} v{qualification.version} is {qualification.get_status_display().lower()}: "
            "its portfolio template cannot change. Start a new version to change it.",
        )
        return redirect(qualification)
    template = (
        PortfolioTemplate.objects.filter(qualification=qualification)
        .prefetch_related(
            Prefetch("sections", queryset=TemplateSection.objects.prefetch_related("requirements").order_by("position"))
        )
        .first()
    )
    sections = list(template.sections.all()) if template else []
    editors = [
        {
            "section": section,
            "number": number,
            "form": TemplateSectionForm(
                initial={
                    "title": section.title,
                    "guidance": section.guidance,
                    "min_words": section.min_words,
                    "max_words": section.max_words,
                },
                auto_id=f"section-{section.pk}-%s",
            ),
            "evidence_form": EvidenceRequirementForm(auto_id=f"section-{section.pk}-evidence-%s"),
        }
        for number, section in enumerate(sections, start=1)
    ]
    return render(
        request,
        "catalogue/template_edit.html",
        {
            "qualification": qualification,
            "template": template,
            "editors": editors,
            "introduction_form": TemplateIntroductionForm(
                initial={"introduction": template.introduction if template else ""}
            ),
            "section_form": TemplateSectionForm(auto_id="new-section-%s"),
        },
    )


@login_required
@require_POST
def template_introduction(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    form = TemplateIntroductionForm(request.POST)
    if form.is_valid():
        _apply(
            request,
            lambda: services.set_template_introduction(
                actor=request.user, qualification=qualification, introduction=form.cleaned_data["introduction"]
            ),
            "Introduction saved.",
        )
    else:
        _form_refusals(request, form)
    return _back_to_template(qualification, "introduction")


@login_required
@require_POST
def template_section_add(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    form = TemplateSectionForm(request.POST)
    if form.is_valid():
        _apply(
            request,
            lambda: services.add_template_section(actor=request.user, qualification=qualification, **form.cleaned_data),
            f"Section “{form.cleaned_data['title']}” added.",
        )
    else:
        _form_refusals(request, form)
    return _back_to_template(qualification, "sections")


@login_required
@require_POST
def template_section_update(request: HttpRequest, slug: str, version: int, section_id: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    section = _template_section(qualification, section_id)
    form = TemplateSectionForm(request.POST)
    if form.is_valid():
        _apply(
            request,
            lambda: services.update_template_section(actor=request.user, section=section, **form.cleaned_data),
            f"Section {section.position} saved.",
        )
    else:
        _form_refusals(request, form)
    return _back_to_template(qualification, f"section-{section.pk}")


@login_required
@require_POST
def template_section_move(request: HttpRequest, slug: str, version: int, section_id: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    section = _template_section(qualification, section_id)
    form = MoveSectionForm(request.POST)
    if form.is_valid():
        direction = form.cleaned_data["direction"]
        _apply(
            request,
            lambda: services.move_template_section(actor=request.user, section=section, direction=direction),
            f"Section “{section.title}” moved {direction}.",
        )
    else:
        _form_refusals(request, form)
    return _back_to_template(qualification, f"section-{section.pk}")


@login_required
@require_POST
def template_section_remove(request: HttpRequest, slug: str, version: int, section_id: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    section = _template_section(qualification, section_id)
    _apply(
        request,
        lambda: services.remove_template_section(actor=request.user, section=section),
        f"Section “{section.title}” removed.",
    )
    return _back_to_template(qualification, "sections")


@login_required
@require_POST
def template_requirement_add(request: HttpRequest, slug: str, version: int, section_id: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    section = _template_section(qualification, section_id)
    form = EvidenceRequirementForm(request.POST)
    if form.is_valid():
        _apply(
            request,
            lambda: services.add_evidence_requirement(actor=request.user, section=section, **form.cleaned_data),
            f"Evidence added to section {section.position}.",
        )
    else:
        _form_refusals(request, form)
    return _back_to_template(qualification, f"section-{section.pk}")


@login_required
@require_POST
def template_requirement_remove(
    request: HttpRequest, slug: str, version: int, section_id: int, requirement_id: int
) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    section = _template_section(qualification, section_id)
    requirement = get_object_or_404(EvidenceRequirement, pk=requirement_id, section=section)
    _apply(
        request,
        lambda: services.remove_evidence_requirement(actor=request.user, requirement=requirement),
        f"Evidence removed from section {section.position}.",
    )
    return _back_to_template(qualification, f"section-{section.pk}")
