"""Pages for an issuer's staff: its profile and keys, awards one by one or from a CSV, and credentials' status.

Objects load through ``access``; every change is one service call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.credentials import access
from credo.credentials.forms import (
    AwardForm,
    BulkAwardForm,
    IssuerProfileForm,
    IssuerSetupForm,
    ReasonForm,
    ValidityForm,
)
from credo.credentials.models import AwardBatchState, Credential, CredentialState, Issuer
from credo.credentials.services import achievements, awards, issuance, issuers, status


def _home(issuer: Issuer) -> str:
    return reverse("issuing:home", kwargs={"slug": issuer.organisation.slug})


def _problem_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access.organisation_to_set_up_issuing(request.user, slug)
    initial = {"name": organisation.name, "url": organisation.website, "did_method": issuers.default_did_method()}
    form = IssuerSetupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            issuer = issuers.create_issuer(organisation, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{issuer.name} can now issue credentials, signed with a new key.")
            return redirect(_home(issuer))
    return render(request, "credentials/issuing/setup.html", {"organisation": organisation, "form": form})


@login_required
@require_GET
def home(request: HttpRequest, slug: str) -> HttpResponse:
    if access.may_set_up_issuing(request.user, slug):
        return redirect(reverse("issuing:setup", kwargs={"slug": slug}))
    issuer = access.issuer_for_staff(request.user, slug)
    counts = dict(
        Credential.objects.filter(issuer=issuer, superseded_at__isnull=True)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    context = {
        "issuer": issuer,
        "keys": issuer.keys.order_by("-created_at"),
        "counts": [(state.label, counts.get(state.value, 0)) for state in CredentialState],
        "problems": issuers.problems_signing(issuer),
        "batches": issuer.award_batches.select_related("uploaded_by").order_by("-created_at")[:5],
        "achievements": issuer.achievements.annotate(held=Count("attainments")).order_by("kind", "name"),
    }
    return render(request, "credentials/issuing/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = access.issuer_for_staff(request.user, slug)
    form = IssuerProfileForm(request.POST or None, instance=Issuer.objects.get(pk=issuer.pk))
    if request.method == "POST" and form.is_valid():
        try:
            issuers.update_issuer_profile(issuer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Issuer profile saved. Credentials issued from now on carry it.")
            return redirect(_home(issuer))
    return render(request, "credentials/issuing/profile.html", {"issuer": issuer, "form": form})


@login_required
@require_POST
def rotate_key(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = access.issuer_for_staff(request.user, slug)
    key = issuers.rotate_key(issuer, actor=request.user)
    messages.success(request, f"New signing key #{key.fragment} is active; earlier credentials still verify.")
    return redirect(_home(issuer))


@login_required
@require_http_methods(["GET", "POST"])
def award(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = access.issuer_for_staff(request.user, slug)
    # Entries published since the issuer was set up become awardable (idempotent, so safe on a GET).
    achievements.sync_achievements(issuer)
    form = AwardForm(request.POST or None, issuer=issuer)
    if request.method == "POST" and form.is_valid():
        try:
            attainment = awards.award_directly(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, f"Awarded {attainment.achievement.name} to {attainment.learner.email}; the credential follows."
            )
            return redirect(reverse("issuing:credentials", kwargs={"slug": slug}))
    return render(request, "credentials/issuing/award.html", {"issuer": issuer, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def bulk_award(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = access.issuer_for_staff(request.user, slug)
    form = BulkAwardForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        achievements.sync_achievements(issuer)
        upload = form.cleaned_data["file"]
        try:
            batch, _plan = awards.upload_awards(
                actor=request.user, issuer=issuer, file_name=upload.name, data=upload.read()
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect(reverse("issuing:batch", kwargs={"slug": slug, "batch_id": batch.pk}))
    return render(request, "credentials/issuing/bulk.html", {"issuer": issuer, "form": form})


@login_required
@require_GET
def bulk_template(request: HttpRequest, slug: str) -> HttpResponse:
    access.issuer_for_staff(request.user, slug)
    response = HttpResponse(awards.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="awards.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def batch(request: HttpRequest, slug: str, batch_id: int) -> HttpResponse:
    issuer = access.issuer_for_staff(request.user, slug)
    upload = access.award_batch_of_issuer(issuer, batch_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "apply":
                made = awards.apply_awards(upload, actor=request.user)
                messages.success(request, f"{len(made)} awards made; their credentials are being issued.")
                return redirect(reverse("issuing:credentials", kwargs={"slug": slug}))
            if action == "discard":
                awards.discard_awards(upload, actor=request.user)
                messages.success(request, "Upload discarded; nothing was awarded.")
                return redirect(reverse("issuing:bulk", kwargs={"slug": slug}))
            messages.error(request, "Choose to confirm or discard the upload.")
        except ValidationError as error:
            if isinstance(error, awards.AwardsRefusedError):
                messages.error(request, "Something changed since the preview: nothing was awarded. See below.")
            else:
                messages.error(request, _problem_text(error))
        upload.refresh_from_db()
    plan = None if upload.state == AwardBatchState.APPLIED else awards.plan_awards(issuer, upload.csv_text)
    return render(request, "credentials/issuing/batch.html", {"issuer": issuer, "batch": upload, "plan": plan})


@login_required
@require_GET
def credentials(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = access.issuer_for_staff(request.user, slug)
    queryset = (
        Credential.objects.filter(issuer=issuer)
        .select_related("learner", "attainment__achievement")
        .order_by("-issued_at", "-pk")
    )
    state = request.GET.get("state", "")
    if state in CredentialState.values:
        queryset = queryset.filter(state=state)
    query = request.GET.get("q", "").strip()
    if query:
        queryset = queryset.filter(
            Q(learner__email__icontains=query)
            | Q(learner__full_name__icontains=query)
            | Q(attainment__achievement__name__icontains=query)
        )
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    context = {
        "issuer": issuer,
        "page": page,
        "state": state,
        "q": query,
        "states": CredentialState.choices,
        "now": timezone.now(),
    }
    return render(request, "credentials/issuing/credentials.html", context)


_CHANGES: dict[str, tuple[Callable[..., Any], str]] = {
    "revoke": (status.revoke, "Revoked. The status list now says so, and the learner has been told."),
    "suspend": (status.suspend, "Suspended. The status list now says so, and the learner has been told."),
    "reinstate": (status.reinstate, "Active again. The status list now says so, and the learner has been told."),
    "reissue": (issuance.reissue, "Re-issued: the old credential is revoked and the learner has the new one."),
}


@login_required
@require_http_methods(["GET", "POST"])
def credential(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    issuer = access.issuer_for_staff(request.user, slug)
    subject = access.credential_of_issuer(issuer, public_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in _CHANGES:
            form.add_error(None, "Choose what to do: revoke, suspend, reinstate or re-issue.")
        elif form.is_valid():
            change, done = _CHANGES[action]
            try:
                result = change(subject, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, done)
                target = result if isinstance(result, Credential) else subject
                return redirect(reverse("issuing:credential", kwargs={"slug": slug, "public_id": target.public_id}))
    return render(
        request, "credentials/issuing/credential.html", {"issuer": issuer, "credential": subject, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def achievement_validity(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    issuer = access.issuer_for_staff(request.user, slug)
    achievement = access.achievement_of_issuer(issuer, public_id)
    form = ValidityForm(request.POST or None, initial={"valid_for_days": achievement.valid_for_days})
    if request.method == "POST" and form.is_valid():
        try:
            achievements.set_validity(
                achievement, actor=request.user, valid_for_days=form.cleaned_data["valid_for_days"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            days = achievement.valid_for_days
            messages.success(
                request,
                f"Credentials for {achievement.name} issued from now on are valid for {days} days."
                if days
                else f"Credentials for {achievement.name} issued from now on do not expire.",
            )
            return redirect(_home(issuer))
    context = {"issuer": issuer, "achievement": achievement, "form": form}
    return render(request, "credentials/issuing/validity.html", context)
