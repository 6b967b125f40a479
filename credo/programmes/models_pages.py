"""What a programme's public page says beyond its facts, and what its enrolled learners may read.

* ``ProgrammePage``: the sections a programme admin writes (what support to expect, the practical
  experience needed, what to do if cost is a barrier). What the fee includes is also generated from the
  cohort's facts, and what the portfolio needs from the catalogue's template, so neither can disagree.
* ``Testimonial``: a graduate's words, shown only once their consent is recorded, and never after it is
  withdrawn.
* ``InformationSession`` and ``InformationSessionSignUp``: sessions for people deciding whether to join;
  past ones keep their recording.
* ``Resource``: readings, tools, slides and recordings for enrolled learners, a link or a file kept under a
  private path and downloaded only through a view that checks permission.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class ProgrammePage(models.Model):
    """The sections of a programme's public page that its admins write; one per programme."""

    programme = models.OneToOneField("programmes.Programme", on_delete=models.CASCADE, related_name="page")
    support_text = models.TextField(
        blank=True, help_text="Anything else the fee includes, beyond what credo lists from the cohort."
    )
    practical_experience = models.TextField(blank=True, help_text="The practical experience a learner needs.")
    cost_barrier = models.TextField(
        blank=True, help_text="What someone can do if the fee is a barrier: grants, a reduced fee, a payment plan."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Page of {self.programme}"


class TestimonialQuerySet(models.QuerySet["Testimonial"]):
    def published(self) -> TestimonialQuerySet:
        """Shown to the public: consent recorded and not withdrawn."""
        return self.filter(consent_recorded_at__isnull=False, withdrawn_at__isnull=True)


class Testimonial(models.Model):
    """A graduate's words about a programme, under the name they chose; public only with their recorded consent."""

    __test__ = False  # not a pytest test class, whatever its name

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="testimonials")
    text = models.TextField()
    graduate_name = models.CharField(max_length=200, help_text="The name the graduate chose to be shown with.")
    graduate_detail = models.CharField(max_length=200, blank=True, help_text="e.g. 2022 graduate")
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_how = models.CharField(max_length=300, blank=True, help_text="How the graduate agreed, e.g. their email.")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TestimonialQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=Q(consent_recorded_at__isnull=True) | ~Q(consent_how=""),
                name="testimonial_consent_says_how",
            )
        ]

    def __str__(self) -> str:
        return f"{self.graduate_name} on {self.programme}"

    @property
    def is_published(self) -> bool:
        return self.consent_recorded_at is not None and self.withdrawn_at is None


class InformationSession(models.Model):
    """A session for people deciding whether to join; after it, its recording."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="information_sessions")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    hosts = models.CharField(max_length=200, blank=True, help_text="Who holds it, e.g. our facilitators.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, help_text="The zone its time is set and shown in.")
    meeting_url = models.URLField(blank=True, help_text="Sent to the people who sign up, never shown on the page.")
    recording_url = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("starts_at", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="information_session_ends_after")
        ]

    def __str__(self) -> str:
        return self.title


class InformationSessionSignUp(models.Model):
    """Someone who wants to come to an information session: signed in, or a name and an email address."""

    session = models.ForeignKey(InformationSession, on_delete=models.CASCADE, related_name="sign_ups")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "pk")
        constraints = [
            models.UniqueConstraint(fields=("session", "email"), name="information_session_sign_up_once_per_email")
        ]

    def __str__(self) -> str:
        return f"{self.name} for {self.session}"


class ResourceKind(models.TextChoices):
    READING = "reading", "Reading"
    TOOL = "tool", "Tool"
    SLIDES = "slides", "Workshop slides"
    RECORDING = "recording", "Workshop recording"


def resource_path(resource: Resource, filename: str) -> str:
    """Under ``private/``, which no URL serves: the file is read back only by the download view."""
    name = PurePath(filename).name[-100:] or "file"
    return f"private/programmes/{resource.programme_id}/resources/{uuid.uuid4().hex}/{name}"


class Resource(models.Model):
    """A reading, tool, slides or recording for a programme's enrolled learners: a link or a file."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="resources")
    workshop = models.ForeignKey(
        "programmes.Session", null=True, blank=True, on_delete=models.CASCADE, related_name="resources"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=ResourceKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    link = models.URLField(blank=True)
    file = models.FileField(upload_to=resource_path, blank=True, max_length=300)
    file_name = models.CharField(max_length=200, blank=True, help_text="The name the file was uploaded with.")
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=(Q(link="") & ~Q(file="")) | (~Q(link="") & Q(file="")),
                name="resource_is_a_link_or_a_file",
            )
        ]

    def __str__(self) -> str:
        return self.title
