"""The operator pages (/operator/, Django's admin) behind the site's one front door.

Django's admin has its own sign-in form, which calls ``authenticate()`` directly: no
second factor, no rate limits. Here that form is gone. Its address sends people to
allauth's sign-in (``account_login``) with ``next`` back to the admin, so an operator
signs in like everyone else (password, limits, then the authentication code), and a
POST of a password to ``/operator/login/`` signs nobody in. Where ``CREDO_OPERATOR_MFA``
is on (by default in production) the admin also lets in only staff who have an
authenticator and used it in this session; the others get a page saying what to do.
See docs/decisions/0014-one-front-door-and-shared-rate-limits.md.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache


class Refusal(StrEnum):
    """Why a signed-in person may not use the operator pages; each has its own explanation."""

    NOT_OPERATOR = "not-operator"
    NO_AUTHENTICATOR = "no-authenticator"
    NO_CODE_THIS_SESSION = "no-code-this-session"


def _has_authenticator(user: Any) -> bool:
    from allauth.mfa.utils import is_mfa_enabled  # imports models: not at app loading

    return bool(is_mfa_enabled(user))


def _signed_in_with_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in (or a later re-confirmation) included an authentication code."""
    from allauth.account.authentication import get_authentication_records

    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def operator_refusal(request: HttpRequest) -> Refusal | None:
    """None if the signed-in ``request.user`` may use the operator pages; else why not."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return Refusal.NOT_OPERATOR
    if not settings.CREDO_OPERATOR_MFA:
        return None
    if not _has_authenticator(user):
        return Refusal.NO_AUTHENTICATOR
    if not _signed_in_with_second_factor(request):
        return Refusal.NO_CODE_THIS_SESSION
    return None


class OperatorSite(admin.AdminSite):
    site_header = "credo operators"
    site_title = "credo operators"
    index_title = "Platform operation"

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_authenticated and operator_refusal(request) is None

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """No form here: the site's sign-in, then back; or, signed in but refused, why (never a password form)."""
        index = reverse("admin:index", current_app=self.name)
        wanted = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=request.is_secure()):
            wanted = index
        if not request.user.is_authenticated:
            # Imported here, as Django's admin does: auth's views import User, and this module loads with the apps.
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(wanted, reverse("account_login"))
        refusal = operator_refusal(request)
        if refusal is None:
            return HttpResponseRedirect(wanted)
        return render(
            request,
            "accounts/operator_refused.html",
            {"refusal": refusal.value, "next": wanted, "user_email": request.user.email},
            status=403,
        )

    def password_change(  # type: ignore[override]  # a redirect, where the admin renders its own form
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The site's own page (it asks for the current password, is rate-limited and emails a notice)."""
        return HttpResponseRedirect(reverse("account_change_password"))


class OperatorAdminConfig(AdminConfig):
    """Django's admin app, with ``OperatorSite`` as ``admin.site`` (what every app's admin.py registers on)."""

    default_site = "credo.accounts.operator.OperatorSite"
