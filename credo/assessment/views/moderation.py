"""Moderation pages: the sampling plan, a cohort's moderation (waiting, preview, draw, samples), the moderator's
review of one sampled assessment, and the IQA records as CSV or PDF (built by jobs).

Thin views: every object comes through ``assessment.access.moderation``; every change is a service call.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from credo.assessment.access.moderation import cohort_for_moderation, entry_for_moderation
from credo.assessment.forms.moderation import DrawForm, ModerateForm, PlanForm
from credo.assessment.models import Appeal, AppealState, ModerationReview, ModerationSample, ModerationState
from credo.assessment.services import moderation
from credo.assessment.services import moderation_records as records
from credo.core.forms import add_service_errors
from credo.core.jobs import job_url

PER_PAGE = 20


def cohort_url(cohort: Any) -> str:
    return reverse("assessment:cohort-moderation", kwargs={"public_id": cohort.public_id})


@login_required
@require_http_methods(["GET", "POST"])
def sampling_plan(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The cohort's sampling plan (or the centre's, for every cohort without its own)."""
    cohort = cohort_for_moderation(request.user, public_id)
    plan = moderation.plan_for(cohort)
    initial = {"percent": plan.percent, "new_assessor_decisions": plan.new_assessor_decisions}
    form = PlanForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        whole = form.cleaned_data["whole_centre"]
        try:
            moderation.set_sampling_plan(
                provider=cohort.programme.provider,
                cohort=None if whole else cohort,
                actor=request.user,
                percent=form.cleaned_data["percent"],
                new_assessor_decisions=form.cleaned_data["new_assessor_decisions"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "The centre's sampling plan is saved." if whole else "The cohort's sampling plan is saved."
            )
            return redirect("assessment:sampling-plan", public_id=cohort.public_id)
    where = "this cohort" if plan.cohort_id else ("the centre" if plan.pk else "no plan yet: the default")
    return render(
        request,
        "assessment/moderation/plan.html",
        {"cohort": cohort, "plan": plan, "where": where, "form": form, "back": cohort_url(cohort)},
        status=422 if form.errors else 200,
    )


def _samples(request: HttpRequest, cohort: Any) -> Any:
    samples = ModerationSample.objects.filter(cohort=cohort).select_related("drawn_by").order_by("-number")
    page = Paginator(samples, 5).get_page(request.GET.get("samples"))
    entries = (
        moderation.SampleEntry.objects.filter(sample__in=list(page.object_list))
        .select_related("assessment__learner", "assessment__assessor")
        .order_by("sample", "assessment_id")
    )
    by_sample: dict[int, list[Any]] = {}
    for entry in entries:
        by_sample.setdefault(entry.sample_id, []).append(entry)
    return page, [(sample, by_sample.get(sample.pk, [])) for sample in page.object_list]


@login_required
@require_http_methods(["GET", "POST"])
def cohort_moderation(request: HttpRequest, public_id: Any) -> HttpResponse:
    """What waits to be drawn, a preview with a seed, the draw (confirmed), and each sample with its reasons."""
    cohort = cohort_for_moderation(request.user, public_id)
    form = DrawForm(request.POST if request.method == "POST" else (request.GET if "seed" in request.GET else None))
    preview = None
    seed = ""
    if form.is_bound and form.is_valid():
        seed = form.cleaned_data["seed"].strip() or moderation.new_seed()
        if request.method == "POST" and request.POST.get("confirmed") == "yes":
            try:
                sample = moderation.draw_sample(cohort=cohort, actor=request.user, seed=seed)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                picked = sample.entries.exclude(state=ModerationState.NOT_SAMPLED).count()
                messages.success(
                    request,
                    f"Sample {sample.number} is drawn with seed {sample.seed}: {picked} to moderate; the rest are "
                    "released to their learners.",
                )
                return redirect(cohort_url(cohort))
        else:
            preview = moderation.preview_sample(cohort, seed=seed)
    waiting = Paginator(moderation.awaiting_sample(cohort).select_related("learner", "assessor"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    samples_page, samples = _samples(request, cohort)
    appeals = Appeal.objects.filter(assessment__cohort=cohort, state=AppealState.LODGED).select_related(
        "assessment__learner"
    )
    context = {
        "cohort": cohort,
        "plan": moderation.plan_for(cohort),
        "waiting": waiting,
        "form": form,
        "seed": seed,
        "preview": preview,
        "confirming": request.method == "POST" and preview is not None,
        "samples_page": samples_page,
        "samples": samples,
        "appeals": list(appeals[:50]),
        "records": list(records.RECORDS.items()),
        "formats": list(records.FORMATS),
        "counts": moderation.SampleEntry.objects.filter(sample__cohort=cohort).aggregate(
            pending=Count("pk", filter=Q(state=ModerationState.PENDING)),
            referred=Count("pk", filter=Q(state=ModerationState.REFERRED)),
        ),
    }
    return render(request, "assessment/moderation/cohort.html", context, status=422 if form.errors else 200)


def judgements_context(assessment: Any) -> dict[str, Any]:
    """The assessment as a reader sees it: judgements, feedback and the frozen submission's sections."""
    return {
        "assessment": assessment,
        "judgements": list(assessment.judgements.all()),
        "sections": assessment.submission.manifest.get("sections", []),
    }


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The moderator reads one sampled assessment and agrees or refers it back."""
    entry = entry_for_moderation(request.user, entry_id)
    form = ModerateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation.moderate(
                entry=entry,
                actor=request.user,
                agreed=form.cleaned_data["agreed"],
                rationale=form.cleaned_data["rationale"],
            )
        except PermissionDenied as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            agreed = form.cleaned_data["agreed"]
            messages.success(
                request,
                "Agreed: the learner now has their outcome." if agreed else "Referred back to the assessor.",
            )
            return redirect(cohort_url(entry.sample.cohort))
    context = {
        **judgements_context(entry.assessment),
        "entry": entry,
        "cohort": entry.sample.cohort,
        "reviews": ModerationReview.objects.filter(entry=entry).select_related("moderator"),
        "may_moderate": entry.state == ModerationState.PENDING,
        "form": form,
        "back": cohort_url(entry.sample.cohort),
    }
    return render(request, "assessment/moderation/review.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def export(request: HttpRequest, public_id: Any, record: str, fmt: str) -> HttpResponse:
    """Start building the IQA sampling record or the moderation record, as CSV or PDF; its job's page offers it."""
    cohort = cohort_for_moderation(request.user, public_id)
    if record not in records.RECORDS or fmt not in records.FORMATS:
        raise Http404("No such record.")
    return redirect(job_url(records.start_record(cohort, actor=request.user, record=record, fmt=fmt)))
