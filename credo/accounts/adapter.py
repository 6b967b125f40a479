"""How django-allauth sends mail, names the site and keeps where a person was heading, adapted to credo."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse

from credo.accounts import destinations
from credo.core.http import client_address
from credo.core.tasks import send_email


@dataclass(frozen=True)
class SiteIdentity:
    """What allauth's templates read as ``current_site``: our name and public address.

    allauth asks ``django.contrib.sites`` (not installed here) or falls back to the request's host; mail
    rendered outside a request (or by our own ``send_mail``, which skipped the lookup) then said
    "Hello from !". The name and address are settings instead, so every email says the same.
    """

    name: str
    domain: str
    url: str


def site_identity() -> SiteIdentity:
    url = str(settings.SITE_URL).rstrip("/")
    return SiteIdentity(name=settings.CREDO_SITE_NAME, domain=urlsplit(url).netloc or url, url=url)


def _with_next(url: str, next_url: str | None) -> str:
    if not next_url:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode({'next': next_url}, safe='/')}"


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = allauth_context.request
        next_url = destinations.next_from(request)
        full_context = {
            "email": email,
            "current_site": site_identity(),
            "site": site_identity(),
            # Where the person was heading when this mail was asked for ("register for …"), if anywhere.
            "destination": destinations.describe(next_url),
            "login_url": _with_next(self._absolute(reverse("account_login")), next_url),
            **context,
        }
        # Render now (the context holds objects that do not serialise), send in the background.
        message = self.render_mail(template_prefix, email, full_context)
        send_email.enqueue(
            subject=str(message.subject),
            body=str(message.body),
            to=list(message.to),
            from_email=str(message.from_email),
        )

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        """The confirmation link carries ``next``: opened in another browser (no pending sign-in to resume),
        confirming still lands the person on the page they were heading for, e.g. the registration form."""
        url = super().get_email_confirmation_url(request, emailconfirmation)
        return _with_next(url, destinations.next_from(request))

    def respond_email_verification_sent(self, request: HttpRequest, user: Any) -> HttpResponseBase:
        """The "check your email" page, still knowing where the person was heading (it names the course)."""
        return HttpResponseRedirect(
            _with_next(reverse("account_email_verification_sent"), destinations.next_from(request))
        )

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address every allauth rate limit is keyed on: the peer, or what a trusted proxy says it saw.

        allauth's own reading trusts ``X-Forwarded-For`` by a proxy count (``ALLAUTH_TRUSTED_PROXY_COUNT``);
        credo names its proxies instead (``CREDO_TRUSTED_PROXIES``), read in one place for every limit.
        """
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine the client's address.")
        return address

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The failed-sign-in limit's key: the account *and* the client's address.

        allauth keys it by account alone, so five wrong passwords from anywhere locked the owner out for
        five minutes even with the right one. With the address in the key, a stranger's guesses lock only
        the stranger; ``login_failed``'s per-address rate slows one address guessing across many accounts.
        The site's host is left out (allauth puts it in): one installation, whatever host name it is asked by.
        Also the key password reset clears (for the address the reset came from).
        """
        login = str(credentials.get("email", credentials.get("username", ""))).lower()
        return f"{login}|{client_address(request)}"

    @staticmethod
    def _absolute(path: str) -> str:
        return f"{site_identity().url}{path}"
