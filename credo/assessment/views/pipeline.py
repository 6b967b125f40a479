"""The provider's pipeline: how many learners of each cohort are at each stage of the chain, and who acts next.

For the provider's programme admins, internal quality assurers and assessors (``access.pipeline``). The list shows
every cohort of their providers a page at a time; a cohort's page draws the same numbers as a bar chart (an SVG
drawn on the server, no script) with a table that says them in words, each count linking to the list of those
learners where there is one the viewer may open. A fixed number of queries however many submissions there are.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    """Where a stage's count leads: a page (its URL name, with the cohort's id) with a filter, for some roles."""

    url_name: str
    query: dict[str, str]
    roles: frozenset[str]
    kwarg: str = "public_id"


_ADMIN = frozenset({Role.PROGRAMME_ADMIN})
_PORTFOLIO_READERS = frozenset({Role.PROGRAMME_ADMIN, Role.ASSESSOR})

#: The list behind each stage's count. A destination whose page does not exist (yet) is left out, not broken.
DESTINATIONS: dict[Stage, Destination] = {
    Stage.SUBMITTED: Destination("portfolios:cohort_progress", {"stage": "submitted"}, _PORTFOLIO_READERS),
    Stage.AWARDED: Destination("programmes:staff_enrolments", {"state": "awarded"}, _ADMIN),
}


def stage_links(cohort: Cohort, roles: set[str]) -> dict[Stage, str]:
    """The URL of each stage's list that exists and the viewer's roles at the provider may open."""
    found: dict[Stage, str] = {}
    for stage, destination in DESTINATIONS.items():
        if not roles & destination.roles:
            continue
        try:
            url = reverse(destination.url_name, kwargs={destination.kwarg: cohort.public_id})
        except NoReverseMatch:
            continue
        found[stage] = f"{url}?{urlencode(destination.query)}" if destination.query else url
    return found


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
    rows = _rows(found, stage_links(cohort, roles_in(request.user, cohort.programme.provider)))
    chart = bar_chart(
        "pipeline",
        f"Learners of {cohort} at each stage of assessment: "
        + "; ".join(f"{row.label}: {row.count}" for row in rows),
        [Bar(row.label, row.count) for row in rows],
    )
    context = {"cohort": cohort, "pipeline": found, "rows": rows, "chart": chart}
    return render(request, "assessment/pipeline/cohort.html", context)
