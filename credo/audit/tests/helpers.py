"""What the audit tests share: a short log, the command's output, and the tamperer's first step."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

from django.core.management import CommandError, call_command
from django.db import connection

from credo.audit import triggers
from credo.audit.models import AuditEvent
from credo.audit.services import record_event


@contextmanager
def triggers_removed() -> Iterator[None]:
    """What a tamperer with database access does first, and undoes last to cover their tracks."""
    triggers.remove(connection)
    yield
    triggers.install(connection)


def record_events(count: int, start: int = 1) -> list[AuditEvent]:
    return [
        record_event(actor="system", action=f"test.step_{n}", details={"n": n}) for n in range(start, start + count)
    ]


def run_command(name: str, *args: str) -> tuple[str, str]:
    """The command's output and its errors (a CommandError's message last), as someone at the terminal sees them."""
    out, err = StringIO(), StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as error:
        err.write(str(error))
    return out.getvalue(), err.getvalue()


def run_verify(*args: str) -> tuple[str, str]:
    return run_command("verify_audit", *args)
