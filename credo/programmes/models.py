"""Programmes and cohorts: registration, fees and invoices, enrolments and their lifecycle.

A programme is a provider's offering of a catalogue entry; a cohort is one
intake of it, with its own dates (kept as moments in time, shown in the
cohort's time zone), fees and tax rate. What must never happen twice is a
constraint here: one enrolment per learner and cohort, one invoice number per
provider, one fee tier per code in a cohort.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from credo.accounts.models import Organisation
from credo.catalogue.models import Qualification

# The programme page's own sections, testimonials, information sessions and resources live in their own module;
# imported here (re-exported by name) so they belong to the app and are found where the other models are.
from credo.programmes.models_pages import InformationSession as InformationSession
from credo.programmes.models_pages import InformationSessionSignUp as InformationSessionSignUp
from credo.programmes.models_pages import ProgrammePage as ProgrammePage
from credo.programmes.models_pages import Resource as Resource
from credo.programmes.models_pages import ResourceKind as ResourceKind
from credo.programmes.models_pages import Testimonial as Testimonial


class Programme(models.Model):
    """A provider's offering of a qualification or micro-credential, described for people deciding to join."""

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programmes")
    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    summary = models.TextField(help_text="What it is, in a paragraph.")
    who_it_is_for = models.TextField(blank=True)
    what_is_required = models.TextField(blank=True, help_text="What a learner must bring or produce.")
    time_commitment = models.CharField(max_length=200, blank=True, help_text="e.g. about 2 hours a week over 5 months")
    fee_includes = models.TextField(blank=True, help_text="What the fee pays for, one item per line.")
    terms = models.TextField(
        blank=True, help_text="The terms of registration a person accepts when they register, shown beside the form."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=("provider", "slug"), name="programme_slug_unique_per_provider")]

    def __str__(self) -> str:
        return self.name

    def fee_includes_items(self) -> list[str]:
        return [line.strip(" •-") for line in self.fee_includes.splitlines() if line.strip(" •-")]


class QuestionKind(models.TextChoices):
    """What a registration question asks of a learner."""

    STATEMENT = "statement", "A statement the learner confirms"
    QUESTION = "question", "A question the learner answers in their own words"


class RegistrationQuestion(models.Model):
    """Something a programme asks everyone who registers: an eligibility statement to confirm, or a question.

    None by default. What a learner confirmed or answered is copied onto their enrolment
    (``Enrolment.registration_answers``), so a later edit here never rewrites what they were asked.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="registration_questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    text = models.CharField(max_length=300)
    required = models.BooleanField(default=True, help_text="A statement is always required.")

    class Meta:
        ordering = ("position", "pk")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="statement") | Q(required=True), name="registration_statement_is_required"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="registration_question_has_text"),
        ]

    def __str__(self) -> str:
        return self.text


class Cohort(models.Model):
    """One intake of a programme: when people can register, study, submit and be assessed, and what it costs."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=120, help_text="e.g. 2024 intake")
    slug = models.SlugField(max_length=80)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    time_zone = models.CharField(max_length=64, help_text="Dates are set and shown in this zone: Pacific/Auckland.")
    registration_opens = models.DateTimeField()
    registration_closes = models.DateTimeField()
    study_starts = models.DateField()
    study_ends = models.DateField()
    submission_deadline = models.DateTimeField()
    assessment_starts = models.DateField()
    assessment_ends = models.DateField()
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    resubmissions_allowed = models.PositiveSmallIntegerField(default=1)
    check_ins_allowed = models.PositiveSmallIntegerField(default=2, help_text="1:1 check-ins per learner.")
    check_in_notice_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Learners may move or cancel a check-in until this many hours before it starts."
    )
    weekly_hours_guideline = models.DecimalField(max_digits=4, decimal_places=1, default=Decimal("2.0"))
    currency = models.CharField(max_length=3, help_text="ISO 4217, e.g. NZD or GBP.")
    tax_name = models.CharField(max_length=20, blank=True, help_text="e.g. GST or VAT; empty when no tax applies.")
    tax_rate = models.DecimalField(
        max_digits=5, decimal_places=4, default=Decimal("0"), help_text="As a fraction: 0.1500 for 15%."
    )
    payment_terms_days = models.PositiveSmallIntegerField(default=20, help_text="Invoices fall due this many days on.")
    facilitators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_cohorts")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("programme", "slug"), name="cohort_slug_unique_per_programme"),
            models.CheckConstraint(
                condition=Q(registration_closes__gt=F("registration_opens")), name="cohort_registration_closes_after"
            ),
            models.CheckConstraint(condition=Q(study_ends__gte=F("study_starts")), name="cohort_study_ends_after"),
            models.CheckConstraint(
                condition=Q(assessment_ends__gte=F("assessment_starts")), name="cohort_assessment_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lt=1), name="cohort_tax_rate_is_a_fraction"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.name}: {self.name}"


class RegistrationExtension(models.Model):
    """A later closing date for registrations: who moved it, when, and why (announced on the cohort page)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="extensions")
    previous_closes = models.DateTimeField()
    new_closes = models.DateTimeField()
    reason = models.TextField()
    extended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(new_closes__gt=F("previous_closes")), name="extension_is_later")
        ]

    def __str__(self) -> str:
        return f"{self.cohort}: registration extended to {self.new_closes:%Y-%m-%d}"


class OrganisationType(models.TextChoices):
    """The kind of organisation a learner works for, which sets their fee tier."""

    LOCAL_GOVERNMENT = "local_government", "Local government"
    CENTRAL_GOVERNMENT = "central_government", "Central government"
    COMMUNITY = "community", "Community organisation"
    VOLUNTEER_GROUP = "volunteer_group", "Volunteer group"
    OTHER = "other", "Other"


class FeeTier(models.Model):
    """A fee before tax, for learners from some kinds of organisation."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="fee_tiers")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    amount = models.DecimalField(max_digits=10, decimal_places=2, help_text="Before tax.")
    organisation_types = models.JSONField(default=list, help_text="The organisation types this tier is for.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("cohort", "code"), name="fee_tier_code_unique_per_cohort"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_tier_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.amount})"


class EnrolmentState(models.TextChoices):
    WAITLISTED = "waitlisted", "On the waiting list"
    APPLIED = "applied", "Applied"
    CONFIRMED = "confirmed", "Confirmed"
    ACTIVE = "active", "Studying"
    WITHDRAWN = "withdrawn", "Withdrawn"
    DEFERRED = "deferred", "Deferred to another cohort"
    LAPSED = "lapsed", "Lapsed"
    AWARDED = "awarded", "Awarded"


class Enrolment(models.Model):
    """A learner in a cohort, from application on; its state changes only through the enrolment services."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments")
    state = models.CharField(max_length=12, choices=EnrolmentState.choices, default=EnrolmentState.APPLIED)
    organisation_name = models.CharField(max_length=200)
    organisation_type = models.CharField(max_length=24, choices=OrganisationType.choices)
    fee_tier = models.ForeignKey(FeeTier, on_delete=models.PROTECT, related_name="enrolments")
    eligibility_declared = models.BooleanField(
        help_text="Always true: the learner confirmed every statement the programme asked (none, for most), or a "
        "programme admin registered them. What was asked and answered is in registration_answers."
    )
    terms_accepted_at = models.DateTimeField()
    accepted_terms = models.TextField(
        blank=True, help_text="The programme's terms as they read when accepted (they may be edited later)."
    )
    registration_answers = models.JSONField(
        default=list,
        blank=True,
        help_text="The programme's registration questions as they read when answered, with the answers: "
        'a list of {"kind", "question", "answer"}.',
    )
    invoice_to_organisation = models.BooleanField(default=False)
    deferred_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="deferred_from"
    )
    state_changed_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("cohort", "learner"), name="enrolment_one_per_learner_and_cohort"),
            models.CheckConstraint(condition=Q(eligibility_declared=True), name="enrolment_eligibility_declared"),
        ]
        indexes = [models.Index(fields=("cohort", "state"))]

    def __str__(self) -> str:
        return f"{self.learner} in {self.cohort}"


class InvoiceCounter(models.Model):
    """The last invoice number a provider used: locked while numbering, so numbers never repeat or skip."""

    provider = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="invoice_counter")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.provider}: last invoice {self.last_number}"


class ProviderBilling(models.Model):
    """Who a provider's invoices come from: what a tax invoice must show, and how to pay.

    Each invoice copies these when it is issued, so a later change of address or
    bank account never rewrites an invoice already sent.
    """

    provider = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="billing")
    legal_name = models.CharField(max_length=200, help_text="The name registered for tax, if not the everyday name.")
    tax_number = models.CharField(
        max_length=40, blank=True, help_text="GST or VAT registration number; empty when not registered."
    )
    postal_address = models.TextField(help_text="One line per line of the address.")
    billing_email = models.EmailField(blank=True, help_text="Where learners send remittance advice and questions.")
    payment_instructions = models.TextField(
        help_text="How to pay: bank account, and the reference to quote (the invoice number)."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "provider billing details"
        verbose_name_plural = "provider billing details"

    def __str__(self) -> str:
        return f"Billing details of {self.provider}"


class InvoiceState(models.TextChoices):
    ISSUED = "issued", "Issued"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"


class Invoice(models.Model):
    """An invoice for an enrolment's fee: numbered per provider, amounts fixed when it is issued."""

    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invoices")
    number = models.PositiveIntegerField()
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="invoices")
    addressed_to = models.CharField(max_length=200)
    address_detail = models.CharField(max_length=300, blank=True, help_text="e.g. the learner's name, for an org.")
    email = models.EmailField()
    description = models.CharField(max_length=300)
    currency = models.CharField(max_length=3)
    amount_excluding_tax = models.DecimalField(max_digits=10, decimal_places=2)
    tax_name = models.CharField(max_length=20, blank=True)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4)
    tax_amount = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    issued_on = models.DateField()
    due_on = models.DateField()
    state = models.CharField(max_length=12, choices=InvoiceState.choices, default=InvoiceState.ISSUED)
    paid_on = models.DateField(null=True, blank=True)
    payment_reference = models.CharField(max_length=120, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The supplier as it was when the invoice was issued (see ProviderBilling).
    supplier_name = models.CharField(max_length=200, blank=True)
    supplier_tax_number = models.CharField(max_length=40, blank=True)
    supplier_address = models.TextField(blank=True)
    supplier_email = models.EmailField(blank=True)
    payment_instructions = models.TextField(blank=True)
    reminder_sent_on = models.DateField(null=True, blank=True, help_text="When the learner was reminded it is due.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("provider", "number"), name="invoice_number_unique_per_provider"),
            models.CheckConstraint(
                condition=Q(total=F("amount_excluding_tax") + F("tax_amount")), name="invoice_total_adds_up"
            ),
            models.CheckConstraint(condition=Q(due_on__gte=F("issued_on")), name="invoice_due_after_issue"),
        ]

    def __str__(self) -> str:
        return f"Invoice {self.reference}"

    @property
    def reference(self) -> str:
        """What the learner quotes when they pay: the provider's short code and the number, IC-00006."""
        return f"{invoice_code(self.provider.slug)}-{self.number:05d}"


#: Words left out of a provider's invoice code ("Centre for the Arts" is CA, not CFTA).
_CODE_SKIPS = frozenset({"a", "an", "and", "for", "of", "the", "to"})


def invoice_code(provider_slug: str) -> str:
    """A provider's short code on its invoices, from its slug (which, unlike its name, does not change): the
    initials of a name of several words (inspiring-communities: IC), or a one-word name whole (acme: ACME).

    Never a word cut short (INSPIRIN), and short enough for a bank's 12-character reference field with the number.
    """
    words = [word for word in provider_slug.split("-") if word]
    significant = [word for word in words if word not in _CODE_SKIPS] or words
    if len(significant) == 1:
        return significant[0].upper()
    return "".join(word[0] for word in significant).upper()


class SupportKind(models.TextChoices):
    REDUCED_FEE = "reduced_fee", "A reduced fee"
    PAYMENT_PLAN = "payment_plan", "A payment plan"
    GRANT_LETTER = "grant_letter", "A letter for a grant application"


class SupportDecision(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class FundingRequest(models.Model):
    """A learner's request for help when cost is a barrier; staff decide, and the decision is audited."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="funding_requests")
    kind = models.CharField(max_length=16, choices=SupportKind.choices)
    explanation = models.TextField()
    decision = models.CharField(max_length=10, choices=SupportDecision.choices, default=SupportDecision.PENDING)
    reduced_amount = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True, help_text="For an approved reduced fee, before tax."
    )
    instalments = models.PositiveSmallIntegerField(null=True, blank=True, help_text="For an approved payment plan.")
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("enrolment", "kind"),
                condition=Q(decision="pending"),
                name="funding_request_one_pending_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.enrolment}"


class Session(models.Model):
    """A numbered workshop of a cohort: a topic, a start and an end, online or at a venue."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    topic = models.CharField(max_length=300)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    meeting_url = models.URLField(blank=True, help_text="The online meeting link, shown to enrolled learners only.")
    venue = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: raised by every change.")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reminder_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When learners were reminded; cleared when the session moves."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("cohort", "number")
        constraints = [
            models.UniqueConstraint(fields=("cohort", "number"), name="session_number_unique_per_cohort"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return f"Workshop {self.number}: {self.topic}"


class Attendance(models.Model):
    """Whether a learner came to a workshop, as the facilitator recorded it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("session", "enrolment"), name="attendance_once_per_session_and_learner")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.learner} at {self.session}: {'present' if self.present else 'absent'}"


class CheckInSlot(models.Model):
    """A time a facilitator offers for a 1:1 check-in."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="check_in_slots")
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="check_in_slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    meeting_url = models.URLField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True, help_text="No longer offered.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("starts_at",)
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="check_in_slot_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"Check-in with {self.facilitator} at {self.starts_at:%Y-%m-%d %H:%M}"


class CheckInBooking(models.Model):
    """A learner's booking of a slot; a slot has at most one booking that is not cancelled."""

    slot = models.ForeignKey(CheckInSlot, on_delete=models.PROTECT, related_name="bookings")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="check_ins")
    booked_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True, help_text="The facilitator's notes after the meeting: staff only.")
    notes_updated_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=("slot",), condition=Q(cancelled_at__isnull=True), name="check_in_slot_booked_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.learner}: {self.slot}"


class SupportThread(models.Model):
    """A learner's one-off questions to the cohort's facilitators, kept in one place rather than personal inboxes."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="support_thread")
    reply_token = models.CharField(max_length=64, unique=True, help_text="Ties an emailed reply to this thread.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Questions from {self.enrolment.learner}"


class SupportMessage(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", "On credo"
        EMAIL = "email", "By email"

    thread = models.ForeignKey(SupportThread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.WEB)
    message_id = models.CharField(
        max_length=255, blank=True, help_text="The Message-ID of an emailed reply, so a redelivery is kept once."
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("sent_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("message_id",), condition=~Q(message_id=""), name="support_message_id_unique_when_emailed"
            )
        ]

    def __str__(self) -> str:
        return f"{self.author} at {self.sent_at:%Y-%m-%d %H:%M}"


class StudyLogEntry(models.Model):
    """Hours a learner spent on their study on a day, logged by them."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="study_log")
    day = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-day", "-pk")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="study_log_hours_in_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.enrolment.learner}: {self.hours} h on {self.day}"


class CalendarFeed(models.Model):
    """A secret subscription address for a cohort's workshops (staff) or a learner's own calendar."""

    token = models.CharField(max_length=64, unique=True)
    cohort = models.ForeignKey(Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds")
    enrolment = models.ForeignKey(Enrolment, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(cohort__isnull=False) & Q(enrolment__isnull=True))
                | (Q(cohort__isnull=True) & Q(enrolment__isnull=False)),
                name="calendar_feed_is_for_a_cohort_or_a_learner",
            )
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.owner}"


class RosterImport(models.Model):
    """A checked roster a programme admin confirmed, kept as uploaded for the job that registers it row by row.

    The text lives here, not in the job's parameters, so a resumed job reads exactly the file that was confirmed.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="roster_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200, blank=True)
    csv_text = models.TextField()
    row_count = models.PositiveIntegerField()
    #: The background job registering the rows (see credo.core.jobs).
    job = models.OneToOneField("core.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Roster import {self.pk} ({self.file_name or 'roster'}, {self.row_count} rows)"
