"""Status lists: where each credential's revocation and suspension bits live, and changing them.

Every credential gets one slot, the same index in the issuer's revocation
list and suspension list of the same number. Changing a bit re-signs that
list's status list credential, which is what verifiers fetch.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from credo.audit.services import record_event
from credo.credentials import links
from credo.credentials.models import (
    Credential,
    CredentialKind,
    CredentialState,
    DidMethod,
    Issuer,
    StatusList,
    StatusPurpose,
)
from credo.credentials.ob3 import proofs
from credo.credentials.ob3.status_list import MIN_LENGTH, Bitstring, status_entry, status_list_credential
from credo.credentials.services.issuers import active_key, signing_key_for
from credo.credentials.services.notify import tell_learner


def _lists(issuer: Issuer, number: int) -> dict[str, StatusList]:
    lists = {}
    for purpose in StatusPurpose.values:
        lists[purpose], _ = StatusList.objects.get_or_create(
            issuer=issuer,
            purpose=purpose,
            number=number,
            defaults={"bits": bytes(MIN_LENGTH // 8), "signing_key": active_key(issuer)},
        )
    return lists


def _belongs_to_another_did(status_list: StatusList, issuer: Issuer) -> bool:
    """A did:key issuer's DID changes with its key, and a verifier insists that a status list comes from
    the same DID as the credential: after a rotation, new credentials need lists of their own."""
    return issuer.did_method == DidMethod.KEY and status_list.signing_key_id != active_key(issuer).pk


def allocate_slots(issuer: Issuer, count: int) -> list[tuple[int, int]]:
    """Reserve ``count`` (list number, index) slots; call inside the transaction that uses them.

    The revocation list row is locked, so concurrent issuance queues here and
    no two credentials ever share a slot (the database refuses it anyway).
    """
    slots: list[tuple[int, int]] = []
    while len(slots) < count:
        number = (
            StatusList.objects.filter(issuer=issuer, purpose=StatusPurpose.REVOCATION)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        ) or 1
        _lists(issuer, number)
        current = StatusList.objects.select_for_update().get(
            issuer=issuer, purpose=StatusPurpose.REVOCATION, number=number
        )
        capacity = len(bytes(current.bits)) * 8
        if current.next_index >= capacity or _belongs_to_another_did(current, issuer):
            _lists(issuer, number + 1)
            continue
        take = min(count - len(slots), capacity - current.next_index)
        slots.extend((number, index) for index in range(current.next_index, current.next_index + take))
        current.next_index += take
        current.save(update_fields=["next_index", "updated_at"])
    return slots


def entries_for(issuer: Issuer, number: int, index: int) -> list[dict[str, Any]]:
    slug = issuer.organisation.slug
    return [
        status_entry(links.status_list_url(slug, purpose, number), purpose, index)  # type: ignore[arg-type]
        for purpose in StatusPurpose.values
    ]


def sign_status_list(status_list: StatusList) -> str:
    """Sign the list as it stands now and keep the exact JSON served to verifiers."""
    issuer = status_list.issuer
    # did:web: the DID stays, so the active key signs. did:key: only the list's own key is the right DID.
    own_key = status_list.signing_key if issuer.did_method == DidMethod.KEY else None
    key = signing_key_for(issuer, own_key)
    now = timezone.now()
    unsigned = status_list_credential(
        links.status_list_url(issuer.organisation.slug, status_list.purpose, status_list.number),
        key.controller,
        status_list.purpose,  # type: ignore[arg-type]
        Bitstring(bytes(status_list.bits)),
        now,
    )
    status_list.signed_json = json.dumps(proofs.sign(unsigned, key, now), ensure_ascii=False)
    status_list.save(update_fields=["signed_json", "updated_at"])
    return status_list.signed_json


def status_list_json(status_list: StatusList) -> str:
    return status_list.signed_json or sign_status_list(status_list)


def _set_bit(credential: Credential, purpose: str, value: bool) -> None:
    status_list = StatusList.objects.select_for_update().get(
        issuer=credential.issuer, purpose=purpose, number=credential.status_list_number
    )
    bits = Bitstring(bytes(status_list.bits))
    bits[credential.status_index] = value
    status_list.bits = bits.to_bytes()
    status_list.save(update_fields=["bits", "updated_at"])
    sign_status_list(status_list)


#: Why a change cannot be made to a credential in a state, for each change and each state it is refused from.
REFUSED: dict[tuple[str, str], str] = {
    (CredentialState.REVOKED, CredentialState.REVOKED): "This credential is already revoked.",
    (CredentialState.SUSPENDED, CredentialState.SUSPENDED): (
        "This credential is already suspended; reinstate it to make it active again."
    ),
    (CredentialState.SUSPENDED, CredentialState.REVOKED): (
        "This credential is revoked, and revoking is for good: it cannot be suspended."
    ),
    (CredentialState.ACTIVE, CredentialState.ACTIVE): (
        "This credential is active already: only a suspended credential can be reinstated."
    ),
    (CredentialState.ACTIVE, CredentialState.REVOKED): (
        "This credential is revoked, and revoking is for good: it cannot be reinstated."
    ),
}


def refusal(to: str, state: str) -> str:
    """Why a credential in ``state`` cannot be changed to ``to``, in words for the person who tried."""
    return REFUSED.get((to, state), "This change cannot be made to this credential as it is now.")


def _change(credential: Credential, *, actor: Any, to: str, reason: str, allowed_from: set[str]) -> Credential:
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason: the learner is told it, and the public page shows it."})
    with transaction.atomic():
        credential = Credential.objects.select_for_update().get(pk=credential.pk)
        if credential.state not in allowed_from:
            raise ValidationError(refusal(to, credential.state))
        before = credential.state
        if to == CredentialState.REVOKED:
            _set_bit(credential, StatusPurpose.REVOCATION, True)
            if before == CredentialState.SUSPENDED:
                _set_bit(credential, StatusPurpose.SUSPENSION, False)
        else:
            _set_bit(credential, StatusPurpose.SUSPENSION, to == CredentialState.SUSPENDED)
        credential.state = to
        credential.state_reason = reason.strip()
        credential.state_changed_at = timezone.now()
        credential.save(update_fields=["state", "state_reason", "state_changed_at"])
        record_event(
            actor=actor,
            action=f"credentials.{to}",
            obj=credential,
            organisation_id=credential.issuer.organisation_id,
            details={"from": before, "to": to, "reason": credential.state_reason},
        )
        tell_learner(credential, to)
        if credential.kind == CredentialKind.ACHIEVEMENT:
            _transcripts_follow(credential.issuer)
    return credential


def _transcripts_follow(issuer: Issuer) -> None:
    """Once this change commits, renew the transcripts that bundle the changed credential."""
    # Imported here: the task module imports issuance, which imports this module.
    from credo.credentials.tasks import refresh_transcripts_later

    refresh_transcripts_later(issuer)


def revoke(credential: Credential, *, actor: Any, reason: str) -> Credential:
    """Revoke for good (a suspended credential can be revoked too)."""
    return _change(
        credential,
        actor=actor,
        to=CredentialState.REVOKED,
        reason=reason,
        allowed_from={CredentialState.ACTIVE, CredentialState.SUSPENDED},
    )


def suspend(credential: Credential, *, actor: Any, reason: str) -> Credential:
    return _change(
        credential, actor=actor, to=CredentialState.SUSPENDED, reason=reason, allowed_from={CredentialState.ACTIVE}
    )


def reinstate(credential: Credential, *, actor: Any, reason: str) -> Credential:
    """Lift a suspension."""
    return _change(
        credential, actor=actor, to=CredentialState.ACTIVE, reason=reason, allowed_from={CredentialState.SUSPENDED}
    )
