"""Verification: anyone may check a credential, given by its address on this site, as JSON, or as a file.

The same reading and checking as the verify page (``credo.credentials.verification``):
input is bounded before any work is done, and nothing is fetched from other sites.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, Self

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Field, File, Schema
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from pydantic import ConfigDict, model_validator

from credo.catalogue.api.schemas import Message, Problems
from credo.credentials import verification
from credo.credentials.api.router import router
from credo.credentials.ob3.errors import CredentialError
from credo.credentials.views_verify import VERIFY_PER_MINUTE, VerifyRateLimit, bounded_uploads, credential_from_file

_PUBLIC = (
    "Public and free of side effects: it needs no sign-in and no CSRF token, since a forged request could "
    "change nothing. A signed-in session is used only to let a learner, or their issuer's staff, verify a "
    f"private credential by its address. Each client may verify {VERIFY_PER_MINUTE} times a minute (429 beyond). "
    "The server fetches nothing from other sites: an address must be one of this site's own credentials, "
    "and a did:web or status list on another site is reported as not checked. Input is bounded: "
    f"{verification.size_in_words(verification.MAX_BYTES)} of JSON, nested at most {verification.MAX_DEPTH} deep, "
    f"{verification.MAX_VALUES:,} values, {verification.MAX_OBJECTS:,} objects, and "
    f'{verification.PUBLIC_LIMITS.max_blank_nodes:,} blank nodes, none named (no "_:b0" identifiers); '
    "anything beyond is refused with a 422 "
    "naming the limit, or reported as a signature that could not be checked."
)


class VerifyIn(Schema):
    # "Exactly one of url or credential", said in the document too, so that clients (and schemathesis) know it.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["url"], "properties": {"url": {"type": "string"}, "credential": {"type": "null"}}},
                {"required": ["credential"], "properties": {"credential": {"type": "object"}, "url": {"type": "null"}}},
            ]
        }
    )

    url: str | None = Field(
        None,
        max_length=verification.MAX_ADDRESS_LENGTH,
        description="The address of one of this site's credentials: its page, its .json, or its urn:uuid.",
        examples=["https://credo.example/credentials/6f1c2f7e-3b7a-4c1e-9a55-0b6f2d1e8a90.json"],
    )
    credential: dict[str, Any] | None = Field(
        None, description="The credential itself: an Open Badge 3.0 or CLR 2.0 credential with its proof."
    )

    @model_validator(mode="after")
    def exactly_one(self) -> Self:
        if (self.url is None) == (self.credential is None):
            raise ValueError("give exactly one of url or credential")
        return self


class CheckOut(Schema):
    name: str = Field(description="Signature, Issuer and key, Dates, Status, Schema or Bundled credentials.")
    passed: bool | None = Field(description="true or false; null when the check does not apply or was not made.")
    detail: str = Field(description="What was found, in plain words.")


class IssuerClaim(Schema):
    id: str | None
    name: str | None


class VerificationOut(Schema):
    verified: bool = Field(description="The signature holds, no check failed, and every bundled credential verified.")
    summary: str = Field(description='The verdict in one line: "Verified", "Revoked: …", "Not verified: …".')
    revoked: bool
    suspended: bool
    id: str | None = Field(description="The credential's id, as it states it.")
    kind: str = Field(description="Open Badge, CLR transcript, or Credential.")
    name: str | None
    issuer: IssuerClaim
    learner: str | None = Field(description="The learner's name, when the credential gives it unhashed.")
    achievement: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    awarded: datetime | None
    checks: list[CheckOut]
    embedded: list[VerificationOut] = Field(description="The reports on the credentials a CLR bundles, in order.")

    @classmethod
    def of(cls, report: verification.Report) -> VerificationOut:
        claims = report.claims
        return cls(
            verified=report.verified,
            summary=report.summary(),
            revoked=report.revoked,
            suspended=report.suspended,
            id=claims.id,
            kind=claims.kind,
            name=claims.name,
            issuer=IssuerClaim(id=claims.issuer_id, name=claims.issuer_name),
            learner=claims.learner_name,
            achievement=claims.achievement_name,
            valid_from=claims.valid_from,
            valid_until=claims.valid_until,
            awarded=claims.awarded,
            checks=[CheckOut(name=c.name, passed=c.passed, detail=c.detail) for c in report.checks],
            embedded=[cls.of(inner) for inner in report.embedded],
        )


def _refused(problem: str) -> JsonResponse:
    return JsonResponse({"detail": problem, "problems": [problem]}, status=422)


def bounded_json_body(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Check the body's size, JSON and shape before ninja parses it, so hostile input gets a 422 that says why
    (ninja would answer a body nested past Python's recursion limit with a bare 400)."""

    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            verification.parse(request.body)
        except RequestDataTooBig:
            return _refused(verification.too_large())
        except CredentialError as error:
            return _refused(str(error))
        return run(request, *args, **kwargs)

    return wrapped


_RESPONSES: dict[int, Any] = {200: VerificationOut, 422: Problems, 429: Message}


@router.post(
    "/verify",
    response=_RESPONSES,
    throttle=[VerifyRateLimit()],
    summary="Verify a credential, given by its address on this site or as JSON",
    description=_PUBLIC,
)
@decorate_view(bounded_json_body)
def verify(request: HttpRequest, payload: VerifyIn) -> VerificationOut:
    try:
        if payload.url is not None:
            document = verification.credential_from_address(request.user, payload.url)
        else:
            document = payload.credential or {}
            verification.check_bounds(document)
    except CredentialError as error:
        raise ValidationError(str(error)) from None
    return VerificationOut.of(verification.verify_credential(document))


@router.post(
    "/verify/file",
    response=_RESPONSES,
    throttle=[VerifyRateLimit()],
    summary="Verify a credential file: its JSON, or a PNG or SVG badge with the credential baked in",
    description=f"{_PUBLIC} The file's kind is read from its content, not its name; "
    f"files up to {verification.size_in_words(verification.MAX_UPLOAD_BYTES)}.",
)
@decorate_view(bounded_uploads)
def verify_file(request: HttpRequest, file: File[UploadedFile]) -> VerificationOut:
    try:
        document = credential_from_file(file)
    except CredentialError as error:
        raise ValidationError(str(error)) from None
    return VerificationOut.of(verification.verify_credential(document))
