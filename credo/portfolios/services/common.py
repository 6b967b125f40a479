"""What every portfolio service shares: who may change a portfolio, locks, and the audit record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from credo.audit.services import record_event
from credo.portfolios.models import EvidenceItem, Portfolio, PortfolioSection
from credo.programmes.models import EnrolmentState

TITLE_MAX = 250  # EvidenceItem.title


class EditConflictError(ValidationError):
    """The item changed since the editor loaded it (another tab or window saved first)."""


def require_learner(actor: Any, portfolio: Portfolio) -> None:
    """Only the learner changes their evidence, and only while studying (staff read and comment, never edit)."""
    enrolment = portfolio.enrolment
    if getattr(actor, "pk", None) is None or actor.pk != enrolment.learner_id:
        raise PermissionDenied("Only the learner can change the evidence in their portfolio.")
    if enrolment.state != EnrolmentState.ACTIVE:
        raise ValidationError("This portfolio can only be changed while you are studying.")
    if not portfolio.is_open:
        raise ValidationError(
            "This portfolio has been submitted, so it cannot be changed now. If it is sent back for a "
            "resubmission, you can change it again then."
        )


def lock_portfolio(portfolio_id: int) -> Portfolio:
    return Portfolio.objects.select_for_update().select_related("enrolment__cohort__programme").get(pk=portfolio_id)


def lock_section(section: PortfolioSection) -> PortfolioSection:
    """The section, its portfolio locked first (every writer takes the portfolio's lock, so they queue in one order)."""
    portfolio = lock_portfolio(section.portfolio_id)
    section = PortfolioSection.objects.get(pk=section.pk)
    section.portfolio = portfolio
    return section


def lock_item(item: EvidenceItem) -> EvidenceItem:
    portfolio = lock_portfolio(item.portfolio_id)
    locked = EvidenceItem.objects.select_for_update().select_related("section").filter(pk=item.pk).first()
    if locked is None:
        raise ValidationError("That evidence is no longer in the portfolio: reload the page to see it as it is now.")
    locked.portfolio = portfolio
    return locked


def clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Give the evidence a title."})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": f"Shorten the title to {TITLE_MAX} characters or fewer."})
    return title


def audit(actor: Any, action: str, obj: Any, portfolio: Portfolio, **details: Any) -> None:
    record_event(
        actor=actor,
        action=f"portfolios.{action}",
        obj=obj,
        organisation_id=portfolio.enrolment.cohort.programme.provider_id,
        details={"portfolio": portfolio.pk, **details},
    )
