"""Reactions to allauth's account events."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress


def verify_email_on_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """A password set from an emailed link proves the person reads that inbox: an invited learner
    who claims their account is not asked to verify the same address a second time."""
    EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=False).update(verified=True)
