"""Assessing pages: the queue, naming a cohort's assessors and assigning its submissions, the cohort's assessment
settings, and the assessment page (the frozen submission beside the judgements).

Thin views: every object comes through ``assessment.access.assessing``; every change is a service of
``services.assigning`` or ``services.assessing``.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.accounts.models import Role
from credo.assessment.access import assessing as access
from credo.assessment.forms.assessing import (
    AssessorsForm,
    AssignForm,
    JudgementForm,
    QueueFilterForm,
    SettingsForm,
)
from credo.assessment.models import Assessment, AssessmentState, CohortAssessor, Judgement
from credo.assessment.services import assessing, assigning
from credo.assessment.services.common import settings_for, today_in
from credo.core.forms import add_service_errors
from credo.portfolios.downloads import file_response
from credo.portfolios.models import Submission
from credo.portfolios.services.submissions import verify_submission
from credo.programmes.models import Cohort

PER_PAGE = 25


def _name(user: Any) -> str:
    return str(user.full_name or user.email)


def _problems(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for found in error.message_dict.values() for message in found]
    return list(error.messages)


# The queue -------------------------------------------------------------------------------------------------------


def queue_rows(assessments: Any) -> list[dict[str, Any]]:
    """Each assessment with whether it is late (past the end of its cohort's assessment window, not completed)."""
    rows = []
    for assessment in assessments:
        today = today_in(assessment.cohort)
        late = assessment.state != AssessmentState.COMPLETED and assessment.due_on < today
        rows.append({"assessment": assessment, "late": late})
    return rows


def filtered_queue(user: Any, *, cohort: str, state: str) -> Any:
    """The assessments in the user's queue, oldest submission first, with what the list shows (a fixed number of
    queries however long it is)."""
    found = (
        access.queue_assessments(user)
        .select_related("cohort__programme", "learner", "assessor", "submission")
        .defer("submission__manifest")
    )
    if cohort:
        found = found.filter(cohort__public_id=cohort)
    if state == "late":
        found = found.exclude(state=AssessmentState.COMPLETED).filter(due_on__lt=_today_anywhere())
    elif state:
        found = found.filter(state=state)
    return found.order_by("submission__submitted_at", "pk")


def _today_anywhere() -> datetime.date:
    """The date where it is earliest (UTC-12): the "late" filter never lists work as late before its own day ends."""
    return (timezone.now() - datetime.timedelta(hours=12)).date()


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """An assessor's work, oldest first, and the unassigned submissions of the cohorts they are named for;
    programme admins see every cohort's."""
    access.require_queue(request.user)
    cohorts = list(access.queue_cohorts(request.user))
    filters = QueueFilterForm(request.GET or None, cohorts=cohorts)
    chosen = filters.chosen() if filters.is_bound else {"cohort": "", "state": ""}
    page = Paginator(filtered_queue(request.user, **chosen), PER_PAGE).get_page(request.GET.get("page"))
    unassigned = (
        access.queue_unassigned(request.user)
        .select_related("portfolio__enrolment__learner", "portfolio__enrolment__cohort__programme")
        .defer("manifest")
        .order_by("submitted_at", "pk")
    )
    if chosen["cohort"]:
        unassigned = unassigned.filter(portfolio__enrolment__cohort__public_id=chosen["cohort"])
    unassigned_page = Paginator(unassigned, PER_PAGE).get_page(request.GET.get("unassigned_page"))
    named_for = set(CohortAssessor.objects.filter(assessor_id=request.user.pk).values_list("cohort_id", flat=True))
    admin_of = set(access.providers_as(request.user, Role.PROGRAMME_ADMIN))
    context = {
        "filters": filters,
        "page": page,
        "rows": queue_rows(page.object_list),
        "filtered": any(chosen.values()),
        "unassigned": unassigned_page,
        "named_for": named_for,
        "admin_cohorts": [c for c in cohorts if c.programme.provider_id in admin_of],
    }
    return render(request, "assessment/assessing/queue.html", context, status=422 if filters.errors else 200)


@login_required
@require_POST
def take(request: HttpRequest, submission_id: int) -> HttpResponse:
    """An assessor takes an unassigned submission of a cohort they are named for."""
    submission = access.submission_for_assigning(request.user, submission_id)
    try:
        assessment = assigning.assign(submission=submission, assessor=request.user, actor=request.user)
    except ValidationError as error:
        for problem in _problems(error):
            messages.error(request, problem)
        return redirect("assessment:queue")
    messages.success(request, "The submission is yours to assess.")
    return redirect("assessment:assessment", assessment.pk)


# A cohort's assessors -----------------------------------------------------------------------------------------------


def _cohort_page(
    request: HttpRequest,
    cohort: Cohort,
    *,
    form: AssessorsForm | None = None,
    failed: tuple[int, AssignForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    named = (
        CohortAssessor.objects.filter(cohort=cohort)
        .select_related("assessor")
        .annotate(
            open_work=Count(
                "assessor__assessments_made",
                filter=Q(assessor__assessments_made__cohort=cohort)
                & ~Q(assessor__assessments_made__state=AssessmentState.COMPLETED),
            )
        )
    )
    unassigned = Paginator(
        assigning.unassigned(cohort).select_related("portfolio__enrolment__learner"), PER_PAGE
    ).get_page(request.GET.get("unassigned_page"))
    rows = [
        (
            submission,
            failed[1]
            if failed and failed[0] == submission.pk
            else AssignForm(cohort=cohort, auto_id=f"assign_{submission.pk}_%s"),
        )
        for submission in unassigned.object_list
    ]
    assessments = Paginator(
        Assessment.objects.filter(cohort=cohort)
        .select_related("learner", "assessor", "submission")
        .defer("submission__manifest")
        .order_by("submission__submitted_at", "pk"),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    context = {
        "cohort": cohort,
        "form": form or AssessorsForm(cohort=cohort),
        "named": named,
        "unassigned": unassigned,
        "unassigned_rows": rows,
        "assessments": assessments,
        "rows": queue_rows(assessments.object_list),
    }
    return render(request, "assessment/assessing/cohort.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_assessors(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A programme admin names the cohort's assessors, and sees its submissions and who assesses them."""
    cohort = access.cohort_for_admin(request.user, public_id)
    if request.method != "POST":
        return _cohort_page(request, cohort)
    form = AssessorsForm(request.POST, cohort=cohort)
    if form.is_valid():
        try:
            assigning.assign_assessors(cohort=cohort, actor=request.user, assessors=form.cleaned_data["assessors"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The cohort's assessors are updated.")
            return redirect("assessment:cohort-assessors", cohort.public_id)
    return _cohort_page(request, cohort, form=form, status=422)


@login_required
@require_POST
def assign_submission(request: HttpRequest, public_id: UUID, submission_id: int) -> HttpResponse:
    """A programme admin gives one of the cohort's unassigned submissions to one of its assessors."""
    cohort = access.cohort_for_admin(request.user, public_id)
    submission = Submission.objects.filter(pk=submission_id, portfolio__enrolment__cohort=cohort).first()
    if submission is None:
        raise Http404("No such submission in this cohort.")
    form = AssignForm(request.POST, cohort=cohort, auto_id=f"assign_{submission.pk}_%s")
    if form.is_valid():
        try:
            assigning.assign(submission=submission, assessor=form.cleaned_data["assessor"], actor=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Assigned to {_name(form.cleaned_data['assessor'])}.")
            return redirect("assessment:cohort-assessors", cohort.public_id)
    return _cohort_page(request, cohort, failed=(submission.pk, form), status=422)


@login_required
@require_http_methods(["GET", "POST"])
def cohort_settings(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A programme admin sets how the cohort's assessment runs."""
    cohort = access.cohort_for_admin(request.user, public_id)
    current = settings_for(cohort)
    initial = {
        "facilitators_may_assess_own_learners": current.facilitators_may_assess_own_learners,
        "resubmission_days": current.resubmission_days,
        "appeal_days": current.appeal_days,
    }
    form = SettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assessing.update_settings(cohort=cohort, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The assessment settings are saved.")
            return redirect("assessment:cohort-settings", cohort.public_id)
    context = {"cohort": cohort, "form": form, "current": current}
    return render(request, "assessment/assessing/settings.html", context, status=422 if form.errors else 200)


# The assessment page ---------------------------------------------------------------------------------------------


def _rows(assessment: Assessment) -> list[Judgement]:
    return list(assessment.judgements.order_by("position", "pk"))


def _submission_context(assessment: Assessment) -> dict[str, Any]:
    """The frozen submission as the page draws it: its manifest's sections, each file with its hash checked."""
    submission = assessment.submission
    checks = assessing.check_files(submission)
    stored = {f.sha256: f for f in submission.files.all()}
    check_of = {check.pk: check for check in checks}
    sections = []
    for section in submission.manifest.get("sections", []):
        items = []
        for item in section.get("items", []):
            found = stored.get(item.get("sha256", "")) if item.get("kind") == "file" else None
            items.append({**item, "stored": found, "check": check_of.get(found.pk) if found else None})
        sections.append({**section, "items": items})
    return {
        "submission": submission,
        "sections": sections,
        "file_checks": checks,
        "files_match": all(check.matches for check in checks) and verify_submission(submission),
    }


def _assessment_page(
    request: HttpRequest, assessment: Assessment, *, form: JudgementForm | None = None, status: int = 200
) -> HttpResponse:
    rows = _rows(assessment)
    editable = access.may_judge(request.user, assessment) and assessment.state in assessing.OPEN_STATES
    if form is None and editable:
        form = JudgementForm(initial=JudgementForm.initial_for(assessment, rows), rows=rows)
    context = {
        "assessment": assessment,
        "cohort": assessment.cohort,
        "learner": assessment.learner,
        "rows": rows,
        "form": form,
        "editable": editable,
        "late": assessment.state != AssessmentState.COMPLETED and assessment.due_on < today_in(assessment.cohort),
        **_submission_context(assessment),
    }
    return render(request, "assessment/assessing/assessment.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_page(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The frozen submission beside the judgements. "Save as draft" keeps the work; "Complete assessment" saves it,
    checks it can be completed, then asks for confirmation, since completing is final."""
    if request.method != "POST":
        return _assessment_page(request, access.assessment_to_read(request.user, assessment_id))
    assessment = access.assessment_to_judge(request.user, assessment_id)
    if request.POST.get("confirmed") == "yes":
        return _confirmed(request, assessment)
    rows = _rows(assessment)
    form = JudgementForm(request.POST, rows=rows)
    if not form.is_valid():
        return _assessment_page(request, assessment, form=form, status=422)
    try:
        saved = assessing.save_draft(
            assessment=assessment,
            actor=request.user,
            judgements=form.judgements(),
            outcome=form.cleaned_data["outcome"] or "",
            feedback=form.cleaned_data["feedback"],
            version=form.cleaned_data["version"],
        )
    except assessing.StaleAssessmentError as error:
        add_service_errors(form, error)
        return _assessment_page(request, assessment, form=form, status=409)
    except ValidationError as error:
        add_service_errors(form, error)
        return _assessment_page(request, assessment, form=form, status=422)
    if request.POST.get("action") != "complete":
        messages.success(
            request, "Your draft is saved. The learner sees nothing until the assessment is completed and released."
        )
        return redirect("assessment:assessment", saved.pk)
    rows = _rows(saved)
    problems = assessing.completion_problems(
        rows, saved.outcome, saved.feedback, declaration_accepted=form.cleaned_data["declaration_accepted"]
    )
    if problems:
        data = request.POST.copy()
        data["version"] = str(saved.version)  # the draft just saved: the page goes on from it
        form = JudgementForm(data, rows=rows)
        form.is_valid()
        add_service_errors(form, ValidationError(problems))
        return _assessment_page(request, saved, form=form, status=422)
    context = {
        "assessment": saved,
        "cohort": saved.cohort,
        "learner": saved.learner,
        "rows": rows,
        "declaration": assessing.ASSESSOR_DECLARATION,
    }
    return render(request, "assessment/assessing/confirm.html", context)


def _confirmed(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Complete the assessment as it was saved when the confirmation was asked for."""
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        done = assessing.complete(
            assessment=assessment,
            actor=request.user,
            judgements=assessing.current_judgements(assessment),
            outcome=assessment.outcome,
            feedback=assessment.feedback,
            declaration_accepted=request.POST.get("declaration_accepted") == "on",
            version=version,
        )
    except ValidationError as error:
        assessment.refresh_from_db()
        for problem in _problems(error):
            messages.error(request, problem)
        status = 409 if isinstance(error, assessing.StaleAssessmentError) else 422
        return _assessment_page(request, assessment, status=status)
    messages.success(
        request,
        f"The assessment is completed: {done.get_outcome_display().lower()}. It goes to moderation; the learner is "
        "told once it is released.",
    )
    return redirect("assessment:assessment", done.pk)


@login_required
@require_GET
def assessment_file(request: HttpRequest, assessment_id: int, file_id: int) -> FileResponse:
    """A file of the assessed submission, always as a download."""
    return file_response(access.submitted_file(request.user, assessment_id, file_id))


def assessment_url(assessment: Assessment) -> str:
    return reverse("assessment:assessment", args=[assessment.pk])
