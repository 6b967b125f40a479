"""Making a learner's portfolio: lazily, on first use, and safely when two requests try at once.

See docs/decisions/0009-portfolio-created-lazily.md: programmes must not depend on portfolios, so
starting study does not make the portfolio; the first page or service that needs it does.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from credo.audit.services import record_event
from credo.catalogue.models import GroupUnit, PortfolioTemplate, Qualification, TemplateSection
from credo.portfolios.models import Portfolio, PortfolioSection
from credo.programmes.models import Enrolment, EnrolmentState

NOT_STARTED = "Your portfolio opens when your study starts."


def _existing(enrolment: Enrolment) -> Portfolio | None:
    return Portfolio.objects.filter(enrolment_id=enrolment.pk).first()


def portfolio_for(*, enrolment: Enrolment, actor: Any = "system") -> Portfolio:
    """The enrolment's portfolio, made (with its sections) the first time it is needed, once study has started.

    Two requests may both find none and both try to make it: the database lets one in (one portfolio per
    enrolment) and the other, refused, returns the one that was made.
    """
    if (portfolio := _existing(enrolment)) is not None:
        return portfolio
    if enrolment.state != EnrolmentState.ACTIVE:
        raise ValidationError(NOT_STARTED)
    try:
        with transaction.atomic():
            return _create(enrolment, actor=actor)
    except IntegrityError:
        if (portfolio := _existing(enrolment)) is not None:
            return portfolio
        raise


def _create(enrolment: Enrolment, *, actor: Any) -> Portfolio:
    enrolment = Enrolment.objects.select_related("cohort__programme__qualification").get(pk=enrolment.pk)
    qualification = enrolment.cohort.programme.qualification
    portfolio = Portfolio.objects.create(enrolment=enrolment)
    sections = _sections_from_template(portfolio, qualification) or _sections_by_unit(portfolio, qualification)
    if not sections:
        # Neither a template nor units (a micro-credential whose template is not written yet): one place for evidence.
        sections = [PortfolioSection(portfolio=portfolio, position=1, title="Evidence")]
    PortfolioSection.objects.bulk_create(sections)
    record_event(
        actor=actor,
        action="portfolios.portfolio_created",
        obj=portfolio,
        organisation_id=enrolment.cohort.programme.provider_id,
        details={"enrolment": enrolment.pk, "qualification": qualification.code, "sections": len(sections)},
    )
    return portfolio


def _sections_from_template(portfolio: Portfolio, qualification: Qualification) -> list[PortfolioSection]:
    """The template's sections as they read now: what the learner sees does not change if the template is edited."""
    template = PortfolioTemplate.objects.filter(qualification=qualification).first()
    if template is None:
        return []
    template_sections = TemplateSection.objects.filter(template=template).prefetch_related("requirements")
    return [
        PortfolioSection(
            portfolio=portfolio,
            position=index,
            title=section.title,
            guidance=section.guidance,
            min_words=section.min_words,
            max_words=section.max_words,
            requirements=[
                {
                    "kind": requirement.kind,
                    "description": requirement.description,
                    "min_count": requirement.min_count,
                    "attestor_relationship": requirement.attestor_relationship,
                }
                for requirement in section.requirements.all()
            ],
            template_section=section,
        )
        for index, section in enumerate(template_sections.order_by("position"), start=1)
    ]


def _sections_by_unit(portfolio: Portfolio, qualification: Qualification) -> list[PortfolioSection]:
    """One section per unit, in the order of the rules of combination; the unit keeps its outcomes and criteria."""
    memberships = (
        GroupUnit.objects.filter(qualification=qualification)
        .select_related("unit")
        .order_by("group__position", "group_id", "position", "id")
    )
    return [
        PortfolioSection(portfolio=portfolio, position=index, title=f"{m.unit.code} {m.unit.title}", unit=m.unit)
        for index, m in enumerate(memberships, start=1)
    ]
