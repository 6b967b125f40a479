from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from credo.front.demo import load_demo
from credo.front.management.commands.demo_logins import write_logins


class Command(BaseCommand):
    help = "Load the demo data (idempotent): the SEG Awards and Inspiring Communities programmes, and demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help="Do not print the logins (`make demo` prints them with `demo_logins` once the server is up).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_demo()
        self.stdout.write(f"Catalogue: {report.summary()}")
        if not options["no_logins"]:
            self.stdout.write("")
            write_logins(self.stdout)
