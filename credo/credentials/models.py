"""Issuers and their keys, achievements, attainments, issued credentials and status lists.

The rules that must never be broken are constraints here, not just checks in
services: one attainment per learner and achievement, one current credential
per attainment (and one current transcript per learner and issuer), one active
signing key per issuer, one slot per status list index.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from credo.accounts.models import Organisation
from credo.catalogue.models import Qualification, Unit


class DidMethod(models.TextChoices):
    WEB = "web", "did:web (published on this site)"
    KEY = "key", "did:key (no domain needed)"


class Issuer(models.Model):
    """An organisation's issuer profile: who a credential says it is from."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="issuer")
    name = models.CharField(max_length=200)
    url = models.URLField(help_text="The organisation's own website.")
    email = models.EmailField(help_text="Where people can ask about a credential.")
    description = models.TextField(blank=True)
    image_url = models.URLField(blank=True, help_text="A logo, as an https:// URL.")
    did_method = models.CharField(max_length=8, choices=DidMethod.choices, default=DidMethod.WEB)
    did = models.CharField(max_length=300, unique=True, help_text="Set from the active key or the site address.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class SigningKey(models.Model):
    """An Ed25519 key. The private half is stored only encrypted, under the key-encryption key."""

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="keys")
    fragment = models.CharField(max_length=80, help_text="The #fragment naming this key in the DID document.")
    public_key_multibase = models.CharField(max_length=80, unique=True)
    encrypted_private_key = models.BinaryField(editable=False)
    kek_id = models.CharField(max_length=16, help_text="Which key-encryption key encrypted it.")
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("issuer", "fragment"), name="signing_key_fragment_unique"),
            models.UniqueConstraint(
                fields=("issuer",), condition=Q(retired_at__isnull=True), name="signing_key_one_active_per_issuer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} #{self.fragment}"


class AchievementKind(models.TextChoices):
    QUALIFICATION = "qualification", "Qualification"
    UNIT = "unit", "Unit"
    MICRO_CREDENTIAL = "micro_credential", "Micro-credential"


class Achievement(models.Model):
    """What a credential says was achieved (OB 3.0's Achievement), derived from the catalogue.

    The descriptive fields are a snapshot taken when the achievement is made,
    so a later catalogue edit does not silently change what was awarded.
    """

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="achievements")
    kind = models.CharField(max_length=20, choices=AchievementKind.choices)
    qualification = models.ForeignKey(
        Qualification, null=True, blank=True, on_delete=models.PROTECT, related_name="achievements"
    )
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="achievements")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=250)
    description = models.TextField()
    criteria_narrative = models.TextField()
    achievement_type = models.CharField(max_length=40, help_text="OB 3.0 achievementType, e.g. MicroCredential.")
    code = models.CharField(max_length=40, blank=True, help_text="QN, URN or the owner's code.")
    code_type = models.CharField(max_length=60, blank=True)
    framework_name = models.CharField(max_length=200, blank=True)
    framework_code = models.CharField(max_length=20, blank=True)
    level_name = models.CharField(max_length=60, blank=True)
    level_number = models.PositiveSmallIntegerField(null=True, blank=True)
    credits = models.PositiveIntegerField(null=True, blank=True)
    valid_for_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="How long a credential for it stays valid; empty for no expiry."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="unit", unit__isnull=False, qualification__isnull=True))
                | (~Q(kind="unit") & Q(unit__isnull=True, qualification__isnull=False)),
                name="achievement_names_its_catalogue_entry",
            ),
            models.UniqueConstraint(
                fields=("issuer", "qualification"),
                condition=Q(unit__isnull=True),
                name="achievement_one_per_qualification",
            ),
            models.UniqueConstraint(fields=("issuer", "unit"), name="achievement_one_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


class Route(models.TextChoices):
    RATIFIED_ASSESSMENT = "ratified_assessment", "Assessed, moderated and ratified"
    CREDIT_TRANSFER = "credit_transfer", "Credit transfer"
    PRIOR_LEARNING = "prior_learning", "Recognition of prior learning"
    DIRECT_AWARD = "direct_award", "Direct award by the issuer"
    RULES_OF_COMBINATION = "rules_of_combination", "Completed by the units attained"


# How each route reads in previews and lists (the choices' labels stay as they are: changing them needs a migration).
ROUTE_WORDS: dict[str, str] = {
    Route.RATIFIED_ASSESSMENT: "Assessed, moderated and ratified",
    Route.CREDIT_TRANSFER: "Credit transfer",
    Route.PRIOR_LEARNING: "Recognition of prior learning",
    Route.DIRECT_AWARD: "Awarded directly",
    Route.RULES_OF_COMBINATION: "Completed by the units attained",
}


def route_in_words(route: str) -> str:
    """A route as a person says it ("Awarded directly", not ``direct_award``)."""
    return ROUTE_WORDS.get(route, route)


class Attainment(models.Model):
    """A learner has earned an achievement: how, when, and by whose decision."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attainments")
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="attainments")
    route = models.CharField(max_length=24, choices=Route.choices)
    attained_on = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="attainment_decisions"
    )
    note = models.TextField(blank=True, help_text="The decision's reference: a ratification batch, a transfer record…")
    evidence = models.JSONField(
        default=list,
        blank=True,
        help_text='What the learner chose to share, for the credential\'s evidence: [{"id", "name", "description"}].',
    )
    components = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="completes", help_text="The units a qualification rests on."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("learner", "achievement"), name="attainment_one_per_learner_achievement")
        ]

    def __str__(self) -> str:
        return f"{self.learner} — {self.achievement}"


class StatusPurpose(models.TextChoices):
    REVOCATION = "revocation", "Revocation"
    SUSPENSION = "suspension", "Suspension"


class StatusList(models.Model):
    """One Bitstring Status List of an issuer.

    A credential holds the same index in the revocation and the suspension list of one number.
    """

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="status_lists")
    purpose = models.CharField(max_length=12, choices=StatusPurpose.choices)
    number = models.PositiveIntegerField(default=1)
    bits = models.BinaryField()
    next_index = models.PositiveIntegerField(default=0)
    signed_json = models.TextField(blank=True, help_text="The signed status list credential, exactly as served.")
    signing_key = models.ForeignKey(
        SigningKey,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a did:key issuer, the key whose DID its credentials name: the list must be signed by it.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("issuer", "purpose", "number"), name="status_list_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.purpose} list {self.number}"


class CredentialKind(models.TextChoices):
    ACHIEVEMENT = "achievement", "Open Badge"
    TRANSCRIPT = "transcript", "CLR transcript"


class CredentialState(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REVOKED = "revoked", "Revoked"


class Credential(models.Model):
    """A signed credential, stored exactly as issued (the signature covers those bytes' meaning)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=CredentialKind.choices)
    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="credentials")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credentials")
    attainment = models.ForeignKey(
        Attainment, null=True, blank=True, on_delete=models.PROTECT, related_name="credentials"
    )
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="credentials")
    issued_json = models.TextField(help_text="The signed credential exactly as issued.")
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    status_list_number = models.PositiveIntegerField()
    status_index = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=CredentialState.choices, default=CredentialState.ACTIVE)
    state_reason = models.TextField(blank=True)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True, help_text="When a re-issue replaced it.")
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces")
    is_public = models.BooleanField(
        default=True, help_text="Whether the credential's page is shown to people with its link."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="achievement", attainment__isnull=False))
                | (Q(kind="transcript", attainment__isnull=True)),
                name="credential_kind_matches_attainment",
            ),
            # One current credential per attainment; a re-issue supersedes (and revokes) the old one.
            models.UniqueConstraint(
                fields=("attainment",),
                condition=Q(superseded_at__isnull=True, attainment__isnull=False),
                name="credential_one_current_per_attainment",
            ),
            models.UniqueConstraint(
                fields=("issuer", "learner"),
                condition=Q(superseded_at__isnull=True, kind="transcript"),
                name="credential_one_current_transcript",
            ),
            models.UniqueConstraint(
                fields=("issuer", "status_list_number", "status_index"), name="credential_unique_status_slot"
            ),
        ]
        indexes = [models.Index(fields=("learner", "issued_at"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"

    @property
    def urn(self) -> str:
        return f"urn:uuid:{self.public_id}"


class AwardBatchState(models.TextChoices):
    PREVIEWED = "previewed", "Checked, waiting for confirmation"
    APPLYING = "applying", "Being awarded"
    APPLIED = "applied", "Awarded"
    DISCARDED = "discarded", "Discarded"


class AwardBatch(models.Model):
    """An uploaded CSV of awards: kept as uploaded, checked, previewed, then awarded row by row in a background job.

    Confirming checks the whole file again and starts nothing if any row is wrong; the job then awards each row
    in its own transaction, so a row that went wrong since (someone awarded it meanwhile) is reported on its line
    and the others are still awarded (see docs/decisions/0017).
    """

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="award_batches")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    csv_text = models.TextField()
    row_count = models.PositiveIntegerField()
    state = models.CharField(max_length=12, choices=AwardBatchState.choices, default=AwardBatchState.PREVIEWED)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    #: The background job that awards the rows, once confirmed: its page says what happened to each row.
    job = models.OneToOneField("core.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Award batch {self.pk} ({self.file_name}, {self.row_count} rows)"
