"""What the achievements, attainments and credentials endpoints read and write, as the OpenAPI document shows.

Nothing here carries key material: an issuer appears by its slug, name and DID,
and a credential by what it says (its proof holds only a public verification method).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import StringConstraints

from credo.api_errors import NUL_FREE
from credo.catalogue.api.schemas import Message, Page, Problems
from credo.credentials import links
from credo.credentials.models import (
    Achievement,
    AchievementKind,
    Attainment,
    Credential,
    CredentialKind,
    CredentialState,
    Issuer,
    Route,
)

__all__ = [
    "AchievementDetail",
    "AchievementFilters",
    "AchievementSummary",
    "AttainmentFilters",
    "AttainmentOut",
    "AwardIn",
    "CredentialDetail",
    "CredentialFilters",
    "CredentialSummary",
    "Message",
    "Problems",
    "ReasonIn",
    "RowId",
    "SharingIn",
]

# PostgreSQL cannot store or compare NUL characters; as a pattern the rule is in the OpenAPI document too.
Slug = Annotated[str, StringConstraints(max_length=100, pattern=NUL_FREE)]
EmailText = Annotated[str, StringConstraints(max_length=254, pattern=NUL_FREE)]
# A database id: bigger numbers cannot name a row, and would overflow the database's integer.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# The routes issuer staff may choose; ratified assessment comes from ratification, rules of combination follow.
AwardRoute = Literal["direct_award", "credit_transfer", "prior_learning"]


# Reading ------------------------------------------------------------------------------------------


class IssuerRef(Schema):
    slug: str
    name: str
    did: str = Field(description="The DID that signs this issuer's credentials.")

    @staticmethod
    def of(issuer: Issuer) -> IssuerRef:
        return IssuerRef(slug=issuer.organisation.slug, name=issuer.name, did=issuer.did)


class AchievementSummary(Schema):
    public_id: UUID
    kind: str = Field(description=f"One of: {', '.join(AchievementKind.values)}.")
    name: str
    code: str = Field(description="The QN, URN or the owner's code.")
    achievement_type: str = Field(description="OB 3.0 achievementType, e.g. MicroCredential.")
    level: int | None
    credits: int | None
    issuer: IssuerRef
    url: str = Field(description="The achievement's id inside the credentials that award it.")

    @staticmethod
    def of(achievement: Achievement) -> AchievementSummary:
        return AchievementSummary(
            public_id=achievement.public_id,
            kind=achievement.kind,
            name=achievement.name,
            code=achievement.code,
            achievement_type=achievement.achievement_type,
            level=achievement.level_number,
            credits=achievement.credits,
            issuer=IssuerRef.of(achievement.issuer),
            url=links.achievement_url(achievement.public_id),
        )


class AchievementDetail(AchievementSummary):
    description: str
    criteria_narrative: str
    code_type: str
    framework: str
    framework_code: str
    level_name: str
    valid_for_days: int | None = Field(description="How long a credential for it stays valid; null for no expiry.")
    ob3: dict[str, Any] = Field(description="The OB 3.0 Achievement exactly as credentials embed it.")


class PersonOut(Schema):
    email: str
    full_name: str


class ComponentOut(Schema):
    """A unit attainment a qualification attainment rests on, and how that unit was earned."""

    id: int
    achievement: AchievementSummary
    route: str
    route_label: str
    attained_on: date
    note: str

    @staticmethod
    def of(attainment: Attainment) -> ComponentOut:
        return ComponentOut(
            id=attainment.pk,
            achievement=AchievementSummary.of(attainment.achievement),
            route=attainment.route,
            route_label=attainment.get_route_display(),
            attained_on=attainment.attained_on,
            note=attainment.note,
        )


class AttainmentOut(Schema):
    id: int
    learner: PersonOut
    achievement: AchievementSummary
    route: str = Field(description=f"How it was earned: {', '.join(Route.values)}.")
    route_label: str
    attained_on: date
    decided_by: str | None = Field(description="Who took the decision; null when it followed from the units.")
    note: str
    created_at: datetime
    components: list[ComponentOut] = Field(description="For a qualification: the unit attainments it rests on.")
    credential: UUID | None = Field(description="The current credential issued for it; null until issued.")


class CredentialSummary(Schema):
    public_id: UUID
    kind: str = Field(description=f"One of: {', '.join(CredentialKind.values)}.")
    state: str = Field(description=f"One of: {', '.join(CredentialState.values)}.")
    issuer: IssuerRef
    learner: PersonOut | None = Field(description="Shown to the learner and the issuer's staff only.")
    achievement: AchievementSummary | None = Field(description="Null for a CLR transcript.")
    issued_at: datetime
    valid_until: datetime | None
    superseded_at: datetime | None = Field(description="When a re-issue replaced it.")
    replaced_by: UUID | None
    is_public: bool = Field(description="Whether its page and JSON are shown to anyone with the link.")
    page_url: str
    json_url: str = Field(description="The credential exactly as issued, byte for byte.")

    @staticmethod
    def of(credential: Credential, *, show_learner: bool) -> CredentialSummary:
        return CredentialSummary(**_summary_fields(credential, show_learner=show_learner))


class CredentialDetail(CredentialSummary):
    reason: str = Field(description="Why it was last revoked, suspended or reinstated.")
    state_changed_at: datetime | None
    replaces: UUID | None = Field(description="The credential this one corrected, if any.")
    credential: dict[str, Any] = Field(description="The signed credential as issued (parsed).")

    @staticmethod
    def of(credential: Credential, *, show_learner: bool) -> CredentialDetail:
        replaced = getattr(credential, "replaces", None)
        return CredentialDetail(
            **_summary_fields(credential, show_learner=show_learner),
            reason=credential.state_reason,
            state_changed_at=credential.state_changed_at,
            replaces=replaced.public_id if replaced is not None else None,
            credential=json.loads(credential.issued_json),
        )


def _summary_fields(credential: Credential, *, show_learner: bool) -> dict[str, Any]:
    learner = credential.learner
    return {
        "public_id": credential.public_id,
        "kind": credential.kind,
        "state": credential.state,
        "issuer": IssuerRef.of(credential.issuer),
        "learner": PersonOut(email=learner.email, full_name=learner.full_name) if show_learner else None,
        "achievement": AchievementSummary.of(credential.attainment.achievement) if credential.attainment else None,
        "issued_at": credential.issued_at,
        "valid_until": credential.valid_until,
        "superseded_at": credential.superseded_at,
        "replaced_by": credential.replaced_by.public_id if credential.replaced_by else None,
        "is_public": credential.is_public,
        "page_url": links.credential_page(credential.public_id),
        "json_url": links.credential_json(credential.public_id),
    }


class AchievementFilters(Page):
    issuer: Slug = Field("", description="Only this issuer's achievements (the organisation's slug).")
    kind: AchievementKind | None = Field(None, description="Only achievements of this kind.")


class AttainmentFilters(Page):
    learner: EmailText = Field("", description="Only this learner's (their email address).")
    achievement: UUID | None = Field(None, description="Only this achievement's (its public_id).")


class CredentialFilters(Page):
    state: CredentialState | None = Field(None, description="Only credentials in this state.")
    kind: CredentialKind | None = Field(None, description="Only Open Badges, or only CLR transcripts.")
    learner: EmailText = Field("", description="Only this learner's (their email address).")


# Writing ------------------------------------------------------------------------------------------


class AwardIn(Schema):
    achievement: UUID = Field(description="The achievement's public_id.")
    email: EmailText = Field(description="The learner's email; someone without an account is invited.")
    full_name: Annotated[str, StringConstraints(max_length=200, pattern=NUL_FREE)] = Field(
        "", description="Needed when the email has no account yet."
    )
    attained_on: date = Field(description="When it was earned (not in the future).")
    route: AwardRoute = Field("direct_award", description="How it was earned.")
    note: Annotated[str, StringConstraints(max_length=2000, pattern=NUL_FREE)] = Field(
        "", description="The decision's reference, e.g. a transfer record or an RPL panel's minute."
    )


class ReasonIn(Schema):
    reason: Annotated[str, StringConstraints(max_length=2000, pattern=NUL_FREE)] = Field(
        description="Told to the learner and shown on the credential's public page."
    )


class SharingIn(Schema):
    is_public: bool = Field(description="Show the credential's page and JSON to anyone with the link.")
