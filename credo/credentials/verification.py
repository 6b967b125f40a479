"""Verifying a credential, with each check reported in plain words.

Anyone may ask (the verify page and endpoint are public), so input is bounded
before any work is done, and the server fetches nothing: did:key resolves by
itself; a did:web, a status list or a credential's address is looked up only
when it is one of credo's own, in the database; anything else is reported as
not checked, never fetched.

The bounds, and why each is needed:

* size (``MAX_BYTES``, ``MAX_UPLOAD_BYTES``): everything else is proportional to it;
* nesting depth (``MAX_DEPTH``): the JSON-LD processor recurses once per level;
* values and objects (``MAX_VALUES``, ``MAX_OBJECTS``): pyld's general JSON-LD
  path takes about a millisecond per object, so a megabyte of small objects
  would take a minute;
* values of any one property (``MAX_VALUES_PER_PROPERTY``): the JSON-LD processor
  compares each new value of a property with every earlier one (quadratic),
  across all objects sharing an ``id``;
* blank nodes (``PUBLIC_LIMITS``, and no blank node names such as ``"_:b0"``):
  RDFC-1.0 is exponential in look-alike blank nodes that refer to each other
  (standards pitfall 10); names are what let a document make such a tangle, and
  the canonicalizer refuses too many look-alikes of any shape;
* time (``TIME_LIMIT_SECONDS``): a transcript is checked credential by
  credential, and checking stops, failed, once the time is spent.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.http import Http404
from django.utils import timezone

from credo.credentials import access, links
from credo.credentials.models import DidMethod, Issuer, SigningKey, StatusList
from credo.credentials.ob3 import baking
from credo.credentials.ob3 import keys as ob3_keys
from credo.credentials.ob3.canonical import DEFAULT_LIMITS, Limits
from credo.credentials.ob3.dates import parse_datetime
from credo.credentials.ob3.errors import CredentialError
from credo.credentials.ob3.proofs import ProofCheck
from credo.credentials.ob3.proofs import verify as verify_proof
from credo.credentials.ob3.schemas import achievement_credential_problems
from credo.credentials.ob3.status_list import status_bit
from credo.credentials.services.status import status_list_json

MAX_BYTES = 1024 * 1024
MAX_UPLOAD_BYTES = baking.MAX_IMAGE_BYTES  # a baked image is larger than the JSON it carries
MAX_DEPTH = 32
MAX_VALUES = 10_000
MAX_OBJECTS = 2_000
MAX_VALUES_PER_PROPERTY = 200
MAX_STATUS_ENTRIES = 4
MAX_EMBEDDED = 100
MAX_ADDRESS_LENGTH = 2_000
TIME_LIMIT_SECONDS = 10.0
# Look-alike blank nodes: as many as signing allows (a transcript repeats its learner's name object once per
# credential it bundles), which is safe only because blank node names are refused in public input (see
# ``check_bounds``): without them the graph is a forest, where RDFC-1.0 stays fast at this size.
PUBLIC_LIMITS = Limits(
    max_quads=20_000, max_blank_nodes=1_000, max_alike_blank_nodes=DEFAULT_LIMITS.max_alike_blank_nodes
)

SIGNATURE = "Signature"
ISSUER = "Issuer and key"
DATES = "Dates"
STATUS = "Status"
SCHEMA = "Schema"
BUNDLED = "Bundled credentials"
NOT_CHECKED = "Not checked: "  # how a check that could not be made begins (None alone means "does not apply")

_clock: Callable[[], float] = time.monotonic  # tests replace it to spend the time limit


# What a check's name reads as on the page, where it is not a word a person would use.
HEADINGS = {SCHEMA: "Format", ISSUER: "Issuer"}


@dataclass(frozen=True)
class Check:
    """One check's outcome. ``detail`` is the whole finding, as the API reports it; where that needs
    technical words, ``plain`` says what it means for the person reading the page, and ``technical``
    keeps the rest for the page's "Technical details"."""

    name: str
    passed: bool | None  # None: not applicable, or not checked
    detail: str
    plain: str = ""
    technical: str = ""

    @property
    def heading(self) -> str:
        return HEADINGS.get(self.name, self.name)

    @property
    def outcome(self) -> str:
        """Passed, Failed, Not checked or Does not apply: the word shown with the check's icon."""
        if self.passed is not None:
            return "Passed" if self.passed else "Failed"
        return "Not checked" if self.detail.startswith(NOT_CHECKED) else "Does not apply"

    @property
    def explanation(self) -> str:
        """The finding in plain words, without repeating the outcome."""
        rest = (self.plain or self.detail).removeprefix(NOT_CHECKED)
        return rest[:1].upper() + rest[1:]


@dataclass(frozen=True)
class Claims:
    """What a credential says about itself, read without trusting it: the checks say whether to."""

    id: str | None = None
    kind: str = "Credential"
    name: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    learner_name: str | None = None
    achievement_name: str | None = None
    achievement_code: str | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    awarded: datetime | None = None


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    claims: Claims = field(default_factory=Claims)
    embedded: list[Report] = field(default_factory=list)
    revoked: bool = False
    suspended: bool = False

    @property
    def verified(self) -> bool:
        """The signature checked out, no check failed, and every embedded credential verified too."""
        signature = self.check(SIGNATURE)
        return (
            signature is not None
            and signature.passed is True
            and all(check.passed is not False for check in self.checks)
            and all(report.verified for report in self.embedded)
        )

    def check(self, name: str) -> Check | None:
        return next((check for check in self.checks if check.name == name), None)

    def add(self, name: str, passed: bool | None, detail: str, *, plain: str = "", technical: str = "") -> None:
        self.checks.append(Check(name, passed, detail, plain, technical))

    @property
    def technical(self) -> list[Check]:
        """The checks with technical detail behind their plain words."""
        return [check for check in self.checks if check.technical]

    def plain_summary(self) -> str:
        """The verdict for the page: in plain words, the technical detail left to the checks' toggle."""
        return self.summary(plain=True)

    def summary(self, *, plain: bool = False) -> str:
        """The verdict in one line: what a person needs to know first."""

        def said(check: Check) -> str:
            return (check.plain or check.detail) if plain else check.detail

        signature = self.check(SIGNATURE)
        if signature is None or signature.passed is not True:
            return _not_verified(said(signature) if signature else "the credential could not be checked.")
        if self.revoked:
            return "Revoked: the issuer has withdrawn this credential."
        if self.suspended:
            return "Suspended: the issuer has put this credential on hold; it may be reinstated."
        failed = next((check for check in self.checks if check.passed is False), None)
        if failed is not None:
            return _not_verified(said(failed))
        unverified = [report for report in self.embedded if not report.verified]
        if unverified:
            names = ", ".join(
                report.claims.achievement_name or report.claims.name or "unnamed" for report in unverified
            )
            return _not_verified(
                f"{len(unverified)} of the {len(self.embedded)} credentials it bundles did not verify ({names})."
            )
        if any(check.passed is None and check.detail.startswith(NOT_CHECKED) for check in self.checks):
            return "Verified, but some checks could not be made: see which below."
        return "Verified"


def _not_verified(detail: str) -> str:
    return f"Not verified: {detail[:1].lower()}{detail[1:]}"


# Reading a credential from what a person gives -----------------------------------------------------


def parse(text: str | bytes) -> dict[str, Any]:
    """A credential from JSON text, within every bound; CredentialError says what is wrong."""
    if len(text) > MAX_BYTES:
        raise CredentialError(too_large(len(text)))
    if isinstance(text, bytes):
        text = text.removeprefix(b"\xef\xbb\xbf")  # a byte order mark some editors write
    try:
        document = json.loads(text)
    except RecursionError:
        raise CredentialError(_too_deep()) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise CredentialError(f"This is not JSON: {error}.") from None
    if not isinstance(document, dict):
        kind = "a list" if isinstance(document, list) else "a single value"
        raise CredentialError(f"A credential is a JSON object ({{…}}); this is {kind}.")
    check_bounds(document)
    return document


def size_in_words(size: int) -> str:
    """A size as people write it: 700 KB, 1.5 MB (of 1024s, as file managers count)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024)):,} KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def too_large(size: int | None = None) -> str:
    """Why a credential of ``size`` bytes (or of a size not known) is refused."""
    this = f" and this is {size_in_words(size)}" if size else ""
    return f"The credential is too large: credo checks credentials up to {size_in_words(MAX_BYTES)}{this}."


def _too_deep() -> str:
    return (
        f"The credential is nested too deeply: credo checks credentials nested up to {MAX_DEPTH} levels "
        "(objects within objects or lists)."
    )


def _node_key(node: dict[str, Any]) -> object:
    # JSON-LD merges every object with the same id (blank node labels included) into one node.
    identifier = node.get("id", node.get("@id"))
    return identifier if isinstance(identifier, str) else id(node)


def _items(value: Any) -> Iterator[Any]:
    """A property's values as JSON-LD sees them: lists within lists are flattened into the property."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(current)
        else:
            yield current


def check_bounds(document: dict[str, Any]) -> None:
    """Refuse a document whose checking could run away (see the module docstring), before any is done."""
    values = objects = 0
    per_property: dict[tuple[object, str], int] = {}
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        values += 1
        if depth > MAX_DEPTH:
            raise CredentialError(_too_deep())
        if values > MAX_VALUES:
            raise CredentialError(
                f"The credential is too large: credo checks credentials of up to {MAX_VALUES:,} values."
            )
        if isinstance(value, str) and value.startswith("_:"):
            raise CredentialError(
                f"The credential names a blank node ({value[:40]!r}). credo checks credentials whose identifiers "
                "are URLs, DIDs or urn:uuid: values only: blank node names let a document be built to take hours "
                "to check."
            )
        if isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, dict):
            objects += 1
            if objects > MAX_OBJECTS:
                raise CredentialError(
                    f"The credential is too large: credo checks credentials of up to {MAX_OBJECTS:,} objects."
                )
            key = _node_key(value)
            for name, member in value.items():
                if name == "@context":
                    continue
                # pyld merges the values of one property of one node pairwise: quadratic in their number.
                # A transcript repeats its issuer in every credential it bundles, so the bound is per
                # property, not per node.
                count = per_property[key, name] = per_property.get((key, name), 0) + sum(1 for _ in _items(member))
                if count > MAX_VALUES_PER_PROPERTY:
                    what = repr(key[:100]) if isinstance(key, str) else "one of its objects"
                    raise CredentialError(
                        f"The credential gives {what} more than {MAX_VALUES_PER_PROPERTY} values of {name!r}; "
                        f"credo checks credentials with up to {MAX_VALUES_PER_PROPERTY} values of any one property."
                    )
                stack.append((member, depth + 1))


def credential_from_upload(data: bytes, *, size: int = 0) -> dict[str, Any]:
    """A credential from an uploaded file: JSON, or a PNG or SVG badge with one baked in.

    ``size`` is the whole file's, when only its start was kept. The kind is
    told from the content, not the file's name: a PNG by its signature, an SVG
    by starting with markup; anything else is read as JSON.
    """
    if max(len(data), size) > MAX_UPLOAD_BYTES:
        raise CredentialError(
            f"The file is too large: credo checks files up to {size_in_words(MAX_UPLOAD_BYTES)} "
            f"(a credential's JSON up to {size_in_words(MAX_BYTES)})."
        )
    if not data.strip():
        raise CredentialError("The file is empty.")
    if data.startswith(baking.PNG_SIGNATURE) or data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
        return parse(baking.unbake(data))
    return parse(data)


_OWN_CREDENTIAL_PATH = re.compile(r"/credentials/(?P<public_id>[0-9A-Fa-f-]{32,36})(?:\.json)?/?")


def own_credential_id(address: str) -> str:
    """The public id in an address of one of credo's own credentials (its page, its .json, or its urn:uuid)."""
    address = address.strip()
    if len(address) > MAX_ADDRESS_LENGTH:
        raise CredentialError("The address is too long to be a credential's address on credo.")
    example = links.credential_page("…")
    if address.lower().startswith("urn:uuid:"):
        candidate = address[len("urn:uuid:") :]
    else:
        given, site = urlsplit(address), urlsplit(links.site())
        if given.scheme not in {"http", "https"} or not given.netloc:
            raise CredentialError(f"Give the credential's full address, like {example}.")
        if given.netloc.lower() != site.netloc.lower():
            raise CredentialError(
                f"credo checks only its own credentials by address ({example}) and never fetches other sites' "
                f"documents. Download the credential from {given.netloc} and upload the file instead."
            )
        match = _OWN_CREDENTIAL_PATH.fullmatch(given.path.removeprefix(site.path.rstrip("/")))
        if match is None:
            raise CredentialError(f"This is not the address of a credential: those look like {example}.")
        candidate = match["public_id"]
    try:
        return str(uuid.UUID(candidate))
    except ValueError:
        raise CredentialError(f"This is not the address of a credential: those look like {example}.") from None


def credential_from_address(user: Any, address: str) -> dict[str, Any]:
    """One of credo's own credentials, from the database, exactly as issued; ``user`` may see it."""
    public_id = own_credential_id(address)
    try:
        credential = access.viewable_credential(user, public_id)
    except Http404:
        raise CredentialError(
            "There is no credential at this address, or its learner has not made it public."
        ) from None
    return parse(credential.issued_json)


# The checks ---------------------------------------------------------------------------------------


@dataclass
class _Run:
    """What one verification shares across a transcript's credentials: the time, the deadline, status lists."""

    now: datetime
    deadline: float
    status_lists: dict[str, tuple[dict[str, Any], bool]] = field(default_factory=dict)

    def out_of_time(self) -> bool:
        return _clock() > self.deadline


def _own_issuer(did: str) -> Issuer | None:
    if did.startswith("did:key:"):
        return Issuer.objects.filter(keys__public_key_multibase=did.removeprefix("did:key:")).first()
    return Issuer.objects.filter(did=did).first()


def _signing_key(verification_method: str) -> SigningKey | None:
    did, _, fragment = verification_method.partition("#")
    if did.startswith("did:key:"):
        return SigningKey.objects.filter(public_key_multibase=did.removeprefix("did:key:")).first()
    return SigningKey.objects.filter(issuer__did=did, fragment=fragment).select_related("issuer").first()


def resolve_key(verification_method: str) -> Ed25519PublicKey:
    """did:key by itself; did:web only for credo's own issuers (nothing is fetched)."""
    did, _, fragment = verification_method.partition("#")
    if did.startswith("did:key:"):
        return ob3_keys.public_key_from_did_key(did)
    issuer = _own_issuer(did)
    if issuer is None:
        raise CredentialError(f"{did} is not an issuer on this site, and credo does not fetch other sites' DIDs")
    key = issuer.keys.filter(fragment=fragment).first()
    if key is None:
        raise CredentialError(f"{issuer} has no key #{fragment}")
    return ob3_keys.public_key_from_multibase(key.public_key_multibase)


def _proof_method(document: dict[str, Any]) -> str | None:
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    return method if isinstance(method, str) else None


def _check_signature(report: Report, proof: ProofCheck) -> None:
    if proof.valid:
        report.add(SIGNATURE, True, "The signature is valid: nothing has changed since the issuer signed it.")
    elif proof.verification_method is not None:  # the proof was read and the key found, but the bytes differ
        report.add(
            SIGNATURE,
            False,
            "The signature does not match: the credential has been changed since it was signed, "
            "or it was signed with another key.",
        )
    else:
        report.add(
            SIGNATURE,
            False,
            f"The signature could not be checked: {proof.problem}.",
            plain="The signature could not be checked, so nothing the credential says can be trusted.",
            technical=f"{proof.problem}.",
        )


def _check_issuer(report: Report, document: dict[str, Any], signed: bool) -> None:
    method = _proof_method(document)
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        report.add(ISSUER, False, "The credential does not say who issued it.")
        return
    if method is None or not signed:
        report.add(ISSUER, None, f"{NOT_CHECKED}without a valid signature there is no key to match with the issuer.")
        return
    controller = method.split("#", 1)[0]
    if issuer_id != controller:
        report.add(
            ISSUER,
            False,
            f"The issuer it names ({issuer_id}) is not the one whose key signed it ({controller}).",
            plain="It names one issuer, but it was signed with someone else's key.",
            technical=f"The issuer it names is {issuer_id}; the key that signed it is {controller}'s.",
        )
        return
    key = _signing_key(method)
    if key is None:
        # Anyone can make a did:key and call themselves a college: the signature proves the key, not the name.
        name = _text(issuer.get("name")) if isinstance(issuer, dict) else None
        claim = f"; the name {name!r} is their own claim" if name else ""
        report.add(
            ISSUER,
            None,
            f"{NOT_CHECKED}the key matches the issuer the credential names ({_text(issuer_id)}), but that issuer "
            f"is not registered on this site, so credo cannot confirm who they are{claim}.",
            plain=f"{NOT_CHECKED}it was signed by the issuer it names, but that issuer is not registered on "
            f"this site, so credo cannot confirm who they are{claim}.",
            technical=f"The issuer's identifier (DID) is {_text(issuer_id)}.",
        )
        return
    proof_created = _proof_created(document)
    if key.retired_at and key.issuer.did_method == DidMethod.WEB and proof_created and proof_created > key.retired_at:
        report.add(
            ISSUER,
            False,
            f"It was signed on {_day(proof_created)} with {key.issuer.name}'s key #{key.fragment}, which was "
            f"retired on {_day(key.retired_at)}: a retired key signs nothing new.",
        )
        return
    retired = f", retired on {_day(key.retired_at)}" if key.retired_at else ""
    report.add(
        ISSUER,
        True,
        f"Signed by {key.issuer.name}, an issuer registered on this site, with its key #{key.fragment}{retired}.",
    )


def _proof_created(document: dict[str, Any]) -> datetime | None:
    proof = document.get("proof")
    first = proof[0] if isinstance(proof, list) and proof else proof
    return _date(first.get("created")) if isinstance(first, dict) else None


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _check_dates(report: Report, document: dict[str, Any], now: datetime) -> None:
    try:
        valid_from = parse_datetime(document.get("validFrom"), "validFrom")
        until = document.get("validUntil")
        valid_until = parse_datetime(until, "validUntil") if until is not None else None
    except CredentialError as error:
        report.add(
            DATES,
            False,
            f"The dates cannot be read: {error}.",
            plain="Its dates cannot be read, so credo cannot tell whether it is in date.",
            technical=f"{error}.",
        )
        return
    if valid_from > now:
        report.add(DATES, False, f"It is not valid yet: it is valid from {_day(valid_from)}.")
    elif valid_until is not None and valid_until <= now:
        report.add(DATES, False, f"It expired on {_day(valid_until)}.")
    else:
        ends = f" until {_day(valid_until)}" if valid_until else ", with no expiry date"
        report.add(DATES, True, f"Valid from {_day(valid_from)}{ends}.")


def _own_status_list(url: str) -> StatusList | None:
    prefix = f"{links.site()}/status/"
    if not url.startswith(prefix):
        return None
    try:
        slug, purpose, number = url.removeprefix(prefix).split("/")
        return StatusList.objects.get(issuer__organisation__slug=slug, purpose=purpose, number=int(number))
    except (ValueError, StatusList.DoesNotExist):
        return None


def _status_list(run: _Run, url: str) -> tuple[dict[str, Any], bool] | None:
    """The status list credential at ``url`` (one of credo's own) and whether its signature holds, once per run."""
    if url not in run.status_lists:
        status_list = _own_status_list(url)
        if status_list is None:
            return None
        list_credential = json.loads(status_list_json(status_list))
        run.status_lists[url] = (list_credential, verify_proof(list_credential, resolve_key).valid)
    return run.status_lists[url]


def _issuer_id(document: dict[str, Any]) -> object:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _check_status(report: Report, document: dict[str, Any], run: _Run) -> None:
    entries = document.get("credentialStatus") or []
    entries = entries if isinstance(entries, list) else [entries]
    if not entries:
        report.add(STATUS, None, "The credential has no status list, so its issuer cannot revoke it.")
        return
    if len(entries) > MAX_STATUS_ENTRIES:
        report.add(STATUS, False, f"It has {len(entries)} status entries; credo checks up to {MAX_STATUS_ENTRIES}.")
        return
    checked: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            kind = entry.get("type") if isinstance(entry, dict) else None
            report.add(
                STATUS,
                None,
                f"{NOT_CHECKED}a status entry of a kind credo does not read.",
                plain=f"{NOT_CHECKED}it keeps its revocation record in a way credo cannot read.",
                technical=f"A credentialStatus entry of type {kind!r}; credo reads BitstringStatusListEntry.",
            )
            continue
        address = str(entry.get("statusListCredential", ""))
        found = _status_list(run, address)
        if found is None:
            report.add(
                STATUS,
                None,
                f"{NOT_CHECKED}the status list is not on this site, and credo does not fetch it.",
                plain=f"{NOT_CHECKED}whether the issuer has revoked it is recorded on another site, and credo "
                "does not fetch from other sites.",
                technical=f"The status list is at {address[:300]}.",
            )
            continue
        list_credential, signed = found
        if not signed:
            report.add(
                STATUS,
                False,
                "The issuer's status list is not validly signed.",
                plain="The issuer's record of revoked credentials is not validly signed, so it cannot be trusted.",
                technical=f"The status list at {address[:300]} is not validly signed.",
            )
            continue
        if _issuer_id(list_credential) != _issuer_id(document):
            report.add(
                STATUS,
                False,
                "The status list it points at belongs to another issuer.",
                plain="The record of revoked credentials it points to belongs to another issuer.",
                technical=f"The status list at {address[:300]} names another issuer.",
            )
            continue
        try:
            is_set = status_bit(entry, list_credential)
        except CredentialError as error:
            report.add(
                STATUS,
                False,
                f"The status entry cannot be read: {error}.",
                plain="Its revocation record cannot be read, so credo cannot tell whether it was revoked.",
                technical=f"{error}.",
            )
            continue
        purpose = str(entry.get("statusPurpose"))
        report.revoked = report.revoked or (is_set and purpose == "revocation")
        report.suspended = report.suspended or (is_set and purpose == "suspension")
        checked.append(purpose)
    if report.revoked:
        report.add(
            STATUS,
            False,
            "The issuer's status list says it has been revoked.",
            plain="The issuer's records say it has been revoked.",
        )
    elif report.suspended:
        report.add(
            STATUS,
            False,
            "The issuer's status list says it is suspended.",
            plain="The issuer's records say it is suspended.",
        )
    elif checked:
        states = sorted({"revocation": "revoked", "suspension": "suspended"}.get(p, p) for p in checked)
        report.add(
            STATUS,
            True,
            f"The issuer's status list says it is not {' or '.join(states)}.",
            plain=f"The issuer's records say it has not been {' or '.join(states)}.",
        )


def _types(document: dict[str, Any]) -> list[str]:
    types = document.get("type") or []
    return [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]


def _check_schema(report: Report, document: dict[str, Any]) -> None:
    types = _types(document)
    if "OpenBadgeCredential" in types or "AchievementCredential" in types:
        problems = achievement_credential_problems(document)
        if problems:
            report.add(
                SCHEMA,
                False,
                f"It does not match the Open Badges 3.0 schema: {'; '.join(problems[:5])}.",
                plain="It is not laid out as the Open Badges 3.0 standard sets out, so other apps may not read it.",
                technical=f"Where it differs from the Open Badges 3.0 schema: {'; '.join(problems[:5])}.",
            )
        else:
            report.add(
                SCHEMA,
                True,
                "It matches the Open Badges 3.0 schema (read, as VC Data Model 2.0 allows, with credentialStatus "
                "as a list: the published schema expects a single entry).",
                plain="It is laid out as the Open Badges 3.0 standard sets out, so other badge apps can read it.",
                technical="It matches the Open Badges 3.0 JSON schema, read, as VC Data Model 2.0 allows, with "
                "credentialStatus as a list (the published schema expects a single entry).",
            )
    elif "ClrCredential" in types:
        report.add(
            SCHEMA,
            None,
            "CLR 2.0 has no final published schema; the credentials it bundles are checked below.",
            plain="There is no published layout for transcripts to compare it with yet; each credential it "
            "bundles is checked below.",
            technical="CLR 2.0 has no final published JSON schema.",
        )
    else:
        report.add(
            SCHEMA,
            None,
            "It is neither an Open Badge nor a CLR, so there is no schema to check it against.",
            plain="It is neither an Open Badge nor a transcript, so there is no standard layout to compare it with.",
            technical=f"Its types are {', '.join(types[:5]) or 'not given'}: neither OpenBadgeCredential, "
            "AchievementCredential nor ClrCredential.",
        )


def _text(value: Any) -> str | None:
    return value[:500] if isinstance(value, str) and value.strip() else None


def _date(value: Any) -> datetime | None:
    try:
        return parse_datetime(value)
    except CredentialError:
        return None


def _learner_name(subject: dict[str, Any]) -> str | None:
    identifiers = subject.get("identifier") or []
    for identity in identifiers if isinstance(identifiers, list) else [identifiers]:
        if isinstance(identity, dict) and identity.get("identityType") == "name" and identity.get("hashed") is False:
            return _text(identity.get("identityHash"))
    return _text(subject.get("name"))


def claims_of(document: dict[str, Any]) -> Claims:
    """The summary a person reads first: who issued what to whom, and when."""
    types = _types(document)
    issuer = document.get("issuer")
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    kind = (
        "CLR transcript"
        if "ClrCredential" in types
        else "Open Badge"
        if "OpenBadgeCredential" in types
        else "Credential"
    )
    return Claims(
        id=_text(document.get("id")),
        kind=kind,
        name=_text(document.get("name")),
        issuer_id=_text(_issuer_id(document)),
        issuer_name=_text(issuer.get("name")) if isinstance(issuer, dict) else None,
        learner_name=_learner_name(subject),
        achievement_name=_text(achievement.get("name")),
        achievement_code=_text(achievement.get("humanCode")),
        valid_from=_date(document.get("validFrom")),
        valid_until=_date(document.get("validUntil")),
        awarded=_date(document.get("awardedDate")),
    )


def _verify(document: dict[str, Any], run: _Run) -> Report:
    report = Report(credential=document, claims=claims_of(document))
    if run.out_of_time():
        report.add(
            SIGNATURE,
            False,
            f"The signature could not be checked: checking took longer than {TIME_LIMIT_SECONDS:g} seconds.",
        )
        return report
    proof = verify_proof(document, resolve_key, PUBLIC_LIMITS)
    _check_signature(report, proof)
    _check_issuer(report, document, proof.valid)
    _check_dates(report, document, run.now)
    _check_status(report, document, run)
    _check_schema(report, document)
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and "ClrCredential" in _types(document):
        bundled = subject.get("verifiableCredential") or []
        bundled = bundled if isinstance(bundled, list) else [bundled]
        if len(bundled) > MAX_EMBEDDED:
            report.add(BUNDLED, False, f"It bundles {len(bundled)} credentials; credo checks up to {MAX_EMBEDDED}.")
            return report
        for embedded in bundled:
            if isinstance(embedded, dict):
                report.embedded.append(_verify(embedded, run))
            else:
                unreadable = Report()
                unreadable.add(
                    SIGNATURE,
                    False,
                    "The signature could not be checked: this bundled credential is not a JSON object with a proof.",
                )
                report.embedded.append(unreadable)
    return report


def verify_credential(document: dict[str, Any], *, now: datetime | None = None) -> Report:
    """Every check on ``document``, and on the credentials a CLR bundles, within ``TIME_LIMIT_SECONDS``."""
    run = _Run(now=now or timezone.now(), deadline=_clock() + TIME_LIMIT_SECONDS)
    return _verify(document, run)
