"""A learner's portfolio of evidence: one per enrolment, in sections, with evidence mapped to criteria.

Sections are copied from the qualification's portfolio template when the portfolio is made (or, for a
qualification with no template, made one per unit), so that a later edit of the template does not
rewrite a portfolio a learner is building. Every change goes through ``portfolios.services``.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from credo.catalogue.models import AssessmentCriterion, Competency, TemplateSection, Unit, word_range
from credo.programmes.models import Enrolment


class Portfolio(models.Model):
    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="portfolio")
    created_at = models.DateTimeField(auto_now_add=True)
    attempt = models.PositiveSmallIntegerField(
        default=1, help_text="The attempt being built now (or last submitted): 2 once reopened for a resubmission."
    )
    is_open = models.BooleanField(
        default=True, help_text="False from submission until the portfolio is reopened for the next attempt."
    )
    resubmission_deadline = models.DateTimeField(
        null=True, blank=True, help_text="Set when reopened: the deadline for the attempt after the first."
    )

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(attempt__gte=1), name="portfolio_attempt_from_one"),
        ]

    def __str__(self) -> str:
        return f"Portfolio of {self.enrolment}"


class PortfolioSection(models.Model):
    """One part of a portfolio, as the template said when the portfolio was made (or one unit, without a template)."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=250)
    guidance = models.TextField(blank=True)
    min_words = models.PositiveIntegerField(null=True, blank=True)
    max_words = models.PositiveIntegerField(null=True, blank=True)
    requirements = models.JSONField(
        default=list,
        blank=True,
        help_text='The evidence the template asked for, as it read then: a list of {"kind", "description", '
        '"min_count", "attestor_relationship"}.',
    )
    template_section = models.ForeignKey(
        TemplateSection, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("portfolio", "position")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("portfolio", "position"), name="portfoliosection_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    def suggested_length(self) -> str:
        # The template's own wording, so the portfolio and the programme page say the same.
        return word_range(self.min_words, self.max_words)


class ItemKind(models.TextChoices):
    TEXT = "text", "Written text"
    FILE = "file", "File"
    LINK = "link", "Link"


class EvidenceItem(models.Model):
    section = models.ForeignKey(PortfolioSection, on_delete=models.CASCADE, related_name="items")
    # Repeated from the section so that the database can refuse the same file twice in one portfolio.
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=8, choices=ItemKind.choices)
    title = models.CharField(max_length=250)
    html = models.TextField(blank=True, help_text="Text items: sanitised HTML.")
    word_count = models.PositiveIntegerField(default=0)
    url = models.URLField(max_length=2000, blank=True)
    file = models.FileField(max_length=500, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=120, blank=True, help_text="As identified from the file's bytes.")
    sha256 = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised by every save: a stale editor is refused.")
    share_in_credential = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("section", "created_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("portfolio", "sha256"), condition=Q(kind="file"), name="evidenceitem_one_file_per_content"
            ),
            models.CheckConstraint(
                condition=Q(kind="text") | Q(kind="link") & ~Q(url="") | Q(kind="file") & ~Q(sha256="") & ~Q(file=""),
                name="evidenceitem_kind_has_content",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EvidenceVersion(models.Model):
    """Each saved version of a text item, kept until the portfolio is submitted."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    html = models.TextField()
    word_count = models.PositiveIntegerField()
    saved_at = models.DateTimeField(auto_now_add=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("item", "number")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("item", "number"), name="evidenceversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.item} v{self.number}"


class CriterionMapping(models.Model):
    """The learner says this item is evidence for this assessment criterion."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="mappings")
    criterion = models.ForeignKey(AssessmentCriterion, on_delete=models.PROTECT, related_name="+")
    mapped_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("item", "criterion")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("item", "criterion"), name="criterionmapping_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.item} -> {self.criterion}"


class CompetencyMapping(models.Model):
    """The learner says this item is evidence for this competency (a micro-credential has competencies, not units)."""

    item = models.ForeignKey(EvidenceItem, on_delete=models.CASCADE, related_name="competency_mappings")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    mapped_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("item", "competency")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("item", "competency"), name="competencymapping_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.item} -> {self.competency}"


class AttestationState(models.TextChoices):
    SENT = "sent", "Waiting for a reply"
    OPENED = "opened", "Opened, not yet answered"
    COMPLETED = "completed", "Received"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"


#: A request whose link still works: the attestor may still complete or decline it.
LIVE_ATTESTATION_STATES = (AttestationState.SENT, AttestationState.OPENED)


class AttestationRequest(models.Model):
    """A learner asks a named person, who has no account, to attest to their work through a single-purpose link.

    Only a hash of the link's token is stored: the token itself is in the email and nowhere else, so a leaked
    database does not hand out working links.
    """

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="attestation_requests")
    section = models.ForeignKey(PortfolioSection, on_delete=models.CASCADE, related_name="attestation_requests")
    requirement = models.PositiveSmallIntegerField(
        default=0, help_text="Which of the section's requirements this answers: its index in section.requirements."
    )
    attestor_name = models.CharField(max_length=200)
    attestor_email = models.EmailField(help_text="Lower case, so that one person is one address.")
    relationship = models.CharField(max_length=40, help_text="How the learner describes the attestor: a participant…")
    message = models.TextField(blank=True, help_text="The learner's personal message, in plain text.")
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the link's token, in hex.")
    state = models.CharField(max_length=12, choices=AttestationState.choices, default=AttestationState.SENT)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True, help_text="When it was completed or declined.")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, help_text="The reminder before expiry, sent once.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("portfolio", "sent_at", "id")
        constraints: ClassVar = [
            # One live request to one person for one requirement: cancel it (or let it expire) to ask again.
            models.UniqueConstraint(
                fields=("section", "requirement", "attestor_email"),
                condition=Q(state__in=["sent", "opened"]),
                name="attestationrequest_one_live_per_attestor",
            ),
        ]
        indexes = [models.Index(fields=("state", "expires_at"))]

    def __str__(self) -> str:
        return f"Attestation from {self.attestor_name} for {self.portfolio}"


class Attestation(models.Model):
    """What the attestor wrote and declared true: locked once made, and hashed so that any change would show."""

    request = models.OneToOneField(AttestationRequest, on_delete=models.PROTECT, related_name="attestation")
    attestor_name = models.CharField(max_length=200, help_text="As the attestor confirmed it.")
    attestor_role = models.CharField(max_length=200, blank=True, help_text="Their role or organisation, if given.")
    relationship = models.TextField(help_text="How the attestor knows the learner, in their words.")
    answers = models.JSONField(
        default=list, help_text='The template\'s questions as they read, with the answers: [{"question", "answer"}].'
    )
    statement = models.TextField(blank=True, help_text="The attestation, in plain text.")
    declared_true = models.BooleanField()
    content_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the canonical JSON of what was attested.")
    completed_at = models.DateTimeField()
    copy_requested = models.BooleanField(default=False)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(declared_true=True), name="attestation_declared_true"),
        ]

    def __str__(self) -> str:
        return f"Attestation by {self.attestor_name}"


class DeadlineExtension(models.Model):
    """Staff give one learner more time to submit an attempt; the latest extension for the attempt applies."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="extensions")
    attempt = models.PositiveSmallIntegerField()
    deadline = models.DateTimeField()
    reason = models.TextField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("portfolio", "attempt", "granted_at", "id")

    def __str__(self) -> str:
        return f"Extension of attempt {self.attempt} for {self.portfolio} to {self.deadline:%Y-%m-%d}"


class Submission(models.Model):
    """An attempt, submitted: an immutable, content-hashed snapshot of the whole portfolio.

    ``manifest`` holds every section's text, each file's name, size and SHA-256, the attestations with their
    hashes and the mapping to criteria, as canonical JSON whose SHA-256 is ``content_sha256``. The files
    themselves stay where they are stored; an item removed later keeps its file while a submission names it.
    The assessment app reads submissions and nothing else of a portfolio.
    """

    portfolio = models.ForeignKey(Portfolio, on_delete=models.PROTECT, related_name="submissions")
    attempt = models.PositiveSmallIntegerField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declaration = models.TextField(help_text="The declaration as the learner read and accepted it.")
    deadline = models.DateTimeField(help_text="The deadline that applied when it was submitted.")
    manifest = models.JSONField()
    content_sha256 = models.CharField(max_length=64)
    total_bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ("portfolio", "attempt")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("portfolio", "attempt"), name="submission_one_per_attempt"),
            models.CheckConstraint(condition=Q(attempt__gte=1), name="submission_attempt_from_one"),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.attempt} of {self.portfolio}"


class SubmittedFile(models.Model):
    """A file a submission names: its storage is kept (never deleted) while this row exists."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="files")
    file = models.FileField(max_length=500)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ("submission", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("submission", "sha256"), name="submittedfile_unique_content"),
        ]

    def __str__(self) -> str:
        return self.original_name


class SectionComment(models.Model):
    """A facilitator's (or programme admin's) formative comment on a section: support, not an assessment decision."""

    section = models.ForeignKey(PortfolioSection, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(help_text="Plain text.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("section", "created_at", "id")

    def __str__(self) -> str:
        return f"Comment on {self.section} by {self.author}"
