"""How django-allauth sends mail and names people, adapted to credo."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter

from credo.core.tasks import send_email


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Render now (the context holds objects that do not serialise), send in the background.
        message = self.render_mail(template_prefix, email, context)
        send_email.enqueue(
            subject=str(message.subject),
            body=str(message.body),
            to=list(message.to),
            from_email=str(message.from_email),
        )
