"""Where a person is heading when they sign up or sign in, described in words.

Sign-in and sign-up carry a ``next`` address (the page that sent the person there). Accounts knows
nothing of programmes or any other domain app, so each app that owns pages worth naming registers a
describer here (from its ``AppConfig.ready``); the sign-up pages and emails then say "Create an account
to register for CLD facilitation: 2027 intake" instead of a bare address.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

#: Given a path on this site, what the person is doing there ("register for X"), or None if not the describer's.
Describer = Callable[[str], str | None]

_describers: dict[str, Describer] = {}


def register(name: str, describer: Describer) -> None:
    """Add (or, under the same name, replace) a describer; replacing keeps repeated ``ready()`` calls harmless."""
    _describers[name] = describer


def unregister(name: str) -> None:
    _describers.pop(name, None)


def describe(next_url: str | None) -> str | None:
    """What following ``next_url`` will let the person do, in words, or None when no describer knows it.

    Only addresses on this site are described: a foreign ``next`` is never followed, so it is never named.
    """
    if not next_url or not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        return None
    path = next_url.split("?", 1)[0].split("#", 1)[0]
    for describer in _describers.values():
        described = describer(path)
        if described:
            return described
    return None


def next_from(request: HttpRequest | None) -> str | None:
    """The ``next`` address a request carries (query string or form), if it is one of ours."""
    if request is None:
        return None
    candidate = request.POST.get("next") if request.method == "POST" else None
    candidate = candidate or request.GET.get("next")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return None
