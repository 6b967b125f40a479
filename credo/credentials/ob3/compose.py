"""Compose unsigned Open Badges 3.0 and CLR 2.0 credentials from plain values.

Everything optional is left out when empty rather than written as null or "":
a verifier should see only what the issuer actually said.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credo.credentials.ob3.canonical import require_absolute_iri
from credo.credentials.ob3.contexts import CLR_V2P0, OB_V3P0, VC_V2
from credo.credentials.ob3.dates import format_datetime

OB_CONTEXT = [VC_V2, OB_V3P0]
CLR_CONTEXT = [VC_V2, CLR_V2P0, OB_V3P0]


def _without_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value not in (None, "", [], {})}


@dataclass(frozen=True)
class Profile:
    """An issuer (or an achievement's creator): ``id`` is the DID that signs."""

    id: str
    name: str
    url: str = ""
    email: str = ""
    description: str = ""
    image: str = ""

    def as_json(self) -> dict[str, Any]:
        require_absolute_iri(self.id, "the issuer's id")
        return _without_empty(
            {
                "id": self.id,
                "type": ["Profile"],
                "name": self.name,
                "url": self.url,
                "email": self.email,
                "description": self.description,
                "image": {"id": self.image, "type": "Image"} if self.image else None,
            }
        )


@dataclass(frozen=True)
class Alignment:
    target_name: str
    target_url: str
    target_type: str = ""  # a listed type or "ext:Something"
    target_code: str = ""
    target_framework: str = ""
    target_description: str = ""

    def as_json(self) -> dict[str, Any]:
        return _without_empty(
            {
                "type": ["Alignment"],
                "targetName": self.target_name,
                "targetUrl": self.target_url,
                "targetType": self.target_type,
                "targetCode": self.target_code,
                "targetFramework": self.target_framework,
                "targetDescription": self.target_description,
            }
        )


@dataclass(frozen=True)
class Identifier:
    """An IdentifierEntry, such as an Ofqual number: identifier_type is a listed type or "ext:..."."""

    identifier: str
    identifier_type: str

    def as_json(self) -> dict[str, Any]:
        return {"type": "IdentifierEntry", "identifier": self.identifier, "identifierType": self.identifier_type}


@dataclass(frozen=True)
class Achievement:
    id: str
    name: str
    description: str
    criteria_narrative: str
    achievement_type: str = "Achievement"
    criteria_url: str = ""
    image: str = ""
    human_code: str = ""
    field_of_study: str = ""
    credits_available: float | None = None
    in_language: str = ""
    version: str = ""
    tags: Sequence[str] = ()
    alignments: Sequence[Alignment] = ()
    identifiers: Sequence[Identifier] = ()
    creator: Profile | None = None

    def as_json(self) -> dict[str, Any]:
        require_absolute_iri(self.id, "the achievement's id")
        return _without_empty(
            {
                "id": self.id,
                "type": ["Achievement"],
                "achievementType": self.achievement_type,
                "name": self.name,
                "description": self.description,
                "criteria": _without_empty({"id": self.criteria_url, "narrative": self.criteria_narrative}),
                "image": {"id": self.image, "type": "Image"} if self.image else None,
                "humanCode": self.human_code,
                "fieldOfStudy": self.field_of_study,
                "creditsAvailable": self.credits_available,
                "inLanguage": self.in_language,
                "version": self.version,
                "tag": list(self.tags),
                "alignment": [alignment.as_json() for alignment in self.alignments],
                "otherIdentifier": [identifier.as_json() for identifier in self.identifiers],
                "creator": self.creator.as_json() if self.creator else None,
            }
        )


def hashed_email(email: str, salt: str) -> dict[str, Any]:
    """An IdentityObject naming the learner by a salted SHA-256 of their email, as OB 3.0 recommends."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def plain_name(name: str) -> dict[str, Any]:
    return {"type": "IdentityObject", "identityHash": name, "identityType": "name", "hashed": False}


@dataclass(frozen=True)
class Learner:
    """Who the credential is about: a name to print, an email (hashed with ``salt``), optionally a DID."""

    name: str
    email: str
    salt: str
    id: str = ""

    def identifiers(self) -> list[dict[str, Any]]:
        if not self.name:  # no name known: say nothing rather than print something else in its place
            return [hashed_email(self.email, self.salt)]
        return [plain_name(self.name), hashed_email(self.email, self.salt)]


@dataclass(frozen=True)
class Evidence:
    id: str
    name: str = ""
    description: str = ""

    def as_json(self) -> dict[str, Any]:
        return _without_empty({"id": self.id, "type": ["Evidence"], "name": self.name, "description": self.description})


@dataclass(frozen=True)
class CredentialFacts:
    """What every credential says besides its subject: its id, issuer, dates and status entries."""

    id: str
    issuer: Profile
    valid_from: datetime
    awarded: datetime | None = None
    valid_until: datetime | None = None
    status: Sequence[dict[str, Any]] = ()
    name: str = ""
    description: str = ""
    evidence: Sequence[Evidence] = field(default_factory=tuple)

    def envelope(self, context: list[str], types: list[str]) -> dict[str, Any]:
        require_absolute_iri(self.id, "the credential's id")
        return _without_empty(
            {
                "@context": context,
                "id": self.id,
                "type": ["VerifiableCredential", *types],
                "name": self.name,
                "description": self.description,
                "issuer": self.issuer.as_json(),
                "validFrom": format_datetime(self.valid_from),
                "validUntil": format_datetime(self.valid_until) if self.valid_until else None,
                "awardedDate": format_datetime(self.awarded) if self.awarded else None,
                "credentialStatus": list(self.status),
                "evidence": [item.as_json() for item in self.evidence],
            }
        )


def achievement_credential(facts: CredentialFacts, learner: Learner, achievement: Achievement) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential saying ``learner`` earned ``achievement``."""
    document = facts.envelope(OB_CONTEXT, ["OpenBadgeCredential"])
    document["credentialSubject"] = _without_empty(
        {
            "id": learner.id,
            "type": ["AchievementSubject"],
            "identifier": learner.identifiers(),
            "achievement": achievement.as_json(),
        }
    )
    return _ordered(document)


@dataclass(frozen=True)
class Association:
    """How two achievements in a transcript relate, e.g. a qualification isParentOf its unit."""

    source_id: str
    target_id: str
    association_type: str = "isParentOf"

    def as_json(self) -> dict[str, Any]:
        return {
            "type": "Association",
            "associationType": self.association_type,
            "sourceId": self.source_id,
            "targetId": self.target_id,
        }


def clr_credential(
    facts: CredentialFacts,
    learner: Learner,
    credentials: Sequence[dict[str, Any]],
    achievements: Sequence[Achievement] = (),
    associations: Sequence[Association] = (),
) -> dict[str, Any]:
    """An unsigned ClrCredential bundling already-signed OpenBadgeCredentials into one transcript."""
    document = facts.envelope(CLR_CONTEXT, ["ClrCredential"])
    document["credentialSubject"] = _without_empty(
        {
            "id": learner.id,
            "type": ["ClrSubject"],
            "identifier": learner.identifiers(),
            "verifiableCredential": list(credentials),
            "achievement": [achievement.as_json() for achievement in achievements],
            "association": [association.as_json() for association in associations],
        }
    )
    return _ordered(document)


_ORDER = ["@context", "id", "type", "name", "description", "issuer", "validFrom", "validUntil", "awardedDate"]


def _ordered(document: dict[str, Any]) -> dict[str, Any]:
    """Readable key order for people reading the JSON (the signature does not depend on it)."""
    first = {key: document[key] for key in _ORDER if key in document}
    return {**first, **{key: value for key, value in document.items() if key not in first}}
