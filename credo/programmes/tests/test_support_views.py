"""Support pages: the learner's thread, the cohort inbox and thread for staff; everyone else refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import User
from credo.programmes.models import Cohort, Enrolment, SupportMessage, SupportThread
from credo.programmes.services import support

from .support_builders import enrol, facilitator_of, facilitator_of_another_cohort

ClientFor = Callable[[User | None], Client]


@pytest.fixture
def enrolment(cohort: Cohort) -> Enrolment:
    return enrol(cohort, "aroha@example.org", "Aroha Te Whare")


@pytest.fixture
def kaiawhina(cohort: Cohort, provider_admin: User) -> User:
    return facilitator_of(cohort, provider_admin, "kaiawhina@inspiring-test.example")


@pytest.fixture
def thread(enrolment: Enrolment, kaiawhina: User) -> SupportThread:
    return support.ask(enrolment, actor=enrolment.learner, body="Can my case study be from 2023?").thread


@pytest.fixture
def other_facilitator(cohort: Cohort, provider_admin: User) -> User:
    return facilitator_of_another_cohort(cohort, provider_admin)


@pytest.fixture
def other_learner(cohort: Cohort) -> User:
    return enrol(cohort, "tama@example.org", "Tama Ngata").learner


def learner_url(enrolment: Enrolment) -> str:
    return f"/programmes/my/{enrolment.pk}/support/"


def inbox_url(cohort: Cohort) -> str:
    return f"/programmes/cohorts/{cohort.public_id}/support/"


def thread_url(thread: SupportThread) -> str:
    return f"{inbox_url(thread.enrolment.cohort)}{thread.pk}/"


class TestTheLearnersThread:
    def test_the_learner_sees_their_thread_with_times_in_the_cohorts_zone(
        self, thread: SupportThread, client_for: ClientFor
    ) -> None:
        response = client_for(thread.enrolment.learner).get(learner_url(thread.enrolment))
        assert response.status_code == 200
        assert "Can my case study be from 2023?" in response.content.decode()
        assert "(Auckland, New Zealand)" in response.content.decode()
        # The swap target stays put; not a live region, or every update would read the whole conversation again.
        assert '<div id="support-conversation">' in response.content.decode()

    def test_before_the_first_question_the_page_invites_one(self, enrolment: Enrolment, client_for: ClientFor) -> None:
        response = client_for(enrolment.learner).get(learner_url(enrolment))
        assert "No questions yet." in response.content.decode()

    def test_asking_stores_the_question_emails_the_facilitators_and_returns_to_the_thread(
        self, enrolment: Enrolment, kaiawhina: User, client_for: ClientFor, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(enrolment.learner).post(learner_url(enrolment), {"body": "When is workshop 2?"})
        assert response.status_code == 302
        assert response["Location"] == learner_url(enrolment)
        assert SupportMessage.objects.get().body == "When is workshop 2?"
        assert [email.to for email in mail.outbox] == [[kaiawhina.email]]

    def test_with_htmx_the_conversation_comes_back_as_a_partial_with_the_message_escaped(
        self, enrolment: Enrolment, kaiawhina: User, client_for: ClientFor
    ) -> None:
        response = client_for(enrolment.learner).post(
            learner_url(enrolment), {"body": "<b>bold?</b>\nsecond line"}, headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in html
        # The partial goes inside the page's #support-conversation; the status takes focus (credo.js), so it is read.
        assert 'id="support-conversation"' not in html
        assert 'hx-target="#support-conversation" hx-swap="innerHTML"' in html
        assert "&lt;b&gt;bold?&lt;/b&gt;<br>second line" in html
        assert "Sent. The facilitators have been emailed." in html
        assert SupportMessage.objects.get().body == "<b>bold?</b>\nsecond line"

    @pytest.mark.parametrize("htmx", [False, True])
    def test_an_empty_message_is_refused_with_a_clear_error(
        self, htmx: bool, enrolment: Enrolment, kaiawhina: User, client_for: ClientFor
    ) -> None:
        headers = {"HX-Request": "true"} if htmx else {}
        response = client_for(enrolment.learner).post(learner_url(enrolment), {"body": "   "}, headers=headers)
        assert response.status_code == 200
        assert "Write your message before sending it." in response.content.decode()
        assert not SupportThread.objects.exists()


class TestTheStaffInboxAndThread:
    @pytest.mark.parametrize("who", ["kaiawhina", "provider_admin"])
    def test_the_cohorts_facilitators_and_programme_admins_see_waiting_threads_first(
        self,
        who: str,
        thread: SupportThread,
        kaiawhina: User,
        other_learner: User,
        client_for: ClientFor,
        request: pytest.FixtureRequest,
    ) -> None:
        answered = support.ask(
            Enrolment.objects.get(learner=other_learner), actor=other_learner, body="Is there parking?"
        ).thread
        support.reply(answered, actor=kaiawhina, body="Yes, behind the hall.")
        response = client_for(request.getfixturevalue(who)).get(inbox_url(thread.enrolment.cohort))
        html = response.content.decode()
        assert response.status_code == 200
        assert html.index("Aroha Te Whare") < html.index("Tama Ngata")
        assert html.count("Waiting for an answer") == 1
        assert html.count("Answered") == 1

    def test_the_inbox_takes_the_same_number_of_queries_however_many_threads(
        self, cohort: Cohort, kaiawhina: User, client_for: ClientFor
    ) -> None:
        client = client_for(kaiawhina)

        def queries_with(learners: int) -> int:
            for n in range(SupportThread.objects.count(), learners):
                enrolment = enrol(cohort, f"learner{n}@example.org", f"Learner {n}")
                support.ask(enrolment, actor=enrolment.learner, body="Hello")
            with CaptureQueriesContext(connection) as queries:
                assert client.get(inbox_url(cohort)).status_code == 200
            return len(queries)

        assert queries_with(1) == queries_with(5)

    def test_a_reply_is_stored_and_emailed_to_the_learner(
        self, thread: SupportThread, kaiawhina: User, client_for: ClientFor, django_capture_on_commit_callbacks: Any
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(kaiawhina).post(thread_url(thread), {"body": "Yes, it can."})
        assert response.status_code == 302
        assert list(thread.messages.values_list("author", flat=True)) == [thread.enrolment.learner_id, kaiawhina.pk]
        assert [email.to for email in mail.outbox] == [["aroha@example.org"]]

    def test_the_thread_page_shows_the_conversation_and_the_learner(
        self, thread: SupportThread, kaiawhina: User, client_for: ClientFor
    ) -> None:
        response = client_for(kaiawhina).get(thread_url(thread))
        html = response.content.decode()
        assert response.status_code == 200
        assert "Questions from Aroha Te Whare" in html
        assert "Can my case study be from 2023?" in html

    def test_a_thread_of_another_cohort_is_not_found_under_this_one(
        self, thread: SupportThread, other_facilitator: User, client_for: ClientFor
    ) -> None:
        other_cohort = other_facilitator.facilitated_cohorts.get()
        response = client_for(other_facilitator).get(f"{inbox_url(other_cohort)}{thread.pk}/")
        assert response.status_code == 404


class TestEveryoneElseIsRefused:
    @pytest.mark.parametrize(
        "who", ["outsider", "other_learner", "kaiawhina", "provider_admin", "facilitator", "centre_admin"]
    )
    def test_nobody_but_the_learner_opens_or_writes_on_their_thread(
        self,
        who: str,
        thread: SupportThread,
        client_for: ClientFor,
        request: pytest.FixtureRequest,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        client = client_for(request.getfixturevalue(who))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.get(learner_url(thread.enrolment)).status_code == 404
            assert client.post(learner_url(thread.enrolment), {"body": "Pretending"}).status_code == 404
        assert thread.messages.count() == 1
        assert mail.outbox == []

    @pytest.mark.parametrize(
        ("who", "status"),
        [
            ("outsider", 404),
            ("centre_admin", 404),
            ("facilitator", 404),
            ("other_learner", 404),
            ("learner_of_the_thread", 404),
            ("other_facilitator", 403),
        ],
    )
    def test_only_the_cohorts_staff_open_its_inbox_or_answer(
        self,
        who: str,
        status: int,
        thread: SupportThread,
        client_for: ClientFor,
        request: pytest.FixtureRequest,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        user = thread.enrolment.learner if who == "learner_of_the_thread" else request.getfixturevalue(who)
        client = client_for(user)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert client.get(inbox_url(thread.enrolment.cohort)).status_code == status
            assert client.get(thread_url(thread)).status_code == status
            assert client.post(thread_url(thread), {"body": "Not mine to answer"}).status_code == status
        assert thread.messages.count() == 1
        assert mail.outbox == []

    def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_is_stored(
        self, thread: SupportThread, client_for: ClientFor
    ) -> None:
        client = client_for(None)
        for url in (learner_url(thread.enrolment), inbox_url(thread.enrolment.cohort), thread_url(thread)):
            response = client.get(url)
            assert response.status_code == 302, url
            assert "/accounts/login/" in response["Location"], url
            assert client.post(url, {"body": "Hello"}).status_code == 302, url
        assert thread.messages.count() == 1
