"""Permission-checked loaders for workshops: who sees a cohort's sessions, who changes them, who takes attendance.

A cohort's sessions (with their meeting links) are for the people in it: learners
holding a place, its facilitators and the provider's programme admins. Anyone
else learns nothing (404); the provider's other staff are told why (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.access import roles_in
from credo.programmes.access.common import cohort_for_staff, is_facilitator, is_programme_admin
from credo.programmes.models import Cohort, Enrolment, Session
from credo.programmes.services.enrolments import HOLDING_A_PLACE


def place_of(user: Any, cohort: Cohort) -> Enrolment | None:
    """The user's enrolment in the cohort, if it holds a place."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Enrolment.objects.select_related("cohort", "learner")
        .filter(cohort=cohort, learner=user, state__in=HOLDING_A_PLACE)
        .first()
    )


def is_cohort_staff(user: Any, cohort: Cohort) -> bool:
    return is_programme_admin(user, cohort) or is_facilitator(user, cohort)


def cohort_for_participant(user: Any, public_id: str) -> Cohort:
    """A cohort for its learners, facilitators and programme admins."""
    cohort = Cohort.objects.select_related("programme__provider").filter(public_id=public_id).first()
    if cohort is None or not getattr(user, "is_authenticated", False):
        raise Http404("No such cohort.")
    if is_cohort_staff(user, cohort) or place_of(user, cohort) is not None:
        return cohort
    if roles_in(user, cohort.programme.provider) - {"learner"}:
        raise PermissionDenied("The cohort's sessions are for its learners, facilitators and programme admins.")
    raise Http404("No such cohort.")


def _session(public_id: str) -> Session:
    session = Session.objects.select_related("cohort__programme__provider").filter(public_id=public_id).first()
    if session is None:
        raise Http404("No such session.")
    return session


def session_for_participant(user: Any, public_id: str) -> Session:
    session = _session(public_id)
    cohort_for_participant(user, str(session.cohort.public_id))
    return session


def session_for_admin(user: Any, public_id: str) -> Session:
    session = _session(public_id)
    cohort_for_staff(user, str(session.cohort.public_id))
    return session


def session_for_attendance(user: Any, public_id: str) -> Session:
    """A session for its cohort's facilitators and the provider's programme admins."""
    session = _session(public_id)
    cohort_for_staff(user, str(session.cohort.public_id), facilitators=True)
    return session
