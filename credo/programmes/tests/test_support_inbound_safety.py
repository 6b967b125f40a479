"""Replies by email that arrive twice, or whose sender cannot be shown genuine.

An MTA that times out waiting for us delivers the same message again: it is stored once.
Where the installation asks for it, a message is refused unless the receiving MTA's
Authentication-Results header records a DMARC pass for the From domain.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from credo.accounts.models import User
from credo.programmes import inbound_email
from credo.programmes.inbound_email import AlreadyReceivedError, MessageRefusedError, receive
from credo.programmes.models import Cohort, SupportMessage, SupportThread
from credo.programmes.services import support

from .support_builders import REPLY_DOMAIN, enrol, facilitator_of, plain_reply

MESSAGE_ID = "<reply-1@mail.example.org>"  # as plain_reply writes it
OUR_MTA = "mx.credo.example"


@pytest.fixture(autouse=True)
def _replies_by_email(settings: Any) -> None:
    settings.SUPPORT_REPLY_DOMAIN = REPLY_DOMAIN


@pytest.fixture
def kaiawhina(cohort: Cohort, provider_admin: User) -> User:
    return facilitator_of(cohort, provider_admin, "kaiawhina@inspiring-test.example")


@pytest.fixture
def thread(cohort: Cohort, kaiawhina: User) -> SupportThread:
    enrolment = enrol(cohort, "aroha@example.org", "Aroha Te Whare")
    return support.ask(enrolment, actor=enrolment.learner, body="Can my case study be from 2023?").thread


def reply_from_aroha(thread: SupportThread, text: str = "Thank you!", headers: str = "") -> bytes:
    return plain_reply(
        sender="Aroha@Example.org", to=f"support+{thread.reply_token}@{REPLY_DOMAIN}", text=text, headers=headers
    )


def with_message_id(raw: bytes, message_id: str) -> bytes:
    return raw.replace(f"Message-ID: {MESSAGE_ID}".encode(), f"Message-ID: {message_id}".encode())


class TestARedeliveredMessage:
    def test_it_is_stored_once_and_emails_the_facilitators_once(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        raw = reply_from_aroha(thread)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            first = receive(raw)
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(AlreadyReceivedError) as again:
            receive(raw)

        assert first.message_id == MESSAGE_ID
        assert again.value.stored == first
        assert "Already received" in str(again.value)
        assert list(thread.messages.values_list("body", flat=True)) == ["Can my case study be from 2023?", "Thank you!"]
        assert [email.to for email in mail.outbox] == [["kaiawhina@inspiring-test.example"]]

    def test_the_command_reports_it_already_received_and_does_not_bounce_it(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        raw = reply_from_aroha(thread)
        with django_capture_on_commit_callbacks(execute=True):
            call_command("receive_support_email", stdin=io.BytesIO(raw), stdout=io.StringIO())
        out = io.StringIO()

        with django_capture_on_commit_callbacks(execute=True):
            call_command("receive_support_email", stdin=io.BytesIO(raw), stdout=out)  # no CommandError: exit 0

        assert out.getvalue().startswith(f"Already received: {MESSAGE_ID} from aroha@example.org")
        assert thread.messages.filter(message_id=MESSAGE_ID).count() == 1

    def test_two_deliveries_at_once_are_kept_once_when_the_constraint_catches_the_second(
        self,
        thread: SupportThread,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        # The other delivery stores the message after this one looked for it and before it inserts.
        other = SupportMessage.objects.create(
            thread=thread, author=thread.enrolment.learner, body="Thank you!", channel="email", message_id=MESSAGE_ID
        )
        real_check: Callable[[str], None] = inbound_email._refuse_if_stored
        checks: list[str] = []

        def check_too_early(message_id: str) -> None:
            checks.append(message_id)
            if len(checks) > 1:
                real_check(message_id)

        monkeypatch.setattr(inbound_email, "_refuse_if_stored", check_too_early)
        mail.outbox.clear()

        with django_capture_on_commit_callbacks(execute=True), pytest.raises(AlreadyReceivedError) as again:
            receive(reply_from_aroha(thread))

        assert again.value.stored == other
        assert checks == [MESSAGE_ID, MESSAGE_ID]
        assert thread.messages.count() == 2
        assert mail.outbox == []

    def test_different_messages_are_each_stored(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            receive(reply_from_aroha(thread, "First"))
            receive(with_message_id(reply_from_aroha(thread, "Second"), "<reply-2@mail.example.org>"))

        assert thread.messages.filter(channel="email").count() == 2

    def test_messages_without_a_message_id_are_all_kept(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        raw = reply_from_aroha(thread).replace(f"Message-ID: {MESSAGE_ID}\r\n".encode(), b"")
        with django_capture_on_commit_callbacks(execute=True):
            receive(raw)
            receive(raw)
        support.ask(thread.enrolment, actor=thread.enrolment.learner, body="And on the web")

        assert thread.messages.filter(message_id="").count() == 4


def results(*headers: str) -> str:
    return "".join(f"Authentication-Results: {header}\r\n" for header in headers)


#: Our MTA's verdict, as OpenDMARC writes it.
PASS = (
    f"{OUR_MTA}; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; "
    "dmarc=pass (p=none dis=none) header.from=example.org"
)


class TestRequiringADmarcPass:
    @pytest.fixture(autouse=True)
    def _required(self, settings: Any) -> None:
        settings.SUPPORT_EMAIL_REQUIRE_DMARC_PASS = True

    def assert_refused(self, raw: bytes, thread: SupportThread, capture: Any) -> None:
        mail.outbox.clear()
        with capture(execute=True), pytest.raises(MessageRefusedError) as refused:
            receive(raw)
        assert "could not be shown to come from example.org (no DMARC pass)" in refused.value.reason
        assert thread.messages.count() == 1
        assert mail.outbox == []

    def test_a_message_whose_domain_passed_is_stored(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            message = receive(reply_from_aroha(thread, headers=results(PASS)))

        assert message.body == "Thank you!"

    @pytest.mark.parametrize(
        "headers",
        [
            "",
            results(f"{OUR_MTA}; dmarc=fail (p=reject) header.from=example.org"),
            results(f"{OUR_MTA}; dmarc=none header.from=example.org"),
            results(f"{OUR_MTA}; dmarc=pass header.from=elsewhere.example"),  # passed, but for another domain
            results(f"{OUR_MTA}; dmarc=pass"),  # no domain named
            results(f"{OUR_MTA}; dkim=pass header.d=example.org; spf=pass smtp.mailfrom=example.org"),
            results(f"{OUR_MTA}; dmarc=fail header.from=example.org", PASS),  # the sender's own, below ours
            results(f"{OUR_MTA}; arc=pass (dmarc=pass header.from=example.org)"),  # only a comment says so
        ],
        ids=["none", "fail", "no-policy", "other-domain", "no-domain", "no-dmarc", "forged-below", "in-a-comment"],
    )
    def test_anything_else_is_refused(
        self, headers: str, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        self.assert_refused(reply_from_aroha(thread, headers=headers), thread, django_capture_on_commit_callbacks)

    def test_with_an_authserv_id_only_our_mtas_header_counts_wherever_it_is(
        self, thread: SupportThread, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.SUPPORT_EMAIL_AUTHSERV_ID = OUR_MTA
        forged = "mx.elsewhere.example; dmarc=pass header.from=example.org"
        refused = reply_from_aroha(thread, headers=results(forged, f"{OUR_MTA}; dmarc=fail header.from=example.org"))
        accepted = reply_from_aroha(thread, headers=results(forged.replace("pass", "fail"), PASS))

        self.assert_refused(refused, thread, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            assert receive(accepted).body == "Thank you!"

    def test_the_command_bounces_the_refusal(self, thread: SupportThread) -> None:
        with pytest.raises(CommandError) as refused:
            call_command("receive_support_email", stdin=io.BytesIO(reply_from_aroha(thread)))

        assert refused.value.returncode == 65
        assert "no DMARC pass" in str(refused.value)


def test_by_default_no_dmarc_result_is_needed(
    thread: SupportThread, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    if hasattr(settings, "SUPPORT_EMAIL_REQUIRE_DMARC_PASS"):
        del settings.SUPPORT_EMAIL_REQUIRE_DMARC_PASS

    with django_capture_on_commit_callbacks(execute=True):
        message = receive(reply_from_aroha(thread))

    assert message.body == "Thank you!"
