"""Editing drafts and units, for programme admins of the owning organisation.

Objects load through `access.py`; every change is one service call.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from credo.catalogue import access, services
from credo.catalogue.forms import (
    AddUnitForm,
    CompetenciesForm,
    OutcomesForm,
    QualificationForm,
    RuleGroupForm,
    UnitForm,
    WithdrawForm,
    format_outcomes,
)
from credo.catalogue.models import (
    Qualification,
    RuleGroup,
    Unit,
)
from credo.catalogue.views.feedback import apply_change


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
        apply_change(
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
    apply_change(request, lambda: services.remove_rule_group(actor=request.user, group=group), "Rule group removed.")
    return redirect(qualification)


@login_required
@require_POST
def group_unit_add(request: HttpRequest, slug: str, version: int, group_id: int) -> HttpResponse:
    qualification = access.access_qualification_for_edit(request.user, slug, version)
    group = _group(qualification, group_id)
    form = AddUnitForm(request.POST, units=access.visible_units(request.user))
    if form.is_valid():
        unit = form.cleaned_data["unit_code"]
        apply_change(
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
    apply_change(
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
    apply_change(
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
