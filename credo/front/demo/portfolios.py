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
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone
from fpdf import FPDF

from credo.accounts.models import User
from credo.catalogue.models import Competency
from credo.front.demo import portfolio_texts as texts
from credo.front.demo.programmes import CENTRE_SESSIONS, centre_sessions
from credo.front.demo.programmes_history import AUCKLAND, LONDON
from credo.portfolios.models import (
    AttestationRequest,
    EvidenceItem,
    EvidenceVersion,
    Portfolio,
    PortfolioSection,
)
from credo.portfolios.services import attestation_links, attestations, evidence, mapping, submissions
from credo.portfolios.services.portfolios import portfolio_for
from credo.programmes.models import Cohort, Enrolment, OrganisationType, Programme
from credo.programmes.services import cohorts, enrolments
from credo.programmes.services.cohorts import local_moment


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
    centre_sessions(cohort, admin, *CENTRE_SESSIONS["l3-certificate"])  # the first two are behind them
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


# --- The 2024 CLD cohort ------------------------------------------------------------------------------------------

LEILANI = "learner@inspiring.example"
MEI = "mei.zhao@inspiring.example"
SINA = "sina.tuilagi@inspiring.example"
RANGI = "rangi.hohaia@inspiring.example"
#: The template's parts, by position (the seed's six).
BACKGROUND, CASE_STUDY, ATTESTATIONS, DOCUMENTS, REFLECTIONS, PLAN = range(1, 7)
#: The two attestations the seed asks for: the requirement's index in the Attestations part, and who writes it.
PARTICIPANT, PEER_OR_MANAGER = 0, 1
#: Where ``load_demo`` keeps the one live attestation link it prints (the link's token is stored nowhere else).
LINK_FILE = "demo-attestation-link.txt"
#: How long the coordinator gave Sina and Mei, from the day the demo is loaded.
MORE_TIME = datetime.timedelta(weeks=6)


def _auckland(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return local_moment(day, datetime.time(hour, minute), AUCKLAND)


def _write_everything(portfolio: Portfolio, learner: User, *, case_study: str = texts.CASE_STUDY) -> None:
    """Every part the seed lists but the attestations: text in each, and an agenda as a supporting document."""
    sections = {section.position: section for section in portfolio.sections.all()}
    evidence.add_text(section=sections[BACKGROUND], actor=learner, title="My background", html=texts.BACKGROUND)
    story = evidence.add_text(section=sections[CASE_STUDY], actor=learner, title="The rangatahi hui", html=case_study)
    agenda = _upload(
        sections[DOCUMENTS],
        learner,
        "hui-agenda.pdf",
        "Rangatahi hui: agenda and action plan",
        [
            "5.30 pm Karakia and welcome, by the planning group",
            "5.45 pm Table conversations: what is there for us after school? what should change?",
            "6.45 pm Report back, and the three actions we agree",
            "Actions: Friday sports drop-in; homework space at the library; a rangatahi seat on the youth panel",
        ],
    )
    evidence.add_text(
        section=sections[REFLECTIONS], actor=learner, title="Critical reflections", html=texts.REFLECTIONS
    )
    evidence.add_text(section=sections[PLAN], actor=learner, title="My plan", html=texts.PLAN)
    competencies = list(
        Competency.objects.filter(qualification_id=portfolio.enrolment.cohort.programme.qualification_id)
    )
    mapping.map_competencies(item=story, actor=learner, competencies=competencies[:4])
    mapping.map_competencies(item=agenda, actor=learner, competencies=competencies[1:3])
    evidence.set_sharing(item=agenda, actor=learner, share=True)


#: Who attests each learner's work: (requirement, name, email, relationship, how they know the learner, statement,
#: days after asking that they wrote it).
ATTESTORS = {
    LEILANI: (
        (PARTICIPANT, "Losa Faleolo", "losa.faleolo@example.org", "participant",
         "I was on the planning group for the hui.", texts.PARTICIPANT_ATTESTATION, 3),
        (PEER_OR_MANAGER, "Grace Tuimavave", "grace.tuimavave@example.org", "manager",
         "I am the Collective's manager, and hers.", texts.MANAGER_ATTESTATION, 6),
    ),
    SINA: (
        (PARTICIPANT, "Mele Vaka", "mele.vaka@example.org", "participant",
         "I am one of the neighbours who came to the hui.", texts.SINA_PARTICIPANT_ATTESTATION, 2),
        (PEER_OR_MANAGER, "Huia Kereama", "huia.kereama@example.org", "mentor",
         "I have been her mentor since 2022.", texts.SINA_MENTOR_ATTESTATION, 9),
    ),
}  # fmt: skip


def _attested(portfolio: Portfolio, learner: User, asked: datetime.datetime) -> None:
    """Both attestations, asked for on ``asked`` and written within days, through each attestor's own link."""
    section = portfolio.sections.get(position=ATTESTATIONS)
    first = learner.full_name.split()[0]
    for requirement, name, email, relationship, how, statement, days in ATTESTORS[learner.email]:
        _, link = attestations.request_attestation_with_link(
            section=section,
            requirement=requirement,
            actor=learner,
            attestor_name=name,
            attestor_email=email,
            relationship=relationship,
            message=f"Kia ora, could you write a few lines about my facilitation for my micro-credential? {first}",
            now=asked,
        )
        attestations.complete_attestation(
            token=link.rstrip("/").rsplit("/", 1)[-1],
            attestor_name=name,
            attestor_role="",
            relationship=how,
            answers=[],
            statement=statement,
            declared_true=True,
            copy_requested=False,
            now=asked + datetime.timedelta(days=days),
        )


def _date_the_portfolio(portfolio: Portfolio, written: datetime.datetime) -> None:
    """Date what the evidence services stamped with the moment of loading (as ``programmes_history`` does)."""
    Portfolio.objects.filter(pk=portfolio.pk).update(created_at=written)
    EvidenceItem.objects.filter(portfolio=portfolio).update(created_at=written, updated_at=written)
    EvidenceVersion.objects.filter(item__portfolio=portfolio).update(saved_at=written)


def _leilani_submitted(enrolment: Enrolment) -> None:
    """Everything, both attestations in July, submitted three days before the deadline."""
    learner = enrolment.learner
    portfolio = portfolio_for(enrolment=enrolment, actor=learner)
    _write_everything(portfolio, learner)
    _date_the_portfolio(portfolio, _auckland(datetime.date(2024, 6, 20), 20))
    _attested(portfolio, learner, _auckland(datetime.date(2024, 7, 1), 19))
    submissions.submit(
        portfolio=portfolio, actor=learner, declaration_accepted=True, now=_auckland(datetime.date(2024, 8, 28), 21)
    )


def _more_time(portfolio: Portfolio, admin: User, reason: str) -> None:
    deadline = cohorts.end_of_day(timezone.localdate(timezone.now() + MORE_TIME, cohorts.zone(AUCKLAND)), AUCKLAND)
    submissions.grant_extension(portfolio=portfolio, actor=admin, deadline=deadline, reason=reason)


def _sina_ready(enrolment: Enrolment, admin: User) -> None:
    """Everything and both attestations; given more time after a bereavement, she has not submitted yet."""
    learner = enrolment.learner
    portfolio = portfolio_for(enrolment=enrolment, actor=learner)
    _write_everything(portfolio, learner, case_study=texts.SINA_CASE_STUDY)
    _date_the_portfolio(portfolio, _auckland(datetime.date(2024, 7, 25), 20))
    _attested(portfolio, learner, _auckland(datetime.date(2024, 8, 5), 19))
    _more_time(portfolio, admin, "A family bereavement in August: agreed with Sina that she submits when she is ready.")


def _mei_half_way(enrolment: Enrolment, admin: User) -> str:
    """Her background, a draft case study, and one attestation asked for now: the link ``load_demo`` prints."""
    learner = enrolment.learner
    portfolio = portfolio_for(enrolment=enrolment, actor=learner)
    sections = {section.position: section for section in portfolio.sections.all()}
    evidence.add_text(section=sections[BACKGROUND], actor=learner, title="My background", html=texts.MEI_BACKGROUND)
    evidence.add_text(
        section=sections[CASE_STUDY], actor=learner, title="The community garden hui", html=texts.CASE_STUDY_DRAFT
    )
    _date_the_portfolio(portfolio, _auckland(datetime.date(2024, 6, 2), 20))
    _more_time(portfolio, admin, "Council restructure from June: more time agreed at her check-in.")
    _, link = attestations.request_attestation_with_link(
        section=sections[ATTESTATIONS],
        requirement=PARTICIPANT,
        actor=learner,
        attestor_name="Tom Rangihuna",
        attestor_email="tom.rangihuna@example.org",
        relationship="participant",
        message="Kia ora Tom, you came to the garden hui: could you say what you saw of how I ran it? Thanks, Mei",
    )
    return link


def load_cld_portfolios(people: dict[str, Any]) -> str:
    """The 2024 learners' portfolios; returns the live attestation link for a newcomer to answer."""
    cohort = Cohort.objects.get(programme__slug="cld-facilitation", slug="2024")
    admin = people["admin@inspiring.example"]
    studying = {e.learner.email: e for e in cohort.enrolments.select_related("learner").filter(state="active")}
    _leilani_submitted(studying[LEILANI])
    _sina_ready(studying[SINA], admin)
    portfolio_for(enrolment=studying[RANGI], actor=studying[RANGI].learner)  # opened, nothing in it yet
    return _mei_half_way(studying[MEI], admin)


# --- The link load_demo prints ------------------------------------------------------------------------------------


def _link_file() -> Path:
    return Path(settings.VAR_DIR) / LINK_FILE


def live_attestation_link() -> str | None:
    """The demo's attestation link, if it still works (nobody has answered it, it has not expired)."""
    try:
        link = _link_file().read_text(encoding="utf-8").strip()
    except OSError:
        return None
    token = link.rstrip("/").rsplit("/", 1)[-1]
    live = AttestationRequest.objects.filter(
        Q(state__in=["sent", "opened"]), token_hash=attestation_links.token_hash(token), expires_at__gt=timezone.now()
    )
    return link if live.exists() else None


def load_portfolios(people: dict[str, Any]) -> None:
    """Skipped when the demo already has portfolios (``load_demo`` is idempotent)."""
    if Portfolio.objects.exists():
        return
    link = load_cld_portfolios(people)
    load_seg_portfolio(people)
    path = _link_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(link + "\n", encoding="utf-8")
