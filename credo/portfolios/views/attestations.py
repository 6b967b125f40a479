"""Attestation pages: the learner's requests (ask, list, read, cancel, send again), and the attestor's link.

The learner's pages load through ``access.own_section`` and ``access.own_attestation_request``: anyone else gets a
404. The attestor has no account: their pages open a request only through the token in the link
(``services.attestations.open_request``), show who asks and what for (never the portfolio), and answer a link that
no longer works with a plain explanation page (404 unknown, 410 expired, used or cancelled). The token is in the
address, so those pages are never cached and never send a Referer to another site. (Not ``no-referrer``: with it,
the browser sends ``Origin: null`` with the page's own form, and Django's CSRF check refuses every attestation.)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.portfolios.access import own_attestation_request, own_portfolio, own_section
from credo.portfolios.models import AttestationRequest, AttestationState
from credo.portfolios.services import attestations
from credo.portfolios.services.attestation_links import AttestationLinkError
from credo.portfolios.views.attestation_forms import AttestForm, DeclineForm, RequestForm, StateFilterForm

REQUESTS_PAGE = 20

# The attestor's pages ----------------------------------------------------------------------------------------------


def _link_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The token is in the address: never cache the page, never let it leave the site as a Referer, never index it."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _unavailable(request: HttpRequest, error: AttestationLinkError) -> HttpResponse:
    return render(request, "portfolios/attestations/unavailable.html", {"error": error}, status=error.status)


def _attest_context(request_: AttestationRequest, token: str, **more: Any) -> dict[str, Any]:
    enrolment = request_.portfolio.enrolment
    return {
        "ask": request_,
        "token": token,
        "learner_name": enrolment.learner.full_name or enrolment.learner.email,
        "programme": enrolment.cohort.programme,
        "time_zone": enrolment.cohort.time_zone,  # dates as the learner's cohort reads them, as in the email
        "asked_for": attestations.asked_for(request_),
        **more,
    }


@_link_page
@require_http_methods(["GET", "POST"])
def attest(request: HttpRequest, token: str) -> HttpResponse:
    """The attestor's page: who asks and what for, and the form to write the attestation."""
    try:
        ask = attestations.open_request(token)
    except AttestationLinkError as error:
        return _unavailable(request, error)
    if request.method != "POST":
        form = AttestForm(initial={"attestor_name": ask.attestor_name})
        return render(request, "portfolios/attestations/attest.html", _attest_context(ask, token, form=form))
    form = AttestForm(request.POST)
    if form.is_valid():
        try:
            attestation = attestations.complete_attestation(token=token, answers=[], **form.cleaned_data)
        except AttestationLinkError as error:
            return _unavailable(request, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            context = _attest_context(ask, token, attestation=attestation)
            return render(request, "portfolios/attestations/attest_done.html", context)
    return render(request, "portfolios/attestations/attest.html", _attest_context(ask, token, form=form), status=422)


@_link_page
@require_http_methods(["GET", "POST"])
def decline(request: HttpRequest, token: str) -> HttpResponse:
    """Declining cannot be undone: the page says so, with an optional reason, and one button that declines."""
    try:
        ask = attestations.open_request(token)
    except AttestationLinkError as error:
        return _unavailable(request, error)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and request.POST.get("confirmed") == "yes" and form.is_valid():
        try:
            attestations.decline_attestation(token=token, reason=form.cleaned_data["reason"])
        except AttestationLinkError as error:
            return _unavailable(request, error)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "portfolios/attestations/declined.html", _attest_context(ask, token))
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request, "portfolios/attestations/decline.html", _attest_context(ask, token, form=form), status=status
    )


# The learner's pages -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, enrolment_id: int, section_id: int) -> HttpResponse:
    section = own_section(request.user, enrolment_id, section_id)
    asked = attestations.attestation_requirements(section)
    form = RequestForm(request.POST if request.method == "POST" else None, section=section)
    context = {
        "portfolio": section.portfolio,
        "section": section,
        "form": form,
        "asked": asked,
        "days": attestations.attestation_days(),
    }
    if not asked:
        return render(request, "portfolios/attestations/new.html", context, status=404)
    if request.method == "POST" and form.is_valid():
        try:
            made = attestations.request_attestation(section=section, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"We have emailed {made.attestor_name} a link to write the attestation.")
            return redirect("portfolios:attestation", enrolment_id, made.pk)
    return render(request, "portfolios/attestations/new.html", context, status=422 if form.errors else 200)


@login_required
@require_GET
def request_list(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """Every request of the portfolio, newest first, a page at a time, optionally of one state."""
    portfolio = own_portfolio(request.user, enrolment_id)
    filters = StateFilterForm(request.GET)
    state = filters.cleaned_data["state"] if filters.is_valid() else ""
    rows = AttestationRequest.objects.filter(portfolio=portfolio).select_related("section").order_by("-sent_at", "-pk")
    if state:
        rows = rows.filter(state=state)
    page = Paginator(rows, REQUESTS_PAGE).get_page(request.GET.get("page"))
    context = {"portfolio": portfolio, "page": page, "filters": filters, "state": state}
    return render(request, "portfolios/attestations/list.html", context)


@login_required
@require_GET
def request_detail(request: HttpRequest, enrolment_id: int, request_id: int) -> HttpResponse:
    """One request and, once written, the attestation: read-only, with its fingerprint."""
    ask = own_attestation_request(request.user, enrolment_id, request_id)
    attestation = getattr(ask, "attestation", None) if ask.state == AttestationState.COMPLETED else None
    context = {
        "portfolio": ask.portfolio,
        "ask": ask,
        "attestation": attestation,
        "asked_for": attestations.asked_for(ask),
        "relationship": attestations.relationship_label(ask.relationship),
    }
    return render(request, "portfolios/attestations/detail.html", context)


def _change(
    request: HttpRequest,
    enrolment_id: int,
    request_id: int,
    *,
    action: str,
    change: Callable[[AttestationRequest], AttestationRequest],
    done: Callable[[AttestationRequest], str],
) -> HttpResponse:
    """Cancel or send again: first a page saying what it will do, then (confirmed=yes) the change."""
    ask = own_attestation_request(request.user, enrolment_id, request_id)
    context = {"portfolio": ask.portfolio, "ask": ask, "action": action, "asked_for": attestations.asked_for(ask)}
    if request.POST.get("confirmed") != "yes":
        return render(request, "portfolios/attestations/confirm.html", context)
    try:
        result = change(ask)
    except ValidationError as error:
        context["problems"] = error.messages
        return render(request, "portfolios/attestations/confirm.html", context, status=422)
    messages.success(request, done(result))
    return redirect("portfolios:attestation", enrolment_id, result.pk)


@login_required
@require_POST
def cancel(request: HttpRequest, enrolment_id: int, request_id: int) -> HttpResponse:
    return _change(
        request,
        enrolment_id,
        request_id,
        action="cancel",
        change=lambda ask: attestations.cancel_request(request=ask, actor=request.user),
        done=lambda ask: f"Cancelled: the link you sent {ask.attestor_name} no longer works.",
    )


@login_required
@require_POST
def resend(request: HttpRequest, enrolment_id: int, request_id: int) -> HttpResponse:
    return _change(
        request,
        enrolment_id,
        request_id,
        action="resend",
        change=lambda ask: attestations.resend(request=ask, actor=request.user),
        done=lambda ask: f"We have emailed {ask.attestor_name} a new link; the old one no longer works.",
    )
