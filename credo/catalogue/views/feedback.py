"""How an editing page reports a service's answer: a success message, or each refusal as an error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def apply_change(request: HttpRequest, change: Callable[[], Any], success: str) -> bool:
    """Run one service call; show its refusal as a message instead of an error page."""
    try:
        change()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True
