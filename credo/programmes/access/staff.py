"""Loaders for the staff area: a cohort's enrolments, invoices and support requests, for its programme admins.

Each loads the cohort through ``access.common.cohort_for_staff`` first (404 for people with no role at the provider, 403
for other roles there), then finds the object only inside that cohort, so an id from another cohort is not found.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from credo.programmes.access.common import cohort_for_staff
from credo.programmes.models import Cohort, Enrolment, FundingRequest, Invoice


def cohort_enrolments(cohort: Cohort) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(cohort=cohort).select_related("learner", "fee_tier", "cohort__programme__provider")


def enrolment_in_cohort(user: Any, public_id: str, pk: int) -> Enrolment:
    cohort = cohort_for_staff(user, public_id)
    enrolment = cohort_enrolments(cohort).filter(pk=pk).first()
    if enrolment is None:
        raise Http404("No such enrolment in this cohort.")
    return enrolment


def invoice_in_cohort(user: Any, public_id: str, pk: int) -> Invoice:
    cohort = cohort_for_staff(user, public_id)
    invoice = (
        Invoice.objects.select_related("enrolment__cohort__programme__provider", "enrolment__learner", "provider")
        .filter(pk=pk, enrolment__cohort=cohort)
        .first()
    )
    if invoice is None:
        raise Http404("No such invoice in this cohort.")
    return invoice


def funding_request_in_cohort(user: Any, public_id: str, pk: int) -> FundingRequest:
    cohort = cohort_for_staff(user, public_id)
    request = (
        FundingRequest.objects.select_related("enrolment__cohort__programme__provider", "enrolment__learner")
        .filter(pk=pk, enrolment__cohort=cohort)
        .first()
    )
    if request is None:
        raise Http404("No such support request in this cohort.")
    return request
