"""Submissions made through the portfolios' own services, and a movable clock, for the assessment tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from credo.catalogue.models import AssessmentCriterion
from credo.portfolios.models import Submission
from credo.portfolios.services import evidence, mapping, submissions
from credo.portfolios.services.portfolios import portfolio_for
from credo.portfolios.tests.builders import studying
from credo.portfolios.tests.submission_builders import make_ready
from credo.programmes.models import Cohort


@dataclass
class Clock:
    """What ``django.utils.timezone.now`` returns in these tests; ``move`` sets it (a UTC-aware moment)."""

    moment: datetime.datetime

    def now(self) -> datetime.datetime:
        return self.moment

    def move(self, moment: datetime.datetime) -> None:
        self.moment = moment.astimezone(datetime.UTC)

    def advance(self, **delta: float) -> None:
        self.moment += datetime.timedelta(**delta)


def submitted(cohort: Cohort, email: str, full_name: str = "A Learner") -> Submission:
    """A learner of ``cohort`` (made studying) submits attempt 1 of a complete portfolio.

    For the CLD builder's micro-credential: a case study with its attestation, a reflection and a file. For the SEG
    builder's award (no template: a section per unit): a text in each section, mapped to all its unit's criteria.
    """
    admin = cohort.programme.provider.memberships.filter(role="programme_admin").first()
    enrolment = studying(cohort, admin.user if admin else None, email, full_name)
    learner = enrolment.learner
    portfolio = portfolio_for(enrolment=enrolment)
    if portfolio.sections.filter(unit__isnull=False).exists():
        for section in portfolio.sections.select_related("unit"):
            item = evidence.add_text(
                section=section, actor=learner, title=f"Account for {section.title}", html="<p>What I did.</p>"
            )
            criteria = AssessmentCriterion.objects.filter(outcome__unit=section.unit)
            mapping.map_evidence(item=item, actor=learner, criteria=criteria)
    else:
        make_ready(portfolio, learner)
    return submissions.submit(portfolio=portfolio, actor=learner, declaration_accepted=True)


def resubmitted(submission: Submission) -> Submission:
    """The learner submits the next attempt as it stands (the portfolio must have been reopened)."""
    portfolio = submission.portfolio
    portfolio.refresh_from_db()
    return submissions.submit(portfolio=portfolio, actor=portfolio.enrolment.learner, declaration_accepted=True)
