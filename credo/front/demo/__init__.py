"""The demo: the two real programmes from the seeds, and one person per role.

`load_demo()` is idempotent: running it again changes nothing and writes no
audit events. It holds issued credentials (see
`credentials.py`); later issues extend it (cohorts, portfolios).
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


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("catalogue@seg.example", "Priya Shah", "seg-awards", Role.PROGRAMME_ADMIN),
    DemoPerson("eqa@seg.example", "Martin Hughes", "seg-awards", Role.EXTERNAL_QA),
    DemoPerson("certification@seg.example", "Joanne Pike", "seg-awards", Role.RATIFIER),
    DemoPerson("admin@riverside.example", "Dele Okafor", "riverside-organising-centre", Role.PROGRAMME_ADMIN),
    DemoPerson("tutor@riverside.example", "Siobhan Kelly", "riverside-organising-centre", Role.FACILITATOR),
    DemoPerson("assessor@riverside.example", "Tom Birch", "riverside-organising-centre", Role.ASSESSOR),
    DemoPerson("iqa@riverside.example", "Anita Rao", "riverside-organising-centre", Role.INTERNAL_QA),
    DemoPerson("learner@riverside.example", "Jordan Ellis", "riverside-organising-centre", Role.LEARNER),
    DemoPerson("admin@otago.example", "Hannah McLeod", "otago-polytechnic", Role.PROGRAMME_ADMIN),
    DemoPerson("assessor@otago.example", "Rawiri Parata", "otago-polytechnic", Role.ASSESSOR),
    DemoPerson("moderator@otago.example", "Fiona Grant", "otago-polytechnic", Role.INTERNAL_QA),
    DemoPerson("ratifier@otago.example", "David Chen", "otago-polytechnic", Role.RATIFIER),
    DemoPerson("admin@inspiring.example", "Mere Walker", "inspiring-communities", Role.PROGRAMME_ADMIN),
    DemoPerson("facilitator@inspiring.example", "Sione Tupou", "inspiring-communities", Role.FACILITATOR),
    DemoPerson("assessor@inspiring.example", "Kate Morrison", "inspiring-communities", Role.ASSESSOR),
    DemoPerson("moderator@inspiring.example", "Aroha Ngata", "inspiring-communities", Role.INTERNAL_QA),
    DemoPerson("learner@inspiring.example", "Leilani Fa'amausili", "inspiring-communities", Role.LEARNER),
    DemoPerson("outsider@elsewhere.example", "Olive Outsider", None, None),
    DemoPerson(GRADUATE, "Hemi Tāwhiri", None, None),
)
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
    return report


def logins() -> list[tuple[str, str]]:
    """(email, what they are) for every demo account, for `make demo` to print."""
    names = dict(Organisation.objects.values_list("slug", "name"))
    rows = [(OPERATOR.email, "platform operator (Django admin at /operator/)")]
    for person in PEOPLE:
        if person.organisation and person.role:
            organisation = names.get(person.organisation, person.organisation)
            rows.append((person.email, f"{Role(person.role).label} at {organisation}"))
        elif person.email == GRADUATE:
            rows.append((person.email, "past graduate of the micro-credential, holding its credential"))
        else:
            rows.append((person.email, "outsider: belongs to no organisation"))
    return rows
