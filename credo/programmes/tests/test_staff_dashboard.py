"""The cohort dashboard: the figures, the nudges, a chart with its table, a fixed query count; others refused."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.programmes.cohort_figures import cohort_figures, expected_hours
from credo.programmes.models import Attendance, Cohort, Enrolment, Session, StudyLogEntry
from credo.programmes.services import enrolments

from .builders import nz
from .staff_helpers import PAID_ON, REFUSED, refused_user, register, register_many

#: Thursday 18 April 2024 in Auckland: study started on 3 April, so two whole weeks in.
TODAY = nz(2024, 4, 18, 9)


def url(cohort: Cohort) -> str:
    return f"/programmes/staff/{cohort.public_id}/"


def workshop(cohort: Cohort, number: int, starts: datetime.datetime) -> Session:
    return Session.objects.create(
        cohort=cohort,
        number=number,
        topic=f"Topic {number}",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1, minutes=30),
    )


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime.datetime:
    monkeypatch.setattr("django.utils.timezone.now", lambda: TODAY)
    return TODAY


def studying(cohort: Cohort, admin: User, count: int) -> list[Enrolment]:
    """Learners who have paid and started, each with a little study logged and at both workshops."""
    rows = register_many(cohort, count)
    first, second = workshop(cohort, 1, nz(2024, 4, 3, 12)), workshop(cohort, 2, nz(2024, 4, 17, 12))
    for enrolment in rows:
        enrolments.record_payment(enrolment.invoices.get(), actor=admin, paid_on=PAID_ON)
        enrolments.activate(enrolment, actor=admin)
        StudyLogEntry.objects.create(enrolment=enrolment, day=datetime.date(2024, 4, 16), hours=Decimal("5"))
        for session in (first, second):
            Attendance.objects.create(session=session, enrolment=enrolment, present=True, recorded_by=admin)
    return rows


class TestFigures:
    def test_it_counts_registrations_by_status_and_fee_tier_and_sums_invoices(
        self, cohort: Cohort, provider_admin: User, applicant: User, frozen: datetime.datetime
    ) -> None:
        paid = register(cohort, applicant)
        enrolments.record_payment(paid.invoices.get(), actor=provider_admin, paid_on=PAID_ON)
        register_many(cohort, 2)
        community = register(cohort, UserFactory(email="c@example.org"), organisation_type="community")
        enrolments.withdraw(community, actor=provider_admin, reason="Moved away")

        figures = cohort_figures(cohort)

        by_state = {bar.label: bar.value for bar in figures.by_state}
        unpaid, confirmed = by_state["Registered, not yet paid"], by_state["Place confirmed, not yet studying"]
        assert (unpaid, confirmed, by_state["Withdrawn"], by_state["Studying"]) == (2, 1, 1, 0)
        assert figures.registrations == 4
        assert [(bar.label, bar.value) for bar in figures.by_fee_tier] == [
            ("Community organisations and volunteer groups", 1),
            ("Local and central government", 3),
        ]
        assert figures.invoiced == {
            "Issued, not yet paid": Decimal("1492.70"),
            "Paid": Decimal("746.35"),
            "Cancelled": Decimal("603.75"),
        }

    def test_it_counts_attendance_per_workshop(
        self, cohort: Cohort, provider_admin: User, frozen: datetime.datetime
    ) -> None:
        _present, two = studying(cohort, provider_admin, 2)
        Attendance.objects.filter(enrolment=two, session__number=2).update(present=False)

        rows = cohort_figures(cohort).attendance

        assert [(row.session.number, row.present, row.absent) for row in rows] == [(1, 2, 0), (2, 1, 1)]

    def test_expected_hours_follow_the_weekly_guideline_from_the_start_of_study(self, cohort: Cohort) -> None:
        assert expected_hours(cohort, datetime.date(2024, 4, 2)) == 0
        # 3-17 April is 15 days of study, 2.1 weeks: the same measure the learner's own page shows.
        assert expected_hours(cohort, datetime.date(2024, 4, 17)) == Decimal("4.2")
        assert expected_hours(cohort, datetime.date(2025, 1, 1)) == expected_hours(cohort, cohort.study_ends)


class TestNudges:
    def test_no_quiet_spell_is_flagged_before_two_weeks_of_study(
        self, cohort: Cohort, provider_admin: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 4, 10, 9))  # a week in
        (enrolment,) = register_many(cohort, 1)
        enrolments.record_payment(enrolment.invoices.get(), actor=provider_admin, paid_on=PAID_ON)
        enrolments.activate(enrolment, actor=provider_admin)
        reasons = [reason for nudge in cohort_figures(cohort).nudges for reason in nudge.reasons]
        assert not any(reason.startswith("No study logged") for reason in reasons)

    def test_learners_keeping_up_need_no_nudge(
        self, cohort: Cohort, provider_admin: User, frozen: datetime.datetime
    ) -> None:
        studying(cohort, provider_admin, 2)
        assert cohort_figures(cohort).nudges == []

    def test_it_names_the_quiet_the_absent_and_those_behind_on_hours(
        self, cohort: Cohort, provider_admin: User, frozen: datetime.datetime
    ) -> None:
        keeping_up, quiet, absent = studying(cohort, provider_admin, 3)
        StudyLogEntry.objects.filter(enrolment=quiet).update(day=datetime.date(2024, 4, 3), hours=Decimal("1"))
        Attendance.objects.filter(enrolment=absent, session__number=2).update(present=False)

        nudges = {nudge.enrolment.pk: nudge.reasons for nudge in cohort_figures(cohort).nudges}

        assert keeping_up.pk not in nudges
        assert nudges[quiet.pk] == ["No study logged in 14 days", "Behind on hours: 1 of 4.6 expected"]
        assert nudges[absent.pk] == ["Missed 1 of 2 workshops so far"]

    def test_every_recorded_absence_counts_not_only_the_last_workshop(
        self, cohort: Cohort, provider_admin: User, frozen: datetime.datetime
    ) -> None:
        keeping_up, absent_early = studying(cohort, provider_admin, 2)
        Attendance.objects.filter(enrolment=absent_early).update(present=False)
        StudyLogEntry.objects.create(  # more log entries must not multiply the count of absences
            enrolment=absent_early, day=datetime.date(2024, 4, 15), hours=Decimal("0.5")
        )

        nudges = {nudge.enrolment.pk: nudge.reasons for nudge in cohort_figures(cohort).nudges}

        assert keeping_up.pk not in nudges
        assert nudges[absent_early.pk] == ["Missed 2 of 2 workshops so far"]

    def test_after_study_ends_a_learner_who_kept_logging_to_the_end_is_not_called_quiet(
        self, cohort: Cohort, provider_admin: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        kept_going, stopped = studying(cohort, provider_admin, 2)
        for days_before_the_end in (0, 1):  # 5 + 2 x 20 hours: more than the 43.2 the guideline expects
            StudyLogEntry.objects.create(
                enrolment=kept_going,
                day=cohort.study_ends - datetime.timedelta(days=days_before_the_end),
                hours=Decimal("20"),
            )
            StudyLogEntry.objects.create(
                enrolment=stopped, day=datetime.date(2024, 7, 1 + days_before_the_end), hours=Decimal("20")
            )
        monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2025, 3, 1, 9))  # months after study ended

        nudges = {nudge.enrolment.pk: nudge.reasons for nudge in cohort_figures(cohort).nudges}

        assert kept_going.pk not in nudges
        assert nudges[stopped.pk] == ["No study logged in 14 days"]

    def test_a_workshop_not_yet_over_does_not_count_as_missed(
        self, cohort: Cohort, provider_admin: User, frozen: datetime.datetime
    ) -> None:
        (enrolment,) = studying(cohort, provider_admin, 1)
        later = workshop(cohort, 3, nz(2024, 4, 18, 12))  # today, after "now"
        Attendance.objects.create(session=later, enrolment=enrolment, present=False, recorded_by=provider_admin)
        assert cohort_figures(cohort).nudges == []

    def test_nobody_is_nudged_before_study_starts(self, cohort: Cohort, provider_admin: User) -> None:
        register_many(cohort, 1)
        assert cohort_figures(cohort, now=nz(2024, 3, 1)).nudges == []


class TestThePage:
    def test_it_shows_the_figures_a_chart_and_its_table(
        self,
        cohort: Cohort,
        provider_admin: User,
        client_for: Callable[[User | None], Client],
        frozen: datetime.datetime,
    ) -> None:
        studying(cohort, provider_admin, 2)
        response = client_for(provider_admin).get(url(cohort))
        assert response.status_code == 200
        page = response.content.decode()
        assert '<svg role="img" aria-labelledby="state-chart-title"' in page
        assert '<title id="attendance-chart-title">Learners present at each workshop</title>' in page
        assert "<caption>Attendance per workshop</caption>" in page
        assert "NZD 1492.70" in page  # paid

    def test_it_takes_the_same_number_of_queries_for_2_and_20_learners(
        self,
        cohort: Cohort,
        provider_admin: User,
        client_for: Callable[[User | None], Client],
        frozen: datetime.datetime,
    ) -> None:
        client = client_for(provider_admin)
        studying(cohort, provider_admin, 2)
        Attendance.objects.filter(session__number=2).update(present=False)  # everyone is nudged, so all are listed
        with CaptureQueriesContext(connection) as few:
            assert client.get(url(cohort)).status_code == 200
        more = register_many(cohort, 18, start=100)
        last = Session.objects.get(cohort=cohort, number=2)
        for enrolment in more:
            enrolments.record_payment(enrolment.invoices.get(), actor=provider_admin, paid_on=PAID_ON)
            enrolments.activate(enrolment, actor=provider_admin)
            Attendance.objects.create(session=last, enrolment=enrolment, present=False, recorded_by=provider_admin)
        with CaptureQueriesContext(connection) as many:
            response = client.get(url(cohort))
        assert len(response.context["figures"].nudges) == 20
        assert len(many) == len(few)


class TestWhoMaySeeIt:
    def test_the_cohorts_facilitator_sees_it_without_the_admins_tools(
        self, cohort: Cohort, client_for: Callable[[User | None], Client], request: pytest.FixtureRequest
    ) -> None:
        response = client_for(refused_user("cohort_facilitator", cohort, request)).get(url(cohort))
        page = response.content.decode()
        assert response.status_code == 200
        assert "Import learners" not in page
        assert "Enrolments</a>" not in page
        # What a facilitator does for the cohort is one click away.
        for name in ("programmes:sessions", "programmes:checkins-staff", "programmes:support-inbox"):
            assert f'href="{reverse(name, args=[cohort.public_id])}"' in page

    @pytest.mark.parametrize(("who", "status"), [row for row in REFUSED if row[0] != "cohort_facilitator"])
    def test_everyone_but_the_providers_programme_admins_and_the_cohorts_facilitators_is_refused(
        self,
        who: str,
        status: int,
        cohort: Cohort,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        response = client_for(refused_user(who, cohort, request)).get(url(cohort))
        assert response.status_code == status

    def test_anonymous_visitors_are_sent_to_sign_in(
        self, cohort: Cohort, client_for: Callable[[User | None], Client]
    ) -> None:
        response = client_for(None).get(url(cohort))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
