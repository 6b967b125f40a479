"""Permission-checked loaders for portfolios: views and endpoints get a portfolio only through these.

The learner reads and writes their own. The cohort's facilitators, and the provider's programme admins and
assessors, read it. Anyone else (another learner, another provider's staff, someone signed out) learns nothing
(404); someone with another role at the provider is refused (403).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from credo.accounts.access import roles_in
from credo.accounts.models import Role
from credo.portfolios.models import EvidenceItem, Portfolio, PortfolioSection
from credo.portfolios.services.portfolios import portfolio_for
from credo.programmes.access.common import is_facilitator
from credo.programmes.models import Enrolment

#: Roles at the learner's provider that may read every portfolio there (facilitators: only their cohorts').
READERS_AT_PROVIDER = frozenset({Role.PROGRAMME_ADMIN, Role.ASSESSOR})


def _enrolment(pk: int, **filters: Any) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_related("cohort__programme__provider", "learner").filter(pk=pk, **filters).first()
    )
    if enrolment is None:
        raise Http404("No such portfolio.")
    return enrolment


def _portfolio(enrolment: Enrolment) -> Portfolio:
    """The portfolio, made on first use once study has started (see docs/decisions/0009)."""
    try:
        portfolio = portfolio_for(enrolment=enrolment)
    except ValidationError:
        raise Http404("There is no portfolio yet: it opens when study starts.") from None
    portfolio.enrolment = enrolment
    return portfolio


def own_portfolio(user: Any, enrolment_id: int) -> Portfolio:
    """The signed-in learner's own portfolio for one of their enrolments."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such portfolio.")
    return _portfolio(_enrolment(enrolment_id, learner_id=user.pk))


def can_read_as_staff(user: Any, enrolment: Enrolment) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    roles = roles_in(user, enrolment.cohort.programme.provider)
    return bool(roles & READERS_AT_PROVIDER) or is_facilitator(user, enrolment.cohort)


def portfolio_for_staff(user: Any, enrolment_id: int) -> Portfolio:
    """A learner's portfolio, to read, for the staff who support and assess them."""
    enrolment = _enrolment(enrolment_id)
    if not can_read_as_staff(user, enrolment):
        if getattr(user, "is_authenticated", False) and roles_in(user, enrolment.cohort.programme.provider) - {
            Role.LEARNER
        }:
            raise PermissionDenied("Your role at this provider does not include reading learners' portfolios.")
        raise Http404("No such portfolio.")
    return _portfolio(enrolment)


# The learner's own sections and evidence --------------------------------------------------------------------------
# Each loads the portfolio through ``own_portfolio`` first, so "not yours" is a 404 before anything else is read.


def own_section(user: Any, enrolment_id: int, position: int) -> PortfolioSection:
    """One section of the signed-in learner's own portfolio, by its position (1, 2, …)."""
    portfolio = own_portfolio(user, enrolment_id)
    section = PortfolioSection.objects.filter(portfolio=portfolio, position=position).first()
    if section is None:
        raise Http404("Your portfolio has no such section.")
    section.portfolio = portfolio
    return section


def own_item(user: Any, enrolment_id: int, item_id: int) -> EvidenceItem:
    """One piece of evidence in the signed-in learner's own portfolio."""
    portfolio = own_portfolio(user, enrolment_id)
    item = EvidenceItem.objects.select_related("section").filter(portfolio=portfolio, pk=item_id).first()
    if item is None:
        raise Http404("That evidence is not in your portfolio (it may have been removed).")
    item.portfolio = portfolio
    item.section.portfolio = portfolio
    return item
