"""Claims pages: the centre's claims and claimable learners, a claim (for the centre and for the awarding body), its
changes while the centre may still make them, submitting it, the EQA's review with a portfolio of the sample to
read, certification approval, and the claim as CSV and as a PDF to sign off.

Claims load only through ``access.claims``; every change is a service call; irreversible steps ask to be confirmed
(``confirmed=yes``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.accounts.models import Organisation
from credo.assessment.access import claims as access
from credo.assessment.forms.claims import CentreFilterForm, ClaimFilterForm, ClaimLearnersForm, ReviewForm
from credo.assessment.models import Claim, ClaimState
from credo.assessment.services import claims, eqa
from credo.assessment.services import claims_export as export
from credo.core.jobs import job_url
from credo.portfolios.services.sanitising import sanitise_html

PER_PAGE = 25


def _claim_url(claim: Claim) -> str:
    return reverse("assessment:claim", kwargs={"claim_id": claim.pk})


# The centre -------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def centre_claims(request: HttpRequest, slug: str) -> HttpResponse:
    """The centre's claims (a page at a time, by state), and per awarding body the learners it may claim for."""
    centre = access.centre_for_claims(request.user, slug)
    filters = CentreFilterForm(request.GET or None)
    state = filters.chosen() if filters.is_bound else ""
    found = Claim.objects.filter(centre=centre).select_related("awarding_body").order_by("-created_at", "-id")
    if state:
        found = found.filter(state=state)
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    bodies = [
        (body, ClaimLearnersForm(claimable=claims.claimable(centre, body), auto_id=f"claim_{body.slug}_%s"))
        for body in claims.awarding_bodies_for(centre).order_by("name")
    ]
    context = {"centre": centre, "filters": filters, "page": page, "bodies": bodies, "filtered": bool(state)}
    return render(request, "assessment/claims/centre.html", context)


@login_required
@require_POST
def build_claim(request: HttpRequest, slug: str, body_slug: str) -> HttpResponse:
    centre = access.centre_for_claims(request.user, slug)
    body = access.awarding_body_of_centre(centre, body_slug)
    form = ClaimLearnersForm(request.POST, claimable=claims.claimable(centre, body), auto_id=f"claim_{body.slug}_%s")
    if form.is_valid():
        try:
            claim = claims.build_claim(
                centre=centre, awarding_body=body, actor=request.user, assessments=list(form.cleaned_data["assessments"])
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The claim is drafted: check it, then submit it to the awarding body.")
            return redirect(_claim_url(claim))
    context = {"centre": centre, "body": body, "form": form}
    return render(request, "assessment/claims/build_refused.html", context, status=422)


def _claim_page(
    request: HttpRequest,
    claim: Claim,
    side: str,
    *,
    add_form: ClaimLearnersForm | None = None,
    review_form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    centre_side = side == access.CENTRE
    editable = centre_side and claim.state in claims.EDITABLE
    if editable and add_form is None:
        add_form = ClaimLearnersForm(claimable=claims.claimable(claim.centre, claim.awarding_body))
    may_review = not centre_side and claim.state == ClaimState.SUBMITTED and eqa.is_external_qa(user, claim.awarding_body)
    if may_review and review_form is None:
        review_form = ReviewForm(portfolios=eqa.claim_assessments(claim))
    context = {
        "claim": claim,
        "centre_side": centre_side,
        "editable": editable,
        "rows": claims.summary(claim),
        "problems": claims.check_claim(claim) if editable else [],
        "add_form": add_form if editable else None,
        "reviews": list(claim.eqa_reviews.select_related("reviewer").prefetch_related("portfolios_sampled__learner")),
        "risk": eqa.centre_risk(claim),
        "samples": list(eqa.sampling_records(claim)) if not centre_side else [],
        "portfolios": list(eqa.claim_assessments(claim)) if not centre_side else [],
        "review_form": review_form if may_review else None,
        "may_approve": not centre_side
        and claim.state == ClaimState.RELEASED
        and eqa.is_certification_staff(user, claim.awarding_body),
        "job_url": job_url(claim.job) if claim.job else "",
    }
    return render(request, "assessment/claims/claim.html", context, status=status)


@login_required
@require_GET
def claim_page(request: HttpRequest, claim_id: int) -> HttpResponse:
    """A claim: its learners and lines (units, qualifications and the units carried in), what is missing, and the
    actions open to the viewer's side."""
    claim, side = access.claim_for(request.user, claim_id)
    return _claim_page(request, claim, side)


@login_required
@require_POST
def add_learners(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = access.claim_for_centre(request.user, claim_id)
    form = ClaimLearnersForm(request.POST, claimable=claims.claimable(claim.centre, claim.awarding_body))
    if form.is_valid():
        try:
            claims.add_to_claim(claim=claim, actor=request.user, assessments=list(form.cleaned_data["assessments"]))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The learners are added to the claim.")
            return redirect(_claim_url(claim))
    claim.refresh_from_db()
    return _claim_page(request, claim, access.CENTRE, add_form=form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def remove_learner(request: HttpRequest, claim_id: int, learner_id: int) -> HttpResponse:
    """Taking a learner off a claim asks to be confirmed; their outcome can be claimed again afterwards."""
    claim = access.claim_for_centre(request.user, claim_id)
    row = next((r for r in claims.summary(claim) if r.learner.pk == learner_id), None)
    if row is None:
        raise Http404("That learner is not on this claim.")
    learner = row.learner
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        try:
            claims.remove_from_claim(claim=claim, actor=request.user, learner=learner)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{learner.full_name or learner.email} is off the claim.")
        return redirect(_claim_url(claim))
    return render(request, "assessment/claims/remove.html", {"claim": claim, "row": row})


@login_required
@require_http_methods(["GET", "POST"])
def submit_claim(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Submitting sends the claim to the awarding body's external quality assurance (confirmed first)."""
    claim = access.claim_for_centre(request.user, claim_id)
    problems = claims.check_claim(claim) if claim.state in claims.EDITABLE else []
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        try:
            claims.submit_claim(claim=claim, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Claim {claim.pk} is submitted to {claim.awarding_body}.")
        return redirect(_claim_url(claim))
    context = {"claim": claim, "rows": claims.summary(claim), "problems": problems}
    return render(request, "assessment/claims/submit.html", context)


# The awarding body -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def awarding_claims(request: HttpRequest, slug: str) -> HttpResponse:
    """The claims sent to the awarding body, filtered by state and centre, a page at a time."""
    body = access.awarding_body_for_claims(request.user, slug)
    received = access.received(body)
    centres = Organisation.objects.filter(claims__in=received).distinct().order_by("name")
    filters = ClaimFilterForm(request.GET or None, centres=centres)
    chosen = filters.chosen() if filters.is_bound else {"state": "", "centre": ""}
    found = received.select_related("centre").order_by("-submitted_at", "-id")
    if chosen["state"]:
        found = found.filter(state=chosen["state"])
    if chosen["centre"]:
        found = found.filter(centre__slug=chosen["centre"])
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    context = {"body": body, "filters": filters, "page": page, "filtered": any(chosen.values())}
    return render(request, "assessment/claims/received.html", context, status=422 if filters.errors else 200)


@login_required
@require_POST
def review_claim(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = access.claim_for_eqa(request.user, claim_id)
    form = ReviewForm(request.POST, portfolios=eqa.claim_assessments(claim))
    if form.is_valid():
        data = form.cleaned_data
        try:
            eqa.review_claim(
                claim=claim,
                actor=request.user,
                findings=data["findings"],
                actions=data["actions"],
                risk=data["risk"],
                released=data["decision"] == "release",
                sampled=list(data["sampled"]),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            released = data["decision"] == "release"
            messages.success(
                request,
                "The claim is released for certification." if released else "The claim is blocked; the centre is told.",
            )
            return redirect(_claim_url(claim))
    claim.refresh_from_db()
    return _claim_page(request, claim, access.AWARDING_BODY, review_form=form, status=422)


def _sections_to_read(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The submitted sections, each written item's HTML sanitised again as it is drawn (it was when saved)."""
    sections = []
    for section in manifest.get("sections", []):
        items = [
            {**item, "safe_html": mark_safe(sanitise_html(item["html"])) if item.get("html") else ""}  # noqa: S308 - sanitised
            for item in section.get("items", [])
        ]
        sections.append({**section, "items": items})
    return sections


@login_required
@require_GET
def sampled_portfolio(request: HttpRequest, claim_id: int, assessment_id: int) -> HttpResponse:
    """A portfolio of the claim as submitted, with the assessor's judgements and the moderation: for the EQA."""
    claim, _ = access.claim_for(request.user, claim_id)
    assessment = access.sampled_assessment(claim, assessment_id)
    context = {
        "claim": claim,
        "assessment": assessment,
        "judgements": list(assessment.judgements.all()),
        "sections": _sections_to_read(assessment.submission.manifest),
        "entry": getattr(assessment, "sample_entry", None),
    }
    return render(request, "assessment/claims/portfolio.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def approve_claim(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Approving certification records attainments and issues credentials: it cannot be undone (confirmed first);
    the work runs as a job, whose progress page comes next."""
    claim = access.claim_for_certification(request.user, claim_id)
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        try:
            job = eqa.approve_claim(claim=claim, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_claim_url(claim))
        return redirect(job_url(job))
    return render(request, "assessment/claims/approve.html", {"claim": claim, "rows": claims.summary(claim)})


# Exports --------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def claim_csv(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim, _ = access.claim_for(request.user, claim_id)
    response = HttpResponse(export.claim_csv(claim), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="claim-{claim.pk}.csv"'
    return response


@login_required
@require_GET
def claim_pdf(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim, _ = access.claim_for(request.user, claim_id)
    response = HttpResponse(export.claim_pdf(claim), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="claim-{claim.pk}.pdf"'
    return response
