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
from credo.portfolios.models import (
    AttestationRequest,
    EvidenceItem,
    Portfolio,
    PortfolioSection,
    SectionComment,
    Submission,
    SubmittedFile,
)
from credo.portfolios.services.portfolios import portfolio_for
from credo.programmes.access.common import is_facilitator
from credo.programmes.models import Cohort, Enrolment

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


# Staff: a cohort's portfolios, and comments on a section --------------------------------------------------------------


def may_comment(user: Any, enrolment: Enrolment) -> bool:
    """Formative comments come from the people who support the learner: the cohort's facilitators and the provider's
    programme admins (assessors judge the submission, later, through the assessment app)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cohort = enrolment.cohort
    return Role.PROGRAMME_ADMIN in roles_in(user, cohort.programme.provider) or is_facilitator(user, cohort)


def cohort_for_portfolio_staff(user: Any, public_id: Any) -> Cohort:
    """A cohort whose portfolios the viewer may follow: its facilitators, the provider's programme admins and
    assessors. Someone with another role at the provider (a facilitator of another cohort) is refused (403)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404("No such cohort.")
    cohort = Cohort.objects.select_related("programme__provider").filter(public_id=public_id).first()
    if cohort is None:
        raise Http404("No such cohort.")
    roles = roles_in(user, cohort.programme.provider)
    if roles & READERS_AT_PROVIDER or is_facilitator(user, cohort):
        return cohort
    if roles - {Role.LEARNER}:
        raise PermissionDenied("Your role at this provider does not include following this cohort's portfolios.")
    raise Http404("No such cohort.")


def item_for_staff(portfolio: Portfolio, item_id: int) -> EvidenceItem:
    """One evidence item of a portfolio already loaded through ``portfolio_for_staff``."""
    item = EvidenceItem.objects.filter(portfolio=portfolio, pk=item_id).select_related("section").first()
    if item is None:
        raise Http404("No such evidence in this portfolio.")
    return item


def section_for_staff(portfolio: Portfolio, section_id: int) -> PortfolioSection:
    section = PortfolioSection.objects.filter(portfolio=portfolio, pk=section_id).first()
    if section is None:
        raise Http404("No such section in this portfolio.")
    section.portfolio = portfolio
    return section


def comment_for_staff(portfolio: Portfolio, comment_id: int) -> SectionComment:
    comment = (
        SectionComment.objects.filter(section__portfolio=portfolio, pk=comment_id)
        .select_related("section", "author")
        .first()
    )
    if comment is None:
        raise Http404("No such comment on this portfolio.")
    comment.section.portfolio = portfolio
    return comment


# Submissions (the submit area) ----------------------------------------------------------------------------------
# A learner reads their own submissions for as long as their enrolment exists, also once it has ended: the loaders
# above return an existing portfolio whatever the enrolment's state. Only programme admins extend deadlines.


def own_submission(user: Any, enrolment_id: int, attempt: int) -> Submission:
    """One of the signed-in learner's own submitted attempts."""
    portfolio = own_portfolio(user, enrolment_id)
    submission = Submission.objects.filter(portfolio=portfolio, attempt=attempt).first()
    if submission is None:
        raise Http404("No such submission.")
    submission.portfolio = portfolio
    return submission


def own_submitted_file(user: Any, enrolment_id: int, attempt: int, file_id: int) -> SubmittedFile:
    submission = own_submission(user, enrolment_id, attempt)
    stored = SubmittedFile.objects.filter(submission=submission, pk=file_id).first()
    if stored is None:
        raise Http404("No such file in this submission.")
    return stored


def portfolio_for_deadlines(user: Any, enrolment_id: int) -> Portfolio:
    """A learner's portfolio, for one of the provider's programme admins to change its deadline."""
    portfolio = portfolio_for_staff(user, enrolment_id)
    if Role.PROGRAMME_ADMIN not in roles_in(user, portfolio.enrolment.cohort.programme.provider):
        raise PermissionDenied("Only the provider's programme admins can change a learner's deadline.")
    return portfolio


# Attestations (the attest area) -----------------------------------------------------------------------------------
# The learner's own sections and requests, through their own portfolio; the attestor, who has no account, reaches a
# request only through its link (services.attestations.open_request), never through these.


def own_section(user: Any, enrolment_id: int, section_id: int) -> PortfolioSection:
    """A section of the signed-in learner's own portfolio."""
    portfolio = own_portfolio(user, enrolment_id)
    section = PortfolioSection.objects.filter(portfolio=portfolio, pk=section_id).first()
    if section is None:
        raise Http404("No such part of your portfolio.")
    section.portfolio = portfolio
    return section


def own_attestation_request(user: Any, enrolment_id: int, request_id: int) -> AttestationRequest:
    """One of the attestation requests of the signed-in learner's own portfolio, with its attestation if written."""
    portfolio = own_portfolio(user, enrolment_id)
    request = (
        AttestationRequest.objects.select_related("section", "attestation")
        .filter(portfolio=portfolio, pk=request_id)
        .first()
    )
    if request is None:
        raise Http404("No such attestation request.")
    request.portfolio = portfolio
    request.section.portfolio = portfolio
    return request


# The learner's own sections and evidence --------------------------------------------------------------------------
# Each loads the portfolio through ``own_portfolio`` first, so "not yours" is a 404 before anything else is read.


def own_section_at(user: Any, enrolment_id: int, position: int) -> PortfolioSection:
    """One section of the signed-in learner's own portfolio, by its position (1, 2, …): the learner's pages' URLs."""
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
