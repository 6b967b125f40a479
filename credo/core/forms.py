"""What every app's forms share: a service's refusal shown on the form that caused it.

Services refuse with a ``ValidationError`` keyed by the names of their arguments; a form whose fields have the same
names shows each message beside its field (and so in the error summary, linked to it), and any other message at
the top of the form.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def problems_by_field(error: ValidationError) -> dict[str, list[str]]:
    """A service's refusal as {field: messages}; one not tied to a field under '__all__'."""
    if hasattr(error, "error_dict"):
        return dict(error.message_dict)
    return {"__all__": list(error.messages)}


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form, each message beside its field where the form has one."""
    for name, messages in problems_by_field(error).items():
        for message in messages:
            form.add_error(name if name in form.fields else None, message)
