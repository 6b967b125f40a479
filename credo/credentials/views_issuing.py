"""Pages for an issuer's staff: its profile and keys, awards one by one or from a CSV, and credentials' status.

Objects load through ``access``; every change is one service call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from credo.accounts.models import User
from credo.core import jobs
from credo.core.forms import add_service_errors
from credo.core.uploads import bounded_upload
from credo.credentials import access
from credo.credentials.forms import (
    AwardForm,
    BulkAwardForm,
    IssuerProfileForm,
    IssuerSetupForm,
    ReasonForm,
    ValidityForm,
)
from credo.credentials.models import (
    Attainment,
    AwardBatch,
    AwardBatchState,
    Credential,
    CredentialKind,
    CredentialState,
    Issuer,
    route_in_words,
)
from credo.credentials.services import achievements, awards, bulk, issuance, issuers, status
from credo.credentials.services.issuance import TRANSCRIPT_KINDS


def _home(issuer: Issuer) -> str:
    return reverse("issuing:home", kwargs={"slug": issuer.organisation.slug})


def _problem_text(error: ValidationError) -> str:
    return " ".join(error.messages)


CONFIRMED = "yes"  # the value of the ``confirmed`` field that a confirmation page's button sends


def _confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirmed") == CONFIRMED


@dataclass(frozen=True)
class Confirmation:
    """A page that says what an irreversible action will do, and asks for it again before anything changes."""

    title: str
    consequences: Sequence[str]
    button: str
    back: str
    hidden: Sequence[tuple[str, str]] = field(default_factory=tuple)


def _confirm(request: HttpRequest, issuer: Issuer, confirmation: Confirmation) -> HttpResponse:
    context = {"issuer": issuer, "confirm": confirmation, "confirmed": CONFIRMED}
    return render(request, "credentials/issuing/confirm.html", context)


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
        "may_reissue": access.is_programme_admin(request.user, issuer),
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
@require_http_methods(["GET", "POST"])
def rotate_key(request: HttpRequest, slug: str) -> HttpResponse:
    """Retiring a key cannot be undone, so the page first says so; only the confirmed POST rotates."""
    issuer = access.issuer_for_staff(request.user, slug)
    if request.method == "GET" or not _confirmed(request):
        current = issuer.keys.filter(retired_at__isnull=True).first()
        named = f"key #{current.fragment}" if current else "the current key"
        return _confirm(
            request,
            issuer,
            Confirmation(
                title="Rotate the signing key?",
                consequences=[
                    f"A new key is made, and every credential {issuer.name} issues from now on is signed with it.",
                    f"The current {named} is retired for good: it signs nothing more and cannot be made active again.",
                    "Credentials already signed with it, or with earlier keys, still verify.",
                ],
                button="Rotate the key",
                back=_home(issuer),
            ),
        )
    key = issuers.rotate_key(issuer, actor=request.user)
    messages.success(request, f"New signing key #{key.fragment} is active; earlier credentials still verify.")
    return redirect(_home(issuer))


@login_required
@require_http_methods(["GET", "POST"])
def award(request: HttpRequest, slug: str) -> HttpResponse:
    """The form; a valid form leads to a preview of what will happen; only the confirmed preview awards.

    The credential is signed before the redirect, so the list it leads to shows it at once.
    """
    issuer = access.issuer_for_staff(request.user, slug)
    # Entries published since the issuer was set up become awardable (idempotent, so safe on a GET).
    achievements.sync_achievements(issuer)
    form = AwardForm(request.POST or None, issuer=issuer)
    changing = request.POST.get("change") == CONFIRMED  # back from the preview to the filled-in form
    if request.method == "POST" and not changing and form.is_valid():
        try:
            line = awards.check_direct_award(actor=request.user, **form.cleaned_data)
            if not _confirmed(request):
                context = {"issuer": issuer, "form": form, "line": line, "confirmed": CONFIRMED}
                return render(request, "credentials/issuing/award_confirm.html", context)
            attainment = awards.award_directly(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            awards.issue_award_now(attainment, actor=request.user)
            query = urlencode({"q": attainment.learner.email, "awarded": attainment.pk})
            return redirect(f"{reverse('issuing:credentials', kwargs={'slug': slug})}?{query}")
    return render(request, "credentials/issuing/award.html", {"issuer": issuer, "form": form})


BATCHES_PER_PAGE = 20


@bounded_upload(awards.MAX_BYTES)  # outermost: an oversized file is refused before anything stores it
@login_required
@require_http_methods(["GET", "POST"])
def bulk_award(request: HttpRequest, slug: str) -> HttpResponse:
    """The upload form, and the issuer's uploads with their state and, for whoever confirmed one, its progress."""
    issuer = access.issuer_for_staff(request.user, slug)
    achievements.sync_achievements(issuer)  # the example file and the checks name every published entry
    form = BulkAwardForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch, _plan = awards.upload_awards(
                actor=request.user, issuer=issuer, file_name=upload.name, data=upload.read(awards.MAX_BYTES + 1)
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect(reverse("issuing:batch", kwargs={"slug": slug, "batch_id": batch.pk}))
    uploads = issuer.award_batches.select_related("uploaded_by", "job").order_by("-created_at", "-pk")
    context = {
        "issuer": issuer,
        "form": form,
        "examples": awards.example_references(issuer),
        "batches": Paginator(uploads, BATCHES_PER_PAGE).get_page(request.GET.get("page")),
        "max_rows": awards.MAX_ROWS,
    }
    return render(request, "credentials/issuing/bulk.html", context)


@login_required
@require_GET
def bulk_template(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = access.issuer_for_staff(request.user, slug)
    achievements.sync_achievements(issuer)
    response = HttpResponse(awards.template_csv(issuer), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="awards.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def batch(request: HttpRequest, slug: str, batch_id: int) -> HttpResponse:
    """The preview of an upload; confirming checks it again and starts awarding it in the background."""
    issuer = access.issuer_for_staff(request.user, slug)
    upload = access.award_batch_of_issuer(issuer, batch_id)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "apply":
                job = bulk.apply_awards(upload, actor=request.user)
                return redirect(jobs.job_url(job))
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
    waiting = upload.state in (AwardBatchState.PREVIEWED, AwardBatchState.DISCARDED)
    plan = awards.plan_awards(issuer, upload.csv_text) if waiting else None
    context = {"issuer": issuer, "batch": upload, "plan": plan, "job_is_mine": _job_is_mine(request, upload)}
    return render(request, "credentials/issuing/batch.html", context)


def _job_is_mine(request: HttpRequest, upload: AwardBatch) -> bool:
    """A job's page is its owner's alone (docs/decisions/0017): others are told who confirmed the upload."""
    return upload.job is not None and upload.job.started_by_id == request.user.pk


LEARNERS_PER_PAGE = 25


@dataclass
class LearnerCredentials:
    """One learner's rows in the issuing list: their credentials, then the transcript that bundles them."""

    learner: User
    credentials: list[Credential] = field(default_factory=list)
    transcript: Credential | None = None


@dataclass(frozen=True)
class AwardOutcome:
    """What one award issued, in words for the list the award leads to."""

    attainment: Attainment
    issued: list[str]
    waiting: list[str]


def _award_outcome(attainment: Attainment) -> AwardOutcome:
    """The credentials an award made (its own, and those of qualifications it completed) and the transcript."""
    made = [attainment, *attainment.completes.select_related("achievement")]
    current = {
        credential.attainment_id: credential
        for credential in Credential.objects.filter(attainment__in=made, superseded_at__isnull=True)
    }
    issued = []
    waiting = []
    for each in made:
        completes = " (the units now complete it)" if each is not attainment else ""
        if each.pk in current:
            issued.append(f"A credential for {each.achievement.name}{completes}")
        else:
            waiting.append(f"A credential for {each.achievement.name}{completes}")
    if any(each.achievement.kind in TRANSCRIPT_KINDS for each in made):
        transcripts = list(
            Credential.objects.filter(
                learner=attainment.learner, issuer=attainment.achievement.issuer, kind=CredentialKind.TRANSCRIPT
            ).values_list("superseded_at", flat=True)
        )
        if any(superseded is None for superseded in transcripts):
            issued.append(
                "An updated transcript, now bundling it too"
                if len(transcripts) > 1
                else f"A transcript bundling their credentials from {attainment.achievement.issuer.name}"
            )
        else:
            waiting.append("Their transcript")
    return AwardOutcome(attainment=attainment, issued=issued, waiting=waiting)


def _listed_credentials(issuer: Issuer, state: str, query: str) -> Any:
    """The credentials the list shows: a transcript's replaced versions are left out (each award renews it)."""
    rows = Credential.objects.filter(issuer=issuer).exclude(kind=CredentialKind.TRANSCRIPT, superseded_at__isnull=False)
    if state in CredentialState.values:
        rows = rows.filter(state=state)
    if query:
        rows = rows.filter(
            Q(learner__email__icontains=query)
            | Q(learner__full_name__icontains=query)
            | Q(attainment__achievement__name__icontains=query)
        )
    return rows


@login_required
@require_GET
def credentials(request: HttpRequest, slug: str) -> HttpResponse:
    """Credentials grouped by learner, each learner's transcript with their credentials; a page of learners."""
    issuer = access.issuer_for_staff(request.user, slug)
    state = request.GET.get("state", "")
    query = request.GET.get("q", "").strip()
    rows = _listed_credentials(issuer, state, query)
    learners = (
        User.objects.filter(pk__in=rows.values("learner"))
        .annotate(latest=Max("credentials__issued_at", filter=Q(credentials__issuer=issuer)))
        .order_by("-latest", "-pk")
    )
    page = Paginator(learners, LEARNERS_PER_PAGE).get_page(request.GET.get("page"))
    groups = {learner.pk: LearnerCredentials(learner) for learner in page}
    for credential in (
        rows.filter(learner__in=list(groups)).select_related("attainment__achievement").order_by("-issued_at", "-pk")
    ):
        group = groups[credential.learner_id]
        if credential.kind == CredentialKind.TRANSCRIPT:
            group.transcript = credential
        else:
            group.credentials.append(credential)
    outcome = None
    awarded = request.GET.get("awarded", "")
    if awarded.isdigit():
        outcome = _award_outcome(access.attainment_of_issuer(issuer, int(awarded)))
    context = {
        "issuer": issuer,
        "page": page,
        "groups": list(groups.values()),
        "state": state,
        "q": query,
        "states": CredentialState.choices,
        "now": timezone.now(),
        "outcome": outcome,
    }
    return render(request, "credentials/issuing/credentials.html", context)


_CHANGES: dict[str, tuple[Callable[..., Any], str]] = {
    "revoke": (status.revoke, "Revoked. Anyone who checks it is now told so, and the learner has been emailed."),
    "suspend": (status.suspend, "Suspended. Anyone who checks it is now told so, and the learner has been emailed."),
    "reinstate": (status.reinstate, "Active again. Anyone who checks it now sees so; the learner has been emailed."),
    "reissue": (issuance.reissue, "Re-issued: the old credential is revoked and the learner has the new one."),
}


def _irreversible_change(credential: Credential, action: str, reason: str) -> Confirmation | None:
    """The confirmation page for a change that cannot be undone (None for one that can: suspend, reinstate)."""
    what = credential.attainment.achievement.name if credential.attainment else "transcript"
    learner = credential.learner.full_name or credential.learner.email
    back = reverse(
        "issuing:credential",
        kwargs={"slug": credential.issuer.organisation.slug, "public_id": credential.public_id},
    )
    hidden = (("action", action), ("reason", reason))
    if action == "revoke":
        consequences = [
            f"{learner}'s credential for {what} is revoked for good: it cannot be reinstated.",
            f"Anyone who checks it is told it was revoked, and why: “{reason}”.",
            f"{learner} is emailed to say so, with that reason.",
        ]
        if credential.attainment and credential.attainment.achievement.kind in TRANSCRIPT_KINDS:
            consequences.append("Their transcript is renewed without it.")
        return Confirmation(f"Revoke this credential for {what}?", consequences, "Revoke it for good", back, hidden)
    if action == "reissue":
        consequences = [
            f"This credential is revoked for good, with the reason “Replaced by a corrected credential: {reason}”.",
            f"A new credential for {what} is signed with {learner}'s details as they are now, and emailed to them.",
            "Links to this credential then show that it was replaced, and point to the new one.",
        ]
        return Confirmation(f"Re-issue this credential for {what}?", consequences, "Revoke and re-issue", back, hidden)
    return None


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
            confirmation = _irreversible_change(subject, action, form.cleaned_data["reason"])
            if confirmation is not None and not _confirmed(request):
                return _confirm(request, issuer, confirmation)
            change, done = _CHANGES[action]
            try:
                result = change(subject, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, done)
                target = result if isinstance(result, Credential) else subject
                return redirect(reverse("issuing:credential", kwargs={"slug": slug, "public_id": target.public_id}))
    context = {"issuer": issuer, "credential": subject, "form": form, "route": ""}
    if subject.attainment:
        context["route"] = route_in_words(subject.attainment.route)
    return render(request, "credentials/issuing/credential.html", context)


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


@login_required
@require_http_methods(["GET", "POST"])
def reissue_achievement(request: HttpRequest, slug: str, public_id: str) -> HttpResponse:
    """Re-issue every active credential of an achievement after its details were corrected: it cannot be undone,
    so the page says what will happen to how many, and only its confirmed POST starts the job."""
    issuer = access.issuer_for_programme_admin(request.user, slug)
    achievement = access.achievement_of_issuer(issuer, public_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _confirmed(request):
        try:
            job = bulk.reissue_achievement(achievement, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(jobs.job_url(job))
    context = {
        "issuer": issuer,
        "achievement": achievement,
        "form": form,
        "count": bulk.current_credentials(achievement).count(),
        "suspended": bulk.current_credentials(achievement, CredentialState.SUSPENDED).count(),
        "confirmed": CONFIRMED,
    }
    return render(request, "credentials/issuing/reissue.html", context)
