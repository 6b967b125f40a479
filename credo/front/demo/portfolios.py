"""The demo's portfolios, built through the services learners, attestors and staff use.

The 2024 CLD cohort's learners are at every stage a facilitator meets:

* Leilani studied steadily and submitted her whole portfolio, with both attestations, on 28 August 2024: her
  submission is what the assessment side reads.
* Sina has everything, both attestations included, and is ready to submit: the coordinator gave her more time
  after a bereavement in August.
* Mei fell behind: she has her background and half a case study, and has asked one participant for an
  attestation, still waiting (its link is the one ``load_demo`` prints, so a newcomer can be the attestor). She
  too has more time.
* Rangi started late and has an empty portfolio.

At the SEG centre, Jordan (who holds the Level 3 Award's units) is studying for the Level 3 Certificate in a
cohort that started eight weeks ago, with a reflective account and a conversation log mapped to the criteria.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from fpdf import FPDF

from credo.accounts.models import User
from credo.catalogue.models import AssessmentCriterion, Qualification
from credo.front.demo import portfolio_texts as texts
from credo.front.demo.programmes_history import AUCKLAND, LONDON, demo_user
from credo.portfolios.models import EvidenceItem, Portfolio, PortfolioSection
from credo.portfolios.services import evidence, mapping
from credo.portfolios.services.portfolios import portfolio_for
from credo.programmes.models import Cohort, Enrolment, OrganisationType, Programme
from credo.programmes.services import cohorts, enrolments


def _pdf(title: str, lines: list[str]) -> bytes:
    """A small real PDF (an agenda, a log) so that the demo's files open like a learner's would."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _upload(section: PortfolioSection, learner: User, name: str, title: str, lines: list[str]) -> EvidenceItem:
    content = _pdf(title, lines)
    return evidence.add_file(
        section=section,
        actor=learner,
        uploaded_file=SimpleUploadedFile(name, content, content_type="application/pdf"),
        title=title,
    )


def _section(portfolio: Portfolio, position: int) -> PortfolioSection:
    return portfolio.sections.get(position=position)


# --- The SEG centre: Jordan studies for the Level 3 Certificate -------------------------------------------------

JORDAN = "learner@riverside.example"
RUNNING_WEEKS = 8
#: The unit Jordan is gathering evidence for now (Working with individuals and groups).
JORDAN_UNIT = "F/615/8318"


def _running_certificate_cohort(admin: User, tutor: User, today: datetime.date) -> Cohort:
    """The centre's Level 3 Certificate course that started eight weeks before the demo is loaded."""
    programme = Programme.objects.get(provider__slug="riverside-organising-centre", slug="l3-certificate")
    starts = today - datetime.timedelta(weeks=RUNNING_WEEKS)
    fees = [
        {
            "code": "standard",
            "name": "Course fee",
            "amount": "795.00",
            "organisation_types": list(OrganisationType.values),
        }
    ]
    cohort = cohorts.create_cohort(
        actor=admin,
        programme=programme,
        fee_tiers=fees,
        name=f"{starts:%B %Y} cohort",
        slug="running",
        time_zone=LONDON,
        registration_opens=cohorts.local_moment(starts - datetime.timedelta(weeks=6), datetime.time(9), LONDON),
        registration_closes=cohorts.end_of_day(starts - datetime.timedelta(days=7), LONDON),
        study_starts=starts,
        study_ends=starts + datetime.timedelta(weeks=24),
        submission_deadline=cohorts.end_of_day(starts + datetime.timedelta(weeks=26), LONDON),
        assessment_starts=starts + datetime.timedelta(weeks=26, days=1),
        assessment_ends=starts + datetime.timedelta(weeks=30),
        currency="GBP",
        tax_name="",
        tax_rate=Decimal("0"),
    )
    cohorts.assign_facilitators(cohort, actor=admin, facilitators=[tutor])
    return cohort


def _jordan_studying(cohort: Cohort, admin: User, jordan: User) -> Enrolment:
    enrolment = enrolments.register(
        cohort=cohort,
        learner=jordan,
        organisation_name="Northbank Tenants' Association",
        organisation_type=OrganisationType.COMMUNITY,
        terms_accepted=True,
        registered_by=admin,  # the centre enrolled its Level 3 Award holders onto the Certificate itself
    )
    invoice = enrolment.invoices.get()
    enrolments.record_payment(invoice, actor=admin, paid_on=invoice.issued_on, reference="Demo bank transfer")
    enrolment.refresh_from_db()
    return enrolments.activate(enrolment, actor=admin)


def _jordan_portfolio(enrolment: Enrolment, jordan: User) -> Portfolio:
    """A reflective account and a conversation log for the first unit he does not hold yet, mapped to its criteria.

    He holds the Level 3 Award's three units (the demo's credentials), which count towards the Certificate, so he
    starts on the first of the others.
    """
    portfolio = portfolio_for(enrolment=enrolment, actor=jordan)
    section = portfolio.sections.get(title=f"Evidence for {JORDAN_UNIT}")
    account = evidence.add_text(
        section=section, actor=jordan, title="Reflective account: listening campaign", html=texts.SEG_REFLECTIVE_ACCOUNT
    )
    log = _upload(
        section,
        jordan,
        "conversation-log.pdf",
        "Log of one-to-one conversations",
        [f"Conversation {n}: tenant, Northbank estate; issues raised: damp, repairs, rent." for n in range(1, 11)],
    )
    criteria = list(
        mapping.criteria_of(enrolment.cohort.programme.qualification_id).filter(outcome__unit__code=JORDAN_UNIT)
    )
    mapping.map_evidence(item=account, actor=jordan, criteria=criteria[:3])
    mapping.map_evidence(item=log, actor=jordan, criteria=criteria[:1])
    return portfolio


def load_seg_portfolio(people: dict[str, Any]) -> None:
    today = timezone.localdate(timezone.now(), cohorts.zone(LONDON))
    admin, tutor = people["admin@riverside.example"], people["tutor@riverside.example"]
    cohort = _running_certificate_cohort(admin, tutor, today)
    _jordan_portfolio(_jordan_studying(cohort, admin, people[JORDAN]), people[JORDAN])


def _unused(*_: object) -> None:  # keep imports referenced until the CLD part lands
    _ = (AUCKLAND, AssessmentCriterion, demo_user, io)
