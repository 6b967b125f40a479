"""The study log and progress: hours within a day's limits, counted in the cohort's calendar, against the guideline."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort, Enrolment, Session, StudyLogEntry
from credo.programmes.services import enrolments, study

from .builders import nz

DURING_REGISTRATION = nz(2024, 2, 1, 10)
MID_STUDY = nz(2024, 5, 1, 12)  # four weeks in: study started Wednesday 3 April 2024


@pytest.fixture
def enrolment(cohort: Cohort, applicant: User) -> Enrolment:
    return enrolments.register(
        cohort=cohort,
        learner=applicant,
        organisation_name="Wellington City Council",
        organisation_type="local_government",
        terms_accepted=True,
        now=DURING_REGISTRATION,
    )


class TestLoggingHours:
    def test_the_learner_logs_hours_on_a_past_day(self, enrolment: Enrolment, applicant: User) -> None:
        entry = study.log_hours(
            enrolment, actor=applicant, day=datetime.date(2024, 4, 30), hours="1.5", note="Case study", now=MID_STUDY
        )
        assert (entry.day, entry.hours, entry.note) == (datetime.date(2024, 4, 30), Decimal("1.5"), "Case study")

    def test_today_is_the_cohorts_today_not_the_servers(self, enrolment: Enrolment, applicant: User) -> None:
        # 08:00 on 1 May in Auckland is still 30 April in UTC: the learner may log 1 May.
        study.log_hours(enrolment, actor=applicant, day=datetime.date(2024, 5, 1), hours="1", now=nz(2024, 5, 1, 8))
        assert enrolment.study_log.count() == 1

    @pytest.mark.parametrize(
        ("day", "hours", "field", "message"),
        [
            (datetime.date(2024, 4, 30), "0.1", "hours", "from 0.25"),
            (datetime.date(2024, 4, 30), "24.25", "hours", "from 0.25"),
            (datetime.date(2024, 4, 30), "0", "hours", "from 0.25"),
            (datetime.date(2024, 4, 30), "1.1", "hours", "quarter hours"),
            (datetime.date(2024, 4, 30), "an hour", "hours", "as a number"),
            (datetime.date(2024, 4, 30), "NaN", "hours", "from 0.25"),
            (datetime.date(2024, 5, 2), "1", "day", "cannot be in the future"),
            (datetime.date(2024, 1, 14), "1", "day", "before registration opened on 15 January 2024"),
        ],
    )
    def test_bad_input_is_refused_saying_what_to_fix(
        self, enrolment: Enrolment, applicant: User, day: datetime.date, hours: str, field: str, message: str
    ) -> None:
        with pytest.raises(ValidationError) as refused:
            study.log_hours(enrolment, actor=applicant, day=day, hours=hours, now=MID_STUDY)
        assert message in " ".join(refused.value.message_dict[field])
        assert not StudyLogEntry.objects.exists()

    def test_a_day_holds_no_more_than_24_hours(self, enrolment: Enrolment, applicant: User) -> None:
        day = datetime.date(2024, 4, 30)
        study.log_hours(enrolment, actor=applicant, day=day, hours="20", now=MID_STUDY)
        with pytest.raises(ValidationError, match="already logged 20 h on 30 April 2024"):
            study.log_hours(enrolment, actor=applicant, day=day, hours="4.25", now=MID_STUDY)

    def test_only_the_learner_logs_their_hours(self, enrolment: Enrolment, provider_admin: User) -> None:
        with pytest.raises(PermissionDenied):
            study.log_hours(enrolment, actor=provider_admin, day=datetime.date(2024, 4, 30), hours="1", now=MID_STUDY)
        assert not StudyLogEntry.objects.exists()

    def test_a_withdrawn_learner_logs_nothing(self, enrolment: Enrolment, applicant: User) -> None:
        enrolments.withdraw(enrolment, actor=applicant, reason="Moving overseas")
        enrolment.refresh_from_db()
        with pytest.raises(ValidationError, match="withdrawn"):
            study.log_hours(enrolment, actor=applicant, day=datetime.date(2024, 4, 30), hours="1", now=MID_STUDY)


class TestProgress:
    def test_progress_compares_hours_logged_with_the_guideline_so_far(
        self, enrolment: Enrolment, applicant: User
    ) -> None:
        for day in (datetime.date(2024, 4, 10), datetime.date(2024, 4, 20)):
            study.log_hours(enrolment, actor=applicant, day=day, hours="2.5", now=MID_STUDY)
        shown = study.progress(enrolment, now=MID_STUDY)
        # 3 April to 1 May inclusive is 29 days: 4.1 weeks at 2 h a week.
        assert (shown.logged, shown.weeks_elapsed, shown.expected) == (Decimal("5.00"), Decimal("4.1"), Decimal("8.2"))
        assert not shown.on_track
        assert shown.summary == "5 h logged of the 8.2 h expected by now (2 h a week over 4.1 weeks): 3.2 h behind."
        # 3 April to 31 August is 151 days: 21.6 weeks.
        assert shown.planned == Decimal("43.2")

    def test_before_study_starts_nothing_is_expected(self, enrolment: Enrolment) -> None:
        shown = study.progress(enrolment, now=DURING_REGISTRATION)
        assert shown.expected == 0
        assert shown.summary == "0 h logged; study has not started yet."

    def test_after_study_ends_the_expectation_stops_growing(self, enrolment: Enrolment) -> None:
        shown = study.progress(enrolment, now=nz(2024, 11, 1))
        assert shown.expected == shown.planned == Decimal("43.2")


class TestTimeline:
    def test_it_shows_the_next_workshop_and_check_ins_used_and_left(
        self, cohort: Cohort, enrolment: Enrolment, provider_admin: User
    ) -> None:
        for number, month, cancelled in ((1, 4, None), (2, 5, nz(2024, 4, 1)), (3, 6, None)):
            Session.objects.create(
                cohort=cohort,
                number=number,
                topic=f"Topic {number}",
                starts_at=nz(2024, month, 10, 12),
                ends_at=nz(2024, month, 10, 13, 30),
                cancelled_at=cancelled,
            )
        facilitator = UserFactory(email="fac@inspiring-test.example")
        slots = [
            CheckInSlot.objects.create(
                cohort=cohort, facilitator=facilitator, starts_at=nz(2024, 4, day, 9), ends_at=nz(2024, 4, day, 10)
            )
            for day in (15, 16)
        ]
        CheckInBooking.objects.create(slot=slots[0], enrolment=enrolment)
        CheckInBooking.objects.create(slot=slots[1], enrolment=enrolment, cancelled_at=MID_STUDY)
        shown = study.timeline(enrolment, now=MID_STUDY)
        assert shown.next_workshop is not None
        assert shown.next_workshop.number == 3  # 2 was cancelled
        assert (shown.check_ins_used, shown.check_ins_left) == (1, 1)
        assert shown.submission_deadline == cohort.submission_deadline
