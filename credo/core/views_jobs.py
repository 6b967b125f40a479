"""The pages of background jobs: the list of mine, one job's progress and results, its download."""

from __future__ import annotations

import contextlib
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from credo.core import access, jobs
from credo.core.http import HtmxHttpRequest
from credo.core.models import JobLineOutcome, JobState

JOBS_PAGE = 25
LINES_PAGE = 50


@login_required
def job_list(request: HtmxHttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    shown = access.jobs_of(request.user).order_by("-created_at", "-pk")
    if state in JobState.values:
        shown = shown.filter(state=state)
    page = Paginator(shown, JOBS_PAGE).get_page(request.GET.get("page"))
    return render(request, "core/jobs/list.html", {"page": page, "state": state, "states": JobState.choices})


@login_required
def job_detail(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    job = access.job_for_owner(request.user, public_id)
    outcome = request.GET.get("outcome", "")
    lines = job.lines.all()
    if outcome in JobLineOutcome.values:
        lines = lines.filter(outcome=outcome)
    page = Paginator(lines.order_by("line"), LINES_PAGE).get_page(request.GET.get("page"))
    context = {"job": job, "page": page, "outcome": outcome, "outcomes": JobLineOutcome.choices}
    return render(request, "core/jobs/job.html", context)


@login_required
def job_progress(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """The progress block, polled by the job's page every two seconds until the job finishes."""
    job = access.job_for_owner(request.user, public_id)
    if job.finished and request.htmx:
        return HttpResponseClientRefresh()  # the whole page changes: results, download, what next
    return render(request, "core/jobs/_progress.html", {"job": job})


@login_required
@require_POST
def job_retry(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    job = access.job_for_owner(request.user, public_id)
    with contextlib.suppress(ValidationError):  # finished, or already queued again: the page shows which
        jobs.retry_job(job)
    return redirect(jobs.job_url(job))


@login_required
def job_download(request: HtmxHttpRequest, public_id: UUID) -> FileResponse:
    job = access.job_for_owner(request.user, public_id)
    if not job.output:
        raise Http404("This job has no file, or its file has been deleted.")
    response = FileResponse(
        job.output.open("rb"), as_attachment=True, filename=job.output_name, content_type=job.output_content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
