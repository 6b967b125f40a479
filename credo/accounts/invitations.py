"""Inviting people who have no account yet: a learner awarded a credential before they ever signed in.

The invitation is a set-password link (allauth's password reset from key), so
claiming an account needs nothing new: following the link proves the person
reads that inbox, which is why claiming also verifies the address (see signals).
"""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from credo.accounts.models import Organisation, User
from credo.audit.services import record_event
from credo.core.tasks import send_email


def normalise_email(email: str) -> str:
    """The address as stored, or a ValidationError saying what is wrong with it."""
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "An email address is required."})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": f"{email!r} is not an email address."}) from None
    return email


def claim_url(user: User) -> str:
    """A link that lets the person set a password and sign in (valid for PASSWORD_RESET_TIMEOUT)."""
    token = allauth_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": token})
    return f"{str(settings.SITE_URL).rstrip('/')}{path}"


def find_or_invite(
    *, email: str, full_name: str, actor: Any, organisation: Organisation, why: str
) -> tuple[User, bool]:
    """The person with this email, made (and emailed an invitation) if new; returns (user, invited)."""
    email = normalise_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError({"full_name": f"{email} has no account yet: give their full name to invite them."})
    with transaction.atomic():
        user = User.objects.create_user(email, password=None, full_name=full_name)  # no usable password yet
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
        record_event(
            actor=actor,
            action="accounts.invited",
            obj=user,
            organisation_id=organisation.pk,
            details={"email": email, "why": why},
        )
        transaction.on_commit(lambda: _send_invitation(user, organisation, why))
    return user, True


def _send_invitation(user: User, organisation: Organisation, why: str) -> None:
    greeting = organisation.greeting
    timeout_days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86_400)
    body = "\n".join(
        [
            f"{greeting} {user.full_name},",
            "",
            f"{organisation.name} has {why}.",
            "Claim your credo account to see it, choose who can see it, and share it:",
            claim_url(user),
            "",
            f"The link works for {timeout_days} days. After that, use 'Forgot your password?' on the sign-in page",
            f"with this address ({user.email}) to get a new one.",
        ]
    )
    send_email.enqueue(
        subject=f"{organisation.name} invites you to claim your credo account",
        body=body,
        to=[user.email],
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
