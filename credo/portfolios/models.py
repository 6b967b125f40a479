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

from credo.catalogue.models import AssessmentCriterion, TemplateSection, Unit, word_range
from credo.programmes.models import Enrolment


class Portfolio(models.Model):
    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="portfolio")
    created_at = models.DateTimeField(auto_now_add=True)

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
