"""What programmes puts on the dashboard: a learner's programmes, invoices, questions and portfolio; a
provider's cohorts for its programme admins; a facilitator's own cohorts. Registered in ``ProgrammesConfig.ready``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse

from credo.accounts.models import OrganisationKind, Role
from credo.core import panels
from credo.core.panels import Link, Panel, Viewer
from credo.programmes import learner_home
from credo.programmes.models import Cohort

#: The home shows this many programmes; "My programmes" lists them all, a page at a time.
PROGRAMMES_SHOWN = 5
#: A programme admin's card lists the provider's latest cohorts; "Programmes and cohorts" has them all.
COHORTS_SHOWN = 10


def _learner_sections(viewer: Viewer) -> list[Panel]:
    shown = list(learner_home.enrolments_of(viewer.user)[: PROGRAMMES_SHOWN + 1])
    if not shown:
        return []
    more = len(shown) > PROGRAMMES_SHOWN
    summaries = learner_home.summaries(viewer.user, shown[:PROGRAMMES_SHOWN])
    order = panels.LEARNER_NOW if any(summary.in_progress for summary in summaries) else panels.LEARNER_PAST
    mine = reverse("programmes:my-enrolments")
    sections = [
        Panel(
            key=("learner", "programmes"),
            heading="Your programmes",
            order=order,
            template="programmes/panels/learner_programmes.html",
            context={"summaries": summaries, "more": more, "all_url": mine},
        )
    ]
    if any(summary.invoices or summary.support_requests for summary in summaries):
        sections.append(
            Panel(
                key=("learner", "invoices"),
                heading="Invoices and fee support",
                order=order + 1,
                template="programmes/panels/learner_invoices.html",
                context={"summaries": summaries},
            )
        )
    if any(summary.questions or summary.in_progress for summary in summaries):
        sections.append(
            Panel(
                key=("learner", "questions"),
                heading="Your questions",
                order=order + 2,
                template="programmes/panels/learner_questions.html",
                context={"summaries": summaries},
            )
        )
    sections.append(
        Panel(
            key=("learner", "portfolio"),
            heading="Your portfolio",
            order=panels.LEARNER_NEXT,
            template="programmes/panels/learner_portfolio.html",
            context={"summaries": summaries},
        )
    )
    return sections


def _admin_links(cohort: Cohort) -> tuple[str, list[Link]]:
    key = {"public_id": cohort.public_id}
    return str(cohort), [
        Link("Dashboard", reverse("programmes:staff_dashboard", kwargs=key)),
        Link("Enrolments", reverse("programmes:staff_enrolments", kwargs=key)),
        Link("Workshops", reverse("programmes:sessions", kwargs={"cohort_id": cohort.public_id})),
        Link("Check-ins", reverse("programmes:checkins-staff", kwargs=key)),
        Link("Questions", reverse("programmes:support-inbox", kwargs=key)),
    ]


def _facilitator_links(cohort: Cohort) -> tuple[str, list[Link]]:
    key = {"public_id": cohort.public_id}
    return str(cohort), [
        Link("Progress", reverse("programmes:staff_dashboard", kwargs=key)),
        Link("Workshops and attendance", reverse("programmes:sessions", kwargs={"cohort_id": cohort.public_id})),
        Link("Check-ins", reverse("programmes:checkins-staff", kwargs=key)),
        Link("Questions", reverse("programmes:support-inbox", kwargs=key)),
    ]


def _staff_cards(viewer: Viewer) -> list[Panel]:
    """One query for the admins' cohorts at every provider, one for the facilitator's own cohorts."""
    found: list[Panel] = []
    admin_of = [
        membership
        for membership in viewer.memberships_as(Role.PROGRAMME_ADMIN)
        if membership.organisation.kind == OrganisationKind.PROVIDER
    ]
    if admin_of:
        by_provider: defaultdict[int, list[Cohort]] = defaultdict(list)
        cohorts = Cohort.objects.filter(programme__provider__in=[m.organisation_id for m in admin_of])
        for cohort in cohorts.select_related("programme__provider").order_by("-study_starts", "-pk"):
            by_provider[cohort.programme.provider_id].append(cohort)
        for membership in admin_of:
            latest = by_provider[membership.organisation_id]
            found.append(
                panels.for_membership(
                    membership,
                    links=[
                        Link(
                            "Programmes and cohorts",
                            reverse("programmes:setup_home", args=[membership.organisation.slug]),
                        )
                    ],
                    template="programmes/panels/staff_cohorts.html",
                    context={
                        "cohorts": [_admin_links(cohort) for cohort in latest[:COHORTS_SHOWN]],
                        "more": len(latest) > COHORTS_SHOWN,
                    },
                )
            )
    facilitating = viewer.memberships_as(Role.FACILITATOR)
    if facilitating:
        by_provider = defaultdict(list)
        own = Cohort.objects.filter(
            facilitators=viewer.user, programme__provider__in=[m.organisation_id for m in facilitating]
        )
        for cohort in own.select_related("programme__provider").order_by("-study_starts", "-pk"):
            by_provider[cohort.programme.provider_id].append(cohort)
        for membership in facilitating:
            mine = by_provider[membership.organisation_id]
            if mine:
                found.append(
                    panels.for_membership(
                        membership,
                        template="programmes/panels/staff_cohorts.html",
                        context={"cohorts": [_facilitator_links(cohort) for cohort in mine], "more": False},
                    )
                )
    return found


def contribute(viewer: Viewer) -> Iterable[Panel]:
    return [*_learner_sections(viewer), *_staff_cards(viewer)]
