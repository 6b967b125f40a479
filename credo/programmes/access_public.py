"""Loaders for the public and learner-facing pages: programmes anyone may read, and a learner's own invoices."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.access import roles_in
from credo.programmes.access import is_programme_admin
from credo.programmes.models import Invoice, Programme


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
