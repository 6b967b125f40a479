"""Print the demo's logins; with --wait-for, only once the server answers and the task worker has caught up,
so that they are the last thing on the screen after `make demo` starts."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django_tasks_db.models import DBTaskResult

from credo.front.demo import DEMO_PASSWORD, logins
from credo.front.demo.portfolios import live_attestation_link


def write_logins(out: OutputWrapper) -> None:
    out.write(f"credo demo on {settings.SITE_URL} — every demo login uses the password: {DEMO_PASSWORD}")
    rows = logins()
    width = max(len(email) for email, _ in rows)
    for email, who in rows:
        out.write(f"  {email.ljust(width)}  {who}")
    if link := live_attestation_link():
        out.write("Be an attestor, with no account: Mei Lin Zhao asked Tom Rangihuna to attest to her work. Open")
        out.write(f"  {link}")
    if settings.DEV_OUTBOX:
        out.write(f"Email is not sent: read it at {settings.SITE_URL}/dev/outbox/ (signed in as the operator)")
        out.write(f"or in {settings.EMAIL_OUTBOX_DIR}.")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own server's health check
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _tasks_waiting() -> int:
    return (DBTaskResult.objects.ready() | DBTaskResult.objects.running()).count()


class Command(BaseCommand):
    help = "Print every demo login and the shared password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wait-for", metavar="URL", help="First wait until this address answers 200 (/healthz).")
        parser.add_argument("--timeout", type=float, default=120.0, help="Seconds to wait at most (default 120).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["wait_for"]:
            deadline = time.monotonic() + options["timeout"]
            while not _answers(options["wait_for"]):
                if time.monotonic() > deadline:
                    raise CommandError(f"{options['wait_for']} did not answer within {options['timeout']:.0f} s.")
                time.sleep(0.5)
            # The demo queues its emails as tasks; let the worker print their one-line summaries first.
            while _tasks_waiting() and time.monotonic() < deadline:
                time.sleep(0.5)
            self.stdout.write("")
        write_logins(self.stdout)
