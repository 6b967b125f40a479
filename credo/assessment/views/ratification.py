"""Ratification pages: the provider's "ready for ratification" page with sending (confirmed); the institution's batch
list, a batch with each learner and the moderation evidence, one learner's assessment to read, returning a learner
(with a reason), ratifying (confirmed: it cannot be undone) and the batch's record as CSV and PDF.

Objects load only through ``assessment.access.ratification``; every change is a ``services.ratification`` call.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from credo.accounts.models import Organisation
from credo.assessment.access import ratification as access
from credo.assessment.forms.ratification import BatchFilterForm, ReturnForm
from credo.assessment.models import BatchState, EntryDecision, RatificationBatch
from credo.assessment.services import ratification, ratification_record
from credo.core.jobs import job_url
from credo.portfolios.services.sanitising import sanitise_html

PER_PAGE = 50


def _batch_url(batch: RatificationBatch) -> str:
    return reverse("assessment:ratification_batch", kwargs={"pk": batch.pk})


def _cohort_url(public_id: UUID) -> str:
    return reverse("assessment:ratification_cohort", kwargs={"public_id": public_id})


def _counts(batches: Any) -> Any:
    return batches.annotate(
        learners=Count("entries"),
        pending=Count("entries", filter=Q(entries__decision=EntryDecision.PENDING)),
        ratified=Count("entries", filter=Q(entries__decision=EntryDecision.RATIFIED)),
        returned=Count("entries", filter=Q(entries__decision=EntryDecision.RETURNED)),
    ).order_by("-submitted_at", "-id")


# The provider's side ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def cohort_ratification(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """What is ready to send, what is still in moderation, what came back, and the cohort's batches."""
    cohort = access.cohort_for_sending(request.user, public_id)
    ready = Paginator(ratification.ready_for_ratification(cohort), PER_PAGE).get_page(request.GET.get("page"))
    batches = _counts(RatificationBatch.objects.filter(cohort=cohort).select_related("institution"))
    context = {
        "cohort": cohort,
        "ready": ready,
        "waiting": ratification.waiting_for_moderation(cohort).count(),
        "returned": list(ratification.returned_entries(cohort)[:PER_PAGE]),
        "batches": Paginator(batches, PER_PAGE).get_page(request.GET.get("batches")),
        "by_ratification": ratification.common.leaves_by_ratification(cohort),
        "institution": ratification.common.issuing_organisation(cohort),
    }
    return render(request, "assessment/ratification/cohort.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def send(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Sending is confirmed first: the institution sees every outcome in the batch."""
    cohort = access.cohort_for_sending(request.user, public_id)
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        try:
            batch = ratification.send_for_ratification(cohort=cohort, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_cohort_url(cohort.public_id))
        count = batch.entries.count()
        messages.success(
            request,
            f"{count} outcome{'s' if count != 1 else ''} sent to {batch.institution} for ratification.",
        )
        return redirect(_batch_url(batch))
    ready = ratification.ready_for_ratification(cohort)
    context = {
        "cohort": cohort,
        "count": ready.count(),
        "institution": ratification.common.issuing_organisation(cohort),
        "shown": list(ready[:PER_PAGE]),
    }
    return render(request, "assessment/ratification/send.html", context)


# The institution's side --------------------------------------------------------------------------------------------


@login_required
@require_GET
def batches(request: HttpRequest, slug: str) -> HttpResponse:
    """The batches sent to the institution, newest first, filtered by state and provider, a page at a time."""
    institution = access.institution_for_ratifier(request.user, slug)
    sent = RatificationBatch.objects.filter(institution=institution)
    providers = list(
        Organisation.objects.filter(programmes__cohorts__ratification_batches__institution=institution)
        .distinct()
        .order_by("name")
        .values_list("slug", "name")
    )
    filters = BatchFilterForm(request.GET or None, providers=providers)
    chosen = filters.chosen() if filters.is_bound else {"state": "", "provider": ""}
    if chosen["state"]:
        sent = sent.filter(state=chosen["state"])
    if chosen["provider"]:
        sent = sent.filter(cohort__programme__provider__slug=chosen["provider"])
    rows = _counts(sent.select_related("cohort__programme__provider", "cohort__programme__qualification"))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "institution": institution,
        "filters": filters,
        "page": page,
        "filtered": any(chosen.values()),
    }
    return render(request, "assessment/ratification/batches.html", context, status=422 if filters.errors else 200)


@login_required
@require_GET
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """Each learner with their outcome, assessor and moderation evidence; the way to return one, and to ratify."""
    found = access.batch_for_reader(request.user, pk)
    entries = Paginator(ratification.entries_of(found), PER_PAGE).get_page(request.GET.get("page"))
    counts = found.entries.aggregate(
        pending=Count("pk", filter=Q(decision=EntryDecision.PENDING)),
        ratified=Count("pk", filter=Q(decision=EntryDecision.RATIFIED)),
        returned=Count("pk", filter=Q(decision=EntryDecision.RETURNED)),
    )
    may_ratify = access.may_ratify(request.user, found)
    context = {
        "batch": found,
        "entries": entries,
        "counts": counts,
        "may_act": may_ratify and found.state == BatchState.SUBMITTED,
        "is_ratifier": may_ratify,
        "job_url": job_url(found.job) if found.job and found.job.started_by_id == request.user.pk else "",
        "samples": _samples(entries.object_list),
    }
    return render(request, "assessment/ratification/batch.html", context)


def _samples(entries: Any) -> list[Any]:
    """The moderation samples the page's learners were drawn in, each once (already loaded with the entries)."""
    found: dict[int, Any] = {}
    for entry in entries:
        sample_entry = getattr(entry.assessment, "sample_entry", None)
        if sample_entry is not None:
            found.setdefault(sample_entry.sample_id, sample_entry.sample)
    return sorted(found.values(), key=lambda sample: sample.number)


@login_required
@require_GET
def entry(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    """One learner's assessment, to read: judgements, feedback, the moderator's decisions, and what was submitted."""
    found = access.batch_for_reader(request.user, pk)
    chosen = access.entry_of(found, entry_id)
    assessment = chosen.assessment
    sample_entry = getattr(assessment, "sample_entry", None)
    sections = [
        {
            "title": section.get("title", ""),
            "items": [
                {**item, "html": sanitise_html(item.get("html", ""))} if item.get("kind") == "text" else item
                for item in section.get("items", [])
            ],
            "attestations": section.get("attestations", []),
        }
        for section in assessment.submission.manifest.get("sections", [])
    ]
    context = {
        "batch": found,
        "entry": chosen,
        "assessment": assessment,
        "judgements": list(assessment.judgements.all()),
        "sample_entry": sample_entry,
        "reviews": list(sample_entry.reviews.select_related("moderator")) if sample_entry else [],
        "sections": sections,
        "may_return": access.may_ratify(request.user, found)
        and found.state == BatchState.SUBMITTED
        and chosen.decision == EntryDecision.PENDING,
    }
    return render(request, "assessment/ratification/entry.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def return_learner(request: HttpRequest, pk: int, entry_id: int) -> HttpResponse:
    found = access.batch_for_ratifier(request.user, pk)
    chosen = access.entry_of(found, entry_id)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ratification.return_entry(entry=chosen, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            learner = chosen.assessment.learner
            messages.success(
                request,
                f"{learner.full_name or learner.email} is returned to {found.cohort.programme.provider}; the learner "
                "has been told their award needs another look.",
            )
            return redirect(_batch_url(found))
    status = 422 if form.errors else 200
    return render(
        request, "assessment/ratification/return.html", {"batch": found, "entry": chosen, "form": form}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def ratify(request: HttpRequest, pk: int) -> HttpResponse:
    """Ratifying cannot be undone: it happens only from its confirmation page (``confirmed=yes``)."""
    found = access.batch_for_ratifier(request.user, pk)
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        try:
            job = ratification.ratify(batch=found, actor=request.user)
        except (ValidationError, PermissionDenied) as error:
            words = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, words)
            return redirect(_batch_url(found))
        return redirect(job_url(job))
    pending = found.entries.filter(decision=EntryDecision.PENDING).count()
    context = {
        "batch": found,
        "pending": pending,
        "conflict": ratification.conflict_of_interest(request.user, found),
    }
    return render(request, "assessment/ratification/ratify.html", context)


@login_required
@require_GET
def record_csv(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.batch_for_reader(request.user, pk)
    response = HttpResponse(ratification_record.record_csv(found), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ratification_record.record_name(found, "csv")}"'
    return response


@login_required
@require_GET
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.batch_for_reader(request.user, pk)
    response = HttpResponse(ratification_record.record_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{ratification_record.record_name(found, "pdf")}"'
    return response
