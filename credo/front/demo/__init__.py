"""The demo: the two real programmes from the seeds, and one person per role.

`load_demo()` is idempotent: running it again changes nothing and writes no
audit events. It holds issued credentials (see
`credentials.py`), cohorts and their learners (`programmes.py`, `programmes_history.py`), and the
learners' portfolios (`portfolios.py`). The one live attestation link it makes is kept in var/ so
that `load_demo` and `demo_logins` can print it (its token is stored nowhere else).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from allauth.account.models import EmailAddress
from django.db import transaction

from credo.accounts.models import Membership, Organisation, Role, User
from credo.accounts.services import add_membership
from credo.catalogue.interchange import ImportReport, import_catalogue, parse_document
from credo.front.demo.credentials import load_credentials
from credo.front.demo.portfolios import load_portfolios
from credo.front.demo.programme_pages import load_programme_pages
from credo.front.demo.programmes import load_programmes

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")
#: Every demo account has this password. Demo data only: never load it into a real installation.
DEMO_PASSWORD = "credo-demo-pass"  # noqa: S105 - published demo logins, by design
ACTOR = "demo:load_demo"
#: A past graduate of the micro-credential, holding its credential (brought in by the demo's bulk award).
GRADUATE = "graduate@inspiring.example"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    organisation: str | None
    role: str | None
    #: The job as the people in these organisations would name it, for the logins `make demo` prints.
    job: str = ""


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("catalogue@seg.example", "Priya Shah", "seg-awards", Role.PROGRAMME_ADMIN,
               "qualification admin (keeps the catalogue, issues the certificates)"),
    DemoPerson("eqa@seg.example", "Martin Hughes", "seg-awards", Role.EXTERNAL_QA,
               "external quality assurer (samples the centres' assessments)"),
    DemoPerson("certification@seg.example", "Joanne Pike", "seg-awards", Role.RATIFIER,
               "certification officer (ratifies results)"),
    DemoPerson("admin@riverside.example", "Dele Okafor", "riverside-organising-centre", Role.PROGRAMME_ADMIN,
               "centre manager (sets up courses, fees and staff)"),
    DemoPerson("tutor@riverside.example", "Siobhan Kelly", "riverside-organising-centre", Role.FACILITATOR,
               "tutor (runs workshops and check-ins)"),
    DemoPerson("assessor@riverside.example", "Tom Birch", "riverside-organising-centre", Role.ASSESSOR,
               "assessor (marks portfolios)"),
    DemoPerson("iqa@riverside.example", "Anita Rao", "riverside-organising-centre", Role.INTERNAL_QA,
               "internal quality assurer (checks the assessors' marking)"),
    DemoPerson("learner@riverside.example", "Jordan Ellis", "riverside-organising-centre", Role.LEARNER,
               "learner"),
    DemoPerson("admin@otago.example", "Hannah McLeod", "otago-polytechnic", Role.PROGRAMME_ADMIN,
               "credential staff (issues the micro-credential's badges)"),
    DemoPerson("assessor@otago.example", "Rawiri Parata", "otago-polytechnic", Role.ASSESSOR,
               "assessor"),
    DemoPerson("moderator@otago.example", "Fiona Grant", "otago-polytechnic", Role.INTERNAL_QA,
               "moderator (checks the assessors' marking)"),
    DemoPerson("ratifier@otago.example", "David Chen", "otago-polytechnic", Role.RATIFIER,
               "academic committee (ratifies results, which issues the badges)"),
    DemoPerson("admin@inspiring.example", "Mere Walker", "inspiring-communities", Role.PROGRAMME_ADMIN,
               "programme coordinator (sets up cohorts, fees and workshops; answers learners)"),
    DemoPerson("facilitator@inspiring.example", "Sione Tupou", "inspiring-communities", Role.FACILITATOR,
               "facilitator (runs workshops and 1:1 check-ins)"),
    DemoPerson("assessor@inspiring.example", "Kate Morrison", "inspiring-communities", Role.ASSESSOR,
               "assessor (assesses portfolios)"),
    DemoPerson("moderator@inspiring.example", "Aroha Ngata", "inspiring-communities", Role.INTERNAL_QA,
               "moderator (checks the assessors' decisions)"),
    DemoPerson("learner@inspiring.example", "Leilani Fa'amausili", "inspiring-communities", Role.LEARNER,
               "learner on the 2024 cohort of the CLD micro-credential (portfolio submitted)"),
    DemoPerson("sina.tuilagi@inspiring.example", "Sina Tuilagi", "inspiring-communities", Role.LEARNER,
               "learner on the 2024 cohort, given more time: portfolio ready to submit"),
    DemoPerson("mei.zhao@inspiring.example", "Mei Lin Zhao", "inspiring-communities", Role.LEARNER,
               "learner on the 2024 cohort, given more time: half way, waiting for an attestation"),
    DemoPerson("outsider@elsewhere.example", "Olive Outsider", None, None,
               "an outsider: belongs to no organisation, sees only public pages"),
    DemoPerson(GRADUATE, "Hemi Tāwhiri", None, None,
               "a graduate of the CLD micro-credential, holding its badge"),
)  # fmt: skip
OPERATOR = DemoPerson("operator@credo.example", "Platform Operator", None, None)


def _person(person: DemoPerson, *, operator: bool = False) -> User:
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = User.objects.create_user(
            email=person.email,
            password=DEMO_PASSWORD,
            full_name=person.full_name,
            is_staff=operator,
            is_superuser=operator,
        )
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def load_demo() -> ImportReport:
    report = import_catalogue(actor=ACTOR, document=parse_document(CATALOGUE_FILE.read_text(encoding="utf-8")))
    organisations = {org.slug: org for org in Organisation.objects.all()}
    _person(OPERATOR, operator=True)
    people = {}
    for person in PEOPLE:
        user = people[person.email] = _person(person)
        if person.organisation and person.role:
            organisation = organisations[person.organisation]
            if not Membership.objects.filter(user=user, organisation=organisation, role=person.role).exists():
                add_membership(actor=ACTOR, organisation=organisation, user=user, role=person.role)
    load_credentials()
    load_programmes(people)
    load_programme_pages(people)
    load_portfolios(people)
    return report


def logins() -> list[tuple[str, str]]:
    """(email, who they are) for every demo account, for `make demo` to print: the organisation and the job
    as its people would say it, then the role credo gives it."""
    names = dict(Organisation.objects.values_list("slug", "name"))
    rows = [(OPERATOR.email, "credo's operator (Django admin at /operator/, the outbox at /dev/outbox/)")]
    for person in PEOPLE:
        if person.organisation and person.role:
            organisation = names.get(person.organisation, person.organisation)
            rows.append((person.email, f"{organisation} — {person.job} [{Role(person.role).label.lower()}]"))
        else:
            rows.append((person.email, person.job))
    return rows
