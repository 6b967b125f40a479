"""Organisations and memberships: every change is audited."""

from __future__ import annotations

import functools
import itertools
import re
import zoneinfo
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern

from credo.accounts.models import Membership, Organisation, Role, User
from credo.audit.services import record_event

#: URL namespaces whose first path segment is an organisation's slug (``/programmes/<provider>/…``).
ORGANISATION_SLUG_SPACES = ("programmes",)
#: A fixed word in a route, as opposed to ``<slug:provider>`` or a regular expression.
FIXED_WORD = re.compile(r"^[-a-zA-Z0-9_]+$")
PLACEHOLDER = re.compile(r"^<(?:\w+:)?(?P<name>\w+)>$")


def _routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[list[str]]:
    """Every route below ``patterns``, as its path segments."""
    for pattern in patterns:
        text = str(pattern.pattern)
        if isinstance(pattern.pattern, RegexPattern):
            text = text.removeprefix("^").removesuffix("$")
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + text)
        else:
            yield [segment for segment in (prefix + text).split("/") if segment]


def reserved_slugs(namespace: str, *, after: str | None = None) -> frozenset[str]:
    """Fixed words in the routes of a URL namespace that a slug in the same place would shadow or be shadowed by.

    Read from the URL patterns themselves, so a page added later is protected without a list to keep.
    With ``after=None``, the routes' first segments (``my``, ``staff`` under /programmes/); with
    ``after="provider"``, the words that follow a ``<slug:provider>`` segment (``new-programme``).
    """
    return _reserved_slugs(get_resolver(), namespace, after)


@functools.lru_cache(maxsize=32)
def _reserved_slugs(root: URLResolver, namespace: str, after: str | None) -> frozenset[str]:
    """Walking every route takes tens of milliseconds, and the routes do not change while a process runs:
    kept per resolver (a changed ROOT_URLCONF, as in tests, gives a new one)."""
    found = root.namespace_dict.get(namespace)
    if found is None:
        return frozenset()
    _prefix, resolver = found
    words: set[str] = set()
    for segments in _routes(resolver.url_patterns):
        if after is None:
            candidates = segments[:1]
        else:
            candidates = [
                segment
                for previous, segment in itertools.pairwise(segments)
                if (placeholder := PLACEHOLDER.match(previous)) and placeholder["name"] == after
            ]
        words.update(word.lower() for word in candidates if FIXED_WORD.match(word))
    return frozenset(words)


def refuse_reserved_slug(slug: str, namespace: str, *, after: str | None = None, example: str) -> None:
    """A ValidationError on ``slug`` when it is one of the namespace's fixed words; ``example`` shows where."""
    if slug.lower() in reserved_slugs(namespace, after=after):
        raise ValidationError(
            {
                "slug": f"{slug!r} is already part of credo's own web addresses ({example.format(slug=slug)}): "
                "choose another, for example one made from the name."
            }
        )


@transaction.atomic
def create_organisation(*, actor: Any, name: str, slug: str, kind: str, country: str, **fields: Any) -> Organisation:
    """A new organisation; its slug must not be a fixed word where organisation slugs appear in addresses."""
    for namespace in ORGANISATION_SLUG_SPACES:
        refuse_reserved_slug(slug, namespace, example=f"/{namespace}/{{slug}}/")
    organisation = Organisation(name=name, slug=slug, kind=kind, country=country.upper(), **fields)
    organisation.full_clean()
    organisation.save()
    record_event(
        actor=actor,
        action="accounts.organisation_created",
        obj=organisation,
        organisation_id=organisation.pk,
        details={"kind": kind},
    )
    return organisation


@transaction.atomic
def add_membership(*, actor: Any, organisation: Organisation, user: User, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"{role!r} is not a role; choose one of {', '.join(Role.values)}."})
    already = ValidationError(f"{user.email} is already a {Role(role).label.lower()} at {organisation}.")
    if Membership.objects.filter(organisation=organisation, user=user, role=role).exists():
        raise already
    try:
        with transaction.atomic():  # a savepoint: the same role given twice at once is refused, not a server error
            membership = Membership.objects.create(organisation=organisation, user=user, role=role)
    except IntegrityError:
        raise already from None
    record_event(
        actor=actor,
        action="accounts.membership_added",
        obj=membership,
        organisation_id=organisation.pk,
        details={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def remove_membership(*, actor: Any, membership: Membership) -> None:
    organisation = membership.organisation
    admins = Membership.objects.select_for_update().filter(organisation=organisation, role=Role.PROGRAMME_ADMIN)
    if membership.role == Role.PROGRAMME_ADMIN and admins.count() == 1:
        raise ValidationError(
            f"{membership.user.email} is the last programme admin at {organisation}; add another first."
        )
    details = {"user": membership.user.email, "role": membership.role}
    record_event(
        actor=actor,
        action="accounts.membership_removed",
        obj=membership,
        organisation_id=organisation.pk,
        details=details,
    )
    membership.delete()


@transaction.atomic
def update_profile(user: User, *, full_name: str, time_zone: str) -> User:
    """A person's own name and time zone; a name change is audited (credentials carry names)."""
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError({"full_name": "Give your full name."})
    if time_zone:
        try:
            zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError(
                {"time_zone": f"{time_zone!r} is not a time zone; choose one from the list."}
            ) from None
    before = user.full_name
    user.full_name, user.time_zone = full_name, time_zone
    user.save(update_fields=["full_name", "time_zone"])
    if before != full_name:
        record_event(actor=user, action="accounts.name_changed", obj=user, details={"from": before, "to": full_name})
    return user
