"""The learner's home on the dashboard and "My programmes": their programmes in words, what to do next, their
invoices, fee support and questions, whatever memberships they have (including none)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.core import panels
from credo.programmes import learner_home
from credo.programmes import panels as programme_panels
from credo.programmes.models import Cohort, Enrolment, EnrolmentState, Programme, Session
from credo.programmes.services import checkins, enrolments, funding, support

from .builders import cohort_2024, nz

REGISTERED = nz(2024, 2, 1, 10)
BEFORE_STUDY = nz(2024, 3, 1, 9)
ClientFor = Callable[[User | None], Client]


def freeze(monkeypatch: pytest.MonkeyPatch, moment: datetime.datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def register(cohort: Cohort, learner: User) -> Enrolment:
    return enrolments.register(
        cohort=cohort,
        learner=learner,
        organisation_name="Porirua Community Trust",
        organisation_type="community",
        terms_accepted=True,
        now=REGISTERED,
    )


def add_workshop(cohort: Cohort, number: int, starts: datetime.datetime) -> Session:
    return Session.objects.create(
        cohort=cohort,
        number=number,
        topic=f"Topic {number}",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=90),
    )


def more_cohorts(admin: User, programme: Programme, count: int) -> list[Cohort]:
    return [cohort_2024(admin, programme, name=f"Intake {n}", slug=f"intake-{n}") for n in range(2, count + 2)]


def dashboard(client: Client) -> str:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def headings(html: str) -> list[str]:
    return re.findall(r"<h2 id=\"[^\"]+\">([^<]+)</h2>", html)


@pytest.fixture
def enrolment(cohort: Cohort, applicant: User) -> Enrolment:
    return register(cohort, applicant)


class TestTheHomeOfALearnerWithoutMemberships:
    def test_a_newly_registered_learner_finds_their_programme_invoice_and_next_step(
        self, enrolment: Enrolment, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, BEFORE_STUDY)
        assert not enrolment.learner.memberships.exists()
        invoice = enrolment.invoices.get()
        due = f"{invoice.due_on.day} {invoice.due_on:%B %Y}"

        html = dashboard(client_for(enrolment.learner))

        assert headings(html)[:4] == ["Your programmes", "Invoices and fee support", "Your questions", "Your portfolio"]
        assert "No roles yet" not in html
        assert "Nothing here yet" not in html
        assert f"Registered: invoice to pay by {due}" in html
        assert f"Pay invoice {invoice.reference} (NZD {invoice.total}) by {due}" in html
        assert f'href="/programmes/invoices/{invoice.pk}.pdf"' in html
        assert f"NZD {invoice.total}, due by {due}" in html
        assert "Applied" not in html
        assert "your portfolio opens when your study starts" in html
        assert f'href="{reverse("programmes:my-enrolments")}"' in html
        assert ">My programmes</a></li>" in html  # in the main navigation

    def test_a_confirmed_learner_sees_the_next_workshop_and_is_asked_to_book_a_check_in(
        self,
        cohort: Cohort,
        enrolment: Enrolment,
        provider_admin: User,
        client_for: ClientFor,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        enrolments.confirm(enrolment, actor=provider_admin, reason="Invoice paid")
        add_workshop(cohort, 1, nz(2024, 4, 10, 12))
        add_workshop(cohort, 2, nz(2024, 4, 17, 12))
        freeze(monkeypatch, BEFORE_STUDY)

        html = dashboard(client_for(enrolment.learner))

        assert "Place confirmed: study starts 3 April 2024" in html
        assert "Workshop 1: Topic 1, Wednesday 10 April, 12:00\u201313:30 NZST" in html
        assert "0 booked, 2 to book" in html
        assert "Book your 1:1 check-in (2 to book)." in html
        assert f'href="/programmes/my/{enrolment.pk}/check-ins/"' in html

    def test_a_booked_check_in_is_counted_and_the_next_step_becomes_the_workshop(
        self,
        cohort: Cohort,
        enrolment: Enrolment,
        provider: Organisation,
        provider_admin: User,
        client_for: ClientFor,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        enrolments.confirm(enrolment, actor=provider_admin, reason="Invoice paid")
        add_workshop(cohort, 1, nz(2024, 4, 10, 12))
        facilitator = MembershipFactory(organisation=provider, role=Role.FACILITATOR).user
        cohort.facilitators.add(facilitator)
        slot = checkins.publish_slot(
            actor=facilitator,
            cohort=cohort,
            starts_at=nz(2024, 4, 5, 12),
            ends_at=nz(2024, 4, 5, 12, 45),
            now=BEFORE_STUDY,
        )
        checkins.book(enrolment=enrolment, slot=slot, actor=enrolment.learner, now=BEFORE_STUDY)
        freeze(monkeypatch, BEFORE_STUDY)

        html = dashboard(client_for(enrolment.learner))

        assert "1 booked, 1 to book · next: Friday 5 April 2024, 12:00 PM (Pacific/Auckland)" in html
        assert "Join workshop 1: Topic 1" in html

    def test_fee_support_and_questions_are_shown_with_where_they_stand(
        self, enrolment: Enrolment, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        funding.request_support(enrolment, actor=enrolment.learner, kind="payment_plan", explanation="Monthly, please")
        support.ask(enrolment, actor=enrolment.learner, body="Is the first workshop recorded?")
        freeze(monkeypatch, BEFORE_STUDY)

        html = dashboard(client_for(enrolment.learner))

        assert "Fee support, a payment plan: waiting for a decision." in html
        assert "1 message, waiting for an answer" in html
        assert f'href="/programmes/my/{enrolment.pk}/support/"' in html

    def test_another_person_sees_none_of_it(
        self, enrolment: Enrolment, outsider: User, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, BEFORE_STUDY)
        invoice = enrolment.invoices.get()
        for someone in (UserFactory(), outsider):
            html = dashboard(client_for(someone))
            assert str(enrolment.cohort) not in html
            assert invoice.reference not in html
            assert "Your programmes" not in html
            assert ">My programmes</a></li>" not in html
            mine = client_for(someone).get(reverse("programmes:my-enrolments")).content.decode()
            assert str(enrolment.cohort) not in mine

    def test_the_home_costs_the_same_with_one_programme_or_several(
        self,
        cohort: Cohort,
        programme: Programme,
        provider: Organisation,
        provider_admin: User,
        applicant: User,
        client_for: ClientFor,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, BEFORE_STUDY)
        facilitator = MembershipFactory(organisation=provider, role=Role.FACILITATOR).user
        client = client_for(applicant)

        def busy(cohort: Cohort, day: int) -> None:
            enrolment = enrolments.confirm(register(cohort, applicant), actor=provider_admin, reason="Paid")
            add_workshop(cohort, 1, nz(2024, 4, 10, 12))
            add_workshop(cohort, 2, nz(2024, 4, 17, 12))
            cohort.facilitators.add(facilitator)
            slot = checkins.publish_slot(
                actor=facilitator,
                cohort=cohort,
                starts_at=nz(2024, 4, day, 12),
                ends_at=nz(2024, 4, day, 12, 45),
                now=BEFORE_STUDY,
            )
            checkins.book(enrolment=enrolment, slot=slot, actor=applicant, now=BEFORE_STUDY)
            funding.request_support(enrolment, actor=applicant, kind="grant_letter", explanation="For the trust")
            support.ask(enrolment, actor=applicant, body="A question")

        busy(cohort, 1)
        dashboard(client)  # warm: the session, the user, compiled templates
        with CaptureQueriesContext(connection) as one:
            dashboard(client)
        for day, other in enumerate(more_cohorts(provider_admin, programme, 4), start=2):
            busy(other, day)
        with CaptureQueriesContext(connection) as several:
            html = dashboard(client)
        assert html.count("1 booked, 1 to book") == 5
        assert len(several) == len(one)


class TestWhereAnEnrolmentStandsInWords:
    def test_each_state_is_said_for_the_learner(
        self,
        cohort: Cohort,
        programme: Programme,
        enrolment: Enrolment,
        provider_admin: User,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, BEFORE_STUDY)
        invoice = enrolment.invoices.get()
        assert learner_home.status_words(enrolment, unpaid=[invoice]).startswith("Registered: invoice to pay by ")
        assert (
            learner_home.status_words(enrolment, pending_support=True)
            == "Registered: your request for fee support is waiting for a decision"
        )
        assert learner_home.status_words(enrolment) == "Registered: waiting for the provider to confirm your place"
        enrolment.state = EnrolmentState.CONFIRMED
        assert learner_home.status_words(enrolment) == "Place confirmed: study starts 3 April 2024"
        enrolment.state = EnrolmentState.ACTIVE
        assert learner_home.status_words(enrolment) == "Studying"
        enrolment.state = EnrolmentState.WAITLISTED
        assert learner_home.status_words(enrolment) == "On the waiting list"
        enrolment.state = EnrolmentState.LAPSED
        assert learner_home.status_words(enrolment) == "Ended: the submission deadline passed"
        enrolment.state = EnrolmentState.AWARDED
        assert learner_home.status_words(enrolment) == "Finished: awarded"
        enrolment.state = EnrolmentState.WITHDRAWN
        assert learner_home.status_words(enrolment) == "Withdrawn"

    def test_a_deferred_learner_is_told_where_their_place_went(
        self,
        cohort: Cohort,
        programme: Programme,
        enrolment: Enrolment,
        provider_admin: User,
        client_for: ClientFor,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, BEFORE_STUDY)
        later = cohort_2024(
            provider_admin,
            programme,
            name="2025 intake",
            slug="2025",
            registration_opens=nz(2025, 1, 15, 9),
            registration_closes=nz(2025, 3, 20, 23),
            study_starts=datetime.date(2025, 4, 2),
            study_ends=datetime.date(2025, 8, 31),
            submission_deadline=nz(2025, 8, 31, 23),
            assessment_starts=datetime.date(2025, 9, 1),
            assessment_ends=datetime.date(2025, 10, 31),
        )
        enrolments.defer(enrolment, actor=provider_admin, to=later, reason="Family matters")
        moved = Enrolment.objects.get(cohort=later)

        html = client_for(enrolment.learner).get(reverse("programmes:my-enrolments")).content.decode()

        assert "Moved to 2025 intake" in html
        assert f'href="/programmes/my/{moved.pk}/">Go to your new cohort' in html

    def test_the_study_page_says_registered_with_the_invoice_not_applied(
        self, enrolment: Enrolment, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        freeze(monkeypatch, BEFORE_STUDY)
        html = client_for(enrolment.learner).get(f"/programmes/my/{enrolment.pk}/").content.decode()
        assert "<strong>Registered: invoice to pay by " in html
        assert ">Applied<" not in html


class TestMyProgrammes:
    def test_it_lists_what_is_under_way_first_and_filters(
        self,
        cohort: Cohort,
        programme: Programme,
        enrolment: Enrolment,
        provider_admin: User,
        client_for: ClientFor,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, BEFORE_STUDY)
        (other,) = more_cohorts(provider_admin, programme, 1)
        left = register(other, enrolment.learner)
        enrolments.withdraw(left, actor=enrolment.learner, reason="Too much at once")
        client = client_for(enrolment.learner)

        everything = client.get(reverse("programmes:my-enrolments")).content.decode()
        current = client.get(reverse("programmes:my-enrolments"), {"show": "current"}).content.decode()
        past = client.get(reverse("programmes:my-enrolments"), {"show": "past"}).content.decode()

        assert everything.index(str(cohort)) < everything.index(str(other))
        assert str(cohort) in current
        assert str(other) not in current
        assert str(other) in past
        assert str(cohort) not in past
        assert "Withdrawn" in past

    def test_it_is_paginated(
        self,
        cohort: Cohort,
        programme: Programme,
        enrolment: Enrolment,
        provider_admin: User,
        client_for: ClientFor,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        freeze(monkeypatch, BEFORE_STUDY)
        monkeypatch.setattr("credo.programmes.views.learner.MY_PROGRAMMES_PAGE", 1)
        (other,) = more_cohorts(provider_admin, programme, 1)
        register(other, enrolment.learner)
        client = client_for(enrolment.learner)
        first = client.get(reverse("programmes:my-enrolments")).content.decode()
        second = client.get(reverse("programmes:my-enrolments"), {"page": 2}).content.decode()
        assert "Page 1 of 2" in first
        assert "Page 2 of 2" in second
        assert (str(other) in first) != (str(other) in second)


class TestStaffCards:
    def test_a_programme_admin_gets_the_providers_cohorts_and_a_facilitator_only_their_own(
        self, cohort: Cohort, programme: Programme, provider: Organisation, provider_admin: User, client_for: ClientFor
    ) -> None:
        (other,) = more_cohorts(provider_admin, programme, 1)
        facilitator = MembershipFactory(organisation=provider, role=Role.FACILITATOR).user
        cohort.facilitators.add(facilitator)
        idle = MembershipFactory(organisation=provider, role=Role.FACILITATOR).user

        admin = dashboard(client_for(provider_admin))
        theirs = dashboard(client_for(facilitator))
        nothing_yet = dashboard(client_for(idle))

        assert f'Enrolments<span class="visually-hidden"> for {other}' in admin
        assert f'Workshops and attendance<span class="visually-hidden"> for {cohort}' in theirs
        assert str(other) not in theirs
        assert "Facilitator at Inspiring Communities (test)" not in headings(nothing_yet)
        assert "<li>Facilitator at Inspiring Communities (test)</li>" in nothing_yet


class TestWhereTheProgrammesSit:
    def test_programmes_under_way_come_before_credentials_and_ended_ones_after(
        self, enrolment: Enrolment, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A graduate's credentials come first; a learner studying now sees their programme first."""
        freeze(monkeypatch, BEFORE_STUDY)
        viewer = panels.Viewer(user=enrolment.learner, memberships=())

        def programmes_order() -> int:
            return next(p.order for p in programme_panels.contribute(viewer) if p.key == ("learner", "programmes"))

        assert programmes_order() < panels.LEARNER_HOLDS
        enrolments.withdraw(enrolment, actor=enrolment.learner, reason="Moving away")
        assert programmes_order() > panels.LEARNER_HOLDS
