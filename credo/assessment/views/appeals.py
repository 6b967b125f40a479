"""The appeal review page: the reviewer (independent of the decision: the service checks) reads the appeal and the
assessment, and upholds it (another assessor assesses again) or not."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from credo.assessment.access.moderation import appeal_for_review
from credo.assessment.forms.moderation import DecideAppealForm
from credo.assessment.models import AppealState
from credo.assessment.services import appeals
from credo.assessment.views.moderation import cohort_url, judgements_context
from credo.core.forms import add_service_errors


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = appeal_for_review(request.user, appeal_id)
    assessment = appeal.assessment
    provider = assessment.cohort.programme.provider
    form = DecideAppealForm(
        request.POST if request.method == "POST" else None, provider=provider, exclude=assessment.assessor_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            appeals.decide_appeal(
                appeal=appeal,
                actor=request.user,
                upheld=form.cleaned_data["upheld"],
                decision=form.cleaned_data["decision"],
                assessor=form.cleaned_data["assessor"],
            )
        except PermissionDenied as refused:
            form.add_error(None, str(refused))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The appeal is decided and the learner has been emailed.")
            return redirect(cohort_url(assessment.cohort))
    context = {
        **judgements_context(assessment),
        "appeal": appeal,
        "cohort": assessment.cohort,
        "form": form if appeal.state == AppealState.LODGED else None,
        "back": cohort_url(assessment.cohort),
    }
    return render(request, "assessment/moderation/appeal.html", context, status=422 if form.errors else 200)
