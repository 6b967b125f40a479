"""People, the organisations they work in or learn with, and their roles there.

A role is a membership of an organisation; one person may hold several roles in
several organisations. Everything a role touches belongs to an organisation, and
nobody sees another organisation's people or data (see `access.py`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in with an email address.

    Personal data: email, full_name.
    """

    # Stored lower-cased (see save); the case-insensitive constraint below guards against
    # writes that bypass save, unique=True gives Django's auth the unique login it expects.
    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="Shown times use this zone; blank means the organisation's."
    )
    is_staff = models.BooleanField(default=False, help_text="Platform operator: may use the Django admin.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OrganisationKind(models.TextChoices):
    AWARDING_BODY = "awarding_body", "Awarding body"
    ISSUING_INSTITUTION = "issuing_institution", "Issuing institution"
    PROVIDER = "provider", "Provider / centre"


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. GB or NZ.")
    time_zone = models.CharField(max_length=64, default="UTC")
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def greeting(self) -> str:
        """How emails sent on this organisation's behalf open: "Kia ora" in Aotearoa New Zealand, "Hello" elsewhere."""
        return "Kia ora" if self.country == "NZ" else "Hello"


class Role(models.TextChoices):
    PROGRAMME_ADMIN = "programme_admin", "Programme admin"
    FACILITATOR = "facilitator", "Facilitator"
    ASSESSOR = "assessor", "Assessor"
    INTERNAL_QA = "internal_qa", "Internal quality assurer"
    EXTERNAL_QA = "external_qa", "External quality assurer"
    RATIFIER = "ratifier", "Ratifier"
    LEARNER = "learner", "Learner"


#: Roles whose holders work for the organisation (everyone but learners).
STAFF_ROLES: frozenset[str] = frozenset(Role.values) - {Role.LEARNER}


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_user(self, user: Any) -> MembershipQuerySet:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user, organisation__isnull=False)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ("organisation__name", "role")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=("user", "organisation", "role"), name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"
