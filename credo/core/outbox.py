"""Mail without a mail server: each message saved as a file in the outbox (var/outbox/), one line printed.

Where no SMTP host is configured (a development machine, the demo), `OutboxEmailBackend` writes every
message as a complete .eml file, openable in any mail program, and prints one line naming the recipient,
the subject and the file, instead of the whole message (invoice PDFs included) on the console. The
outbox pages (`credo.front.views.outbox`) read the same files back, for trying credo out in a browser.
"""

from __future__ import annotations

import datetime
import email.policy
import os
import re
import secrets
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage as ParsedMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, TextIO

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

#: An outbox file's name: when it was saved (UTC, so names sort by time) and a random tail.
NAME = re.compile(r"\A\d{8}-\d{6}-\d{6}-[0-9a-f]{8}\.eml\Z")


def outbox_dir() -> Path:
    return Path(settings.EMAIL_OUTBOX_DIR)


def _shown(path: Path) -> str:
    """The path as a person at the terminal would type it: relative to where they are, when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class OutboxEmailBackend(BaseEmailBackend):
    """Django email backend: saves each message to the outbox and prints a one-line summary."""

    def __init__(
        self, *, fail_silently: bool = False, directory: Path | str | None = None, stream: TextIO | None = None,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.directory = Path(directory) if directory else outbox_dir()
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        with self._lock:
            for message in email_messages:
                if not message.recipients():
                    continue
                try:
                    path = self._save(message)
                except OSError:
                    if not self.fail_silently:
                        raise
                    continue
                to = ", ".join(message.recipients())
                self.stream.write(f"Email to {to}: {message.subject} ({_shown(path)})\n")
                self.stream.flush()
                sent += 1
        return sent

    def _save(self, message: EmailMessage) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        now = datetime.datetime.now(datetime.UTC)
        path = self.directory / f"{now:%Y%m%d-%H%M%S-%f}-{secrets.token_hex(4)}.eml"
        # Written beside, then renamed: the outbox page never reads half a message.
        partial = path.with_suffix(".part")
        partial.write_bytes(message.message().as_bytes())
        partial.replace(path)
        return path


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class OutboxMessage:
    name: str
    saved: datetime.datetime
    sender: str
    to: str
    subject: str
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)


def _saved_at(name: str) -> datetime.datetime:
    return datetime.datetime.strptime(name[:22], "%Y%m%d-%H%M%S-%f").replace(tzinfo=datetime.UTC)


def _parse(path: Path, *, headers_only: bool) -> OutboxMessage:
    with path.open("rb") as handle:
        parsed = BytesParser(policy=email.policy.default).parse(handle, headersonly=headers_only)
    assert isinstance(parsed, ParsedMessage)  # the default policy makes the modern class
    summary = OutboxMessage(
        name=path.name,
        saved=_saved_at(path.name),
        sender=str(parsed.get("From", "")),
        to=str(parsed.get("To", "")),
        subject=str(parsed.get("Subject", "")),
    )
    if headers_only:
        return summary
    body = parsed.get_body(preferencelist=("plain",))
    attachments = [
        Attachment(
            filename=part.get_filename() or "(no name)",
            content_type=part.get_content_type(),
            size=len(part.get_payload(decode=True) or b""),
        )
        for part in parsed.iter_attachments()
        if isinstance(part, ParsedMessage)
    ]
    text = body.get_content() if isinstance(body, ParsedMessage) else ""
    return OutboxMessage(**{**summary.__dict__, "text": text, "attachments": attachments})


def attachment(name: str, number: int, directory: Path | None = None) -> tuple[Attachment, bytes] | None:
    """The message's attachment `number` (from 1, as listed), or None if there is no such message or attachment."""
    folder = directory or outbox_dir()
    if not NAME.match(name) or not (folder / name).is_file() or number < 1:
        return None
    with (folder / name).open("rb") as handle:
        parsed = BytesParser(policy=email.policy.default).parse(handle)
    assert isinstance(parsed, ParsedMessage)
    parts = [part for part in parsed.iter_attachments() if isinstance(part, ParsedMessage)]
    if number > len(parts):
        return None
    part = parts[number - 1]
    data = part.get_payload(decode=True)
    content = data if isinstance(data, bytes) else b""
    return Attachment(part.get_filename() or "attachment", part.get_content_type(), len(content)), content


def message_names(directory: Path | None = None) -> list[str]:
    """Every message's file name, newest first."""
    folder = directory or outbox_dir()
    if not folder.is_dir():
        return []
    return sorted((entry.name for entry in os.scandir(folder) if NAME.match(entry.name)), reverse=True)


def summaries(names: Sequence[str], directory: Path | None = None) -> list[OutboxMessage]:
    """Sender, recipients and subject of each named message (headers only: attachments stay unread)."""
    folder = directory or outbox_dir()
    return [_parse(folder / name, headers_only=True) for name in names]


def read_message(name: str, directory: Path | None = None) -> OutboxMessage | None:
    """One message in full (its text part, its attachments listed), or None for a name not in the outbox."""
    folder = directory or outbox_dir()
    if not NAME.match(name) or not (folder / name).is_file():
        return None
    return _parse(folder / name, headers_only=False)
