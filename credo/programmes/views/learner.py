"""The learner's own pages: their programmes, one enrolment's page (study log, fee support, withdrawing), the
page after registering, and their invoices and grant letters as PDFs.

A learner sees and changes only their own enrolment. Objects load through the access helpers; every change is one
service call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_POST

from credo.programmes import learner_home
from credo.programmes.access.common import own_enrolment
from credo.programmes.access.public import grant_letter_for, invoice_for
from credo.programmes.documents.grant_letter import grant_letter_pdf
from credo.programmes.documents.invoice import invoice_pdf
from credo.programmes.forms.public import (
    LogHoursForm,
    SupportRequestForm,
    WithdrawForm,
)
from credo.programmes.models import (
    Enrolment,
    FundingRequest,
    InvoiceState,
    SupportDecision,
    SupportKind,
)
from credo.programmes.services import enrolments, funding, study
from credo.programmes.views import workshop_rows


@login_required
@require_GET
def registered(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = own_enrolment(request.user, pk)
    context = {"enrolment": enrolment, "cohort": enrolment.cohort, "invoices": enrolment.invoices.order_by("-pk")}
    return render(request, "programmes/public/registered.html", context)


@login_required
@require_GET
def invoice_download(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request.user, pk)
    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{invoice.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def grant_letter_download(request: HttpRequest, pk: int) -> HttpResponse:
    support = grant_letter_for(request.user, pk)
    response = HttpResponse(grant_letter_pdf(support), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="grant-letter-{support.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# The learner's dashboard ---------------------------------------------------------------------------------------------

MY_PROGRAMMES_PAGE = 20


@login_required
@require_GET
def my_enrolments(request: HttpRequest) -> HttpResponse:
    """The learner's programmes, those under way first, a page at a time; ``?show=current`` or ``past`` filters."""
    mine = learner_home.enrolments_of(request.user)
    show = request.GET.get("show", "")
    if show == "current":
        mine = mine.filter(state__in=learner_home.IN_PROGRESS)
    elif show == "past":
        mine = mine.exclude(state__in=learner_home.IN_PROGRESS)
    else:
        show = ""
    page = Paginator(mine, MY_PROGRAMMES_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "summaries": learner_home.summaries(request.user, list(page)), "show": show}
    return render(request, "programmes/public/my_enrolments.html", context)


@dataclass(frozen=True)
class SupportRow:
    """A request for help with the fee as the learner sees it, with what an approval gave them."""

    support: FundingRequest
    schedule: list[funding.Instalment]
    letter_url: str


def _support_rows(enrolment: Enrolment) -> list[SupportRow]:
    """Each request, with a plan's payments (from the unpaid invoice) or a letter's address; fixed queries."""
    unpaid = funding.unpaid_invoice(enrolment)
    rows = []
    for support in enrolment.funding_requests.order_by("-created_at"):
        has_letter = (
            support.kind == SupportKind.GRANT_LETTER
            and support.decision == SupportDecision.APPROVED
            and enrolment.state in enrolments.HOLDING_A_PLACE  # as ``access.public.grant_letter_for``
        )
        rows.append(
            SupportRow(
                support=support,
                schedule=funding.schedule_for(support, unpaid),
                letter_url=reverse("programmes:grant-letter-pdf", args=[support.pk]) if has_letter else "",
            )
        )
    return rows


def _dashboard(request: HttpRequest, enrolment: Enrolment, status: int = 200, **forms: Any) -> HttpResponse:
    """The enrolment's page; a fixed number of queries however long the study log or the workshop list."""
    cohort = enrolment.cohort
    now = timezone.now()
    shown = study.timeline(enrolment, now)
    progress = study.progress(enrolment, now)
    invoices = list(enrolment.invoices.select_related("provider").order_by("-pk"))
    support_requests = _support_rows(enrolment)
    standing = learner_home.status_words(
        enrolment,
        unpaid=[invoice for invoice in invoices if invoice.state == InvoiceState.ISSUED],
        pending_support=any(row.support.decision == SupportDecision.PENDING for row in support_requests),
    )
    context = {
        "standing": standing,
        "enrolment": enrolment,
        "cohort": cohort,
        "timeline": shown,
        "next_workshop": (
            workshop_rows.session_rows(cohort, workshop_rows.viewer_zone(request), [shown.next_workshop])[0]
            if shown.next_workshop
            else None
        ),
        "deadline": workshop_rows.when(shown.submission_deadline, cohort.time_zone),
        "progress": progress,
        "progress_max": max(progress.expected, progress.logged, 1),
        "log": enrolment.study_log.all()[:20],
        "sessions": workshop_rows.session_rows(cohort, workshop_rows.viewer_zone(request), list(cohort.sessions.all())),
        "invoices": invoices,
        "support_requests": support_requests,
        "remainder_rule": funding.REMAINDER_RULE,
        "holds_a_place": enrolment.state in enrolments.HOLDING_A_PLACE,
        "may_withdraw": enrolment.state in enrolments.ALLOWED_FROM[enrolments.EnrolmentState.WITHDRAWN],
        "log_form": forms.get("log_form") or LogHoursForm(initial={"day": study.cohort_today(enrolment, now)}),
        "support_form": forms.get("support_form") or SupportRequestForm(),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
    }
    return render(request, "programmes/public/enrolment.html", context, status=status)


@login_required
@require_GET
def my_enrolment(request: HttpRequest, pk: int) -> HttpResponse:
    return _dashboard(request, own_enrolment(request.user, pk))


@login_required
@require_POST
def log_hours(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = own_enrolment(request.user, pk)
    form = LogHoursForm(request.POST)
    if form.is_valid():
        try:
            entry = study.log_hours(enrolment, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Logged {study.hours_text(entry.hours)} h on {date_format(entry.day, 'j F Y')}.")
            return redirect("programmes:my-enrolment", enrolment.pk)
    return _dashboard(request, enrolment, status=422, log_form=form)


@login_required
@require_POST
def ask_for_support(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = own_enrolment(request.user, pk)
    form = SupportRequestForm(request.POST)
    if form.is_valid():
        try:
            support = funding.request_support(enrolment, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Your request for {support.get_kind_display().lower()} is with the provider.")
            return redirect("programmes:my-enrolment", enrolment.pk)
    return _dashboard(request, enrolment, status=422, support_form=form)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = own_enrolment(request.user, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid() and request.POST.get("confirmed") != "yes":
        # Withdrawing cannot be undone: first say what it will do, with the reason kept for the one button that acts.
        context = {
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "form": form,
            "consequences": enrolments.own_withdrawal_consequences(enrolment),
        }
        return render(request, "programmes/public/confirm_withdraw.html", context)
    if form.is_valid():
        try:
            enrolments.withdraw(enrolment, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"You have withdrawn from {enrolment.cohort}.")
            return redirect("programmes:my-enrolment", enrolment.pk)
    return _dashboard(request, enrolment, status=422, withdraw_form=form)
