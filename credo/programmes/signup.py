"""Names a registration form for the sign-up and sign-in pages and emails: "register for CLD facilitation: 2027 intake".

Registered with ``credo.accounts.destinations`` from ``ProgrammesConfig.ready`` (accounts may not import
programmes; programmes tells accounts instead).
"""

from __future__ import annotations

from django.urls import Resolver404, resolve

from credo.programmes.models import Cohort


def describe_register_url(path: str) -> str | None:
    """What a ``next`` address pointing at a cohort's registration form lets the person do, or None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "programmes:register":
        return None
    cohort = (
        Cohort.objects.select_related("programme")
        .filter(
            programme__provider__slug=match.kwargs["provider"],
            programme__slug=match.kwargs["programme"],
            slug=match.kwargs["cohort"],
        )
        .first()
    )
    return f"register for {cohort}" if cohort is not None else None
