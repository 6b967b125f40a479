"""Inviting people who have no account yet: a learner awarded a credential before they ever signed in, or a
member of staff a programme admin adds by email.

The invitation is a set-password link (allauth's password reset from key), so
claiming an account needs nothing new: following the link proves the person
reads that inbox, which is why claiming also verifies the address (see signals).
The link works once: setting the password changes what its token was made from.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse

from credo.accounts.models import Membership, Organisation, Role, User
from credo.accounts.services import add_membership
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
    return f"{_site_url()}{path}"


def has_claimed(user: User) -> bool:
    """Whether the person has a password (signed up, or followed their invitation); False while only invited."""
    return user.has_usable_password()


def find_or_invite(
    *, email: str, full_name: str, actor: Any, organisation: Organisation, why: str
) -> tuple[User, bool]:
    """The person with this email, made (and emailed an invitation) if new; returns (user, invited)."""
    return _find_or_create(
        email=email, full_name=full_name, actor=actor, organisation=organisation, why=why, invitation=_send_invitation
    )


@transaction.atomic
def invite_member(*, actor: Any, organisation: Organisation, email: str, full_name: str, role: str) -> Membership:
    """Give someone a role by email: an existing account gets the membership and a note saying so; an address
    with no account gets an account waiting to be claimed, the membership, and an invitation with a link that
    sets their password (once) and confirms the address. Both are audited (``accounts.invited``,
    ``accounts.membership_added``).

    Precondition: ``actor`` is a programme admin of ``organisation`` (the view checks it through access).
    """
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role from the list."})
    label = Role(role).label.lower()
    why = f"added you as {_a(label)} {label}"
    user, invited = _find_or_create(
        email=email,
        full_name=full_name,
        actor=actor,
        organisation=organisation,
        why=why,
        invitation=lambda person, org, reason: _send_staff_invitation(person, org, reason, inviter=actor),
    )
    if not user.is_active:
        raise ValidationError({"email": f"The credo account of {user.email} is closed, so it cannot be given a role."})
    membership = add_membership(actor=actor, organisation=organisation, user=user, role=role)
    if not invited:  # (a new person's invitation is already on its way)
        # Someone invited before (say, for a credential) who never claimed the account cannot "sign in as usual".
        send = _send_role_added if has_claimed(user) else partial(_send_staff_invitation, inviter=actor)
        transaction.on_commit(lambda: send(user, organisation, why))
    return membership


def _find_or_create(
    *,
    email: str,
    full_name: str,
    actor: Any,
    organisation: Organisation,
    why: str,
    invitation: Callable[[User, Organisation, str], None],
) -> tuple[User, bool]:
    email = normalise_email(email)
    existing = _account(email)
    if existing is not None:
        return existing, False
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError({"full_name": f"{email} has no account yet: give their full name to invite them."})
    try:
        with transaction.atomic():  # a savepoint inside the caller's transaction, so losing the race undoes only this
            user = User.objects.create_user(email, password=None, full_name=full_name)  # no usable password yet
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
            record_event(
                actor=actor,
                action="accounts.invited",
                obj=user,
                organisation_id=organisation.pk,
                details={"email": email, "why": why},
            )
            transaction.on_commit(lambda: invitation(user, organisation, why))
    except IntegrityError:
        # Another request (a second award, a roster import) made this account between our look-up and our insert:
        # the unique email refused ours, and theirs is now committed. Use it; their invitation is on its way.
        theirs = _account(email)
        if theirs is None:
            raise
        return theirs, False
    return user, True


def _account(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


def _a(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def _timeout_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86_400)


def _send_invitation(user: User, organisation: Organisation, why: str) -> None:
    site = settings.CREDO_SITE_NAME
    body = "\n".join(
        [
            f"{organisation.greeting} {user.full_name},",
            "",
            f"{organisation.name} has {why}.",
            f"Claim your {site} account to see it, choose who can see it, and share it:",
            claim_url(user),
            "",
            f"The link works once, for {_timeout_days()} days. After that, use 'Forgotten your password?' on the",
            f"sign-in page with this address ({user.email}) to get a new one.",
        ]
    )
    send_email.enqueue(
        subject=f"{organisation.name} invites you to claim your {site} account",
        body=body,
        to=[user.email],
        from_email=settings.DEFAULT_FROM_EMAIL,
    )


def _send_staff_invitation(user: User, organisation: Organisation, why: str, *, inviter: Any) -> None:
    site = settings.CREDO_SITE_NAME
    by = getattr(inviter, "full_name", "") or getattr(inviter, "email", "")
    body = "\n".join(
        [
            f"{organisation.greeting} {user.full_name},",
            "",
            f"{organisation.name} has {why} on {site}{f' (invited by {by})' if by else ''}.",
            "To accept, choose a password here; it also confirms this email address:",
            claim_url(user),
            "",
            f"Then sign in at {_site_url()}{reverse('account_login')} with this address ({user.email}).",
            "",
            f"The link works once, for {_timeout_days()} days. After that, use 'Forgotten your password?' on the",
            "sign-in page to get a new one. If you were not expecting this, you can ignore this email.",
        ]
    )
    send_email.enqueue(
        subject=f"{organisation.name} invites you to {site}",
        body=body,
        to=[user.email],
        from_email=settings.DEFAULT_FROM_EMAIL,
    )


def _send_role_added(user: User, organisation: Organisation, why: str) -> None:
    site = settings.CREDO_SITE_NAME
    body = "\n".join(
        [
            f"{organisation.greeting} {user.full_name or user.email},",
            "",
            f"{organisation.name} has {why} on {site}.",
            f"Sign in as usual to see what you can do there: {_site_url()}{reverse('dashboard')}",
            "",
            f"If you were not expecting this, ask {organisation.name} about it.",
        ]
    )
    send_email.enqueue(
        subject=f"{organisation.name} has {why}",
        body=body,
        to=[user.email],
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
