"""What assessing puts on the dashboard: for each provider where the viewer is an assessor, how much work is waiting
for them, how much of it is late, and how many submissions of their cohorts nobody has taken yet. Registered in
``wiring._assessing``."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from credo.accounts.models import OrganisationKind, Role
from credo.assessment.models import Assessment, AssessmentState, CohortAssessor
from credo.assessment.services.common import today_in
from credo.core import panels
from credo.core.panels import Link, Panel, Viewer
from credo.portfolios.models import Submission

OPEN = (AssessmentState.ASSIGNED, AssessmentState.DRAFT, AssessmentState.REFERRED)


def contribute(viewer: Viewer) -> list[Panel]:
    """Three queries however many providers and assessments: the open work, its due dates, the untaken submissions."""
    memberships = [m for m in viewer.memberships_as(Role.ASSESSOR) if m.organisation.kind == OrganisationKind.PROVIDER]
    if not memberships:
        return []
    providers = [m.organisation_id for m in memberships]
    waiting: dict[int, int] = {}
    late: dict[int, int] = {}
    work = Assessment.objects.filter(
        assessor_id=viewer.user.pk, state__in=OPEN, cohort__programme__provider_id__in=providers
    ).select_related("cohort__programme")
    for assessment in work.only("due_on", "cohort__time_zone", "cohort__programme__provider_id"):
        provider = assessment.cohort.programme.provider_id
        waiting[provider] = waiting.get(provider, 0) + 1
        if assessment.due_on < today_in(assessment.cohort):
            late[provider] = late.get(provider, 0) + 1
    named = CohortAssessor.objects.filter(assessor_id=viewer.user.pk, cohort__programme__provider_id__in=providers)
    by_provider = "portfolio__enrolment__cohort__programme__provider_id"
    untaken = {
        row[by_provider]: row["n"]
        for row in Submission.objects.filter(
            assessment__isnull=True, portfolio__enrolment__cohort__in=named.values("cohort_id")
        )
        .values(by_provider)
        .annotate(n=Count("pk"))
        .order_by()
    }
    queue = reverse("assessment:queue")
    return [
        panels.for_membership(
            membership,
            links=[Link("Assessment queue", queue)],
            template="assessment/assessing/_panel.html",
            context={
                "waiting": waiting.get(membership.organisation_id, 0),
                "late": late.get(membership.organisation_id, 0),
                "untaken": untaken.get(membership.organisation_id, 0),
                "queue_url": queue,
            },
        )
        for membership in memberships
    ]
