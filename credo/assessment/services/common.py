"""What every assessment service shares: the audit record, locks, a cohort's settings, and which way its outcomes
leave the centre (ratification by an issuing institution, or a claim to an awarding body)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from credo.accounts.models import Organisation, OrganisationKind
from credo.assessment.models import Assessment, AssessmentSettings, AssessmentState, Outcome
from credo.audit.services import record_event
from credo.programmes.models import Cohort

#: An assessment whose outcome may leave the centre: completed competent, released to the learner (so moderated:
#: passed by the sample or agreed), and every assessment sampled with it agreed (the whole draw is moderated).
LEAVES_THE_CENTRE = Q(
    state=AssessmentState.COMPLETED,
    outcome=Outcome.COMPETENT,
    released_at__isnull=False,
    sample_entry__sample__completed_at__isnull=False,
)


def audit(actor: Any, action: str, obj: Any, cohort: Cohort, **details: Any) -> None:
    """One event on the audit chain, in the provider's name (call inside the transaction that makes the change)."""
    record_event(
        actor=actor,
        action=f"assessment.{action}",
        obj=obj,
        organisation_id=cohort.programme.provider_id,
        details={"cohort": cohort.pk, **details},
    )


def lock_assessment(pk: int) -> Assessment:
    """The assessment, locked for the rest of the transaction, with what its services read."""
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cohort__programme__provider", "cohort__programme__qualification", "learner", "submission")
        .get(pk=pk)
    )


def settings_for(cohort: Cohort) -> AssessmentSettings:
    """The cohort's assessment settings, with the defaults until its provider changes them."""
    found, _ = AssessmentSettings.objects.get_or_create(cohort=cohort)
    return found


def issuing_organisation(cohort: Cohort) -> Organisation:
    """Who issues what the cohort's learners earn: the owner of the programme's qualification."""
    return cohort.programme.qualification.owner


def leaves_by_ratification(cohort: Cohort) -> bool:
    """True when an issuing institution ratifies the cohort's outcomes (CLD); False when the centre claims
    certification from an awarding body, through external quality assurance (SEG)."""
    return issuing_organisation(cohort).kind == OrganisationKind.ISSUING_INSTITUTION


def today_in(cohort: Cohort, now: datetime.datetime | None = None) -> datetime.date:
    """The date it is where the cohort runs."""
    return timezone.localtime(now or timezone.now(), ZoneInfo(cohort.time_zone)).date()
