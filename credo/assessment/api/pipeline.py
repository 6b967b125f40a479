"""Assessment API: the provider's pipeline, how many learners of each cohort are at each stage.

The same loaders and service as the pages (``access.pipeline``, ``services.pipeline``): the provider's programme
admins, internal quality assurers and assessors read it. The list is paginated (``limit``, ``offset``) and filtered
(a programme, part of a name), in a fixed number of queries however many submissions there are.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Schema
from ninja.security import django_auth
from pydantic import StringConstraints

from credo.api_errors import NUL_FREE
from credo.assessment.access.pipeline import cohort_for_pipeline, providers_for_pipeline
from credo.assessment.api.router import router
from credo.assessment.forms.pipeline import SEARCH_MAX
from credo.assessment.services import pipeline as pipelines
from credo.assessment.services.pipeline import Pipeline, Stage
from credo.catalogue.api.schemas import Message, Page
from credo.programmes.models import Programme


class StageOut(Schema):
    stage: Stage
    label: str = Field(description="The stage in words: 'Assessed, waiting for moderation'.")
    learners: int
    who_next: str = Field(description="Who acts next, in words.")


class PipelineOut(Schema):
    cohort: UUID
    cohort_name: str
    programme: str
    provider: str
    route: str = Field(description="'ratification' (an issuing institution ratifies) or 'certification' (a claim).")
    total: int = Field(description="Learners counted: everyone who has submitted, and everyone awarded.")
    in_progress: int = Field(description="Learners neither awarded nor with a final outcome.")
    stages: list[StageOut] = Field(description="Every stage, in the order of the chain.")

    @classmethod
    def of(cls, found: Pipeline) -> PipelineOut:
        cohort = found.cohort
        return cls(
            cohort=cohort.public_id,
            cohort_name=cohort.name,
            programme=cohort.programme.name,
            provider=cohort.programme.provider.name,
            route="ratification" if found.by_ratification else "certification",
            total=found.total,
            in_progress=found.in_progress,
            stages=[
                StageOut(stage=s.stage, label=s.label, learners=s.count, who_next=s.who_next) for s in found.stages
            ],
        )


Search = Annotated[str, StringConstraints(max_length=SEARCH_MAX, pattern=NUL_FREE)]


class PipelineFilters(Page):
    programme: int | None = Field(None, ge=1, description="Only this programme's cohorts (its id).")
    q: Search = Field("", description="Part of a cohort's or programme's name.")


@router.get(
    "/pipeline",
    auth=django_auth,
    response={200: list[PipelineOut], 401: Message, 403: Message},
    operation_id="assessment_pipelines",
    url_name="assessment_pipelines",
    summary="Each cohort's learners at each stage of assessment, newest cohort first (programme admins, internal "
    "quality assurers and assessors of the provider)",
)
def list_pipelines(request: HttpRequest, filters: Query[PipelineFilters]) -> list[PipelineOut]:
    """A programme that is not one of the viewer's providers' matches no cohort: the list is empty."""
    providers = providers_for_pipeline(request.user)
    programme = None
    if filters.programme is not None:
        programme = Programme.objects.filter(pk=filters.programme, provider__in=providers).first()
        if programme is None:
            return []
    cohorts = pipelines.cohorts_of(providers, programme=programme, search=filters.q)
    return [
        PipelineOut.of(found)
        for found in pipelines.pipelines(list(cohorts[filters.offset : filters.offset + filters.limit]))
    ]


@router.get(
    "/pipeline/{public_id}",
    auth=django_auth,
    response={200: PipelineOut, 401: Message, 403: Message, 404: Message},
    operation_id="assessment_cohort_pipeline",
    url_name="assessment_cohort_pipeline",
    summary="One cohort's learners at each stage of assessment, and who acts next",
)
def cohort_pipeline(request: HttpRequest, public_id: UUID) -> PipelineOut:
    return PipelineOut.of(pipelines.pipeline(cohort_for_pipeline(request.user, public_id)))
