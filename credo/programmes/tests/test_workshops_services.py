"""Workshops: adding, changing and cancelling sessions (checked, audited, learners told), attendance, times shown."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.programmes.models import Attendance, CalendarFeed, Cohort, Enrolment, Session
from credo.programmes.services import enrolments, workshops

from .builders import nz
from .workshops_builders import SEED_WORKSHOPS, details, enrol

# The shared workshop fixtures (session, enrolled, cohort_facilitator, the refused people).
pytest_plugins = ["credo.programmes.tests.workshops_fixtures"]

WORKSHOP_1_DAY = SEED_WORKSHOPS[0][1]


class TestAddingSessions:
    def test_the_seed_workshops_are_wednesdays_at_noon_auckland_time_stored_as_moments(
        self, cohort: Cohort, provider_admin: User
    ) -> None:
        for number, day, topic in SEED_WORKSHOPS:
            workshops.add_session(cohort, actor=provider_admin, number=number, details=details(day, topic))
        first, *_rest, last = cohort.sessions.all()
        # 3 April 2024 is still daylight time in Auckland (UTC+13); 7 August is standard time (UTC+12).
        assert first.starts_at == datetime.datetime(2024, 4, 2, 23, 0, tzinfo=datetime.UTC)
        assert last.starts_at == datetime.datetime(2024, 8, 7, 0, 0, tzinfo=datetime.UTC)
        assert last.ends_at - last.starts_at == datetime.timedelta(minutes=90)
        assert AuditEvent.objects.filter(action="programmes.session_added").count() == 4

    @pytest.mark.parametrize(
        ("changes", "field", "says"),
        [
            ({"ends": datetime.time(11, 0)}, "ends", "end after it starts"),
            ({"ends": datetime.time(12, 10)}, "ends", "at least 15 minutes"),
            ({"starts": datetime.time(8, 0), "ends": datetime.time(17, 0)}, "ends", "at most 8 hours"),
            ({"day": datetime.date(2023, 12, 6)}, "day", "while the cohort runs"),
            ({"day": datetime.date(2025, 3, 1)}, "day", "while the cohort runs"),
            ({"topic": "  "}, "topic", "topic"),
            ({"meeting_url": "", "venue": ""}, "meeting_url", "meeting link or a venue"),
        ],
    )
    def test_bad_input_is_refused_naming_the_field_to_fix(
        self, cohort: Cohort, provider_admin: User, changes: dict[str, Any], field: str, says: str
    ) -> None:
        fields = {"day": WORKSHOP_1_DAY, **changes}
        with pytest.raises(ValidationError) as refused:
            workshops.add_session(cohort, actor=provider_admin, number=1, details=details(**fields))
        assert says in " ".join(refused.value.message_dict[field])
        assert not Session.objects.exists()

    def test_a_number_is_used_once_per_cohort(self, cohort: Cohort, provider_admin: User, session: Session) -> None:
        with pytest.raises(ValidationError) as refused:
            workshops.add_session(cohort, actor=provider_admin, number=1, details=details(datetime.date(2024, 5, 22)))
        assert "already has a session 1" in refused.value.message_dict["number"][0]

    @pytest.mark.parametrize("who", ["cohort_facilitator", "enrolled_learner", "other_admin", "outsider"])
    def test_only_the_providers_programme_admins_add_sessions(
        self, request: pytest.FixtureRequest, cohort: Cohort, enrolled: Enrolment, who: str
    ) -> None:
        actor = enrolled.learner if who == "enrolled_learner" else request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            workshops.add_session(cohort, actor=actor, number=1, details=details(WORKSHOP_1_DAY))
        assert not Session.objects.exists()


class TestChangingAndCancelling:
    def test_a_change_raises_the_sequence_and_tells_learners_the_new_time_in_the_cohorts_zone(
        self,
        cohort: Cohort,
        provider_admin: User,
        session: Session,
        enrolled: Enrolment,
        other_learner: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        withdrawn = enrol(cohort, provider_admin, "gone@example.org")
        enrolments.withdraw(withdrawn, actor=provider_admin, reason="Moved away")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            changed = workshops.change_session(
                session,
                actor=provider_admin,
                details=details(
                    WORKSHOP_1_DAY, SEED_WORKSHOPS[0][2], starts=datetime.time(13, 0), ends=datetime.time(14, 30)
                ),
            )
        assert changed.sequence == 1
        assert changed.starts_at == nz(2024, 4, 3, 13)
        (message,) = mail.outbox  # not the withdrawn learner, nor another cohort's
        assert message.to == ["mere@example.org"]
        assert message.subject == f"Changed: Workshop 1: {SEED_WORKSHOPS[0][2]}"
        assert "When: Wednesday 3 April, 13:00\u201314:30 NZDT" in message.body
        event = AuditEvent.objects.get(action="programmes.session_changed")
        assert event.details["changed"] == ["ends_at", "starts_at"]

    def test_a_change_that_changes_nothing_is_refused(self, provider_admin: User, session: Session) -> None:
        with pytest.raises(ValidationError, match="Nothing changed"):
            workshops.change_session(
                session,
                actor=provider_admin,
                details=details(WORKSHOP_1_DAY, "Exploring community-led development frameworks"),
            )

    def test_cancelling_keeps_the_session_marks_it_and_tells_learners_why(
        self,
        provider_admin: User,
        session: Session,
        enrolled: Enrolment,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            cancelled = workshops.cancel_session(session, actor=provider_admin, reason="Facilitator unwell")
        assert cancelled.cancelled_at is not None
        assert cancelled.sequence == 1
        (message,) = mail.outbox
        assert "Wednesday 3 April, 12:00\u201313:30 NZDT, is cancelled" in message.body
        assert "Facilitator unwell" in message.body
        with pytest.raises(ValidationError, match="already cancelled"):
            workshops.cancel_session(cancelled, actor=provider_admin, reason="Again")
        with pytest.raises(ValidationError, match="was cancelled"):
            workshops.change_session(cancelled, actor=provider_admin, details=details(WORKSHOP_1_DAY, "New"))

    def test_a_cancellation_needs_a_reason(self, provider_admin: User, session: Session) -> None:
        with pytest.raises(ValidationError) as refused:
            workshops.cancel_session(session, actor=provider_admin, reason=" ")
        assert "reason" in refused.value.message_dict

    @pytest.mark.parametrize("who", ["cohort_facilitator", "other_admin", "other_facilitator"])
    def test_only_programme_admins_change_or_cancel(
        self, request: pytest.FixtureRequest, session: Session, who: str
    ) -> None:
        actor = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            workshops.change_session(session, actor=actor, details=details(WORKSHOP_1_DAY, "Other"))
        with pytest.raises(PermissionDenied):
            workshops.cancel_session(session, actor=actor, reason="No")
        session.refresh_from_db()
        assert (session.sequence, session.cancelled_at) == (0, None)


class TestAttendance:
    AFTER = nz(2024, 4, 3, 13, 30)

    def test_the_cohorts_facilitator_records_who_came_and_it_is_audited(
        self, cohort: Cohort, provider_admin: User, session: Session, enrolled: Enrolment, cohort_facilitator: User
    ) -> None:
        second = enrol(cohort, provider_admin, "hemi@example.org")
        workshops.record_attendance(
            session, actor=cohort_facilitator, present={enrolled.pk: True, second.pk: False}, now=self.AFTER
        )
        workshops.record_attendance(session, actor=cohort_facilitator, present={second.pk: True}, now=self.AFTER)
        assert dict(Attendance.objects.values_list("enrolment_id", "present")) == {enrolled.pk: True, second.pk: True}
        first, again = AuditEvent.objects.filter(action="programmes.attendance_recorded").order_by("seq")
        assert (first.details["present"], first.details["absent"]) == (["mere@example.org"], ["hemi@example.org"])
        assert again.details["present"] == ["hemi@example.org"]

    def test_only_learners_holding_a_place_in_the_cohort_can_be_marked(
        self, session: Session, enrolled: Enrolment, cohort_facilitator: User, other_cohort: Cohort,
        provider_admin: User,
    ) -> None:  # fmt: skip
        elsewhere = enrol(other_cohort, provider_admin, "elsewhere@example.org")
        with pytest.raises(ValidationError, match=f"enrolment {elsewhere.pk}"):
            workshops.record_attendance(
                session, actor=cohort_facilitator, present={enrolled.pk: True, elsewhere.pk: True}, now=self.AFTER
            )
        assert not Attendance.objects.exists()

    def test_not_before_the_session_starts_nor_for_a_cancelled_one(
        self, provider_admin: User, session: Session, enrolled: Enrolment
    ) -> None:
        with pytest.raises(ValidationError, match="once the session has started"):
            workshops.record_attendance(
                session, actor=provider_admin, present={enrolled.pk: True}, now=nz(2024, 4, 3, 11, 59)
            )
        workshops.cancel_session(session, actor=provider_admin, reason="Storm")
        with pytest.raises(ValidationError, match="cancelled"):
            workshops.record_attendance(session, actor=provider_admin, present={enrolled.pk: True}, now=self.AFTER)
        assert not Attendance.objects.exists()

    @pytest.mark.parametrize("who", ["other_facilitator", "other_admin", "outsider", "facilitator"])
    def test_facilitators_of_other_cohorts_and_other_providers_are_refused(
        self, request: pytest.FixtureRequest, session: Session, enrolled: Enrolment, who: str
    ) -> None:
        with pytest.raises(PermissionDenied):
            workshops.record_attendance(
                session, actor=request.getfixturevalue(who), present={enrolled.pk: True}, now=self.AFTER
            )
        assert not Attendance.objects.exists()
        assert not AuditEvent.objects.filter(action="programmes.attendance_recorded").exists()


class TestTimesShown:
    def test_the_cohorts_time_and_the_viewers_own(self, session: Session, applicant: User) -> None:
        applicant.time_zone = "Atlantic/Reykjavik"  # GMT all year
        assert workshops.both_times(session, applicant) == (
            "Wednesday 3 April, 12:00\u201313:30 NZDT (your time: Tuesday 2 April, 23:00\u201300:30 GMT)"
        )

    def test_the_cohorts_time_alone_when_the_viewer_has_no_zone_or_the_same_one(
        self, session: Session, applicant: User
    ) -> None:
        assert workshops.both_times(session, applicant) == "Wednesday 3 April, 12:00\u201313:30 NZDT"
        applicant.time_zone = "Pacific/Auckland"
        assert workshops.both_times(session, applicant) == "Wednesday 3 April, 12:00\u201313:30 NZDT"

    def test_after_new_zealand_leaves_daylight_saving_the_offset_changes(
        self, cohort: Cohort, provider_admin: User, applicant: User
    ) -> None:
        later = workshops.add_session(
            cohort, actor=provider_admin, number=2, details=details(datetime.date(2024, 4, 10))
        )
        applicant.time_zone = "Europe/London"
        # Auckland went to NZST (UTC+12) on 7 April, London to BST (UTC+1) on 31 March.
        assert workshops.both_times(later, applicant) == (
            "Wednesday 10 April, 12:00\u201313:30 NZST (your time: Wednesday 10 April, 01:00\u201302:30 BST)"
        )


class TestFeeds:
    def test_a_feed_is_made_once_on_request_and_regenerating_revokes_the_old_address(
        self, cohort: Cohort, cohort_facilitator: User
    ) -> None:
        feed = workshops.feed_for(cohort_facilitator, cohort=cohort)
        assert workshops.feed_for(cohort_facilitator, cohort=cohort) == feed
        assert workshops.feed_by_token(feed.token) == feed
        new = workshops.regenerate_feed(cohort_facilitator, cohort=cohort)
        assert new.token != feed.token
        assert workshops.feed_by_token(feed.token) is None
        assert workshops.revoke_feeds(cohort_facilitator, cohort=cohort) == 1
        assert workshops.feed_by_token(new.token) is None

    def test_a_feed_stops_working_when_its_owner_loses_the_right_to_it(
        self, cohort: Cohort, provider_admin: User, enrolled: Enrolment, cohort_facilitator: User
    ) -> None:
        staff = workshops.feed_for(cohort_facilitator, cohort=cohort)
        own = workshops.feed_for(enrolled.learner, enrolment=enrolled)
        cohort.facilitators.remove(cohort_facilitator)
        enrolments.withdraw(enrolled, actor=provider_admin, reason="Moved away")
        assert workshops.feed_by_token(staff.token) is None
        assert workshops.feed_by_token(own.token) is None

    @pytest.mark.parametrize("who", ["other_facilitator", "other_admin", "other_learner"])
    def test_nobody_else_gets_a_cohorts_or_a_learners_feed(
        self, request: pytest.FixtureRequest, cohort: Cohort, enrolled: Enrolment, who: str
    ) -> None:
        actor = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            workshops.feed_for(actor, cohort=cohort)
        with pytest.raises(PermissionDenied):
            workshops.feed_for(actor, enrolment=enrolled)
        assert not CalendarFeed.objects.exists()
