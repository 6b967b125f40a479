"""Replies by email to support notifications: one RFC 822 message in, one support message stored.

The reply address ``support+<token>@<SUPPORT_REPLY_DOMAIN>`` names the thread; the
sender must be the thread's learner or one of its staff. Both must hold: knowing a
token is not enough to write on a thread, and neither is knowing a learner's address.
(A From header can be forged; the receiving MTA should reject mail failing DMARC
before it reaches us.) Anything refused raises ``MessageRefusedError`` with a reason a
person can act on, and stores nothing.
"""

from __future__ import annotations

import html
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import strip_tags

from credo.accounts.models import User
from credo.programmes.models import SupportMessage, SupportThread
from credo.programmes.services import support

#: Replies are text; anything larger is an attachment or a loop, not a question.
MAX_MESSAGE_BYTES = 512 * 1024
TOKEN = re.compile(r"^[0-9a-f]{16,64}$")
#: "On Tue, 2 Apr 2024 at 10:00, Facilitator <f@example.org> wrote:" (clients may wrap it over two lines).
ATTRIBUTION = re.compile(r"^\s*On\b.*\bwrote:\s*$", re.IGNORECASE | re.DOTALL)
ADDRESS_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


class MessageRefusedError(Exception):
    """The message cannot become a support message; ``reason`` says why, for the sender or the mail log."""

    def __init__(self, reason: str, *, unknown_recipient: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unknown_recipient = unknown_recipient


def receive(raw_message: bytes) -> SupportMessage:
    """Store an emailed reply on its thread and notify the other side; raise ``MessageRefusedError`` otherwise."""
    if len(raw_message) > MAX_MESSAGE_BYTES:
        raise MessageRefusedError(f"The message is larger than {MAX_MESSAGE_BYTES // 1024} KB; reply with text only.")
    message = BytesParser(policy=policy.default).parsebytes(raw_message)
    assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage.
    if message.get("Auto-Submitted", "no").strip().lower() != "no":
        raise MessageRefusedError("Automatic replies (out of office, delivery reports) are not stored.")
    thread = _thread_addressed(message)
    author = _author(message, thread)
    body = quoted_history_removed(_text_of(message))
    channel = SupportMessage.Channel.EMAIL
    try:
        if author == thread.enrolment.learner:
            return support.ask(thread.enrolment, actor=author, body=body, channel=channel)
        return support.reply(thread, actor=author, body=body, channel=channel)
    except (ValidationError, PermissionDenied) as error:
        reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
        raise MessageRefusedError(" ".join(reasons)) from None


def _thread_addressed(message: EmailMessage) -> SupportThread:
    domain = getattr(settings, "SUPPORT_REPLY_DOMAIN", "").lower()
    if not domain:
        raise MessageRefusedError("This installation does not accept replies by email.", unknown_recipient=True)
    values = [str(value) for name in ADDRESS_HEADERS for value in message.get_all(name, [])]
    for _name, address in getaddresses(values):
        local, _at, address_domain = address.lower().rpartition("@")
        mailbox, plus, token = local.partition("+")
        if address_domain == domain and mailbox == support.REPLY_MAILBOX and plus and TOKEN.match(token):
            thread = (
                SupportThread.objects.select_related("enrolment__cohort__programme__provider", "enrolment__learner")
                .filter(reply_token=token)
                .first()
            )
            if thread is not None:
                return thread
    raise MessageRefusedError("No support thread has this address; answer on credo instead.", unknown_recipient=True)


def _author(message: EmailMessage, thread: SupportThread) -> User:
    _name, sender = parseaddr(str(message.get("From", "")))
    enrolment = thread.enrolment
    if sender and sender.lower() == enrolment.learner.email.lower():
        return enrolment.learner
    for person in User.objects.filter(email__iexact=sender, is_active=True) if sender else []:
        if support.may_answer(person, enrolment.cohort):
            return person
    raise MessageRefusedError(
        f"{sender or 'The sender'} may not write on this support thread: "
        "reply from the address the notification was sent to."
    )


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    text = content if isinstance(content, str) else ""
    return html.unescape(strip_tags(text)) if part.get_content_type() == "text/html" else text


def quoted_history_removed(text: str) -> str:
    """The new text of a reply: lines before the "On … wrote:" attribution, without ">"-quoted lines."""
    kept: list[str] = []
    lines = text.replace("\r\n", "\n").split("\n")
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        wrapped = line.lstrip().startswith("On ") and ATTRIBUTION.match(f"{line} {following}")
        if ATTRIBUTION.match(line) or wrapped:
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept).strip()
