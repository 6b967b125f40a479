"""Pages for the staff who support learners: a cohort's portfolio progress, one learner's portfolio to read, its files,
and formative comments on a section.

Objects load only through ``portfolios.access`` (the cohort's facilitators, the provider's programme admins and
assessors read; facilitators and programme admins comment). Staff never edit evidence: there is no control for it
here, and the evidence services refuse anyone but the learner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.core.jobs import job_url
from credo.portfolios import access
from credo.portfolios.downloads import file_response
from credo.portfolios.forms_staff import CommentForm, ProgressFilterForm
from credo.portfolios.models import ItemKind, Portfolio, PortfolioSection
from credo.portfolios.services import comments, export_jobs, progress
from credo.portfolios.services.mapping import GapMatrix, gap_matrix
from credo.portfolios.services.submissions import effective_deadline
from credo.programmes.access.common import is_facilitator, is_programme_admin

PER_PAGE = 25


def _portfolio_url(portfolio: Portfolio) -> str:
    return reverse("portfolios:staff_portfolio", kwargs={"enrolment_id": portfolio.enrolment_id})


@login_required
@require_GET
def cohort_progress(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Every learner's progress, filtered and a page at a time, in a fixed number of queries however many there are."""
    cohort = access.cohort_for_portfolio_staff(request.user, public_id)
    filters = ProgressFilterForm(request.GET or None)
    chosen = filters.chosen() if filters.is_bound else {"stage": "", "search": ""}
    learners = progress.filter_learners(progress.cohort_learners(cohort), cohort=cohort, **chosen)
    page = Paginator(learners, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "cohort": cohort,
        "filters": filters,
        "page": page,
        "rows": progress.progress_of(page.object_list),
        "filtered": any(chosen.values()),
        # The cohort's staff menu is for its facilitators and admins; an assessor reads this page alone.
        "staff_nav": is_programme_admin(request.user, cohort) or is_facilitator(request.user, cohort),
    }
    return render(request, "portfolios/staff/cohort.html", context, status=422 if filters.errors else 200)


@dataclass
class SectionView:
    """One section as the staff page draws it, with its comment form (bound, with errors, after a refused comment)."""

    section: PortfolioSection
    comment_form: CommentForm | None


def _page(
    request: HttpRequest,
    portfolio: Portfolio,
    *,
    failed: tuple[int, CommentForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    may_comment = access.may_comment(request.user, portfolio.enrolment) and portfolio.is_open
    sections = progress.sections_to_read(portfolio)
    forms: dict[int, CommentForm] = {}
    if may_comment:
        forms = {s.pk: CommentForm(auto_id=f"comment_{s.pk}_%s") for s in sections}
    if failed is not None:  # drawn even if commenting has just closed, so that the reason shows beside it
        forms[failed[0]] = failed[1]
    submissions = list(portfolio.submissions.order_by("attempt"))
    matrix: GapMatrix = gap_matrix(portfolio=portfolio)
    context: dict[str, Any] = {
        "portfolio": portfolio,
        "enrolment": portfolio.enrolment,
        "cohort": portfolio.enrolment.cohort,
        "sections": [SectionView(s, forms.get(s.pk)) for s in sections],
        "comment_forms": forms,
        "may_comment": may_comment,
        "matrix": matrix,
        "submissions": submissions,
        "current_submission": next((s for s in submissions if s.attempt == portfolio.attempt), None),
        "deadline": effective_deadline(portfolio),
        "may_extend": is_programme_admin(request.user, portfolio.enrolment.cohort),
        "file_kind": ItemKind.FILE,
        "text_kind": ItemKind.TEXT,
    }
    return render(request, "portfolios/staff/portfolio.html", context, status=status)


@login_required
@require_GET
def staff_portfolio(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """A learner's portfolio, to read: sections, evidence, the gap matrix, attestations, submission and comments."""
    return _page(request, access.portfolio_for_staff(request.user, enrolment_id))


@login_required
@require_GET
def staff_download(request: HttpRequest, enrolment_id: int, item_id: int) -> HttpResponseBase:
    """A file from the learner's evidence, always as a download (``downloads.file_response``)."""
    portfolio = access.portfolio_for_staff(request.user, enrolment_id)
    item = access.item_for_staff(portfolio, item_id)
    if item.kind != ItemKind.FILE:
        raise Http404("That evidence is not a file.")
    return file_response(item)


@login_required
@require_POST
def staff_export(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """Start building the learner's portfolio as it is now as a ZIP, for staff who may read it (job page next)."""
    portfolio = access.portfolio_for_staff(request.user, enrolment_id)
    return redirect(job_url(export_jobs.start_portfolio_export(portfolio, actor=request.user, as_staff=True)))


@login_required
@require_POST
def add_comment(request: HttpRequest, enrolment_id: int, section_id: int) -> HttpResponse:
    portfolio = access.portfolio_for_staff(request.user, enrolment_id)
    section = access.section_for_staff(portfolio, section_id)
    form = CommentForm(request.POST, auto_id=f"comment_{section.pk}_%s")
    if form.is_valid():
        try:
            comments.comment_on_section(section=section, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form.add_service_errors(error)
    if form.errors:
        return _page(request, portfolio, failed=(section.pk, form), status=422)
    messages.success(request, f"Your comment on “{section.title}” is saved; the learner has been emailed.")
    return redirect(f"{_portfolio_url(portfolio)}#section-{section.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def remove_comment(request: HttpRequest, enrolment_id: int, comment_id: int) -> HttpResponse:
    """Removing a comment cannot be undone: it happens only from its confirmation page (``confirmed=yes``)."""
    portfolio = access.portfolio_for_staff(request.user, enrolment_id)
    comment = access.comment_for_staff(portfolio, comment_id)
    if comment.author_id != request.user.pk:
        raise PermissionDenied("Only the person who wrote a comment can remove it.")
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        try:
            comments.remove_comment(comment=comment, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Your comment on “{comment.section.title}” has been removed.")
        return redirect(f"{_portfolio_url(portfolio)}#section-{comment.section_id}")
    context = {"portfolio": portfolio, "enrolment": portfolio.enrolment, "comment": comment}
    return render(request, "portfolios/staff/remove_comment.html", context)
