"""Support threads: the learner asks, staff answer, and each message emails the other side."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import User
from credo.programmes.models import Cohort, Enrolment, SupportMessage, SupportThread
from credo.programmes.services import support

from .support_builders import REPLY_DOMAIN, enrol, facilitator_of, facilitator_of_another_cohort


@pytest.fixture
def enrolment(cohort: Cohort) -> Enrolment:
    return enrol(cohort, "aroha@example.org", "Aroha Te Whare")


@pytest.fixture
def kaiawhina(cohort: Cohort, provider_admin: User) -> User:
    return facilitator_of(cohort, provider_admin, "kaiawhina@inspiring-test.example")


class TestAsking:
    def test_the_first_question_makes_the_thread_with_a_secret_token_and_emails_the_facilitators(
        self, enrolment: Enrolment, kaiawhina: User, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.SUPPORT_REPLY_DOMAIN = REPLY_DOMAIN
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            message = support.ask(enrolment, actor=enrolment.learner, body="  Can I use a 2023 hui?\n")
        thread = SupportThread.objects.get(enrolment=enrolment)
        assert message.thread == thread
        assert message.body == "Can I use a 2023 hui?"
        assert message.channel == SupportMessage.Channel.WEB
        assert len(thread.reply_token) == 40
        [email] = mail.outbox
        assert email.to == ["kaiawhina@inspiring-test.example"]
        assert email.reply_to == [f"support+{thread.reply_token}@{REPLY_DOMAIN}"]
        assert email.extra_headers["Auto-Submitted"] == "auto-generated"
        assert "Aroha Te Whare (aroha@example.org) wrote" in email.body
        assert "Can I use a 2023 hui?" in email.body
        assert "Reply to this email to answer" in email.body
        assert f"/programmes/cohorts/{enrolment.cohort.public_id}/support/{thread.pk}/" in email.body

    def test_later_questions_join_the_same_thread(self, enrolment: Enrolment, kaiawhina: User) -> None:
        first = support.ask(enrolment, actor=enrolment.learner, body="One")
        second = support.ask(enrolment, actor=enrolment.learner, body="Two")
        assert first.thread == second.thread
        assert SupportThread.objects.count() == 1
        assert list(first.thread.messages.values_list("body", flat=True)) == ["One", "Two"]

    def test_without_a_reply_domain_the_email_has_no_reply_to_and_says_to_answer_on_credo(
        self, enrolment: Enrolment, kaiawhina: User, settings: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        settings.SUPPORT_REPLY_DOMAIN = ""
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            support.ask(enrolment, actor=enrolment.learner, body="A question")
        [email] = mail.outbox
        assert email.reply_to == []
        assert "Please do not reply to this email: answer on credo" in email.body

    def test_a_cohort_without_facilitators_sends_questions_to_its_programme_admins(
        self, enrolment: Enrolment, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            support.ask(enrolment, actor=enrolment.learner, body="Who do I ask?")
        assert [email.to for email in mail.outbox] == [[provider_admin.email]]

    def test_each_facilitator_gets_their_own_email(
        self, enrolment: Enrolment, kaiawhina: User, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        facilitator_of(enrolment.cohort, provider_admin, "second@inspiring-test.example")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            support.ask(enrolment, actor=enrolment.learner, body="Hello")
        assert sorted(email.to[0] for email in mail.outbox) == [
            "kaiawhina@inspiring-test.example",
            "second@inspiring-test.example",
        ]

    @pytest.mark.parametrize(
        ("body", "problem"),
        [
            ("", "Write your message before sending it."),
            (" \n\t ", "Write your message before sending it."),
            ("x" * 10_001, "Keep a message to 10,000 characters; this one has 10,001."),
        ],
    )
    def test_an_empty_or_overlong_message_is_refused(
        self, enrolment: Enrolment, kaiawhina: User, body: str, problem: str
    ) -> None:
        mail.outbox.clear()
        with pytest.raises(ValidationError) as refused:
            support.ask(enrolment, actor=enrolment.learner, body=body)
        assert refused.value.message_dict == {"body": [problem]}
        assert not SupportThread.objects.exists()
        assert mail.outbox == []

    def test_a_message_of_exactly_the_limit_is_accepted(self, enrolment: Enrolment, kaiawhina: User) -> None:
        message = support.ask(enrolment, actor=enrolment.learner, body="x" * 10_000)
        assert len(message.body) == 10_000

    def test_nobody_else_asks_on_a_learners_behalf(
        self, enrolment: Enrolment, kaiawhina: User, provider_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
            support.ask(enrolment, actor=provider_admin, body="Pretending")
        assert not SupportThread.objects.exists()
        assert mail.outbox == []


class TestReplying:
    @pytest.fixture
    def thread(self, enrolment: Enrolment, kaiawhina: User) -> SupportThread:
        return support.ask(enrolment, actor=enrolment.learner, body="Can I use a 2023 hui?").thread

    @pytest.mark.parametrize("who", ["kaiawhina", "provider_admin"])
    def test_a_facilitator_or_programme_admin_answers_and_the_learner_is_emailed(
        self,
        who: str,
        thread: SupportThread,
        settings: Any,
        request: pytest.FixtureRequest,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        settings.SUPPORT_REPLY_DOMAIN = REPLY_DOMAIN
        staff = request.getfixturevalue(who)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            message = support.reply(thread, actor=staff, body="Yes, any process you facilitated.")
        assert message.author == staff
        [email] = mail.outbox
        assert email.to == ["aroha@example.org"]
        assert email.body.startswith("Kia ora Aroha Te Whare,")
        assert f"{staff} replied to your question" in email.body
        assert email.reply_to == [f"support+{thread.reply_token}@{REPLY_DOMAIN}"]
        assert f"/programmes/my/{thread.enrolment.pk}/support/" in email.body

    @pytest.mark.parametrize("who", ["other_facilitator", "other_learner", "outsider", "centre_admin", "facilitator"])
    def test_anyone_else_is_refused_and_nothing_is_stored_or_sent(
        self,
        who: str,
        thread: SupportThread,
        provider_admin: User,
        request: pytest.FixtureRequest,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        if who == "other_facilitator":
            actor = facilitator_of_another_cohort(thread.enrolment.cohort, provider_admin)
        elif who == "other_learner":
            actor = enrol(thread.enrolment.cohort, "tama@example.org", "Tama").learner
        else:
            actor = request.getfixturevalue(who)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
            support.reply(thread, actor=actor, body="Not mine to answer")
        assert thread.messages.count() == 1
        assert mail.outbox == []
