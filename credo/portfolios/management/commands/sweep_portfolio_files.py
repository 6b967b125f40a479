"""Delete stored evidence files that no evidence item or submission names (left when an outer transaction rolled
back after an upload was stored): ``services.sweep``. Safe to run as often as you like, from cron, say daily."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from credo.portfolios.services.sweep import sweep_orphan_files


class Command(BaseCommand):
    help = (
        "Delete portfolio evidence files in storage that no evidence item or submitted file names, once they are "
        "older than a grace period (a day, by default). --dry-run lists them and deletes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-hours",
            type=float,
            default=24.0,
            help="Leave files changed in the last this many hours (an upload may still be being recorded). Default 24.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only list the files; delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        hours = float(options["older_than_hours"])
        if hours < 1:
            raise CommandError("--older-than-hours must be at least 1: a newer file may be an upload being recorded.")
        dry_run = bool(options["dry_run"])
        verb = "Would delete" if dry_run else "Deleted"

        def report(name: str, size: int) -> None:
            self.stdout.write(f"{verb} {name} ({size:,} bytes)")

        result = sweep_orphan_files(older_than=datetime.timedelta(hours=hours), dry_run=dry_run, on_orphan=report)
        self.stdout.write(
            f"{verb} {result.orphans} file{'s' if result.orphans != 1 else ''} that nothing names "
            f"({result.orphan_bytes:,} bytes), of {result.examined} examined; "
            f"{result.too_recent} newer than {hours:g} hours left for now."
        )
