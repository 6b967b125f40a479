"""Closing a cohort's waiting list once study has started.

A place can open on the waiting list until study starts (someone withdraws or
defers). After that nobody more joins the cohort, so the people still waiting
would hear nothing ever again: this withdraws each of them, audited, and tells
them kindly, pointing to the programme's next intake when there is one.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from credo.programmes.models import Cohort, Enrolment, EnrolmentState
from credo.programmes.services import enrolments
from credo.programmes.services.cohorts import open_intake, zone

#: The reason recorded on each enrolment, and told to the learner.
NO_PLACE = "No place opened before study started"
#: The actor the audit log records when the periodic task closes waiting lists.
TASK_ACTOR = "programmes.tasks.close_waiting_lists"


def study_has_started(cohort: Cohort, now: datetime.datetime) -> bool:
    """Study starts on a day in the cohort's zone: from its first moment there."""
    return timezone.localdate(now, zone(cohort.time_zone)) >= cohort.study_starts


def close_waiting_list(cohort: Cohort, *, actor: Any, now: datetime.datetime | None = None) -> list[Enrolment]:
    """Withdraw everyone still waiting for a place in ``cohort`` once its study has started; each is emailed.

    ``actor`` is a programme admin of the cohort's provider, or a label (a string) when the periodic task runs it.
    Returns the enrolments withdrawn; none when nobody was waiting. Safe to run again: the waiting are locked
    and withdrawn in one transaction, so a second run finds nobody.
    """
    now = now or timezone.now()
    if not isinstance(actor, str):
        enrolments.require_cohort_staff(actor, cohort)
    if not study_has_started(cohort, now):
        raise ValidationError(
            f"Study in {cohort} starts on {cohort.study_starts:%-d %B %Y}: until then a place may still open, "
            "so the waiting list stays open."
        )
    with transaction.atomic():
        waiting = list(
            cohort.enrolments.select_for_update().filter(state=EnrolmentState.WAITLISTED).order_by("created_at", "pk")
        )
        withdrawn = []
        lines = _kind_lines(cohort, now)
        for enrolment in waiting:
            # The plain move, not ``enrolments.withdraw``: there is no invoice to cancel and no place to pass on, and
            # the learner did not ask to leave; the email says what happened instead.
            moved = enrolments.move(enrolment, EnrolmentState.WITHDRAWN, actor=actor, reason=NO_PLACE)
            enrolments.tell(moved, f"No place opened in {cohort}", lines)
            withdrawn.append(moved)
    return withdrawn


def _kind_lines(cohort: Cohort, now: datetime.datetime) -> list[str]:
    lines = [
        f"Thank you for your patience on the waiting list for {cohort}. We are sorry: no place opened before study "
        f"started on {cohort.study_starts.day} {cohort.study_starts:%B %Y}, so your name is now off the list.",
        "There is nothing to pay.",
    ]
    following = open_intake(cohort.programme, besides=cohort, now=now)
    if following is not None:
        closes = timezone.localtime(following.registration_closes, zone(following.time_zone))
        lines += [
            "",
            f"Registration is open for the next intake, {following.name}, until {closes.day} {closes:%B %Y}:",
            _public_url(following),
        ]
    else:
        lines += ["", "We will announce the next intake on the programme's page: " + _programme_url(cohort)]
    return lines


def _site() -> str:
    return str(settings.SITE_URL).rstrip("/")


def _public_url(cohort: Cohort) -> str:
    programme = cohort.programme
    return _site() + reverse("programmes:cohort", args=[programme.provider.slug, programme.slug, cohort.slug])


def _programme_url(cohort: Cohort) -> str:
    programme = cohort.programme
    return _site() + reverse("programmes:programme", args=[programme.provider.slug, programme.slug])


def close_waiting_lists(*, now: datetime.datetime | None = None) -> int:
    """Close the waiting list of every cohort whose study has started and that still has people waiting; returns
    how many people were withdrawn. Safe to run often: a cohort with nobody waiting is not touched."""
    now = now or timezone.now()
    # Study days are local to each cohort: a day's margin finds every candidate, and the check is exact per cohort.
    candidates = (
        Cohort.objects.filter(
            enrolments__state=EnrolmentState.WAITLISTED, study_starts__lte=(now + datetime.timedelta(days=1)).date()
        )
        .select_related("programme__provider")
        .distinct()
        .order_by("pk")
    )
    closed = 0
    for cohort in candidates:
        if study_has_started(cohort, now):
            closed += len(close_waiting_list(cohort, actor=TASK_ACTOR, now=now))
    return closed
