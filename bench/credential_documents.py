"""The documents the credential benchmark signs: credo's real shapes, composed the way issuance composes them.

``credo.credentials.services.issuance`` builds a credential from database rows
(issuer, achievement, attainment, status slot) with ``ob3.compose``; the same
calls are made here from the same facts, without a database: the Inspiring
Communities CLD facilitation micro-credential issued by Otago Polytechnic, and
an SEG Awards CLR transcript holding the Level 3 Award and its three units,
each of them a signed credential. Only the plain-Python library is imported, so
the benchmark's Python side needs no Django.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from credo.credentials.ob3 import compose, proofs
from credo.credentials.ob3.keys import SigningKey
from credo.credentials.ob3.status_list import PURPOSES, status_entry

#: The installation's public address (SITE_URL): every link inside a credential starts with it.
SITE = "https://credo.example"
ISSUED = datetime(2025, 10, 15, 2, 30, tzinfo=UTC)


def _achievement_url(public_id: uuid.UUID) -> str:
    return f"{SITE}/achievements/{public_id}"


def _status(slug: str, index: int) -> list[dict[str, Any]]:
    """Both status entries every credo credential carries (services.status.entries_for)."""
    return [status_entry(f"{SITE}/status/{slug}/{purpose}/1", purpose, index) for purpose in PURPOSES]


def _at_midday(day: date, zone: str) -> datetime:
    """When an attainment on ``day`` is said to have been awarded (issuance._at_midday)."""
    return datetime.combine(day, time(12), tzinfo=ZoneInfo(zone))


def _learner(name: str, email: str) -> compose.Learner:
    # A fresh salt per credential, as issuance.learner_of does.
    return compose.Learner(name=name, email=email, salt=secrets.token_hex(8))


@dataclass(frozen=True)
class Catalogued:
    """What credo's Achievement row holds (services.achievements), enough for as_ob3."""

    name: str
    description: str
    criteria: str
    achievement_type: str
    code: str
    code_type: str
    framework_name: str
    framework_code: str
    level: int
    public_id: uuid.UUID

    def as_ob3(self, creator: compose.Profile) -> compose.Achievement:
        """The OB 3.0 Achievement, as services.achievements.as_ob3 writes it."""
        url = _achievement_url(self.public_id)
        return compose.Achievement(
            id=url,
            name=self.name,
            description=self.description,
            criteria_narrative=self.criteria,
            criteria_url=f"{url}#criteria",
            achievement_type=self.achievement_type,
            human_code=self.code,
            alignments=[
                compose.Alignment(
                    target_name=f"{self.framework_code} Level {self.level}",
                    target_url=f"{url}#level",
                    target_type="ext:QualificationLevel",
                    target_code=str(self.level),
                    target_framework=self.framework_name,
                )
            ],
            identifiers=[compose.Identifier(self.code, self.code_type)],
            creator=creator,
        )


CLD_FACILITATION = Catalogued(
    name="Micro-credential in Community-led Development (CLD) Facilitation",
    description=(
        "Validates the knowledge and experience of people already working in communities who facilitate "
        "community-led development. Assessment of a written CLD case study with critical reflection and "
        "attestations about the learner's work. Self-paced: about 2 hours a week over 5 months, submitted "
        "within the year of enrolment."
    ),
    criteria="\n".join(
        [
            "A portfolio of evidence, assessed, moderated and ratified by the issuing institution.",
            "1. Background and current roles",
            "2. Case study",
            "3. Attestations",
            "4. Supporting documents",
            "5. Critical reflections",
            "6. Plan for future practice",
        ]
    ),
    achievement_type="MicroCredential",
    code="CLD-FACILITATION",
    code_type="identifier",
    framework_name="New Zealand Qualifications and Credentials Framework",
    framework_code="NZQF",
    level=5,
    public_id=uuid.UUID("0b9f6d1e-5f0a-4c43-9d8e-3a1f2c7b6e01"),
)

_RQF = "Regulated Qualifications Framework"
SEG_L3_AWARD = Catalogued(
    name="SEG Awards Level 3 Award in Community Organising",
    description=(
        "Prepares learners to develop their effectiveness in the principles and practice of community organising, "
        "with a foundation of knowledge and skills, the values, principles and processes of community organising, "
        "and an introduction to the theories that inform it."
    ),
    criteria="\n".join(
        [
            "Achieve the qualification's rules of combination:",
            "Mandatory units: all of J/615/8322 The Practice of Community Organising, D/615/8309 Community "
            "Organising Purpose, Values and Principles, L/615/8323 The Process of Community Organising.",
        ]
    ),
    achievement_type="Award",
    code="603/1941/0",
    code_type="ext:OfqualQualificationNumber",
    framework_name=_RQF,
    framework_code="RQF",
    level=3,
    public_id=uuid.UUID("5d2c8a40-7b1e-4f6a-8c3d-2e9b0a4f7c12"),
)


def _unit(code: str, title: str, outcomes: list[str], public_id: str) -> Catalogued:
    return Catalogued(
        name=title,
        description=f"Unit {code}: {title}",
        criteria="\n".join(
            [f"Achieve every learning outcome of unit {code}:", *(f"{n}. {text}" for n, text in enumerate(outcomes, 1))]
        ),
        achievement_type="ext:QualificationUnit",
        code=code,
        code_type="ext:OfqualUnitReferenceNumber",
        framework_name=_RQF,
        framework_code="RQF",
        level=3,
        public_id=uuid.UUID(public_id),
    )


SEG_L3_UNITS = (
    _unit(
        "J/615/8322",
        "The Practice of Community Organising",
        ["Be able to apply community organising approaches in practice", "Be able to evaluate own practice"],
        "9a7e3c21-0d4b-4e8f-b6a2-1c5d8f3e9b20",
    ),
    _unit(
        "D/615/8309",
        "Community Organising Purpose, Values and Principles",
        ["Understand the purpose and values of community organising", "Understand the principles"],
        "c3f1a9e7-2b6d-4a0c-8e5f-7d4b1a2c3e31",
    ),
    _unit(
        "L/615/8323",
        "The Process of Community Organising",
        ["Understand the stages of the community organising process", "Be able to plan a listening campaign"],
        "e8b2d4f6-1a3c-4e5b-9d7f-0c2e4a6b8d42",
    ),
)

OTAGO = {
    "name": "Otago Polytechnic",
    "url": "https://www.op.ac.nz/",
    "email": "credentials@op.ac.nz",
    "description": "Te Pūkenga — Otago Polytechnic, Ōtepoti Dunedin",
}
SEG = {"name": "SEG Awards", "url": "https://skillsandeducationgroupawards.co.uk/", "email": "certificates@seg.example"}


def micro_credential(issuer: str, index: int = 41) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for one graduate of the CLD facilitation micro-credential."""
    profile = compose.Profile(id=issuer, **OTAGO)
    facts = compose.CredentialFacts(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=profile,
        valid_from=ISSUED,
        awarded=_at_midday(date(2025, 10, 8), "Pacific/Auckland"),
        name=CLD_FACILITATION.name,
        status=_status("otago-polytechnic", index),
    )
    learner = _learner("Mere Tūhoe-Wātene", "mere.tuhoe@example.org.nz")
    return compose.achievement_credential(facts, learner, CLD_FACILITATION.as_ob3(profile))


def transcript(key: SigningKey) -> dict[str, Any]:
    """The unsigned CLR transcript of an SEG learner holding the Level 3 Award: four credentials signed by ``key``."""
    profile = compose.Profile(id=key.controller, **SEG)
    learner_name, learner_email = "Jordan Ellis", "jordan.ellis@example.org.uk"
    attained = date(2025, 6, 30)
    held = [*SEG_L3_UNITS, SEG_L3_AWARD]
    signed = []
    for index, achievement in enumerate(held, start=101):
        facts = compose.CredentialFacts(
            id=f"urn:uuid:{uuid.uuid4()}",
            issuer=profile,
            valid_from=ISSUED - timedelta(days=90),
            awarded=_at_midday(attained, "Europe/London"),
            name=achievement.name,
            status=_status("seg-awards", index),
        )
        unsigned = compose.achievement_credential(
            facts, _learner(learner_name, learner_email), achievement.as_ob3(profile)
        )
        signed.append(proofs.sign(unsigned, key, facts.valid_from))
    facts = compose.CredentialFacts(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=profile,
        valid_from=ISSUED,
        name="Transcript from SEG Awards",
        status=_status("seg-awards", 105),
    )
    qualification_url = _achievement_url(SEG_L3_AWARD.public_id)
    associations = [compose.Association(qualification_url, _achievement_url(unit.public_id)) for unit in SEG_L3_UNITS]
    return compose.clr_credential(
        facts,
        _learner(learner_name, learner_email),
        signed,
        [achievement.as_ob3(profile) for achievement in held],
        associations,
    )
