"""The learner's outcomes: each released outcome with the feedback, each judgement's comment, what happens next,
the resubmission deadline, and the appeal form when the outcome is final.

Only released outcomes exist for the learner: while an assessment is with the moderator, or referred back to the
assessor, they see nothing of it (``access.own_outcome``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from credo.assessment.access.moderation import own_outcome, own_outcomes
from credo.assessment.forms.moderation import AppealForm
from credo.assessment.models import Appeal, Assessment, Outcome
from credo.assessment.services import appeals
from credo.assessment.services.common import issuing_organisation, leaves_by_ratification
from credo.assessment.services.release import appeal_deadline
from credo.core.forms import add_service_errors
from credo.portfolios.services.submissions import effective_deadline, when


def what_happens_next(assessment: Assessment) -> str:
    """In words, what follows this released outcome."""
    portfolio = assessment.submission.portfolio
    cohort = assessment.cohort
    if assessment.outcome == Outcome.COMPETENT:
        issuer = issuing_organisation(cohort).name
        if leaves_by_ratification(cohort):
            return (
                f"Once the centre's sample of assessments is moderated, your result goes to {issuer}, who ratify it. "
                "Then your credential is issued and we email you; you will find it on your dashboard."
            )
        return (
            f"The centre claims your certificate from {issuer}, the awarding body. Their external quality assurer "
            "checks the centre's assessments first; then your certificate is approved and we email you."
        )
    if assessment.is_final:
        deadline = appeal_deadline(assessment)
        assert deadline is not None
        return (
            "This was your last attempt, so this outcome is final. If you believe it was not assessed fairly or "
            f"correctly, you can appeal below by {when(deadline, portfolio)}. Someone who took no part in the decision "
            "reviews your appeal."
        )
    if portfolio.is_open and portfolio.attempt > assessment.attempt:
        return (
            f"You can resubmit: your portfolio is open for attempt {portfolio.attempt}. Add or change what the "
            f"feedback asks for, then check and submit it by {when(effective_deadline(portfolio), portfolio)}."
        )
    return f"Attempt {assessment.attempt + 1} is submitted and waiting for its assessment."


@login_required
@require_GET
def outcomes(request: HttpRequest) -> HttpResponse:
    page = Paginator(own_outcomes(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "assessment/learner/outcomes.html", {"page": page})


def _context(assessment: Assessment, form: AppealForm | None) -> dict[str, Any]:
    portfolio = assessment.submission.portfolio
    deadline = appeal_deadline(assessment)
    appealed = list(Appeal.objects.filter(assessment=assessment).order_by("lodged_at", "pk"))
    may_appeal = (
        deadline is not None
        and timezone.now().replace(microsecond=0) <= deadline
        and not any(a.state != "upheld" for a in appealed)
    )
    return {
        "assessment": assessment,
        "cohort": assessment.cohort,
        "judgements": list(assessment.judgements.all()),
        "next": what_happens_next(assessment),
        "resubmission_deadline": (
            effective_deadline(portfolio) if portfolio.is_open and portfolio.attempt > assessment.attempt else None
        ),
        "appeal_deadline": deadline,
        "appeals": appealed,
        "form": form if may_appeal else None,
        "submission_url": reverse("portfolios:submission", args=[portfolio.enrolment_id, assessment.attempt]),
        "portfolio_url": reverse("portfolios:learner-portfolio", args=[portfolio.enrolment_id]),
        "portfolio_open": portfolio.is_open,
    }


@login_required
@require_http_methods(["GET", "POST"])
def outcome(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """One released outcome; a POST lodges an appeal against a final one."""
    assessment = own_outcome(request.user, assessment_id)
    form = AppealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            appeals.lodge_appeal(assessment=assessment, actor=request.user, grounds=form.cleaned_data["grounds"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your appeal is lodged. We have emailed you a receipt.")
            return redirect("assessment:outcome", assessment.pk)
    status = 422 if form.errors else 200
    return render(request, "assessment/learner/outcome.html", _context(assessment, form), status=status)
