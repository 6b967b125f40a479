"""Deliver one emailed reply to a support thread: an MTA pipe or a mail-fetching cron feeds it on stdin.

For example, in Postfix's aliases: ``support: "|/srv/credo/manage.py receive_support_email"``
(with ``recipient_delimiter = +``). The exit status follows sysexits(3), so the MTA
bounces a refused message with the reason printed here. A message delivered again (same
Message-ID) is reported as already received and exits 0: it was stored the first time,
and a bounce would tell its sender otherwise.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from credo.programmes.inbound_email import MAX_MESSAGE_BYTES, AlreadyReceivedError, MessageRefusedError, receive

EX_DATAERR = 65
EX_NOUSER = 67


class Command(BaseCommand):
    help = "Read one RFC 822 message on stdin and store it on the support thread its address names."
    # Tests hand in a byte stream instead of the process's stdin.
    stealth_options = ("stdin",)

    def handle(self, *args: Any, **options: Any) -> None:
        stream = options.get("stdin") or sys.stdin.buffer
        # Read one byte past the limit, so a huge message is refused without being held in memory.
        raw = stream.read(MAX_MESSAGE_BYTES + 1)
        try:
            message = receive(raw)
        except MessageRefusedError as refused:
            status = EX_NOUSER if refused.unknown_recipient else EX_DATAERR
            raise CommandError(refused.reason, returncode=status) from None
        except AlreadyReceivedError as again:
            stored = again.stored
            self.stdout.write(
                f"Already received: {stored.message_id} from {stored.author.email} is stored on the support thread "
                f"of {stored.thread.enrolment}; nothing was stored or sent again."
            )
            return
        enrolment = message.thread.enrolment
        self.stdout.write(f"Stored a message from {message.author.email} on the support thread of {enrolment}.")
