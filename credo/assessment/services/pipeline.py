"""Where a cohort's learners are in the chain, stage by stage: the provider's pipeline.

Each learner who has submitted is in exactly one stage, read from their latest submitted attempt and its assessment
(an earlier attempt's outcome is history once the next attempt is in), except that a learner whose enrolment ends
as awarded is counted as awarded however they got there (a direct award needs no submission):

1. submitted, waiting for an assessor (no assessment of the latest attempt yet);
2. being assessed (assigned, in draft, or referred back by the moderator: the learner sees nothing yet);
3. assessed, waiting for moderation (completed, not yet released to the learner);
4. not yet competent, may resubmit (released; another attempt allowed);
5. not yet competent, final (released with no attempt left: only an appeal changes it);
6. competent, waiting for ratification (CLD) or for certification (SEG: the claim, EQA and the awarding body);
7. awarded (the enrolment's state).

Learners who withdrew or deferred to another cohort are not counted: their work left this cohort with them.

The counting happens in the database, grouped by cohort: two queries for one cohort or for a page of them, however
many submissions there are (``bench/pipeline.py`` shows the count stays flat from 50 to 5,000 submissions).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from credo.accounts.models import Organisation, OrganisationKind
from credo.assessment.models import AssessmentState, Outcome
from credo.portfolios.models import Submission
from credo.programmes.models import Cohort, Enrolment, EnrolmentState

#: Cohorts shown per page of a provider's pipelines.
PER_PAGE = 20

#: Enrolments whose learners have left the cohort: their submissions are not counted.
LEFT = (EnrolmentState.WITHDRAWN, EnrolmentState.DEFERRED)


class Stage(enum.StrEnum):
    """A stage of the pipeline, in the order a learner moves through them."""

    SUBMITTED = "submitted"
    IN_ASSESSMENT = "in_assessment"
    AWAITING_MODERATION = "awaiting_moderation"
    MAY_RESUBMIT = "may_resubmit"
    NOT_YET_COMPETENT_FINAL = "final"
    AWAITING_AWARD = "awaiting_award"
    AWARDED = "awarded"


#: What each stage means, in words (the chart's labels and the table's first column).
LABELS: dict[Stage, str] = {
    Stage.SUBMITTED: "Submitted, waiting for an assessor",
    Stage.IN_ASSESSMENT: "Being assessed",
    Stage.AWAITING_MODERATION: "Assessed, waiting for moderation",
    Stage.MAY_RESUBMIT: "Not yet competent, may resubmit",
    Stage.NOT_YET_COMPETENT_FINAL: "Not yet competent, final",
    Stage.AWAITING_AWARD: "Competent, waiting for ratification",
    Stage.AWARDED: "Awarded",
}

#: The label of the stage before the award when an awarding body certificates (SEG) instead of ratifying.
AWAITING_CERTIFICATION = "Competent, waiting for certification"

#: Who acts next at each stage, in words: the table's last column.
WHO_NEXT: dict[Stage, str] = {
    Stage.SUBMITTED: "A programme admin assigns an assessor, or an assessor of the cohort takes it.",
    Stage.IN_ASSESSMENT: "The assessor completes the assessment.",
    Stage.AWAITING_MODERATION: "The internal quality assurer draws a sample and moderates it.",
    Stage.MAY_RESUBMIT: "The learner improves their portfolio and resubmits.",
    Stage.NOT_YET_COMPETENT_FINAL: "Nobody, unless the learner appeals.",
    Stage.AWAITING_AWARD: "The provider sends the outcomes on; the issuing institution ratifies them.",
    Stage.AWARDED: "Nobody: the credential is issued.",
}
WHO_NEXT_CERTIFICATION = (
    "The centre claims certification; the awarding body's external quality assurer and certification staff approve."
)

#: Each stage as a condition on a latest submission (the awarded are counted from enrolments instead).
_CONDITIONS: dict[Stage, Q] = {
    Stage.SUBMITTED: Q(assessment__isnull=True),
    Stage.IN_ASSESSMENT: Q(
        assessment__state__in=(AssessmentState.ASSIGNED, AssessmentState.DRAFT, AssessmentState.REFERRED)
    ),
    Stage.AWAITING_MODERATION: Q(assessment__state=AssessmentState.COMPLETED, assessment__released_at__isnull=True),
    Stage.MAY_RESUBMIT: Q(
        assessment__state=AssessmentState.COMPLETED,
        assessment__released_at__isnull=False,
        assessment__outcome=Outcome.NOT_YET_COMPETENT,
        assessment__is_final=False,
    ),
    Stage.NOT_YET_COMPETENT_FINAL: Q(
        assessment__state=AssessmentState.COMPLETED,
        assessment__released_at__isnull=False,
        assessment__outcome=Outcome.NOT_YET_COMPETENT,
        assessment__is_final=True,
    ),
    Stage.AWAITING_AWARD: Q(
        assessment__state=AssessmentState.COMPLETED,
        assessment__released_at__isnull=False,
        assessment__outcome=Outcome.COMPETENT,
    ),
}


@dataclass(frozen=True)
class StageCount:
    stage: Stage
    label: str
    count: int
    who_next: str


@dataclass
class Pipeline:
    """One cohort's learners per stage, in the order of the chain."""

    cohort: Cohort
    counts: dict[Stage, int] = field(default_factory=lambda: dict.fromkeys(Stage, 0))

    @property
    def by_ratification(self) -> bool:
        """True when an issuing institution ratifies the outcomes (CLD); False for a claim to an awarding body."""
        return bool(self.cohort.programme.qualification.owner.kind == OrganisationKind.ISSUING_INSTITUTION)

    @property
    def total(self) -> int:
        """Every learner counted: those who have submitted, and those awarded."""
        return sum(self.counts.values())

    @property
    def in_progress(self) -> int:
        """Learners whose work is still moving (neither awarded nor final)."""
        return self.total - self.counts[Stage.AWARDED] - self.counts[Stage.NOT_YET_COMPETENT_FINAL]

    def label(self, stage: Stage) -> str:
        if stage is Stage.AWAITING_AWARD and not self.by_ratification:
            return AWAITING_CERTIFICATION
        return LABELS[stage]

    def who_next(self, stage: Stage) -> str:
        if stage is Stage.AWAITING_AWARD and not self.by_ratification:
            return WHO_NEXT_CERTIFICATION
        return WHO_NEXT[stage]

    @property
    def stages(self) -> list[StageCount]:
        return [StageCount(stage, self.label(stage), self.counts[stage], self.who_next(stage)) for stage in Stage]


def _latest(**where: Any) -> QuerySet[Submission]:
    later = Submission.objects.filter(portfolio=OuterRef("portfolio"), attempt__gt=OuterRef("attempt"))
    return (
        Submission.objects.filter(**where)
        .exclude(portfolio__enrolment__state__in=(*LEFT, EnrolmentState.AWARDED))
        .filter(~Exists(later))
    )


def latest_submissions(cohorts: Iterable[Cohort | int] | QuerySet[Cohort]) -> QuerySet[Submission]:
    """Each counted learner's latest submitted attempt, in these cohorts (not awarded, not withdrawn or deferred)."""
    return _latest(portfolio__enrolment__cohort__in=cohorts)


def _tally(
    submissions: QuerySet[Submission], enrolments: QuerySet[Enrolment], *, by: str, keys: Iterable[int]
) -> dict[int, dict[Stage, int]]:
    """Two grouped queries: the latest submissions by stage, and the awarded enrolments, per ``by`` (a cohort or a
    provider, as a path from an enrolment)."""
    found: dict[int, dict[Stage, int]] = {key: dict.fromkeys(Stage, 0) for key in keys}
    if not found:
        return found
    by_stage = (
        submissions.values(f"portfolio__enrolment__{by}")
        .annotate(**{stage.value: Count("pk", filter=condition) for stage, condition in _CONDITIONS.items()})
        .order_by()
    )
    for row in by_stage:
        counts = found[row[f"portfolio__enrolment__{by}"]]
        for stage in _CONDITIONS:
            counts[stage] = row[stage.value]
    awarded = enrolments.filter(state=EnrolmentState.AWARDED).values(by).annotate(n=Count("pk")).order_by()
    for row in awarded:
        found[row[by]][Stage.AWARDED] = row["n"]
    return found


def _count(cohorts: Sequence[Cohort]) -> dict[int, dict[Stage, int]]:
    ids = [cohort.pk for cohort in cohorts]
    return _tally(
        latest_submissions(ids),
        Enrolment.objects.filter(cohort__in=ids),
        by="cohort",
        keys=ids,
    )


def provider_totals(providers: Sequence[Organisation]) -> dict[int, dict[Stage, int]]:
    """Each provider's learners per stage over all its cohorts, by the provider's id: two queries for any number
    of providers (the dashboard's summary)."""
    ids = [provider.pk for provider in providers]
    return _tally(
        _latest(portfolio__enrolment__cohort__programme__provider__in=ids),
        Enrolment.objects.filter(cohort__programme__provider__in=ids),
        by="cohort__programme__provider",
        keys=ids,
    )


def pipelines(cohorts: Sequence[Cohort]) -> list[Pipeline]:
    """The pipeline of each cohort, in the order given, in two queries (load the cohorts with
    ``programme__qualification__owner`` to read the way out without a query each)."""
    counts = _count(cohorts)
    return [Pipeline(cohort=cohort, counts=counts[cohort.pk]) for cohort in cohorts]


def pipeline(cohort: Cohort) -> Pipeline:
    """One cohort's learners per stage, in two queries however many have submitted."""
    return pipelines([cohort])[0]


def cohorts_of(
    providers: Iterable[Organisation] | QuerySet[Organisation], *, programme: Any = None, search: str = ""
) -> QuerySet[Cohort]:
    """The providers' cohorts, newest first, optionally of one programme or with a name containing ``search``."""
    found = Cohort.objects.filter(programme__provider__in=providers).select_related(
        "programme__provider", "programme__qualification__owner"
    )
    if programme is not None:
        found = found.filter(programme=programme)
    if search:
        found = found.filter(Q(name__icontains=search) | Q(programme__name__icontains=search))
    return found.order_by("-study_starts", "programme__name", "-pk")


@dataclass
class PipelinePage:
    """A page of cohorts, each with its pipeline."""

    page: Page[Cohort]
    pipelines: list[Pipeline]


def paginate(cohorts: QuerySet[Cohort], page: Any = 1, per_page: int = PER_PAGE) -> PipelinePage:
    """One page of these cohorts with their pipelines: four queries (the count, the page, the two tallies)."""
    found = Paginator(cohorts, per_page).get_page(page)
    return PipelinePage(page=found, pipelines=pipelines(list(found.object_list)))


def provider_pipelines(provider: Organisation, page: Any = 1, *, per_page: int = PER_PAGE) -> PipelinePage:
    """Every cohort of a provider, newest first, a page at a time, each with its pipeline."""
    return paginate(cohorts_of([provider]), page, per_page)
