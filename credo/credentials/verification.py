"""Verifying a credential, with each check reported in plain words.

Anyone may ask (the verify page and endpoint are public), so input is
bounded and the server fetches nothing: did:key resolves by itself, a did:web
or status list is resolved only when it is one of credo's own; anything
else is reported as not checked, never fetched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.utils import timezone

from credo.credentials import links
from credo.credentials.models import Issuer, StatusList
from credo.credentials.ob3 import keys as ob3_keys
from credo.credentials.ob3.canonical import Limits
from credo.credentials.ob3.dates import parse_datetime
from credo.credentials.ob3.errors import CredentialError
from credo.credentials.ob3.proofs import verify as verify_proof
from credo.credentials.ob3.schemas import achievement_credential_problems
from credo.credentials.ob3.status_list import status_bit
from credo.credentials.services.status import status_list_json

MAX_BYTES = 1_000_000
PUBLIC_LIMITS = Limits(max_quads=20_000, max_blank_nodes=1_000, max_alike_blank_nodes=8)


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool | None  # None: not applicable or not checked
    detail: str


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    embedded: list[Report] = field(default_factory=list)
    revoked: bool = False
    suspended: bool = False

    @property
    def verified(self) -> bool:
        own = all(check.passed is not False for check in self.checks) and bool(self.checks)
        return own and all(report.verified for report in self.embedded)

    def add(self, name: str, passed: bool | None, detail: str) -> None:
        self.checks.append(Check(name, passed, detail))

    def summary(self) -> str:
        if self.revoked:
            return "Revoked: the issuer has withdrawn this credential."
        if self.suspended:
            return "Suspended: the issuer has put this credential on hold."
        return "Verified." if self.verified else "Not verified: see the checks that failed."


def parse(text: str | bytes) -> dict[str, Any]:
    """A credential from JSON text, bounded in size; CredentialError says what is wrong."""
    if len(text) > MAX_BYTES:
        raise CredentialError(f"The file is too large: credo checks credentials up to {MAX_BYTES // 1000} KB.")
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise CredentialError(f"This is not JSON: {error}") from error
    if not isinstance(document, dict):
        raise CredentialError("A credential is a JSON object; this is not one.")
    return document


def _own_issuer(did: str) -> Issuer | None:
    return Issuer.objects.filter(did=did).select_related("organisation").first()


def resolve_key(verification_method: str) -> Ed25519PublicKey:
    """did:key by itself; did:web only for credo's own issuers (nothing is fetched)."""
    did = verification_method.split("#", 1)[0]
    if did.startswith("did:key:"):
        return ob3_keys.public_key_from_did_key(did)
    issuer = _own_issuer(did)
    if issuer is None:
        raise CredentialError(f"{did} is not an issuer on this site, and credo does not fetch other sites' DIDs")
    fragment = verification_method.split("#", 1)[1]
    key = issuer.keys.filter(fragment=fragment).first()
    if key is None:
        raise CredentialError(f"{issuer} has no key #{fragment}")
    return ob3_keys.public_key_from_multibase(key.public_key_multibase)


def _check_issuer(report: Report, document: dict[str, Any], method: str | None) -> None:
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    controller = (method or "").split("#", 1)[0]
    if not issuer_id or issuer_id != controller:
        report.add(
            "Issuer and key", False, f"The issuer ({issuer_id}) is not the one whose key signed it ({controller})."
        )
        return
    own = _own_issuer(issuer_id) if not issuer_id.startswith("did:key:") else None
    if own is None and issuer_id.startswith("did:key:"):
        own = Issuer.objects.filter(keys__public_key_multibase=issuer_id.removeprefix("did:key:")).first()
    name = issuer.get("name") if isinstance(issuer, dict) else None
    if own is not None:
        report.add("Issuer and key", True, f"Signed by {own.name}, an issuer on this site, with its key {method}.")
    else:
        report.add(
            "Issuer and key", True, f"Signed with {method}; {name or 'the issuer'} is not an issuer on this site."
        )


def _check_dates(report: Report, document: dict[str, Any], now: datetime) -> None:
    try:
        valid_from = parse_datetime(document.get("validFrom"), "validFrom")
        until = document.get("validUntil")
        valid_until = parse_datetime(until, "validUntil") if until is not None else None
    except CredentialError as error:
        report.add("Dates", False, str(error))
        return
    if valid_from > now:
        report.add("Dates", False, f"It is not valid until {valid_from:%d %B %Y}.")
    elif valid_until is not None and valid_until <= now:
        report.add("Dates", False, f"It expired on {valid_until:%d %B %Y}.")
    else:
        ends = f", until {valid_until:%d %B %Y}" if valid_until else ", with no expiry date"
        report.add("Dates", True, f"Valid from {valid_from:%d %B %Y}{ends}.")


def _own_status_list(url: str) -> StatusList | None:
    prefix = f"{links.site()}/status/"
    if not url.startswith(prefix):
        return None
    try:
        slug, purpose, number = url.removeprefix(prefix).split("/")
        return StatusList.objects.get(issuer__organisation__slug=slug, purpose=purpose, number=int(number))
    except (ValueError, StatusList.DoesNotExist):
        return None


def _check_status(report: Report, document: dict[str, Any]) -> None:
    entries = document.get("credentialStatus") or []
    entries = entries if isinstance(entries, list) else [entries]
    if not entries:
        report.add("Status", None, "The credential has no status list, so it cannot be revoked.")
        return
    said: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            report.add("Status", None, "A status entry of a kind credo does not check.")
            continue
        status_list = _own_status_list(str(entry.get("statusListCredential", "")))
        if status_list is None:
            report.add("Status", None, "The status list is on another site; credo does not fetch it.")
            continue
        list_credential = json.loads(status_list_json(status_list))
        if not verify_proof(list_credential, resolve_key).valid:
            report.add("Status", False, "The issuer's status list is not validly signed.")
            continue
        try:
            is_set = status_bit(entry, list_credential)
        except CredentialError as error:
            report.add("Status", False, str(error))
            continue
        if is_set and entry.get("statusPurpose") == "revocation":
            report.revoked = True
        if is_set and entry.get("statusPurpose") == "suspension":
            report.suspended = True
        said.append(str(entry.get("statusPurpose")))
    if report.revoked:
        report.add("Status", False, "Revoked by the issuer.")
    elif report.suspended:
        report.add("Status", False, "Suspended by the issuer.")
    elif said:
        states = {"revocation": "revoked", "suspension": "suspended"}
        report.add("Status", True, f"Not {' or '.join(sorted(states.get(p, p) for p in said))}.")


def _check_schema(report: Report, document: dict[str, Any]) -> None:
    types = document.get("type") or []
    if "OpenBadgeCredential" in types or "AchievementCredential" in types:
        problems = achievement_credential_problems(document)
        detail = "; ".join(problems[:5]) if problems else "Matches the Open Badges 3.0 schema."
        report.add("Schema", not problems, detail)
    elif "ClrCredential" in types:
        report.add("Schema", None, "CLR 2.0 has no final published JSON schema; its credentials are checked below.")


def verify_credential(document: dict[str, Any], *, now: datetime | None = None) -> Report:
    """Every check on ``document`` (and on the credentials a CLR embeds)."""
    now = now or timezone.now()
    report = Report(credential=document)
    proof = verify_proof(document, resolve_key, PUBLIC_LIMITS)
    if proof.valid:
        report.add("Signature", True, "The signature is valid: nothing has changed since it was signed.")
    else:
        report.add("Signature", False, f"The signature does not check out: {proof.problem}.")
    _check_issuer(report, document, proof.verification_method)
    _check_dates(report, document, now)
    _check_status(report, document)
    _check_schema(report, document)
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and "ClrCredential" in (document.get("type") or []):
        for embedded in subject.get("verifiableCredential") or []:
            if isinstance(embedded, dict):
                report.embedded.append(verify_credential(embedded, now=now))
    return report
