"""Submission pages: check and submit, the receipt, each submitted attempt, the ZIP exports, and deadline extensions.

Thin views: every object comes through ``portfolios.access``; every change is ``services.submissions``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.core.jobs import job_url
from credo.portfolios import access
from credo.portfolios.downloads import file_response
from credo.portfolios.forms.submissions import ExtensionForm, SubmitForm
from credo.portfolios.models import Portfolio, Submission
from credo.portfolios.services import export_jobs, submissions
from credo.portfolios.services.readiness import check_readiness
from credo.programmes.services.cohorts import end_of_day

EXTENSIONS_PAGE = 20


def portfolio_url(portfolio: Portfolio) -> str:
    """The learner's portfolio page."""
    return reverse("portfolios:learner-portfolio", args=[portfolio.enrolment_id])


def _problems(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


def _check_page(request: HttpRequest, portfolio: Portfolio, form: SubmitForm, *, status: int = 200) -> HttpResponse:
    deadline = submissions.effective_deadline(portfolio)
    context = {
        "portfolio": portfolio,
        "enrolment": portfolio.enrolment,
        "cohort": portfolio.enrolment.cohort,
        "readiness": check_readiness(portfolio),
        "deadline": deadline,
        "deadline_passed": submissions.is_past(deadline),
        "declaration": submissions.DECLARATION,
        "form": form,
        "portfolio_url": portfolio_url(portfolio),
    }
    return render(request, "portfolios/submissions/check.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def check_and_submit(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """The readiness check, the declaration, then a confirmation before the irreversible submission."""
    portfolio = access.own_portfolio(request.user, enrolment_id)
    form = SubmitForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return _check_page(request, portfolio, form)
    if not form.is_valid():
        return _check_page(request, portfolio, form, status=422)
    if request.POST.get("confirmed") != "yes":
        context = {
            "portfolio": portfolio,
            "enrolment": portfolio.enrolment,
            "cohort": portfolio.enrolment.cohort,
            "readiness": check_readiness(portfolio),
        }
        return render(request, "portfolios/submissions/confirm.html", context)
    try:
        submission = submissions.submit(portfolio=portfolio, actor=request.user, declaration_accepted=True)
    except ValidationError as error:
        for problem in _problems(error):
            form.add_error(None, problem)
        return _check_page(request, portfolio, form, status=422)
    messages.success(
        request, f"Your portfolio is submitted (attempt {submission.attempt}). We have emailed you a receipt."
    )
    return redirect("portfolios:submission-receipt", enrolment_id, submission.attempt)


def _submission_context(submission: Submission) -> dict[str, Any]:
    portfolio = submission.portfolio
    files = {f.sha256: f for f in submission.files.all()}
    sections = [
        {
            **section,
            "items": [{**item, "stored": files.get(item.get("sha256", ""))} for item in section["items"]],
        }
        for section in submission.manifest["sections"]
    ]
    return {
        "submission": submission,
        "portfolio": portfolio,
        "enrolment": portfolio.enrolment,
        "cohort": portfolio.enrolment.cohort,
        "sections": sections,
        "portfolio_url": portfolio_url(portfolio),
    }


@login_required
@require_GET
def receipt(request: HttpRequest, enrolment_id: int, attempt: int) -> HttpResponse:
    submission = access.own_submission(request.user, enrolment_id, attempt)
    return render(request, "portfolios/submissions/receipt.html", _submission_context(submission))


@login_required
@require_GET
def submission(request: HttpRequest, enrolment_id: int, attempt: int) -> HttpResponse:
    """A submitted attempt, read-only, drawn from its frozen manifest."""
    found = access.own_submission(request.user, enrolment_id, attempt)
    return render(request, "portfolios/submissions/submission.html", _submission_context(found))


@login_required
@require_GET
def submitted_file(request: HttpRequest, enrolment_id: int, attempt: int, file_id: int) -> FileResponse:
    return file_response(access.own_submitted_file(request.user, enrolment_id, attempt, file_id))


@login_required
@require_POST
def portfolio_export(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """Start building the whole portfolio as it is now as a ZIP; its job's page offers it when ready."""
    portfolio = access.own_portfolio(request.user, enrolment_id)
    return redirect(job_url(export_jobs.start_portfolio_export(portfolio, actor=request.user)))


@login_required
@require_POST
def submission_export(request: HttpRequest, enrolment_id: int, attempt: int) -> HttpResponse:
    """Start building a submitted attempt as a ZIP; its job's page offers it when ready."""
    found = access.own_submission(request.user, enrolment_id, attempt)
    return redirect(job_url(export_jobs.start_submission_export(found, actor=request.user)))


@login_required
@require_http_methods(["GET", "POST"])
def deadline_extension(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """A programme admin gives one learner more time for the attempt they are building."""
    portfolio = access.portfolio_for_deadlines(request.user, enrolment_id)
    cohort = portfolio.enrolment.cohort
    form = ExtensionForm(request.POST if request.method == "POST" else None, zone=cohort.time_zone)
    if request.method == "POST" and form.is_valid():
        try:
            submissions.grant_extension(
                portfolio=portfolio,
                actor=request.user,
                deadline=end_of_day(form.cleaned_data["new_deadline"], cohort.time_zone),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "deadline" in error.error_dict:
                for problem in error.message_dict["deadline"]:
                    form.add_error("new_deadline", problem)
            else:
                for problem in _problems(error):
                    form.add_error(None, problem)
        else:
            learner = portfolio.enrolment.learner
            deadline = submissions.effective_deadline(portfolio)
            messages.success(
                request,
                f"{learner.full_name or learner.email} now has until {submissions.when(deadline, portfolio)}.",
            )
            return redirect("portfolios:deadline-extension", enrolment_id)
    context = {
        "portfolio": portfolio,
        "enrolment": portfolio.enrolment,
        "cohort": cohort,
        "form": form,
        "deadline": submissions.effective_deadline(portfolio),
        "extensions": Paginator(
            portfolio.extensions.select_related("granted_by").order_by("-granted_at", "-pk"), EXTENSIONS_PAGE
        ).get_page(request.GET.get("page")),
    }
    return render(request, "portfolios/submissions/extension.html", context, status=422 if form.errors else 200)
