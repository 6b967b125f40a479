from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from credo.audit.checkpoints import sign_checkpoint
from credo.audit.keys import AuditKeyError
from credo.audit.management.commands.verify_audit import load_checkpoint
from credo.audit.services import check_chain


class Command(BaseCommand):
    help = (
        "Print a signed checkpoint of the audit log's newest event, once the chain checks out. Keep it outside "
        "the database (a ticket, a write-once bucket); `verify_audit --checkpoint FILE` then shows any later "
        "rewrite, even by someone holding the audit key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since-checkpoint",
            metavar="FILE",
            help="Check the chain only from this earlier checkpoint onwards before signing (faster on a long log).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = load_checkpoint(options["since_checkpoint"]) if options["since_checkpoint"] else None
        try:
            report = check_chain(since=since)
            # Signing a broken log would vouch for the break: refuse, and say why.
            if report.problems:
                for problem in report.problems:
                    self.stderr.write(str(problem))
                raise CommandError(
                    f"No checkpoint: the audit log has been tampered with ({len(report.problems)} problem(s) found)."
                )
            checkpoint = sign_checkpoint(seq=report.last_seq, hash=report.last_hash)
        except AuditKeyError as error:
            raise CommandError(f"Cannot sign a checkpoint: {error}.") from None
        self.stdout.write(checkpoint.to_json())
