from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from credo.audit.checkpoints import Checkpoint, CheckpointError, read_checkpoint
from credo.audit.keys import AuditKeyError
from credo.audit.services import check_chain


def load_checkpoint(path: str) -> Checkpoint:
    """The checkpoint in a file, signature checked; every reason it cannot be used, as a CommandError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(f"Cannot read the checkpoint {path}: {error}") from None
    try:
        return read_checkpoint(text, source=path)
    except (CheckpointError, AuditKeyError) as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain; report every edited, inserted or deleted event and exit non-zero. "
        "With checkpoints from `manage.py audit_head`, also check that the log still agrees with them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since-checkpoint",
            metavar="FILE",
            help="Check only from the event this checkpoint recorded onwards (which must still have its hash).",
        )
        parser.add_argument(
            "--checkpoint",
            metavar="FILE",
            action="append",
            default=[],
            help="A checkpoint whose event must still have the hash it recorded (repeat for several).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = load_checkpoint(options["since_checkpoint"]) if options["since_checkpoint"] else None
        checkpoints = [load_checkpoint(path) for path in options["checkpoint"]]
        try:
            report = check_chain(since=since, checkpoints=checkpoints)
        except AuditKeyError as error:
            raise CommandError(f"Cannot check the audit log: {error}.") from None
        if report.problems:
            for problem in report.problems:
                self.stderr.write(str(problem))
            if all(problem.unknown_key for problem in report.problems):
                raise CommandError(
                    f"The audit log cannot be trusted: {len(report.problems)} event(s) were sealed with an audit key"
                    " that is not configured here. If it is an old key of yours, add it to CREDO_PREVIOUS_AUDIT_KEYS;"
                    " if not, they were forged."
                )
            raise CommandError(f"The audit log has been tampered with: {len(report.problems)} problem(s) found.")
        anchored = len(checkpoints) + (1 if since else 0)
        agrees = f" It agrees with {anchored} checkpoint(s)." if anchored else ""
        span = f"from #{report.first_seq} to #{report.last_seq}" if since else f"{report.events_checked} events"
        self.stdout.write(f"The audit log is intact: {span}, chain unbroken.{agrees}")
