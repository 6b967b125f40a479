"""A portfolio per enrolment: made on first use once study starts, from the template or by unit, once only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.audit.services import verify_chain
from credo.catalogue import services as catalogue
from credo.catalogue.models import Qualification, TemplateSection
from credo.portfolios.models import Portfolio, PortfolioSection
from credo.portfolios.services import portfolios
from credo.portfolios.services.portfolios import portfolio_for
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.tests.support_builders import enrol

pytestmark = pytest.mark.django_db


def test_templated_portfolio_copies_the_sections_in_order(cld_portfolio: Portfolio) -> None:
    sections = list(cld_portfolio.sections.all())
    assert [(s.position, s.title) for s in sections] == [(1, "Your CLD case study"), (2, "Critical reflection")]
    first = sections[0]
    assert first.guidance == "Tell the story of one piece of work."
    assert first.suggested_length() == "1,500 to 2,500 words"
    assert first.requirements == [
        {
            "kind": "attestation",
            "description": "An attestation from a participant",
            "min_count": 1,
            "attestor_relationship": "a participant",
        }
    ]
    assert first.template_section is not None
    assert first.unit is None
    event = AuditEvent.objects.get(action="portfolios.portfolio_created")
    assert event.details["sections"] == 2
    assert verify_chain() == []


def test_a_later_template_edit_does_not_rewrite_a_live_portfolio(
    cld_portfolio: Portfolio, catalogue_admin: User, cld: Qualification
) -> None:
    draft = catalogue.start_new_version(actor=catalogue_admin, qualification=cld)
    section = TemplateSection.objects.get(template__qualification=draft, position=1)
    catalogue.update_template_section(
        actor=catalogue_admin, section=section, title="Renamed", guidance="New", min_words=None, max_words=None
    )
    assert cld_portfolio.sections.get(position=1).title == "Your CLD case study"


def test_without_a_template_the_portfolio_has_a_section_per_unit(seg_portfolio: Portfolio, seg: Qualification) -> None:
    sections = list(seg_portfolio.sections.select_related("unit"))
    assert [s.title for s in sections] == [f"{s.unit.code} {s.unit.title}" for s in sections if s.unit]
    assert len(sections) == 2
    assert sections[0].unit is not None
    assert [c.number for c in sections[0].unit.outcomes.get().criteria.all()] == ["1.1", "1.2"]


def test_the_same_portfolio_is_returned_every_time(cld_enrolment: Enrolment) -> None:
    first = portfolio_for(enrolment=cld_enrolment)
    assert portfolio_for(enrolment=cld_enrolment) == first
    assert Portfolio.objects.count() == 1
    assert PortfolioSection.objects.filter(portfolio=first).count() == 2


def test_a_learner_not_yet_studying_has_no_portfolio(cld_cohort: Cohort) -> None:
    applied = enrol(cld_cohort, "early@example.org", "Early Bird")
    with pytest.raises(ValidationError, match="opens when your study starts"):
        portfolio_for(enrolment=applied)
    assert not Portfolio.objects.exists()


def test_losing_the_race_to_create_returns_the_winners_portfolio(
    cld_enrolment: Enrolment, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests both find no portfolio; the second's insert breaks the one-per-enrolment constraint."""
    winner = portfolio_for(enrolment=cld_enrolment)
    lookups: list[Portfolio | None] = []
    real_existing = portfolios._existing

    def first_sees_none(enrolment: Enrolment) -> Portfolio | None:
        found = None if not lookups else real_existing(enrolment)
        lookups.append(found)
        return found

    monkeypatch.setattr(portfolios, "_existing", first_sees_none)
    assert portfolio_for(enrolment=cld_enrolment) == winner
    assert lookups == [None, winner]
    assert Portfolio.objects.count() == 1
    assert PortfolioSection.objects.count() == 2  # the loser's sections were rolled back with its portfolio


def test_a_failure_that_is_not_the_race_is_not_hidden(
    cld_enrolment: Enrolment, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(enrolment: Enrolment, *, actor: object) -> Portfolio:
        raise IntegrityError("something else")

    monkeypatch.setattr(portfolios, "_create", broken)
    with pytest.raises(IntegrityError):
        portfolio_for(enrolment=cld_enrolment)
