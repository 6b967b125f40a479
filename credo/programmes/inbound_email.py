"""Replies by email to support notifications: one RFC 822 message in, one support message stored.

The reply address ``support+<token>@<SUPPORT_REPLY_DOMAIN>`` names the thread; the
sender must be the thread's learner or one of its staff. Both must hold: knowing a
token is not enough to write on a thread, and neither is knowing a learner's address.

A From header can be forged. The receiving MTA should reject mail failing DMARC before
it reaches us; with ``SUPPORT_EMAIL_REQUIRE_DMARC_PASS`` on, we also refuse a message
unless the MTA's Authentication-Results header (RFC 8601) records ``dmarc=pass`` for the
From domain. Only the MTA's own header counts: the one whose authserv-id is
``SUPPORT_EMAIL_AUTHSERV_ID`` if that is set, otherwise the topmost, which the last hop
(ours) adds above anything the sender wrote.

Anything refused raises ``MessageRefusedError`` with a reason a person can act on, and
stores nothing. A message whose Message-ID is already stored (an MTA retrying after a
time-out delivers it again) raises ``AlreadyReceivedError``: it is kept once, and the
retry is not an error to bounce to the sender.
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
from django.db import IntegrityError
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


class AlreadyReceivedError(Exception):
    """The message was delivered before and is stored once, as ``stored``; nothing was stored or sent now."""

    def __init__(self, stored: SupportMessage) -> None:
        super().__init__(f"Already received: {stored.message_id} is stored on its support thread.")
        self.stored = stored


def receive(raw_message: bytes) -> SupportMessage:
    """Store an emailed reply on its thread and notify the other side.

    Raises ``MessageRefusedError`` when it cannot be stored, ``AlreadyReceivedError`` when it already is.
    """
    if len(raw_message) > MAX_MESSAGE_BYTES:
        raise MessageRefusedError(f"The message is larger than {MAX_MESSAGE_BYTES // 1024} KB; reply with text only.")
    message = BytesParser(policy=policy.default).parsebytes(raw_message)
    assert isinstance(message, EmailMessage)  # policy.default always builds EmailMessage.
    if message.get("Auto-Submitted", "no").strip().lower() != "no":
        raise MessageRefusedError("Automatic replies (out of office, delivery reports) are not stored.")
    thread = _thread_addressed(message)
    if getattr(settings, "SUPPORT_EMAIL_REQUIRE_DMARC_PASS", False):
        _require_dmarc_pass(message)
    author = _author(message, thread)
    message_id = _message_id(message)
    _refuse_if_stored(message_id)
    body = quoted_history_removed(_text_of(message))
    channel = SupportMessage.Channel.EMAIL
    try:
        if author == thread.enrolment.learner:
            return support.ask(thread.enrolment, actor=author, body=body, channel=channel, message_id=message_id)
        return support.reply(thread, actor=author, body=body, channel=channel, message_id=message_id)
    except (ValidationError, PermissionDenied) as error:
        reasons = error.messages if isinstance(error, ValidationError) else [str(error)]
        raise MessageRefusedError(" ".join(reasons)) from None
    except IntegrityError:
        # Two deliveries of one message at once: the other stored it between our check and our insert.
        if not message_id:
            raise
        _refuse_if_stored(message_id)
        raise


def _message_id(message: EmailMessage) -> str:
    """The Message-ID as sent, or '' when there is none (or it is too long to keep), which turns off the check."""
    value = " ".join(str(message.get("Message-ID", "")).split())
    max_length = SupportMessage._meta.get_field("message_id").max_length or 0
    return value if len(value) <= max_length else ""


def _refuse_if_stored(message_id: str) -> None:
    stored = SupportMessage.objects.filter(message_id=message_id).first() if message_id else None
    if stored is not None:
        raise AlreadyReceivedError(stored)


#: A comment in a header, ``(p=none dis=none)``, which carries nothing a check may rely on.
COMMENT = re.compile(r"\([^()]*\)")


def _require_dmarc_pass(message: EmailMessage) -> None:
    """Refuse unless our MTA's Authentication-Results says the From domain passed DMARC."""
    _name, sender = parseaddr(str(message.get("From", "")))
    domain = sender.rpartition("@")[2].lower()
    header = _our_authentication_results(message)
    results = _results(header) if header is not None else []
    if not domain or not any(r.get("dmarc") == "pass" and r.get("header.from") == domain for r in results):
        raise MessageRefusedError(
            f"This message could not be shown to come from {domain or 'its sender'} (no DMARC pass): "
            "reply from the mail account the notification was sent to, or answer on credo."
        )


def _our_authentication_results(message: EmailMessage) -> str | None:
    headers = [str(value) for value in message.get_all("Authentication-Results", [])]
    authserv_id = getattr(settings, "SUPPORT_EMAIL_AUTHSERV_ID", "").lower()
    if not authserv_id:
        return headers[0] if headers else None
    return next((header for header in headers if _authserv_id(header) == authserv_id), None)


def _authserv_id(header: str) -> str:
    """``mx.example.org`` in ``mx.example.org 1; dmarc=pass …`` (an optional version follows the name)."""
    words = COMMENT.sub(" ", header).split(";")[0].split()
    return words[0].lower() if words else ""


def _results(header: str) -> list[dict[str, str]]:
    """Each result after the authserv-id as {method: result, property: value}, lower case, comments dropped."""
    found = []
    for part in COMMENT.sub(" ", header).split(";")[1:]:
        pairs = [token.partition("=") for token in part.split()]
        found.append({name.lower(): value.strip('"').lower() for name, equals, value in pairs if equals})
    return found


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
