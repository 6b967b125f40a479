from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from credo.audit.models import AuditEvent
from credo.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the audit log's hash chain; report every edited, inserted or deleted event and exit non-zero."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"The audit log has been tampered with: {len(problems)} problem(s) found.")
        self.stdout.write(f"The audit log is intact: {AuditEvent.objects.count()} events, chain unbroken.")
