"""Judging submissions and checking the judgements: assessment, moderation (IQA), claims and EQA, ratification, appeals.

The chain a submission travels (docs/assessment.md draws it):

    Submission (portfolios) --assign--> Assessment --complete--> [drawn into a ModerationSample: agreed / referred]
        --released to the learner--> not yet competent: resubmission (next attempt) or final (appeal)
                                  --> competent: RatificationBatch (CLD) or Claim + EQA + certification (SEG)
        --> Attainments (credentials) --> credentials issued in the background

Every change goes through ``assessment.services``; each service checks who acts and the state it starts from,
takes the row lock and writes the audit chain. What must never happen twice is refused by the database too: one
assessment per submitted attempt, one live ratification and one live claim line per assessment, one sample entry
per assessment.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q

from credo.accounts.models import Organisation
from credo.portfolios.models import Submission
from credo.programmes.models import Cohort


class AssessmentSettings(models.Model):
    """How a cohort's assessment runs: the provider's choices (made with defaults the first time they are read)."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="assessment_settings")
    facilitators_may_assess_own_learners = models.BooleanField(
        default=False,
        help_text="False: nobody assesses a learner whose 1:1 check-ins they facilitated (a conflict of interest).",
    )
    resubmission_days = models.PositiveSmallIntegerField(
        default=28, help_text="How long a learner has to resubmit once told their work is not yet competent."
    )
    appeal_days = models.PositiveSmallIntegerField(
        default=20, help_text="How long a learner has to appeal a final outcome."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Assessment settings of {self.cohort}"


class CohortAssessor(models.Model):
    """An assessor assigned to a cohort: its submissions come to their queue."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assessors")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessed_cohorts")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("cohort", "assigned_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("cohort", "assessor"), name="cohortassessor_once"),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} assesses {self.cohort}"


class AssessmentState(models.TextChoices):
    ASSIGNED = "assigned", "Waiting to be assessed"
    DRAFT = "draft", "Being assessed"
    COMPLETED = "completed", "Assessed"
    REFERRED = "referred", "Referred back by the moderator"


class Outcome(models.TextChoices):
    COMPETENT = "competent", "Competent"
    NOT_YET_COMPETENT = "not_yet_competent", "Not yet competent"


class Assessment(models.Model):
    """The judgement of one submitted attempt: one per attempt, made by one assessor.

    ``released_at`` is when the learner may see it: at once if the moderation sample passed it by, or once the
    moderator agreed with it. A referral sends it back to the assessor (state REFERRED) and the learner sees nothing
    until it is completed again and agreed.
    """

    submission = models.OneToOneField(Submission, on_delete=models.PROTECT, related_name="assessment")
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="assessments")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments")
    attempt = models.PositiveSmallIntegerField()
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments_made")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField()
    due_on = models.DateField(help_text="The end of the cohort's assessment window.")
    state = models.CharField(max_length=12, choices=AssessmentState.choices, default=AssessmentState.ASSIGNED)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    feedback = models.TextField(blank=True, help_text="To the learner, in plain text.")
    declaration = models.TextField(blank=True, help_text="The assessor's declaration as accepted on completing.")
    completed_at = models.DateTimeField(null=True, blank=True)
    files_verified = models.BooleanField(
        default=False, help_text="On completing, every submitted file still matched its SHA-256."
    )
    released_at = models.DateTimeField(null=True, blank=True, help_text="From this moment the learner sees it.")
    is_final = models.BooleanField(
        default=False, help_text="Released not yet competent with no attempt left: only an appeal changes it."
    )
    version = models.PositiveIntegerField(default=1, help_text="Raised by every save: a stale page is refused.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("due_on", "submission__submitted_at", "id")
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(state="completed", completed_at__isnull=False) & ~Q(outcome="") | ~Q(state="completed"),
                name="assessment_completed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(state="completed"), name="assessment_released_if_completed"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=("assessor", "state", "due_on")),
            models.Index(fields=("cohort", "state")),
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.submission}"


class Judgement(models.Model):
    """The assessor's judgement of one section, criterion or competency, with their comment.

    ``key`` names what is judged ("section:2", "criterion:118", "competency:4"); ``label`` keeps how it read, and
    ``unit_code`` the unit a criterion belongs to, so that a claim can tell which units were achieved.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="judgements")
    key = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(max_length=500)
    unit_code = models.CharField(max_length=40, blank=True)
    met = models.BooleanField(null=True, help_text="Empty: not judged yet.")
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ("assessment", "position", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("assessment", "key"), name="judgement_one_per_key"),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.met}"


class SamplingPlan(models.Model):
    """How a provider samples completed assessments for internal moderation: for one cohort, or (cohort empty)
    for every cohort of the centre without its own plan.

    Every "not yet competent" is always sampled, and each assessor's first ``new_assessor_decisions`` decisions;
    then ``percent`` of the rest at random, topped up so that each assessor, unit and assessment method is covered
    at least once over the plan's samples.
    """

    provider = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sampling_plans")
    cohort = models.OneToOneField(Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="sampling_plan")
    percent = models.PositiveSmallIntegerField(default=25)
    new_assessor_decisions = models.PositiveSmallIntegerField(default=5)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("provider",), condition=Q(cohort__isnull=True), name="samplingplan_one_per_centre"
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="samplingplan_percent_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"Sampling plan of {self.cohort or self.provider}"


class ModerationSample(models.Model):
    """One draw from a cohort's completed, not yet sampled assessments: reproducible from its seed and population."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="moderation_samples")
    number = models.PositiveIntegerField(help_text="1, 2, 3… within the cohort.")
    seed = models.CharField(max_length=64)
    plan = models.JSONField(help_text="The plan as it was when drawn: percent, new_assessor_decisions.")
    population = models.JSONField(help_text="The assessments it was drawn from, by id, in order.")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True, help_text="Every sampled assessment agreed.")

    class Meta:
        ordering = ("cohort", "number")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("cohort", "number"), name="moderationsample_unique_number"),
        ]

    def __str__(self) -> str:
        return f"Sample {self.number} of {self.cohort}"


class ModerationState(models.TextChoices):
    NOT_SAMPLED = "not_sampled", "Not in the sample"
    PENDING = "pending", "Waiting for the moderator"
    REFERRED = "referred", "Referred back to the assessor"
    AGREED = "agreed", "Agreed"


class SampleEntry(models.Model):
    """An assessment in a draw: sampled (with the reasons) or passed by. Each assessment is in one draw only."""

    sample = models.ForeignKey(ModerationSample, on_delete=models.PROTECT, related_name="entries")
    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="sample_entry")
    reasons = models.JSONField(default=list, help_text='Why it was sampled, e.g. ["not yet competent"].')
    state = models.CharField(max_length=12, choices=ModerationState.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    rationale = models.TextField(blank=True, help_text="The moderator's latest rationale.")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("sample", "id")
        indexes: ClassVar = [models.Index(fields=("sample", "state"))]

    def __str__(self) -> str:
        return f"{self.assessment} in {self.sample}"


class ModerationReview(models.Model):
    """Each moderator decision on a sampled assessment, kept in order (a referral, then the agreement)."""

    entry = models.ForeignKey(SampleEntry, on_delete=models.PROTECT, related_name="reviews")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agreed = models.BooleanField()
    rationale = models.TextField()
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ("entry", "reviewed_at", "id")

    def __str__(self) -> str:
        return f"{'Agreed' if self.agreed else 'Referred'}: {self.entry}"


class BatchState(models.TextChoices):
    SUBMITTED = "submitted", "Waiting for ratification"
    RATIFYING = "ratifying", "Being ratified"
    RATIFIED = "ratified", "Ratified"


class RatificationBatch(models.Model):
    """A provider's moderated, competent outcomes of one cohort, sent to the issuing institution to ratify (CLD)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="ratification_batches")
    institution = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="ratification_batches")
    state = models.CharField(max_length=12, choices=BatchState.choices, default=BatchState.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    ratified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ratified_at = models.DateTimeField(null=True, blank=True)
    job = models.OneToOneField("core.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-submitted_at", "-id")
        indexes: ClassVar = [models.Index(fields=("institution", "state"))]

    def __str__(self) -> str:
        return f"Ratification batch {self.pk} of {self.cohort}"


class EntryDecision(models.TextChoices):
    PENDING = "pending", "Waiting for ratification"
    RATIFIED = "ratified", "Ratified"
    RETURNED = "returned", "Returned to the provider"


class RatificationEntry(models.Model):
    """One learner's outcome in a batch: ratified (then attained), or returned with a reason."""

    batch = models.ForeignKey(RatificationBatch, on_delete=models.PROTECT, related_name="entries")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="ratification_entries")
    decision = models.CharField(max_length=10, choices=EntryDecision.choices, default=EntryDecision.PENDING)
    reason = models.TextField(blank=True, help_text="Why it was returned.")
    attainment = models.OneToOneField(
        "credentials.Attainment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("batch", "id")
        constraints: ClassVar = [
            # One ratification per outcome: a returned entry may be sent again, in a later batch.
            models.UniqueConstraint(
                fields=("assessment",), condition=~Q(decision="returned"), name="ratificationentry_one_live"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} in {self.batch}"


class ClaimState(models.TextChoices):
    DRAFT = "draft", "Being prepared by the centre"
    SUBMITTED = "submitted", "Waiting for external quality assurance"
    BLOCKED = "blocked", "Blocked by external quality assurance"
    RELEASED = "released", "Released for certification"
    CERTIFICATING = "certificating", "Being certificated"
    CERTIFICATED = "certificated", "Certificated"


class Claim(models.Model):
    """A centre's claim for certification (SEG): learners and the units and qualifications they have achieved."""

    centre = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="claims")
    awarding_body = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="claims_received")
    state = models.CharField(max_length=14, choices=ClaimState.choices, default=ClaimState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    job = models.OneToOneField("core.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("-created_at", "-id")
        indexes: ClassVar = [models.Index(fields=("awarding_body", "state")), models.Index(fields=("centre", "state"))]

    def __str__(self) -> str:
        return f"Claim {self.pk} from {self.centre}"


class ClaimLine(models.Model):
    """One learner's achievement claimed: a unit (from a moderated assessment) or a qualification (its rules of
    combination met by the claimed units and the units the learner already holds, carried in)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    achievement = models.ForeignKey("credentials.Achievement", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="claim_lines"
    )
    carried_in = models.JSONField(default=list, blank=True, help_text="Unit codes already held, counted towards it.")
    attainment = models.OneToOneField(
        "credentials.Attainment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ("claim", "learner", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("claim", "learner", "achievement"), name="claimline_once_per_claim"),
            # One claim per outcome: the same assessment cannot be claimed on two claims (a removed line is deleted).
            models.UniqueConstraint(
                fields=("assessment", "achievement"),
                condition=Q(assessment__isnull=False),
                name="claimline_one_claim_per_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner}: {self.achievement}"


class RiskRating(models.TextChoices):
    LOW = "low", "Low risk"
    MEDIUM = "medium", "Medium risk"
    HIGH = "high", "High risk"


class EqaReview(models.Model):
    """The awarding body's external quality assurer's review of a claim: findings, actions, risk, and the decision."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="eqa_reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    portfolios_sampled = models.ManyToManyField(Assessment, blank=True, related_name="+")
    findings = models.TextField()
    actions = models.TextField(blank=True, help_text="What the centre must do, if anything.")
    risk = models.CharField(max_length=8, choices=RiskRating.choices)
    released = models.BooleanField(help_text="True: released for certification; False: blocked.")
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ("claim", "reviewed_at", "id")

    def __str__(self) -> str:
        return f"EQA of {self.claim}"


class CentreRisk(models.Model):
    """A centre's current risk rating with an awarding body, as the latest EQA review set it."""

    centre = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="risk_ratings")
    awarding_body = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    risk = models.CharField(max_length=8, choices=RiskRating.choices)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("centre", "awarding_body"), name="centrerisk_one_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.centre}: {self.get_risk_display()}"


class AppealState(models.TextChoices):
    LODGED = "lodged", "Waiting for review"
    UPHELD = "upheld", "Upheld: the assessment is reopened"
    DISMISSED = "dismissed", "Not upheld: the outcome stands"


class Appeal(models.Model):
    """A learner's appeal against a final outcome, reviewed by someone who did not make the decision."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="appeals")
    grounds = models.TextField()
    lodged_at = models.DateTimeField()
    state = models.CharField(max_length=10, choices=AppealState.choices, default=AppealState.LODGED)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.TextField(blank=True, help_text="The reviewer's reasons, to the learner.")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("lodged_at", "id")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=("assessment",), condition=Q(state="lodged"), name="appeal_one_open_per_assessment"
            ),
        ]

    def __str__(self) -> str:
        return f"Appeal of {self.assessment}"
