"""Editing a draft's portfolio template, section by section."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from credo.catalogue import access, services
from credo.catalogue.forms import (
    EvidenceRequirementForm,
    MoveSectionForm,
    TemplateIntroductionForm,
    TemplateSectionForm,
)
from credo.catalogue.models import (
    EvidenceRequirement,
    PortfolioTemplate,
    Qualification,
    TemplateSection,
)
from credo.catalogue.views.feedback import apply_change

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
        apply_change(
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
        apply_change(
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
        apply_change(
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
        apply_change(
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
    apply_change(
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
        apply_change(
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
    apply_change(
        request,
        lambda: services.remove_evidence_requirement(actor=request.user, requirement=requirement),
        f"Evidence removed from section {section.position}.",
    )
    return _back_to_template(qualification, f"section-{section.pk}")
