"""Loaders for the public and learner-facing pages: programmes anyone may read, a learner's own invoices and letters."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.access import roles_in
from credo.programmes.access.common import is_programme_admin
from credo.programmes.models import Cohort, FundingRequest, Invoice, Programme, SupportDecision, SupportKind
from credo.programmes.services.enrolments import HOLDING_A_PLACE


def public_programme(provider_slug: str, programme_slug: str) -> Programme:
    programme = (
        Programme.objects.select_related("provider", "qualification")
        .filter(provider__slug=provider_slug, slug=programme_slug)
        .first()
    )
    if programme is None:
        raise Http404("No such programme.")
    return programme


def invoice_for(user: Any, pk: int) -> Invoice:
    """An invoice for the learner it bills and the provider's programme admins; the provider's other staff get 403."""
    invoice = (
        Invoice.objects.select_related("provider", "enrolment__cohort__programme__provider", "enrolment__learner")
        .filter(pk=pk)
        .first()
    )
    if invoice is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such invoice.")
    if invoice.enrolment.learner_id == user.pk or is_programme_admin(user, invoice.enrolment.cohort):
        return invoice
    if roles_in(user, invoice.provider):
        raise PermissionDenied("Only the provider's programme admins see learners' invoices.")
    raise Http404("No such invoice.")


def grant_letter_for(user: Any, pk: int) -> FundingRequest:
    """An approved grant-letter request, for its learner and the provider's programme admins.

    A request still waiting, declined, or of another kind has no letter: 404, as for a stranger; nor has one whose
    learner no longer holds a place (withdrawn, lapsed; a deferred learner's request moves to their new enrolment).
    The provider's other staff get 403, as for invoices.
    """
    found = (
        FundingRequest.objects.select_related(
            "enrolment__cohort__programme__provider", "enrolment__learner", "enrolment__fee_tier", "decided_by"
        )
        .filter(pk=pk, kind=SupportKind.GRANT_LETTER, decision=SupportDecision.APPROVED)
        # The letter says the learner is enrolled: once they have left, it would not be true.
        .filter(enrolment__state__in=HOLDING_A_PLACE)
        .first()
    )
    if found is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such letter.")
    if found.enrolment.learner_id == user.pk or is_programme_admin(user, found.enrolment.cohort):
        return found
    if roles_in(user, found.enrolment.cohort.programme.provider):
        raise PermissionDenied("Only the provider's programme admins see learners' letters.")
    raise Http404("No such letter.")


def public_cohort_page(provider_slug: str, programme_slug: str, cohort_slug: str) -> Cohort:
    """A cohort anyone may read, with its programme, provider and catalogue entry (owner, framework, level) loaded
    in the same query: the cohort page shows what the programme leads to."""
    cohort = (
        Cohort.objects.select_related(
            "programme__provider",
            "programme__qualification__owner",
            "programme__qualification__framework",
            "programme__qualification__level__framework",
        )
        .filter(programme__provider__slug=provider_slug, programme__slug=programme_slug, slug=cohort_slug)
        .first()
    )
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort
