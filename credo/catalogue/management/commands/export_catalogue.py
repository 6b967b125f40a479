from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from credo.catalogue.interchange import dump_document, export_catalogue


class Command(BaseCommand):
    help = "Write the whole catalogue as a credo catalogue file (docs/catalogue-format.md), to FILE or stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default="-", help="Where to write it; omit it, or give -, for stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        document = export_catalogue()
        text = dump_document(document)
        if options["file"] == "-":
            self.stdout.write(text, ending="")
            return
        path = Path(options["file"])
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror or error}.") from error
        # On stderr, so the summary never mixes with a document written to stdout by a wrapper script.
        self.stderr.write(
            f"Wrote {len(document['qualifications'])} qualification versions, {len(document['units'])} units, "
            f"{len(document['organisations'])} organisations and {len(document['frameworks'])} frameworks to {path}."
        )
