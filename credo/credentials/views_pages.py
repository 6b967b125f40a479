"""Pages for people: a credential's page and downloads, the learner's own list, achievement and issuer pages.

A credential's page is a link its learner shares, not a page for search
engines: every credential response here says ``noindex`` and is cached only
privately (the learner can make it private at any moment). Achievement and
issuer pages describe what is awarded and by whom; they are public, and the
addresses signed credentials point to.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date
from typing import Any, ParamSpec
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from credo.core.http import HtmxHttpRequest
from credo.credentials import access, links, presentation
from credo.credentials.models import Credential, CredentialKind, DidMethod, Issuer
from credo.credentials.ob3.baking import bake_png, bake_svg
from credo.credentials.services.sharing import set_public

P = ParamSpec("P")
MY_CREDENTIALS_PAGE = 20
BADGE_MAX_AGE = 24 * 60 * 60  # an achievement's badge shows only its snapshot fields, which never change


def unlisted(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """Mark every response of ``view`` not to be indexed, and not to be kept by shared caches."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        response = view(*args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        patch_cache_control(response, private=True, no_cache=True)
        return response

    return wrapped


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _day(moment: Any) -> date | None:
    return timezone.localdate(moment) if moment else None


def _badge(credential: Credential) -> presentation.Badge:
    if credential.attainment:
        return presentation.badge_for_achievement(credential.attainment.achievement)
    return presentation.badge_for_transcript(credential.issuer.name)


def _title(credential: Credential, document: dict[str, Any]) -> str:
    if credential.attainment:
        return credential.attainment.achievement.name
    return str(document.get("name") or f"Transcript from {credential.issuer.name}")


def _status_note(status: presentation.Status) -> str:
    """The line a certificate prints when the credential is no longer good (empty while it is)."""
    if status.is_good:
        return ""
    when = f" on {presentation.format_day(timezone.localdate(status.since))}" if status.since else ""
    reason = f": {status.reason}" if status.reason else ""
    return f"{status.headline}{when}{reason}"


class SharingForm(forms.Form):
    public = forms.TypedChoiceField(
        choices=[("yes", "Public"), ("no", "Private")], coerce=lambda value: value == "yes", empty_value=None
    )
    return_to = forms.ChoiceField(
        choices=[("list", "My credentials"), ("page", "The credential's page")], required=False
    )


@unlisted
@require_GET
def credential_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    credential = access.viewable_credential(request.user, str(public_id))
    document = json.loads(credential.issued_json)
    status = presentation.status_of(credential, timezone.now())
    title = _title(credential, document)
    achievement = credential.attainment.achievement if credential.attainment else None
    awarded = credential.attainment.attained_on if credential.attainment else _day(credential.issued_at)
    page_url = links.credential_page(credential.public_id)
    context = {
        "credential": credential,
        "title": title,
        "learner_name": presentation.subject_name(document) or credential.learner.full_name,
        "achievement": achievement,
        "details": presentation.achievement_details(achievement) if achievement else [],
        "code_label": presentation.code_label(achievement.code_type) if achievement else "",
        "level": presentation.level_text(achievement) if achievement else "",
        "badge": _badge(credential),
        "status": status,
        "replaced_by": credential.replaced_by if status.kind == "replaced" else None,
        "awarded": awarded,
        "evidence": presentation.evidence_of(document),
        # Where a qualification's units came from: assessed here, transferred, or recognised prior learning.
        "components": list(credential.attainment.components.select_related("achievement").order_by("achievement__code"))
        if credential.attainment
        else [],
        "bundled": presentation.bundled_achievements(document),
        "page_url": page_url,
        "qr": mark_safe(presentation.qr_svg(page_url)),  # noqa: S308 - segno's own markup of our own URL
        "verify_url": presentation.verify_url(links.site(), links.credential_json(credential.public_id)),
        "linkedin_url": presentation.linkedin_add_url(
            name=title,
            organisation=credential.issuer.name,
            # LinkedIn asks when it was earned: for a past graduate brought in later, that is the award date.
            issued=awarded or timezone.localdate(credential.issued_at),
            expires=_day(credential.valid_until),
            cert_url=page_url,
            cert_id=str(credential.public_id),
        )
        if status.is_good
        else "",
        "is_learner": request.user == credential.learner,
        "is_issuer_staff": access.is_issuer_staff(request.user, credential.issuer),
        "return_to": "page",
    }
    return render(request, "credentials/credential.html", context)


@unlisted
@require_GET
def credential_pdf(request: HttpRequest, public_id: UUID) -> HttpResponse:
    credential = access.viewable_credential(request.user, str(public_id))
    document = json.loads(credential.issued_json)
    achievement = credential.attainment.achievement if credential.attainment else None
    badge = _badge(credential)
    certificate = presentation.Certificate(
        learner=presentation.subject_name(document) or credential.learner.full_name,
        title=_title(credential, document),
        issuer=credential.issuer.name,
        issued=timezone.localdate(credential.issued_at),
        awarded=credential.attainment.attained_on if credential.attainment else None,
        valid_until=_day(credential.valid_until),
        details=presentation.achievement_details(achievement)
        if achievement
        else [f"{b.name} ({b.code})" if b.code else b.name for b in presentation.bundled_achievements(document)],
        status_note=_status_note(presentation.status_of(credential, timezone.now())),
        page_url=links.credential_page(credential.public_id),
        verify_url=presentation.verify_url(links.site(), links.credential_json(credential.public_id)),
        colour=badge.colour,
        badge=presentation.badge_png(badge),
    )
    pdf = presentation.certificate_pdf(certificate)
    return _download(pdf, "application/pdf", f"certificate-{credential.public_id}.pdf")


@unlisted
@require_GET
def credential_badge_png(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The badge image with the credential, exactly as issued, baked in (OB 3.0 §5.3.1)."""
    credential = access.viewable_credential(request.user, str(public_id))
    baked = bake_png(presentation.badge_png(_badge(credential)), credential.issued_json)
    return _download(baked, "image/png", f"badge-{credential.public_id}.png")


@unlisted
@require_GET
def credential_badge_svg(request: HttpRequest, public_id: UUID) -> HttpResponse:
    credential = access.viewable_credential(request.user, str(public_id))
    baked = bake_svg(presentation.badge_svg(_badge(credential)), credential.issued_json)
    response = _download(baked, "image/svg+xml; charset=utf-8", f"badge-{credential.public_id}.svg")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"  # an image, never a page
    return response


@unlisted
@login_required
@require_GET
def my_credentials(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # A transcript is renewed with every credential it bundles: only the current one is the learner's to share.
    current = access.learner_credentials(request.user).exclude(
        kind=CredentialKind.TRANSCRIPT, superseded_at__isnull=False
    )
    issuers = list(
        Issuer.objects.filter(pk__in=current.values("issuer"))
        .order_by("name")
        .values_list("organisation__slug", "name")
    )
    issuer = request.GET.get("issuer", "")
    shown = current.filter(issuer__organisation__slug=issuer) if issuer in dict(issuers) else current
    page = Paginator(shown, MY_CREDENTIALS_PAGE).get_page(request.GET.get("page"))
    rows = [(credential, presentation.status_of(credential, now)) for credential in page]
    context = {"rows": rows, "page": page, "issuers": issuers, "issuer": issuer, "holds_any": bool(issuers)}
    return render(request, "credentials/mine.html", context)


@unlisted
@login_required
@require_POST
def credential_sharing(request: HtmxHttpRequest, public_id: UUID) -> HttpResponse:
    """Make a credential's page public or private: its learner's decision alone."""
    credential = access.credential_for_learner(request.user, str(public_id))
    form = SharingForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Say whether the credential should be public: send public=yes or public=no.")
    credential = set_public(credential, actor=request.user, is_public=form.cleaned_data["public"])
    return_to = form.cleaned_data["return_to"] or "list"
    if request.htmx:
        return render(request, "credentials/_sharing.html", {"credential": credential, "return_to": return_to})
    messages.success(
        request,
        "Your credential is public: anyone with its link can see it."
        if credential.is_public
        else "Your credential is private: only you and its issuer can see it.",
    )
    if return_to == "page":
        return redirect("credential-page", public_id=credential.public_id)
    return redirect("my-credentials")


@require_GET
def achievement_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    achievement = access.public_achievement(str(public_id))
    context = {
        "achievement": achievement,
        "badge": presentation.badge_for_achievement(achievement),
        "level": presentation.level_text(achievement),
        "code_label": presentation.code_label(achievement.code_type),
    }
    return render(request, "credentials/achievement.html", context)


def _badge_image(content: bytes | str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    patch_cache_control(response, public=True, max_age=BADGE_MAX_AGE)
    return response


@require_GET
def achievement_badge_svg(request: HttpRequest, public_id: UUID) -> HttpResponse:
    achievement = access.public_achievement(str(public_id))
    response = _badge_image(
        presentation.badge_svg(presentation.badge_for_achievement(achievement)), "image/svg+xml; charset=utf-8"
    )
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
def achievement_badge_png(request: HttpRequest, public_id: UUID) -> HttpResponse:
    achievement = access.public_achievement(str(public_id))
    return _badge_image(presentation.badge_png(presentation.badge_for_achievement(achievement)), "image/png")


@require_GET
def issuer_page(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = access.public_issuer(slug)
    context = {
        "issuer": issuer,
        "achievements": issuer.achievements.order_by("kind", "code", "name"),
        "did_document": reverse("issuer-did", kwargs={"slug": slug}) if issuer.did_method == DidMethod.WEB else "",
    }
    return render(request, "credentials/issuer.html", context)
