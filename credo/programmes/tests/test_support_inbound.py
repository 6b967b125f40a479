"""Replies by email: real-looking messages in, a message on the right thread out, or a clear refusal."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from credo.accounts.models import User
from credo.programmes.inbound_email import MAX_MESSAGE_BYTES, MessageRefusedError, quoted_history_removed, receive
from credo.programmes.models import Cohort, SupportMessage, SupportThread
from credo.programmes.services import support

from .support_builders import (
    REPLY_DOMAIN,
    alternative_reply,
    enrol,
    facilitator_of,
    facilitator_of_another_cohort,
    plain_reply,
)


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


def address(thread: SupportThread) -> str:
    return f"support+{thread.reply_token}@{REPLY_DOMAIN}"


def receive_and_commit(raw: bytes, capture: Any) -> SupportMessage:
    mail.outbox.clear()
    with capture(execute=True):
        return receive(raw)


def assert_refused(raw: bytes, thread: SupportThread, capture: Any, reason: str) -> None:
    mail.outbox.clear()
    with capture(execute=True), pytest.raises(MessageRefusedError) as refused:
        receive(raw)
    assert reason in refused.value.reason
    assert thread.messages.count() == 1
    assert mail.outbox == []


class TestAcceptedReplies:
    def test_a_learners_multipart_reply_is_stored_without_its_quoted_history_and_emails_the_facilitators(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        raw = alternative_reply(sender="Aroha@Example.org", to=address(thread))
        message = receive_and_commit(raw, django_capture_on_commit_callbacks)
        assert message.thread == thread
        assert message.author == thread.enrolment.learner
        assert message.channel == SupportMessage.Channel.EMAIL
        assert message.body == "Kia ora, ngā mihi! Can my case study be about the Ōtaki hui from 2023?"
        [email] = mail.outbox
        assert email.to == ["kaiawhina@inspiring-test.example"]
        assert "Ōtaki hui from 2023" in email.body

    def test_a_facilitators_quoted_printable_reply_answers_the_learner(
        self, thread: SupportThread, kaiawhina: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        text = (
            "Kia ora Aroha,\r\n\r\nYes =E2=80=93 any CLD process you facilitated counts, even from 2023.\r\n"
            "\r\nOn Wed, 3 Apr 2024, 10:15 Aroha Te Whare <aroha@example.org> wrote:\r\n"
            "> Can my case study be from 2023?\r\n"
        )
        raw = plain_reply(sender="Kaiawhina <kaiawhina@inspiring-test.example>", to=address(thread), text=text)
        message = receive_and_commit(raw, django_capture_on_commit_callbacks)
        assert message.author == kaiawhina
        assert message.body == "Kia ora Aroha,\n\nYes \u2013 any CLD process you facilitated counts, even from 2023."
        [email] = mail.outbox
        assert email.to == ["aroha@example.org"]

    def test_an_html_only_reply_is_stored_as_plain_text(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        raw = plain_reply(sender="aroha@example.org", to=address(thread), text="<p>Fish &amp; chips at <b>12</b>?</p>")
        raw = raw.replace(b"Content-Type: text/plain", b"Content-Type: text/html")
        message = receive_and_commit(raw, django_capture_on_commit_callbacks)
        assert message.body == "Fish & chips at 12?"

    def test_the_token_is_found_in_delivered_to_when_the_reply_went_to_a_list_address(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        raw = plain_reply(sender="aroha@example.org", to=address(thread), text="Thanks!")
        raw = raw.replace(f"To: credo support <{address(thread)}>".encode(), b"To: team@example.org")
        assert receive_and_commit(raw, django_capture_on_commit_callbacks).body == "Thanks!"

    def test_the_command_reads_a_message_on_stdin(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        out = io.StringIO()
        raw = plain_reply(sender="aroha@example.org", to=address(thread), text="Sent from my phone")
        with django_capture_on_commit_callbacks(execute=True):
            call_command("receive_support_email", stdin=io.BytesIO(raw), stdout=out)
        assert "Stored a message from aroha@example.org" in out.getvalue()
        assert list(thread.messages.values_list("body", flat=True)) == [
            "Can my case study be from 2023?",
            "Sent from my phone",
        ]


class TestRefusedReplies:
    def test_a_forged_sender_is_refused(self, thread: SupportThread, django_capture_on_commit_callbacks: Any) -> None:
        raw = plain_reply(sender="someone@elsewhere.example", to=address(thread), text="Let me in")
        assert_refused(raw, thread, django_capture_on_commit_callbacks, "someone@elsewhere.example may not write")

    @pytest.mark.parametrize("who", ["outsider", "centre_admin", "facilitator", "other_facilitator", "other_learner"])
    def test_people_with_accounts_but_no_place_on_the_thread_are_refused(
        self,
        who: str,
        thread: SupportThread,
        provider_admin: User,
        request: pytest.FixtureRequest,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        if who == "other_facilitator":
            person = facilitator_of_another_cohort(thread.enrolment.cohort, provider_admin)
        elif who == "other_learner":
            person = enrol(thread.enrolment.cohort, "tama@example.org", "Tama").learner
        else:
            person = request.getfixturevalue(who)
        raw = plain_reply(sender=person.email, to=address(thread), text="Not my thread")
        assert_refused(raw, thread, django_capture_on_commit_callbacks, "may not write on this support thread")

    def test_an_unknown_token_is_refused(self, thread: SupportThread, django_capture_on_commit_callbacks: Any) -> None:
        raw = plain_reply(sender="aroha@example.org", to=f"support+{'0' * 40}@{REPLY_DOMAIN}", text="Hello?")
        assert_refused(raw, thread, django_capture_on_commit_callbacks, "No support thread has this address")

    def test_a_token_at_another_domain_is_refused(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        raw = plain_reply(sender="aroha@example.org", to=f"support+{thread.reply_token}@evil.example", text="Hi")
        assert_refused(raw, thread, django_capture_on_commit_callbacks, "No support thread has this address")

    def test_a_reply_with_nothing_but_quoted_history_is_refused(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        text = "\r\nOn Tue, 2 Apr 2024 at 16:02, credo wrote:\r\n> Yes, any process counts.\r\n"
        raw = plain_reply(sender="aroha@example.org", to=address(thread), text=text)
        assert_refused(raw, thread, django_capture_on_commit_callbacks, "Write your message before sending it.")

    def test_an_automatic_reply_is_refused_so_notifications_cannot_loop(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        raw = plain_reply(
            sender="aroha@example.org", to=address(thread), text="I am away", headers="Auto-Submitted: auto-replied\r\n"
        )
        assert_refused(raw, thread, django_capture_on_commit_callbacks, "Automatic replies")

    def test_an_oversized_message_is_refused_before_parsing(
        self, thread: SupportThread, django_capture_on_commit_callbacks: Any
    ) -> None:
        raw = plain_reply(sender="aroha@example.org", to=address(thread), text="x" * MAX_MESSAGE_BYTES)
        assert_refused(raw, thread, django_capture_on_commit_callbacks, "larger than 512 KB")

    def test_replies_are_refused_where_the_installation_does_not_receive_mail(
        self, thread: SupportThread, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.SUPPORT_REPLY_DOMAIN = ""
        raw = plain_reply(sender="aroha@example.org", to=address(thread), text="Hello")
        assert_refused(raw, thread, django_capture_on_commit_callbacks, "does not accept replies by email")

    @pytest.mark.parametrize(
        ("to", "status"), [(f"support+{'0' * 40}@{REPLY_DOMAIN}", 67), (None, 65)], ids=["unknown", "forged"]
    )
    def test_the_command_exits_with_a_sysexits_status_the_mta_bounces_with(
        self, to: str | None, status: int, thread: SupportThread
    ) -> None:
        sender = "aroha@example.org" if to else "someone@elsewhere.example"
        raw = plain_reply(sender=sender, to=to or address(thread), text="Hello")
        with pytest.raises(CommandError) as refused:
            call_command("receive_support_email", stdin=io.BytesIO(raw))
        assert refused.value.returncode == status
        assert thread.messages.count() == 1


class TestQuotedHistory:
    @pytest.mark.parametrize(
        ("text", "kept"),
        [
            ("Yes.\n\nOn Tue, 2 Apr 2024 at 16:02, Kaiawhina <k@example.org> wrote:\n> Hello\n> there", "Yes."),
            ("Yes.\nOn Tue, 2 Apr 2024 at 16:02, Kaiawhina <k@example.org>\nwrote:\n\n> Hello", "Yes."),
            ("> quoted first\nMy answer\n> quoted again\nMore", "My answer\nMore"),
            ("On Monday we met at the marae.\nIt went well.", "On Monday we met at the marae.\nIt went well."),
            ("Line one\r\nLine two\r\n", "Line one\nLine two"),
        ],
        ids=["attribution", "wrapped-attribution", "interleaved", "a-sentence-starting-with-on", "crlf"],
    )
    def test_only_the_new_text_is_kept(self, text: str, kept: str) -> None:
        assert quoted_history_removed(text) == kept
