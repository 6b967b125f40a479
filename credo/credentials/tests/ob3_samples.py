"""Credentials shaped like the ones credo issues, for the library's tests (no database needed)."""

from datetime import UTC, datetime
from typing import Any

from credo.credentials.ob3 import compose
from credo.credentials.ob3.keys import SigningKey
from credo.credentials.ob3.status_list import status_entry

ISSUED = datetime(2024, 11, 20, 9, 30, tzinfo=UTC)
STATUS_URL = "https://credo.example/status/otago-polytechnic"


def issuer_for(key: SigningKey) -> compose.Profile:
    return compose.Profile(
        id=key.controller,
        name="Otago Polytechnic",
        url="https://www.op.ac.nz/",
        email="badges@op.example",
        description="Te Pūkenga — Otago Polytechnic",
    )


def micro_credential(key: SigningKey, learner_name: str = "Aroha Ngata", narrative: str = "") -> dict[str, Any]:
    issuer = issuer_for(key)
    achievement = compose.Achievement(
        id="https://credo.example/achievements/cld-facilitation",
        name="Community-led development facilitation",
        description="Facilitating community-led development processes with communities.",
        criteria_narrative=narrative or "A portfolio of evidence in six parts, assessed, moderated and ratified.",
        achievement_type="MicroCredential",
        alignments=[
            compose.Alignment(
                target_name="NZQF level 5 (equivalent)",
                target_url="https://www.nzqa.govt.nz/studying-in-new-zealand/understand-nz-quals/",
                target_type="ext:QualificationLevel",
                target_code="5",
                target_framework="New Zealand Qualifications and Credentials Framework",
            )
        ],
        identifiers=[compose.Identifier("CLD-FACILITATION", "identifier")],
        creator=issuer,
    )
    facts = compose.CredentialFacts(
        id="urn:uuid:6f0c2a8e-55c1-4d8e-9a51-5d1f0b7c3e21",
        issuer=issuer,
        valid_from=ISSUED,
        awarded=ISSUED,
        name="Community-led development facilitation",
        status=[
            status_entry(f"{STATUS_URL}/revocation", "revocation", 7),
            status_entry(f"{STATUS_URL}/suspension", "suspension", 7),
        ],
    )
    learner = compose.Learner(name=learner_name, email="aroha@example.org", salt="c0ffee")
    return compose.achievement_credential(facts, learner, achievement)
