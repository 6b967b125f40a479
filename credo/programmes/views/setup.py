"""Pages for a provider's programme admins to set up programmes and cohorts, under /programmes/setup/<provider>/.

Objects load through ``access.setup`` (the provider's programme admins only); each save is one service call, which
checks the role again, runs in one transaction and writes the audit log.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from credo.accounts.models import Organisation
from credo.core.forms import problems_by_field
from credo.programmes.access import setup as access_setup
from credo.programmes.forms.setup import (
    BillingForm,
    CohortForm,
    CopyCohortForm,
    ProgrammeForm,
    cohort_form_initial,
    fee_tier_formset,
)
from credo.programmes.models import Cohort, Programme
from credo.programmes.services import billing, cohorts


def _home_url(provider: Organisation) -> str:
    return reverse("programmes:setup_home", kwargs={"provider": provider.slug})


@login_required
@require_GET
def home(request: HttpRequest, provider: str) -> HttpResponse:
    organisation = access_setup.provider_for_setup(request.user, provider)
    programmes = (
        Programme.objects.filter(provider=organisation)
        .select_related("qualification", "provider")
        .prefetch_related(Prefetch("cohorts", queryset=Cohort.objects.order_by("-study_starts")))
        .order_by("name")
    )
    context = {
        "provider": organisation,
        "programmes": programmes,
        "billing": billing.billing_for(organisation),
        # A registered supplier's invoices are tax invoices only if they show its number: say so where it is missing.
        "charges_tax": Cohort.objects.filter(programme__provider=organisation, tax_rate__gt=0).exists(),
    }
    return render(request, "programmes/setup/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def billing_details(request: HttpRequest, provider: str) -> HttpResponse:
    organisation = access_setup.provider_for_setup(request.user, provider)
    saved = billing.billing_for(organisation)
    form = BillingForm(request.POST or None, initial=BillingForm.initial_for(saved))
    if request.method == "POST" and form.is_valid():
        try:
            billing.set_billing(organisation, actor=request.user, **form.service_fields())
        except ValidationError as error:
            _add_errors(form, problems_by_field(error))
        else:
            messages.success(request, "Your billing details are saved; invoices issued from now on show them.")
            return redirect(_home_url(organisation))
    context = {"provider": organisation, "form": form, "billing": saved}
    return render(request, "programmes/setup/billing_form.html", context, status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest, provider: str) -> HttpResponse:
    organisation = access_setup.provider_for_setup(request.user, provider)
    form = ProgrammeForm(request.POST or None, provider=organisation)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        qualification = fields.pop("qualification")
        try:
            programme = cohorts.create_programme(
                actor=request.user, provider=organisation, qualification=qualification, **fields
            )
        except ValidationError as error:
            _add_errors(form, problems_by_field(error))
        else:
            messages.success(request, f"{programme.name} is set up; now add its first cohort.")
            return redirect(_home_url(organisation))
    return _programme_page(request, organisation, form, programme=None)


@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, provider: str, programme: str) -> HttpResponse:
    found = access_setup.programme_for_setup(request.user, provider, programme)
    # A copy for the form, which writes what was typed onto its instance: the page heading keeps the saved name.
    form = ProgrammeForm(request.POST or None, instance=copy.copy(found), provider=found.provider)
    if request.method == "POST" and form.is_valid():
        try:
            cohorts.update_programme(actor=request.user, programme=found, **form.service_fields())
        except ValidationError as error:
            _add_errors(form, problems_by_field(error))
        else:
            messages.success(request, f"{form.cleaned_data['name']} is saved.")
            return redirect(_home_url(found.provider))
    return _programme_page(request, found.provider, form, programme=found)


def _programme_page(
    request: HttpRequest, provider: Organisation, form: ProgrammeForm, *, programme: Programme | None
) -> HttpResponse:
    status = 422 if form.errors else 200
    context = {"provider": provider, "form": form, "programme": programme}
    return render(request, "programmes/setup/programme_form.html", context, status=status)


def _add_errors(form: Any, problems: dict[str, list[str]]) -> None:
    for name, found in problems.items():
        for message in found:
            form.add_error(name if name in form.fields else None, message)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_create(request: HttpRequest, provider: str, programme: str) -> HttpResponse:
    found = access_setup.programme_for_setup(request.user, provider, programme)
    form = CohortForm(request.POST or None, initial=cohort_form_initial(found), programme=found)
    tiers = fee_tier_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() & tiers.is_valid():  # both, so every problem shows at once
        facilitators = list(form.cleaned_data["facilitators"])
        try:
            cohort = cohorts.set_up_cohort(
                actor=request.user,
                programme=found,
                fee_tiers=tiers.new_tiers(),
                facilitators=facilitators,
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_service_errors(problems_by_field(error))
        else:
            messages.success(request, f"{cohort} is set up.")
            return redirect(_home_url(found.provider))
    return _cohort_page(request, found, form, tiers, cohort=None)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_edit(request: HttpRequest, provider: str, programme: str, cohort: str) -> HttpResponse:
    found = access_setup.cohort_for_setup(request.user, provider, programme, cohort)
    organisation = found.programme.provider
    initial = CohortForm.initial_for(found)
    form = CohortForm(request.POST or None, initial=initial, programme=found.programme, cohort=found)
    tiers = fee_tier_formset(request.POST or None, cohort=found)
    if request.method == "POST" and form.is_valid() & tiers.is_valid():
        try:
            cohorts.revise_cohort(
                actor=request.user,
                cohort=found,
                tier_changes=tiers.tier_changes(),
                new_tiers=tiers.new_tiers(),
                facilitators=list(form.cleaned_data["facilitators"]),
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_service_errors(problems_by_field(error))
        else:
            messages.success(request, f"{found.programme.name}: {form.cleaned_data['name']} is saved.")
            return redirect(_home_url(organisation))
    return _cohort_page(request, found.programme, form, tiers, cohort=found)


def _cohort_page(
    request: HttpRequest, programme: Programme, form: CohortForm, tiers: Any, *, cohort: Cohort | None
) -> HttpResponse:
    tiers_failed = bool(tiers.is_bound and (tiers.non_form_errors() or any(tiers.errors)))
    failed = bool(form.errors) or tiers_failed
    previous = cohorts.previous_cohort(programme) if cohort is None else None
    context = {
        "provider": programme.provider,
        "programme": programme,
        "cohort": cohort,
        "form": form,
        "tiers": tiers,
        "tiers_failed": tiers_failed,
        "previous": previous,
        "defaults_from": _defaults_from(programme, previous) if cohort is None else "",
        "billing_missing": billing.billing_for(programme.provider) is None,
    }
    return render(request, "programmes/setup/cohort_form.html", context, status=422 if failed else 200)


def _defaults_from(programme: Programme, previous: Cohort | None) -> str:
    if previous is not None:
        return f"The time zone, places, support, currency and tax start as {previous.name}'s."
    return f"The time zone, currency and tax start from {programme.provider.name}'s country and billing details."


@login_required
@require_http_methods(["GET", "POST"])
def cohort_copy(request: HttpRequest, provider: str, programme: str, cohort: str) -> HttpResponse:
    """A new cohort as a copy of this one a year on: what it will be is shown first; only a POST makes it."""
    source = access_setup.cohort_for_setup(request.user, provider, programme, cohort)
    initial = {"name": cohorts.next_name(source.name)}
    form = CopyCohortForm(request.POST or None, initial=initial, programme=source.programme)
    if request.method == "POST" and form.is_valid():
        try:
            made = cohorts.copy_cohort(
                actor=request.user, source=source, name=form.cleaned_data["name"], slug=form.cleaned_data["slug"]
            )
        except ValidationError as error:
            _add_errors(form, problems_by_field(error))
        else:
            messages.success(
                request, f"{made.name} is set up as a copy of {source.name}: check its dates, fees and workshops."
            )
            return redirect(
                reverse(
                    "programmes:setup_cohort_edit",
                    kwargs={
                        "provider": made.programme.provider.slug,
                        "programme": made.programme.slug,
                        "cohort": made.slug,
                    },
                )
            )
    context = {
        "provider": source.programme.provider,
        "programme": source.programme,
        "source": source,
        "form": form,
        "plan": cohorts.plan_copy(source),
    }
    return render(request, "programmes/setup/cohort_copy.html", context, status=422 if form.errors else 200)
