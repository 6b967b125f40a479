"""Issuing credentials for attainments: one at a time, or in resumable batches.

Idempotent by construction: an attainment has at most one current credential
(a database constraint), and a batch only picks attainments that have none.
Each chunk of a batch commits as a whole, so a crash leaves either the
chunk's credentials, all of them with their status slots, or none.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from credo.accounts.models import User
from credo.audit.services import record_event
from credo.credentials import links
from credo.credentials.models import (
    AchievementKind,
    Attainment,
    Credential,
    CredentialKind,
    CredentialState,
    Issuer,
    SigningKey,
)
from credo.credentials.ob3 import compose, proofs
from credo.credentials.services.achievements import as_ob3
from credo.credentials.services.issuers import active_key, signing_key_for
from credo.credentials.services.notify import tell_learner
from credo.credentials.services.status import allocate_slots, entries_for, revoke

CHUNK = 250
_HAS_CURRENT_CREDENTIAL = Exists(Credential.objects.filter(attainment=OuterRef("pk"), superseded_at__isnull=True))


def issuer_profile(issuer: Issuer, controller: str) -> compose.Profile:
    return compose.Profile(
        id=controller,
        name=issuer.name,
        url=issuer.url,
        email=issuer.email,
        description=issuer.description,
        image=issuer.image_url,
    )


def learner_of(user: Any) -> compose.Learner:
    # A fresh salt per credential: the same email hashes differently in each, so
    # credentials cannot be linked to each other by their hashes.
    # Never the email in place of a missing name: the email is in the credential only hashed.
    return compose.Learner(name=user.full_name, email=user.email, salt=secrets.token_hex(8))


def _at_midday(day: Any) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12), timezone.get_default_timezone())


class _ChunkSigner:
    """Composes and signs a chunk's credentials with one key at one moment.

    What is the same for every credential of the chunk (the issuer's profile, each
    achievement's OB 3.0 form) is built once; every signature is still made over
    its own document, canonicalized afresh.
    """

    def __init__(self, issuer: Issuer, key_row: SigningKey, key: Any, now: datetime) -> None:
        self.issuer = issuer
        self.key_row = key_row
        self.key = key
        self.now = now
        self.profile = issuer_profile(issuer, key.controller)
        self._achievements: dict[int, compose.Achievement] = {}

    def _achievement(self, attainment: Attainment) -> compose.Achievement:
        known = self._achievements.get(attainment.achievement_id)
        if known is None:
            known = self._achievements[attainment.achievement_id] = as_ob3(attainment.achievement, self.profile)
        return known

    def sign(self, attainment: Attainment, credential: Credential) -> None:
        facts = compose.CredentialFacts(
            id=credential.urn,
            issuer=self.profile,
            valid_from=self.now,
            valid_until=credential.valid_until,
            awarded=_at_midday(attainment.attained_on),
            name=attainment.achievement.name,
            # What the learner chose to share from their portfolio (recorded with a ratified attainment).
            evidence=tuple(compose.Evidence(**entry) for entry in attainment.evidence),
            status=entries_for(self.issuer, credential.status_list_number, credential.status_index),
        )
        unsigned = compose.achievement_credential(facts, learner_of(attainment.learner), self._achievement(attainment))
        credential.issued_json = json.dumps(proofs.sign(unsigned, self.key, self.now), ensure_ascii=False)
        credential.signing_key = self.key_row


def _new_credential(attainment: Attainment, slot: tuple[int, int], now: datetime) -> Credential:
    days = attainment.achievement.valid_for_days
    return Credential(
        kind=CredentialKind.ACHIEVEMENT,
        issuer=attainment.achievement.issuer,
        learner=attainment.learner,
        attainment=attainment,
        issued_at=now,
        # Counted from when it was earned, so a re-issue (or a past graduate brought in late) gains no time.
        valid_until=_at_midday(attainment.attained_on) + timedelta(days=days) if days else None,
        status_list_number=slot[0],
        status_index=slot[1],
    )


def _issue_chunk(issuer: Issuer, attainment_ids: Sequence[int], *, actor: Any) -> list[Credential]:
    with transaction.atomic():
        # Lock the issuer first: issuance queues per issuer, so the "still has no
        # credential" check below cannot race another batch.
        Issuer.objects.select_for_update().filter(pk=issuer.pk).first()
        pending = list(
            Attainment.objects.filter(pk__in=attainment_ids, achievement__issuer=issuer)
            .exclude(_HAS_CURRENT_CREDENTIAL)
            .select_related("achievement__issuer__organisation", "learner")
            .order_by("pk")
        )
        if not pending:
            return []
        slots = allocate_slots(issuer, len(pending))
        key_row = active_key(issuer)
        now = timezone.now()
        # The issuer as just read with the attainments, so the credentials carry its current profile.
        current = pending[0].achievement.issuer
        signer = _ChunkSigner(current, key_row, signing_key_for(current, key_row), now)
        credentials = []
        for attainment, slot in zip(pending, slots, strict=True):
            credential = _new_credential(attainment, slot, now)
            signer.sign(attainment, credential)
            credentials.append(credential)
        Credential.objects.bulk_create(credentials)
        for credential in credentials:
            tell_learner(credential, "issued")
        record_event(
            actor=actor,
            action="credentials.issued",
            organisation_id=issuer.organisation_id,
            details={
                "count": len(credentials),
                "credentials": [str(c.public_id) for c in credentials],
                "attainments": [c.attainment_id for c in credentials],
            },
        )
    return credentials


def issue_credential(attainment: Attainment, *, actor: Any = "system") -> Credential:
    """The attainment's current credential, issued now if it has none (safe to call twice)."""
    existing = attainment.credentials.filter(superseded_at__isnull=True).first()
    if existing:
        return existing
    # Issued concurrently by someone else? Then the constraint refused ours: read theirs.
    with contextlib.suppress(IntegrityError):
        _issue_chunk(attainment.achievement.issuer, [attainment.pk], actor=actor)
    return attainment.credentials.get(superseded_at__isnull=True)


def issue_pending(issuer: Issuer, *, actor: Any = "system", attainment_ids: Iterable[int] | None = None) -> int:
    """Issue every attainment of ``issuer`` that has no current credential; returns how many were issued.

    Runs chunk by chunk; if it stops part way (a crash, a deploy), running it
    again carries on where it stopped, with no duplicates and no gaps.
    """
    queryset = Attainment.objects.filter(achievement__issuer=issuer).exclude(_HAS_CURRENT_CREDENTIAL)
    if attainment_ids is not None:
        queryset = queryset.filter(pk__in=list(attainment_ids))
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    issued = 0
    for start in range(0, len(ids), CHUNK):
        issued += len(_issue_chunk(issuer, ids[start : start + CHUNK], actor=actor))
    return issued


def reissue(credential: Credential, *, actor: Any, reason: str) -> Credential:
    """Replace a credential after a correction (a name change): the old one is revoked, a new one issued."""
    attainment = credential.attainment
    if credential.kind != CredentialKind.ACHIEVEMENT or attainment is None:
        raise ValidationError("Transcripts are re-issued by issuing a new transcript.")
    reason = reason.strip()
    if not reason:  # the old credential's revocation reason is built from it, so check it here
        raise ValidationError({"reason": "Give a reason: the learner is told it, and the old credential shows it."})
    with transaction.atomic():
        # Checked on the locked row: a credential revoked, suspended or replaced a moment ago is not re-issued.
        credential = Credential.objects.select_for_update().get(pk=credential.pk)
        refused = why_not_reissued(credential)
        if refused:
            raise ValidationError(refused)
        revoke(credential, actor=actor, reason=f"Replaced by a corrected credential: {reason}")
        Credential.objects.filter(pk=credential.pk).update(superseded_at=timezone.now())
        new = issue_credential(attainment, actor=actor)
        # The learner's choice of who sees it carries over to the corrected credential.
        Credential.objects.filter(pk=new.pk).update(is_public=credential.is_public)
        new.is_public = credential.is_public
        Credential.objects.filter(pk=credential.pk).update(replaced_by=new)
    return new


def why_not_reissued(credential: Credential) -> str:
    """Why this credential cannot be re-issued as it is now (empty: it can be)."""
    if credential.superseded_at:
        return "This credential has already been replaced: re-issue the credential that replaced it."
    if credential.state == CredentialState.REVOKED:
        return "This credential is revoked, and revoking is for good: a revoked credential cannot be re-issued."
    if credential.state == CredentialState.SUSPENDED:
        # A re-issue revokes the old credential and signs an active one: it would lift the suspension unasked.
        return "This credential is suspended: reinstate it first, then re-issue it."
    return ""


def issue_transcript(learner: Any, issuer: Issuer, *, actor: Any = "system") -> Credential:
    """A CLR 2.0 transcript of the learner's current credentials from ``issuer``, replacing an older one."""
    included = list(
        Credential.objects.filter(
            learner=learner, issuer=issuer, kind=CredentialKind.ACHIEVEMENT, superseded_at__isnull=True
        )
        .exclude(state=CredentialState.REVOKED)
        .select_related("attainment__achievement")
        .prefetch_related("attainment__components__achievement")
        .order_by("attainment__attained_on", "pk")
    )
    if not included:
        raise ValidationError(f"{learner.email} holds no credentials from {issuer} to put in a transcript.")
    with transaction.atomic():
        previous = (
            Credential.objects.select_for_update()
            .filter(learner=learner, issuer=issuer, kind=CredentialKind.TRANSCRIPT, superseded_at__isnull=True)
            .first()
        )
        if previous is not None:
            revoke(previous, actor=actor, reason="Replaced by an updated transcript.")
            Credential.objects.filter(pk=previous.pk).update(superseded_at=timezone.now())
        (slot,) = allocate_slots(issuer, 1)
        key_row = active_key(issuer)
        key = signing_key_for(issuer, key_row)
        now = timezone.now()
        transcript = Credential(
            kind=CredentialKind.TRANSCRIPT,
            issuer=issuer,
            learner=learner,
            issued_at=now,
            status_list_number=slot[0],
            status_index=slot[1],
            signing_key=key_row,
        )
        profile = issuer_profile(issuer, key.controller)
        achievements = [c.attainment.achievement for c in included if c.attainment]
        associations = [
            compose.Association(
                links.achievement_url(c.attainment.achievement.public_id),
                links.achievement_url(part.achievement.public_id),
            )
            for c in included
            if c.attainment and c.attainment.achievement.kind != AchievementKind.UNIT
            for part in c.attainment.components.all()
        ]
        facts = compose.CredentialFacts(
            id=transcript.urn,
            issuer=profile,
            valid_from=now,
            name=f"Transcript from {issuer.name}",
            status=entries_for(issuer, slot[0], slot[1]),
        )
        unsigned = compose.clr_credential(
            facts,
            learner_of(learner),
            [json.loads(c.issued_json) for c in included],
            [as_ob3(a, profile) for a in achievements],
            associations,
        )
        transcript.issued_json = json.dumps(proofs.sign(unsigned, key, now), ensure_ascii=False)
        transcript.save()
        if previous is not None:
            Credential.objects.filter(pk=previous.pk).update(replaced_by=transcript)
        record_event(
            actor=actor,
            action="credentials.transcript_issued",
            obj=transcript,
            organisation_id=issuer.organisation_id,
            details={"learner": learner.email, "credentials": [str(c.public_id) for c in included]},
        )
        if previous is None:  # renewals follow each credential's own email; only the first is news
            tell_learner(transcript, "issued")
    return transcript


TRANSCRIPT_KINDS = (AchievementKind.UNIT, AchievementKind.QUALIFICATION)


def refresh_transcripts(issuer: Issuer, *, actor: Any = "system") -> int:
    """Issue or renew the CLR transcript of each learner whose unit or qualification credentials from
    ``issuer`` changed (issued, revoked, suspended, reinstated) since their transcript; returns how many.

    Safe to run again at any time: a learner whose transcript is newer than every change is left alone.
    """
    changes = (
        Credential.objects.filter(
            issuer=issuer, kind=CredentialKind.ACHIEVEMENT, attainment__achievement__kind__in=TRANSCRIPT_KINDS
        )
        .values("learner")
        .annotate(changed=Max(Greatest("issued_at", Coalesce("state_changed_at", "issued_at"))))
    )
    transcribed = dict(
        Credential.objects.filter(
            issuer=issuer, kind=CredentialKind.TRANSCRIPT, superseded_at__isnull=True
        ).values_list("learner", "issued_at")
    )
    stale = [
        row["learner"]
        for row in changes
        if row["learner"] not in transcribed or transcribed[row["learner"]] < row["changed"]
    ]
    renewed = 0
    for learner in User.objects.filter(pk__in=stale).order_by("pk"):
        try:
            issue_transcript(learner, issuer, actor=actor)
        except ValidationError:
            _withdraw_transcript(learner, issuer, actor=actor)  # nothing left to bundle
        renewed += 1
    return renewed


def _withdraw_transcript(learner: Any, issuer: Issuer, *, actor: Any) -> None:
    with transaction.atomic():
        current = (
            Credential.objects.select_for_update()
            .filter(learner=learner, issuer=issuer, kind=CredentialKind.TRANSCRIPT, superseded_at__isnull=True)
            .exclude(state=CredentialState.REVOKED)
            .first()
        )
        if current is not None:
            revoke(current, actor=actor, reason="Every credential it bundled has been revoked.")
