"""Loaders for setting up programmes and cohorts: for the provider's programme admins only.

Someone with no role at the provider learns nothing (404); someone with another role there (a facilitator, a
learner) is refused (403). A programme or cohort is found only inside the provider named in the address.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from credo.accounts.access import access_organisation
from credo.accounts.models import Organisation, OrganisationKind, Role
from credo.programmes.models import Cohort, Programme


def provider_for_setup(user: Any, slug: str) -> Organisation:
    provider = access_organisation(user, slug, roles=[Role.PROGRAMME_ADMIN])
    if provider.kind != OrganisationKind.PROVIDER:
        raise Http404("Only providers run programmes.")
    return provider


def programme_for_setup(user: Any, slug: str, programme_slug: str) -> Programme:
    provider = provider_for_setup(user, slug)
    programme = (
        Programme.objects.select_related("provider", "qualification")
        .filter(provider=provider, slug=programme_slug)
        .first()
    )
    if programme is None:
        raise Http404("No such programme.")
    return programme


def cohort_for_setup(user: Any, slug: str, programme_slug: str, cohort_slug: str) -> Cohort:
    programme = programme_for_setup(user, slug, programme_slug)
    cohort = Cohort.objects.select_related("programme__provider").filter(programme=programme, slug=cohort_slug).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort
