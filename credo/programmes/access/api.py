"""Loaders the JSON API needs beyond the pages' own: a learner's list of enrolments, and a cohort's support inbox.

Like the other ``access*`` modules, each checks who may see the rows before returning them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from credo.programmes.access.support import support_inbox
from credo.programmes.models import Cohort, Enrolment, SupportThread
from credo.programmes.services import support


def own_enrolments(user: Any) -> QuerySet[Enrolment]:
    """The signed-in learner's enrolments, newest intake first; nobody else's."""
    return (
        Enrolment.objects.filter(learner_id=getattr(user, "pk", None))
        .select_related("cohort__programme__provider", "fee_tier")
        .order_by("-cohort__study_starts", "-pk")
    )


def support_threads_of(user: Any, public_id: str) -> tuple[Cohort, QuerySet[SupportThread]]:
    """A cohort's support threads for its facilitators and programme admins (``access.support.support_inbox``),
    in the inbox page's order: those waiting for an answer first."""
    cohort = support_inbox(user, public_id)
    return cohort, support.threads_for_inbox(cohort)
