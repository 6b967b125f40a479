"""How far each learner of a cohort has got with their portfolio, for the facilitators and admins who support them.

Read-only, and in a fixed number of queries however many learners and items there are: the counts are subqueries
of one query over the portfolios, never a query per learner. An enrolment whose portfolio was never made (it is
made on first use: docs/decisions/0009) shows as not started; nothing here makes one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextChoices,
    Value,
)
from django.db.models.functions import Coalesce

from credo.portfolios.models import (
    LIVE_ATTESTATION_STATES,
    AttestationRequest,
    CompetencyMapping,
    CriterionMapping,
    EvidenceItem,
    ItemKind,
    Portfolio,
    PortfolioSection,
    SectionComment,
    Submission,
)
from credo.portfolios.services.readiness import Readiness, readiness_of
from credo.programmes.models import Cohort, Enrolment, EnrolmentState


class Stage(TextChoices):
    """Where a learner's portfolio stands, as staff filter and read it."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    READY = "ready", "Ready to submit"
    SUBMITTED = "submitted", "Submitted"


def _readiness(portfolios: list[Portfolio]) -> Mapping[int, Readiness]:
    """Whether each portfolio is ready to submit, by portfolio id (a portfolio left out is not ready).

    The one place the progress lists call the readiness check from (a fixed number of queries for any number).
    """
    return readiness_of(portfolios)


@dataclass(frozen=True)
class LearnerProgress:
    enrolment: Enrolment
    portfolio_id: int | None
    sections: int
    sections_started: int
    items: int
    texts: int
    files: int
    links: int
    words: int
    attestations_received: int
    attestations_pending: int
    attempt: int
    submitted: bool
    ready: bool

    @property
    def started(self) -> bool:
        return bool(self.items or self.attestations_received or self.attestations_pending)

    @property
    def stage(self) -> Stage:
        if self.submitted:
            return Stage.SUBMITTED
        if self.ready:
            return Stage.READY
        return Stage.IN_PROGRESS if self.started else Stage.NOT_STARTED

    @property
    def stage_label(self) -> str:
        return str(self.stage.label)


def _per_portfolio(rows: QuerySet[Any], aggregate: Any) -> Coalesce:
    """One number per portfolio, as a subquery of the portfolio query (0 when there are no rows)."""
    grouped = rows.filter(portfolio=OuterRef("pk")).order_by().values("portfolio").annotate(value=aggregate)
    return Coalesce(Subquery(grouped.values("value")[:1], output_field=IntegerField()), Value(0))


def _counted(portfolios: QuerySet[Portfolio]) -> QuerySet[Portfolio]:
    items = EvidenceItem.objects.all()
    requests = AttestationRequest.objects.all()
    return portfolios.annotate(
        n_sections=_per_portfolio(PortfolioSection.objects.all(), Count("pk")),
        n_sections_started=_per_portfolio(
            PortfolioSection.objects.filter(items__isnull=False), Count("pk", distinct=True)
        ),
        n_items=_per_portfolio(items, Count("pk")),
        n_texts=_per_portfolio(items.filter(kind=ItemKind.TEXT), Count("pk")),
        n_files=_per_portfolio(items.filter(kind=ItemKind.FILE), Count("pk")),
        n_links=_per_portfolio(items.filter(kind=ItemKind.LINK), Count("pk")),
        n_words=_per_portfolio(items.filter(kind=ItemKind.TEXT), Sum("word_count")),
        n_received=_per_portfolio(requests.filter(attestation__isnull=False), Count("pk")),
        n_pending=_per_portfolio(requests.filter(state__in=LIVE_ATTESTATION_STATES), Count("pk")),
        is_submitted=Exists(Submission.objects.filter(portfolio=OuterRef("pk"), attempt=OuterRef("attempt"))),
    )


def progress_of(enrolments: Iterable[Enrolment]) -> list[LearnerProgress]:
    """Each enrolment's progress, in the order given: one query for the counts, plus the readiness check.

    ``enrolments`` is a queryset or a page of one (its rows are read once); pass them with ``learner`` selected if
    the caller shows names.
    """
    rows = list(enrolments)
    portfolios = {p.enrolment_id: p for p in _counted(Portfolio.objects.filter(enrolment_id__in=[e.pk for e in rows]))}
    ready = _readiness([p for p in portfolios.values() if not p.is_submitted])  # type: ignore[attr-defined]
    return [_progress(enrolment, portfolios.get(enrolment.pk), ready) for enrolment in rows]


def _progress(enrolment: Enrolment, portfolio: Any, ready: Mapping[int, Readiness]) -> LearnerProgress:
    if portfolio is None:
        return LearnerProgress(enrolment, None, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, submitted=False, ready=False)
    readiness = ready.get(portfolio.pk)
    return LearnerProgress(
        enrolment=enrolment,
        portfolio_id=portfolio.pk,
        sections=portfolio.n_sections,
        sections_started=portfolio.n_sections_started,
        items=portfolio.n_items,
        texts=portfolio.n_texts,
        files=portfolio.n_files,
        links=portfolio.n_links,
        words=portfolio.n_words,
        attestations_received=portfolio.n_received,
        attestations_pending=portfolio.n_pending,
        attempt=portfolio.attempt,
        submitted=portfolio.is_submitted,
        ready=bool(readiness is not None and readiness.ready),
    )


# The cohort's list, filtered before it is paginated ------------------------------------------------------------------


def _started() -> Any:
    """The enrolment's portfolio holds evidence, or the learner has asked for an attestation."""
    return Exists(EvidenceItem.objects.filter(portfolio__enrolment=OuterRef("pk"))) | Exists(
        AttestationRequest.objects.filter(portfolio__enrolment=OuterRef("pk"))
    )


def _submitted() -> Any:
    """The portfolio's current attempt has been submitted."""
    return Exists(Submission.objects.filter(portfolio__enrolment=OuterRef("pk"), attempt=F("portfolio__attempt")))


def _followed(cohort: Cohort) -> QuerySet[Enrolment]:
    """The learners whose portfolios staff follow: everyone studying, and anyone who left after starting one."""
    return Enrolment.objects.filter(cohort=cohort).filter(Q(state=EnrolmentState.ACTIVE) | Q(portfolio__isnull=False))


def cohort_learners(cohort: Cohort) -> QuerySet[Enrolment]:
    """The cohort's learners for the progress list, by name, with whether each has started and submitted."""
    return (
        _followed(cohort)
        .select_related("learner", "cohort__programme__provider")
        .annotate(started=_started(), submitted=_submitted())
        .order_by("learner__full_name", "learner__email", "pk")
    )


def _ready_portfolio_ids(cohort: Cohort) -> set[int]:
    """The cohort's unsubmitted portfolios that are ready: readiness is worked out in Python, for the whole cohort
    at once (a fixed number of queries; a cohort is tens or hundreds of learners, not millions)."""
    unsubmitted = list(
        Portfolio.objects.filter(enrolment__cohort=cohort)
        .select_related("enrolment__cohort__programme")
        .exclude(Exists(Submission.objects.filter(portfolio=OuterRef("pk"), attempt=OuterRef("attempt"))))
    )
    return {pk for pk, readiness in _readiness(unsubmitted).items() if readiness.ready}


def filter_learners(
    learners: QuerySet[Enrolment], *, cohort: Cohort, stage: str = "", search: str = ""
) -> QuerySet[Enrolment]:
    """Narrow ``cohort_learners`` by stage (a ``Stage`` value, or "" for all) and by part of a name or email."""
    if search := " ".join(search.split()):
        learners = learners.filter(Q(learner__full_name__icontains=search) | Q(learner__email__icontains=search))
    if stage == Stage.SUBMITTED:
        return learners.filter(_submitted())
    if stage not in (Stage.READY, Stage.IN_PROGRESS, Stage.NOT_STARTED):
        return learners
    ready = _ready_portfolio_ids(cohort)
    learners = learners.filter(~_submitted())
    if stage == Stage.READY:
        return learners.filter(portfolio__in=ready)
    learners = learners.exclude(portfolio__in=ready)
    return learners.filter(_started() if stage == Stage.IN_PROGRESS else ~_started())


@dataclass(frozen=True)
class CohortSummary:
    studying: int
    started: int
    submitted: int


def cohort_summary(cohort: Cohort) -> CohortSummary:
    """For the cohort's dashboard: how many learners have started their portfolio, and submitted it (one query)."""
    # The conditions are written out, not referred to by their annotations' names: Django leaves annotations out of
    # the inner query of an aggregate, so a filter naming one would count nothing.
    figures = _followed(cohort).aggregate(
        studying=Count("pk", filter=Q(state=EnrolmentState.ACTIVE)),
        started=Count("pk", filter=Q(_started())),
        submitted=Count("pk", filter=Q(_submitted())),
    )
    return CohortSummary(**figures)


# One learner's portfolio, to read -----------------------------------------------------------------------------------


def sections_to_read(portfolio: Portfolio) -> list[PortfolioSection]:
    """The sections in order, with their items (and each item's mappings), comments and attestation requests (with any
    attestation): a fixed number of queries however many there are. For the staff page and the staff API."""
    items = EvidenceItem.objects.order_by("created_at", "id").prefetch_related(
        Prefetch("mappings", queryset=CriterionMapping.objects.select_related("criterion__outcome__unit")),
        Prefetch("competency_mappings", queryset=CompetencyMapping.objects.select_related("competency")),
    )
    return list(
        portfolio.sections.order_by("position").prefetch_related(
            Prefetch("items", queryset=items),
            Prefetch("comments", queryset=SectionComment.objects.select_related("author").order_by("created_at", "id")),
            Prefetch(
                "attestation_requests",
                queryset=AttestationRequest.objects.select_related("attestation").order_by("sent_at", "id"),
            ),
        )
    )
