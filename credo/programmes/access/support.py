"""Loaders for support threads: the learner's own, and a cohort's for its facilitators and programme admins."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from credo.programmes.access.common import cohort_for_staff, own_enrolment
from credo.programmes.models import Cohort, Enrolment, SupportThread


def own_support(user: Any, enrolment_id: int) -> tuple[Enrolment, SupportThread | None]:
    """The signed-in learner's enrolment and its thread (None before the first question)."""
    enrolment = own_enrolment(user, enrolment_id)
    return enrolment, SupportThread.objects.filter(enrolment=enrolment).first()


def support_inbox(user: Any, public_id: str) -> Cohort:
    """A cohort whose learners' questions the user answers: its facilitators and its provider's programme admins."""
    return cohort_for_staff(user, public_id, facilitators=True)


def support_thread_for_staff(user: Any, public_id: str, thread_id: int) -> SupportThread:
    cohort = support_inbox(user, public_id)
    thread = (
        SupportThread.objects.select_related("enrolment__learner", "enrolment__cohort__programme__provider")
        .filter(pk=thread_id, enrolment__cohort=cohort)
        .first()
    )
    if thread is None:
        raise Http404("No such support thread in this cohort.")
    return thread
