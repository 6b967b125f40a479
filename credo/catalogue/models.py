"""The catalogue: what can be achieved, and by what rules.

A Qualification (or micro-credential) belongs to a Framework at a Level and is
owned by an awarding body or issuing institution. Units are shared: one unit may
sit in several qualifications, which is how "the Awards lead to the
Certificates". Rules of combination are RuleGroups (mandatory, or optional with
a minimum count or credit value). A live qualification is frozen: its structure
changes only by publishing a new version (see services).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from credo.accounts.models import Organisation
from credo.catalogue.codes import code_slug, local_code_problem, qualification_number_problem, unit_reference_problem


class CodeScheme(models.TextChoices):
    OFQUAL = "ofqual", "Ofqual numbers (QN and URN, with check characters)"
    LOCAL = "local", "Codes assigned by the owning organisation"


class Framework(models.Model):
    code = models.CharField(max_length=20, unique=True, help_text="e.g. RQF, NZQF")
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2)
    code_scheme = models.CharField(max_length=16, choices=CodeScheme.choices)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return self.code

    def qualification_code_problem(self, code: str) -> str | None:
        if self.code_scheme == CodeScheme.OFQUAL:
            return qualification_number_problem(code)
        return local_code_problem(code)

    def unit_code_problem(self, code: str) -> str | None:
        if self.code_scheme == CodeScheme.OFQUAL:
            return unit_reference_problem(code)
        return local_code_problem(code)


class Level(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ("framework__code", "number")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("framework", "number"), name="level_unique_per_framework"),
        ]

    def __str__(self) -> str:
        return f"{self.framework.code} {self.name}"


class QualificationKind(models.TextChoices):
    AWARD = "award", "Award"
    CERTIFICATE = "certificate", "Certificate"
    DIPLOMA = "diploma", "Diploma"
    MICRO_CREDENTIAL = "micro_credential", "Micro-credential"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    LIVE = "live", "Live"
    SUPERSEDED = "superseded", "Superseded by a newer version"
    WITHDRAWN = "withdrawn", "Withdrawn"


class QualificationQuerySet(models.QuerySet["Qualification"]):
    def published(self) -> QualificationQuerySet:
        """What anyone may see: everything that has ever been live."""
        return self.exclude(status=Status.DRAFT)

    def live(self) -> QualificationQuerySet:
        return self.filter(status=Status.LIVE)

    def search(self, text: str) -> QualificationQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(code__icontains=text)
            | Q(title__icontains=text)
            | Q(rule_groups__units__code__icontains=text)
            | Q(rule_groups__units__title__icontains=text)
        ).distinct()

    def with_structure(self) -> QualificationQuerySet:
        """Everything a qualification page or the progression check reads, in a fixed number of queries."""
        return self.select_related("owner", "framework", "level").prefetch_related(
            models.Prefetch(
                "rule_groups",
                queryset=RuleGroup.objects.prefetch_related(
                    models.Prefetch("memberships", queryset=GroupUnit.objects.select_related("unit", "unit__level"))
                ),
            ),
        )


class Qualification(models.Model):
    """A qualification or micro-credential, one row per version."""

    owner = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="qualifications",
        help_text="The awarding body or issuing institution that owns it.",
    )
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="qualifications")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="qualifications")
    code = models.CharField(max_length=40, help_text="Ofqual QN such as 603/1939/2, or the owner's own code.")
    version = models.PositiveSmallIntegerField(default=1)
    slug = models.SlugField(max_length=60, editable=False)
    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=32, choices=QualificationKind.choices)
    summary = models.TextField(blank=True, help_text="Who it is for and what it covers.")
    level_note = models.CharField(
        max_length=120, blank=True, help_text="How the level is stated, e.g. 'equivalent to NZQF level 5'."
    )
    guided_learning_hours = models.PositiveIntegerField(null=True, blank=True)
    total_qualification_time = models.PositiveIntegerField(null=True, blank=True)
    credits = models.PositiveIntegerField(
        null=True, blank=True, help_text="Credit value: the fewest credits a learner must achieve, if set."
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QualificationQuerySet.as_manager()

    class Meta:
        ordering = ("framework__code", "level__number", "code", "version")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("code", "version"), name="qualification_unique_version"),
            models.UniqueConstraint(fields=("code",), condition=Q(status="live"), name="qualification_one_live"),
            models.UniqueConstraint(fields=("code",), condition=Q(status="draft"), name="qualification_one_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.slug = code_slug(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalogue:qualification", kwargs={"slug": self.slug, "version": self.version})

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.framework_id and (problem := self.framework.qualification_code_problem(self.code)):
            errors["code"] = problem
        if self.level_id and self.framework_id and self.level.framework_id != self.framework_id:
            errors["level"] = f"{self.level} is not a level of {self.framework}."
        if errors:
            raise ValidationError(errors)

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_micro_credential(self) -> bool:
        return self.kind == QualificationKind.MICRO_CREDENTIAL


class Unit(models.Model):
    """A unit of assessment. Its content is frozen once any published qualification uses it."""

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="units")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="units")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="units")
    code = models.CharField(
        max_length=40, unique=True, help_text="Ofqual URN such as Y/615/8308, or the owner's own code."
    )
    slug = models.SlugField(max_length=60, unique=True, editable=False)
    title = models.CharField(max_length=250)
    credits = models.PositiveIntegerField(null=True, blank=True)
    guided_learning_hours = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("code",)

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.slug = code_slug(self.code)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("catalogue:unit", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.framework_id and (problem := self.framework.unit_code_problem(self.code)):
            errors["code"] = problem
        if self.level_id and self.framework_id and self.level.framework_id != self.framework_id:
            errors["level"] = f"{self.level} is not a level of {self.framework}."
        if errors:
            raise ValidationError(errors)


class LearningOutcome(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="outcomes")
    number = models.PositiveSmallIntegerField()
    text = models.TextField(help_text="The learner will…")
    is_sample = models.BooleanField(default=False, help_text="Written as an example, not taken from the specification.")

    class Meta:
        ordering = ("unit", "number")
        constraints: ClassVar = [models.UniqueConstraint(fields=("unit", "number"), name="outcome_unique_number")]

    def __str__(self) -> str:
        return f"{self.unit.code} LO{self.number}"


class AssessmentCriterion(models.Model):
    outcome = models.ForeignKey(LearningOutcome, on_delete=models.CASCADE, related_name="criteria")
    number = models.CharField(max_length=10, help_text="e.g. 1.1")
    text = models.TextField(help_text="The learner can…")
    is_sample = models.BooleanField(default=False)

    class Meta:
        ordering = ("outcome", "number")
        verbose_name_plural = "assessment criteria"
        constraints: ClassVar = [models.UniqueConstraint(fields=("outcome", "number"), name="criterion_unique_number")]

    def __str__(self) -> str:
        return f"AC{self.number}"


class Competency(models.Model):
    """What a micro-credential (which has no units) assesses directly."""

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="competencies")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=250)
    description = models.TextField(blank=True)
    is_sample = models.BooleanField(default=False)

    class Meta:
        ordering = ("qualification", "number")
        verbose_name_plural = "competencies"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("qualification", "number"), name="competency_unique_number")
        ]

    def __str__(self) -> str:
        return f"C{self.number} {self.title}"


class GroupKind(models.TextChoices):
    MANDATORY = "mandatory", "Mandatory: every unit"
    OPTIONAL = "optional", "Optional: a minimum number or credit value"


class RuleGroup(models.Model):
    """One rule of combination: a group of units and how many of them a learner needs."""

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="rule_groups")
    position = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=GroupKind.choices)
    min_units = models.PositiveSmallIntegerField(null=True, blank=True)
    min_credits = models.PositiveIntegerField(null=True, blank=True)
    units = models.ManyToManyField(Unit, through="GroupUnit", related_name="rule_groups")

    class Meta:
        ordering = ("qualification", "position", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("qualification", "name"), name="rulegroup_unique_name"),
            models.CheckConstraint(
                condition=Q(kind="mandatory", min_units__isnull=True, min_credits__isnull=True)
                | Q(kind="optional") & (Q(min_units__isnull=False) | Q(min_credits__isnull=False)),
                name="rulegroup_minimum_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def requirement_text(self) -> str:
        if self.kind == GroupKind.MANDATORY:
            return "All units are required."
        parts = []
        if self.min_units:
            parts.append(f"at least {self.min_units} unit{'s' if self.min_units != 1 else ''}")
        if self.min_credits:
            parts.append(f"at least {self.min_credits} credits")
        return "Achieve " + " and ".join(parts) + "."


class GroupUnit(models.Model):
    group = models.ForeignKey(RuleGroup, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="group_memberships")
    # Repeated from the group so the database can refuse a unit listed twice in one qualification.
    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ("group", "position", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("qualification", "unit"), name="groupunit_unit_once_per_qualification"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} in {self.group}"


class PortfolioTemplate(models.Model):
    """The shape of the portfolio a learner builds for a qualification or micro-credential."""

    qualification = models.OneToOneField(Qualification, on_delete=models.CASCADE, related_name="portfolio_template")
    introduction = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Portfolio template for {self.qualification.code}"


class TemplateSection(models.Model):
    template = models.ForeignKey(PortfolioTemplate, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True)
    min_words = models.PositiveIntegerField(null=True, blank=True, help_text="Suggested length: at least")
    max_words = models.PositiveIntegerField(null=True, blank=True, help_text="Suggested length: at most")
    is_sample = models.BooleanField(default=False)

    class Meta:
        ordering = ("template", "position")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("template", "position"), name="section_unique_position"),
            models.CheckConstraint(
                condition=Q(min_words__isnull=True)
                | Q(max_words__isnull=True)
                | Q(min_words__lte=models.F("max_words")),
                name="section_word_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    def suggested_length(self) -> str:
        return word_range(self.min_words, self.max_words)


def word_range(min_words: int | None, max_words: int | None) -> str:
    """A suggested length in words ("800 to 1,200 words"), or "" when none is suggested."""
    if min_words and max_words:
        return f"{min_words:,} to {max_words:,} words"
    if min_words:
        return f"at least {min_words:,} words"
    if max_words:
        return f"up to {max_words:,} words"
    return ""


class EvidenceKind(models.TextChoices):
    TEXT = "text", "Written text"
    FILE = "file", "Document or file"
    LINK = "link", "Link"
    ATTESTATION = "attestation", "Attestation from another person"


class EvidenceRequirement(models.Model):
    section = models.ForeignKey(TemplateSection, on_delete=models.CASCADE, related_name="requirements")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    description = models.CharField(max_length=300)
    min_count = models.PositiveSmallIntegerField(default=1)
    attestor_relationship = models.CharField(
        max_length=200, blank=True, help_text="For attestations: who must write it, e.g. 'a participant'."
    )

    class Meta:
        ordering = ("section", "position", "id")

    def __str__(self) -> str:
        return self.description


class CentreApproval(models.Model):
    """An owner's approval of a provider (a centre) to deliver one of its qualifications."""

    qualification_code = models.CharField(max_length=40, help_text="Approval covers every version of this code.")
    owner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="approvals_granted")
    centre = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="approvals")
    approved_on = models.DateField()

    class Meta:
        ordering = ("centre__name", "qualification_code")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("qualification_code", "centre"), name="approval_unique_per_centre"),
        ]

    def __str__(self) -> str:
        return f"{self.centre} approved for {self.qualification_code}"


class ProgressionRoute(models.Model):
    """One qualification leads to another ("the Awards lead to the Certificates").

    Held by code, not version: a route outlives any one version of either end.
    """

    from_code = models.CharField(max_length=40)
    to_code = models.CharField(max_length=40)

    class Meta:
        ordering = ("from_code", "to_code")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("from_code", "to_code"), name="progression_route_unique"),
            models.CheckConstraint(condition=~Q(from_code=models.F("to_code")), name="progression_route_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.from_code} → {self.to_code}"
