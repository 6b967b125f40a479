"""What moderation puts on the dashboard: for a provider's internal quality assurers and programme admins, the
cohorts with moderation work (assessments waiting to be sampled, sampled waiting for review, referrals outstanding,
late ones); for a learner, their released outcomes and any resubmission deadline. Also the assessor's feedback
beside each section of the learner's portfolio (``portfolios.feedback``). Registered in ``wiring._moderation``.

Each contributor costs a fixed number of queries however many cohorts and assessments there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from credo.accounts.models import Role
from credo.assessment.models import Assessment, AssessmentState, ModerationState, Outcome
from credo.core import panels
from credo.core.panels import Link, Panel, Viewer
from credo.portfolios.models import Portfolio
from credo.programmes.models import Cohort

OUTCOMES_SHOWN = 5
COHORTS_SHOWN = 10


@dataclass(frozen=True)
class CohortWork:
    cohort: Cohort
    waiting_to_be_sampled: int
    waiting_for_review: int
    referred: int
    late: int

    @property
    def url(self) -> str:
        return reverse("assessment:cohort-moderation", kwargs={"public_id": self.cohort.public_id})


def _iqa(viewer: Viewer) -> list[Panel]:
    staff = viewer.memberships_as(Role.INTERNAL_QA, Role.PROGRAMME_ADMIN)
    if not staff:
        return []
    providers = {m.organisation_id for m in staff}
    today = timezone.localdate()
    counts = (
        Assessment.objects.filter(cohort__programme__provider_id__in=providers)
        .values("cohort_id")
        .annotate(
            waiting=Count("pk", filter=Q(state=AssessmentState.COMPLETED, sample_entry__isnull=True)),
            review=Count("pk", filter=Q(state=AssessmentState.COMPLETED, sample_entry__state=ModerationState.PENDING)),
            referred=Count("pk", filter=Q(state=AssessmentState.REFERRED)),
            late=Count(
                "pk",
                filter=Q(due_on__lt=today)
                & (Q(sample_entry__state=ModerationState.PENDING) | Q(state=AssessmentState.REFERRED)),
            ),
        )
        .filter(Q(waiting__gt=0) | Q(review__gt=0) | Q(referred__gt=0))
        .order_by("cohort_id")
    )
    rows = {row["cohort_id"]: row for row in counts[: COHORTS_SHOWN * 4]}
    cohorts = Cohort.objects.filter(pk__in=rows).select_related("programme")
    by_provider: dict[int, list[CohortWork]] = {}
    for cohort in cohorts:
        row = rows[cohort.pk]
        by_provider.setdefault(cohort.programme.provider_id, []).append(
            CohortWork(cohort, row["waiting"], row["review"], row["referred"], row["late"])
        )
    found = []
    seen: set[int] = set()
    for membership in staff:
        work = by_provider.get(membership.organisation_id, [])
        if not work or membership.organisation_id in seen:
            continue
        seen.add(membership.organisation_id)
        found.append(
            panels.for_membership(
                membership,
                template="assessment/moderation/_panel.html",
                context={"work": sorted(work, key=lambda w: str(w.cohort))[:COHORTS_SHOWN]},
            )
        )
    return found


def _learner(viewer: Viewer) -> list[Panel]:
    released = list(
        Assessment.objects.filter(learner_id=viewer.user.pk, released_at__isnull=False)
        .select_related("cohort__programme", "submission__portfolio")
        .order_by("-released_at", "-pk")[:OUTCOMES_SHOWN]
    )
    if not released:
        return []
    return [
        panels.Panel(
            key=("learner", "outcomes"),
            heading="Your assessment outcomes",
            order=panels.LEARNER_NOW + 5,
            links=(Link("All your outcomes", reverse("assessment:outcomes")),),
            template="assessment/learner/_panel.html",
            context={"outcomes": released},
        )
    ]


def contribute(viewer: Viewer) -> Iterable[Panel]:
    if not getattr(viewer.user, "is_authenticated", False):
        return []
    return [*_learner(viewer), *_iqa(viewer)]


def section_feedback(portfolio: Portfolio) -> dict[int, list[str]]:
    """The assessor's comment on each section of the last released attempt, while the learner builds the next one
    (one query)."""
    if not portfolio.is_open or portfolio.attempt < 2:
        return {}
    last = (
        Assessment.objects.filter(
            submission__portfolio=portfolio,
            attempt=portfolio.attempt - 1,
            released_at__isnull=False,
            outcome=Outcome.NOT_YET_COMPETENT,
        )
        .prefetch_related("judgements")
        .first()
    )
    if last is None:
        return {}
    found: dict[int, list[str]] = {}
    for judgement in last.judgements.all():
        if judgement.key.startswith("section:") and judgement.comment:
            position = int(judgement.key.split(":", 1)[1])
            found.setdefault(position, []).append(judgement.comment)
    return found
