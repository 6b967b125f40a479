"""The provider's pipeline: how many learners of each cohort are at each stage of the chain, and who acts next.

For the provider's programme admins, internal quality assurers and assessors (``access.pipeline``). The list shows
every cohort of their providers a page at a time; a cohort's page draws the same numbers as a bar chart (an SVG
drawn on the server, no script) with a table that says them in words, each count linking to the list of those
learners where there is one the viewer may open. A fixed number of queries however many submissions there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.assessment.access.pipeline import cohort_for_pipeline, providers_for_pipeline
from credo.assessment.forms.pipeline import PipelineFilterForm
from credo.assessment.services import pipeline as pipelines
from credo.assessment.services.pipeline import Pipeline, Stage
from credo.programmes.cohort_figures import Bar, bar_chart
from credo.programmes.models import Cohort


@dataclass(frozen=True)
class Destination:
    """Where a stage's count leads: a page (its URL name) with a filter, for some roles at the provider. ``by`` says
    what the page is addressed by: the cohort ("cohort") or the provider ("provider"); ``route`` limits it to the
    cohorts whose outcomes are ratified ("ratification") or claimed ("certification")."""

    url_name: str
    roles: frozenset[str]
    query: dict[str, str] = field(default_factory=dict)
    by: str = "cohort"
    route: str = ""


_ADMIN = frozenset({Role.PROGRAMME_ADMIN})
_MODERATION = frozenset({Role.PROGRAMME_ADMIN, Role.INTERNAL_QA})
_ASSESSOR = frozenset({Role.ASSESSOR})

#: The list behind each stage's count, the first the viewer's roles may open. A page that does not exist is left
#: out, not linked broken.
DESTINATIONS: dict[Stage, tuple[Destination, ...]] = {
    Stage.SUBMITTED: (
        Destination("assessment:cohort-assessors", _ADMIN),
        Destination("portfolios:cohort_progress", _ASSESSOR, {"stage": "submitted"}),
    ),
    Stage.IN_ASSESSMENT: (Destination("assessment:cohort-assessors", _ADMIN),),
    Stage.AWAITING_MODERATION: (Destination("assessment:cohort-moderation", _MODERATION),),
    Stage.AWAITING_AWARD: (
        Destination("assessment:ratification_cohort", _ADMIN, route="ratification"),
        Destination("assessment:centre_claims", _ADMIN, by="provider", route="certification"),
    ),
    Stage.AWARDED: (Destination("programmes:staff_enrolments", _ADMIN, {"state": "awarded"}),),
}


def _url(destination: Destination, cohort: Cohort) -> str:
    if destination.by == "provider":
        kwargs: dict[str, Any] = {"slug": cohort.programme.provider.slug}
    else:
        kwargs = {"public_id": cohort.public_id}
    try:
        url = reverse(destination.url_name, kwargs=kwargs)
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(destination.query)}" if destination.query else url


def stage_links(found: Pipeline, roles: set[str]) -> dict[Stage, str]:
    """The URL of each stage's list that exists and the viewer's roles at the provider may open."""
    route = "ratification" if found.by_ratification else "certification"
    links: dict[Stage, str] = {}
    for stage, destinations in DESTINATIONS.items():
        for destination in destinations:
            if roles & destination.roles and destination.route in ("", route):
                url = _url(destination, found.cohort)
                if url:
                    links[stage] = url
                    break
    return links


@dataclass(frozen=True)
class Row:
    """One stage as the cohort's table shows it."""

    stage: Stage
    label: str
    count: int
    who_next: str
    url: str


def _rows(found: Pipeline, links: dict[Stage, str]) -> list[Row]:
    return [Row(s.stage, s.label, s.count, s.who_next, links.get(s.stage, "")) for s in found.stages]


@login_required
@require_GET
def pipeline_list(request: HttpRequest) -> HttpResponse:
    """Every cohort of the viewer's providers with its learners per stage, filtered and a page at a time."""
    providers = providers_for_pipeline(request.user)
    filters = PipelineFilterForm(request.GET or None, providers=providers)
    chosen = filters.chosen()
    cohorts = pipelines.cohorts_of(providers, programme=chosen["programme"], search=chosen["search"])
    found = pipelines.paginate(cohorts, request.GET.get("page"))
    context: dict[str, Any] = {
        "filters": filters,
        "page": found.page,
        "pipelines": found.pipelines,
        "stages": [(stage, pipelines.LABELS[stage]) for stage in Stage],
        "filtered": bool(chosen["programme"] or chosen["search"]),
        "several_providers": len(providers) > 1,
    }
    return render(request, "assessment/pipeline/list.html", context, status=422 if filters.errors else 200)


@login_required
@require_GET
def cohort_pipeline(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One cohort's pipeline: a bar chart and the same numbers in a table, each linking to its learners."""
    cohort = cohort_for_pipeline(request.user, public_id)
    found = pipelines.pipeline(cohort)
    rows = _rows(found, stage_links(found, roles_in(request.user, cohort.programme.provider)))
    chart = bar_chart(
        "pipeline",
        f"Learners of {cohort} at each stage of assessment: " + "; ".join(f"{row.label}: {row.count}" for row in rows),
        [Bar(row.label, row.count) for row in rows],
    )
    context = {"cohort": cohort, "pipeline": found, "rows": rows, "chart": chart}
    return render(request, "assessment/pipeline/cohort.html", context)
