"""The one form of support threads: a message. Its rules live in ``services.support.clean_body``."""

from __future__ import annotations

from django import forms

from credo.programmes.services.support import MAX_BODY_LENGTH


class SupportMessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=f"Plain text, up to {MAX_BODY_LENGTH:,} characters.",
        error_messages={"required": "Write your message before sending it."},
    )
