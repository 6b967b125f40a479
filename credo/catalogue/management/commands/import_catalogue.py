from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from credo.catalogue.interchange import ImportRefused, import_catalogue, parse_document, preview_import

ACTOR = "cli:import_catalogue"


class Command(BaseCommand):
    help = (
        "Import a credo catalogue file (docs/catalogue-format.md), all or nothing: every problem is listed and "
        "nothing is written unless the whole file is sound."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The YAML or JSON file to import; - reads stdin.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and report what would change, writing nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = self._read(options["file"])
        try:
            document = parse_document(text)
            if options["dry_run"]:
                report = preview_import(document=document)
            else:
                report = import_catalogue(actor=ACTOR, document=document)
        except ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Nothing was imported: {len(refused.problems)} problem(s).") from refused
        self.stdout.write(report.summary())

    def _read(self, name: str) -> str:
        if name == "-":
            return sys.stdin.read()
        try:
            return Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or error
            raise CommandError(f"Cannot read {name}: {reason}.") from error
