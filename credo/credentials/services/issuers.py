"""Issuer profiles and their signing keys."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from credo.accounts.models import Organisation
from credo.audit.services import record_event
from credo.credentials import kek, links
from credo.credentials.access import ISSUING_KINDS
from credo.credentials.models import DidMethod, Issuer, SigningKey
from credo.credentials.ob3 import did as dids
from credo.credentials.ob3 import keys as ob3_keys
from credo.credentials.services.achievements import sync_achievements

#: Organisations that put their name on credentials.


def default_did_method() -> str:
    """did:web needs the site on https at a real domain; otherwise issuers use did:key."""
    return DidMethod.WEB if links.site().startswith("https://") else DidMethod.KEY


def _new_key(issuer: Issuer, number: int) -> SigningKey:
    private_key = Ed25519PrivateKey.generate()
    public = ob3_keys.public_key_multibase(private_key.public_key())
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    sealed, sealed_with = kek.seal(raw, public)
    return SigningKey.objects.create(
        issuer=issuer,
        fragment=f"key-{number}" if issuer.did_method == DidMethod.WEB else public,
        public_key_multibase=public,
        encrypted_private_key=sealed,
        kek_id=sealed_with,
    )


@transaction.atomic
def create_issuer(
    organisation: Organisation,
    *,
    actor: Any,
    name: str = "",
    url: str = "",
    email: str,
    description: str = "",
    image_url: str = "",
    did_method: str | None = None,
) -> Issuer:
    """Give an issuing organisation an issuer profile and its first signing key."""
    if organisation.kind not in ISSUING_KINDS:
        raise ValidationError(f"{organisation} is a {organisation.get_kind_display()}; only issuers sign credentials.")
    method = did_method or default_did_method()
    issuer = Issuer(
        organisation=organisation,
        name=name or organisation.name,
        url=url or organisation.website or links.issuer_page(organisation.slug),
        email=email,
        description=description,
        image_url=image_url,
        did_method=method,
        did=links.issuer_did_web(organisation.slug) if method == DidMethod.WEB else f"pending:{organisation.slug}",
    )
    issuer.full_clean(exclude=["did"])
    issuer.save()
    key = _new_key(issuer, 1)
    if method == DidMethod.KEY:
        issuer.did = f"did:key:{key.public_key_multibase}"
        issuer.save(update_fields=["did"])
    record_event(
        actor=actor,
        action="credentials.issuer_created",
        obj=issuer,
        organisation_id=organisation.pk,
        details={"did": issuer.did, "key": key.public_key_multibase},
    )
    sync_achievements(issuer)
    return issuer


@transaction.atomic
def rotate_key(issuer: Issuer, *, actor: Any) -> SigningKey:
    """Retire the active key and make a new one. Earlier credentials keep verifying.

    With did:web the retired key stays in the DID document. A did:key issuer's
    DID *is* its key, so rotating gives the issuer a new DID; credentials signed
    with the old key still verify, because their did:key resolves by itself.
    """
    issuer = Issuer.objects.select_for_update().get(pk=issuer.pk)
    now = timezone.now()
    retired = list(issuer.keys.filter(retired_at__isnull=True).values_list("public_key_multibase", flat=True))
    issuer.keys.filter(retired_at__isnull=True).update(retired_at=now)
    key = _new_key(issuer, issuer.keys.count() + 1)
    if issuer.did_method == DidMethod.KEY:
        issuer.did = f"did:key:{key.public_key_multibase}"
        issuer.save(update_fields=["did"])
    record_event(
        actor=actor,
        action="credentials.key_rotated",
        obj=issuer,
        organisation_id=issuer.organisation_id,
        details={"retired": retired, "new": key.public_key_multibase},
    )
    return key


def active_key(issuer: Issuer) -> SigningKey:
    key = issuer.keys.filter(retired_at__isnull=True).first()
    if key is None:
        raise ValidationError(f"{issuer} has no active signing key; rotate to make one.")
    return key


def verification_method(issuer: Issuer, key: SigningKey) -> str:
    if issuer.did_method == DidMethod.KEY:
        return f"did:key:{key.public_key_multibase}#{key.public_key_multibase}"
    return f"{issuer.did}#{key.fragment}"


def signing_key_for(issuer: Issuer, key: SigningKey | None = None) -> ob3_keys.SigningKey:
    """The issuer's active key, unsealed for signing (never stored or shown anywhere)."""
    key = key or active_key(issuer)
    raw = kek.unseal(key.encrypted_private_key, key.public_key_multibase, key.kek_id)
    private_key = Ed25519PrivateKey.from_private_bytes(raw)
    return ob3_keys.SigningKey(private_key, verification_method(issuer, key))


def did_document(issuer: Issuer) -> dict[str, Any]:
    """The issuer's did:web document, listing every key it has ever signed with."""
    keys = [
        dids.PublishedKey(ob3_keys.public_key_from_multibase(key.public_key_multibase), key.fragment)
        for key in issuer.keys.order_by("created_at", "pk")
    ]
    return dids.did_document(issuer.did, keys)


def problems_signing(issuer: Issuer) -> list[str]:
    """Why this issuer cannot sign right now (empty when it can)."""
    key = issuer.keys.filter(retired_at__isnull=True).first()
    if key is None:
        return [f"{issuer} has no active signing key"]
    try:
        signing_key_for(issuer, key)
    except kek.KeyEncryptionError as error:
        return [f"{issuer}'s signing key cannot be opened: {error}"]
    return []


PROFILE_FIELDS = ("name", "url", "email", "description", "image_url")


@transaction.atomic
def update_issuer_profile(issuer: Issuer, *, actor: Any, **fields: str) -> Issuer:
    """Change what new credentials say about their issuer; credentials already issued keep what they said."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(f"Not part of an issuer profile: {', '.join(sorted(unknown))}.")
    before = {name: getattr(issuer, name) for name in fields}
    for name, value in fields.items():
        setattr(issuer, name, value.strip())
    issuer.full_clean(exclude=["did"])
    changed = {name: [before[name], getattr(issuer, name)] for name in fields if before[name] != getattr(issuer, name)}
    if changed:
        issuer.save(update_fields=list(changed))
        record_event(
            actor=actor,
            action="credentials.issuer_profile_changed",
            obj=issuer,
            organisation_id=issuer.organisation_id,
            details={"changed": changed},
        )
    return issuer


@transaction.atomic
def reseal_signing_keys(*, actor: Any) -> int:
    """Re-encrypt every signing key under the current key-encryption key; returns how many changed.

    All or nothing: a key that does not open (its KEK is not configured) stops the lot.
    """
    current = kek.kek_id(kek.current_kek())
    resealed = []
    for key in SigningKey.objects.select_for_update().exclude(kek_id=current).select_related("issuer"):
        raw = kek.unseal(key.encrypted_private_key, key.public_key_multibase, key.kek_id)
        key.encrypted_private_key, key.kek_id = kek.seal(raw, key.public_key_multibase)
        key.save(update_fields=["encrypted_private_key", "kek_id"])
        resealed.append(key)
    for key in resealed:
        record_event(
            actor=actor,
            action="credentials.key_resealed",
            obj=key.issuer,
            organisation_id=key.issuer.organisation_id,
            details={"key": key.public_key_multibase, "kek": current},
        )
    return len(resealed)
