"""The demo's programmes: the seed's 2024 cohort as a past cohort, the next intake open now, the SEG centre's."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from credo.accounts.models import User
from credo.front.demo import DEMO_PASSWORD
from credo.front.demo.programmes import _after_the_christmas_break
from credo.programmes.cohort_figures import cohort_figures
from credo.programmes.models import (
    Attendance,
    CheckInBooking,
    Cohort,
    Enrolment,
    EnrolmentState,
    FundingRequest,
    InvoiceState,
    Programme,
    SupportDecision,
)
from credo.programmes.services import cohorts, study

pytestmark = pytest.mark.django_db

AUCKLAND = "Pacific/Auckland"
LEILANI = "learner@inspiring.example"
MEI = "mei.zhao@inspiring.example"


def _past_cohort() -> Cohort:
    return Cohort.objects.get(programme__slug="cld-facilitation", slug="2024")


def _enrolment(email: str) -> Enrolment:
    return Enrolment.objects.select_related("cohort").get(cohort=_past_cohort(), learner__email=email)


@pytest.mark.usefixtures("demo_for_the_class")
class TestDemoProgrammes:
    def test_the_2024_cohort_is_as_the_seed_describes_it(self) -> None:
        cohort = Cohort.objects.get(programme__slug="cld-facilitation", slug="2024")
        during = cohorts.local_moment(datetime.date(2024, 3, 25), datetime.time(12), "Pacific/Auckland")
        assert cohorts.extension_announcement(cohort, during) == "Registrations extended! Closing Wednesday 27th March."
        assert cohorts.extension_announcement(cohort) == "Registration was extended to Wednesday 27 March 2024.", (
            "a past cohort tells it as history"
        )
        assert {tier.amount for tier in cohort.fee_tiers.all()} == {Decimal("649.00"), Decimal("525.00")}
        assert cohort.tax_name == "GST"
        assert cohort.tax_rate == Decimal("0.15")
        sessions = list(cohort.sessions.order_by("number"))
        assert [timezone.localtime(s.starts_at, cohorts.zone("Pacific/Auckland")).strftime("%a %d %b %H:%M")
                for s in sessions] == [
            "Wed 03 Apr 12:00", "Wed 22 May 12:00", "Wed 03 Jul 12:00", "Wed 07 Aug 12:00"
        ]  # fmt: skip
        assert all(s.ends_at - s.starts_at == datetime.timedelta(minutes=90) for s in sessions)
        assert sessions[0].topic.startswith("Exploring community-led development frameworks")
        assert not cohorts.registration_window(cohort).is_open, "a past cohort"

    def test_its_learners_are_at_later_stages_and_one_asked_for_support(self) -> None:
        cohort = Cohort.objects.get(programme__slug="cld-facilitation", slug="2024")
        states = sorted(cohort.enrolments.values_list("state", flat=True))
        assert states == sorted(
            [
                EnrolmentState.ACTIVE,
                EnrolmentState.ACTIVE,
                EnrolmentState.ACTIVE,
                EnrolmentState.ACTIVE,
                EnrolmentState.APPLIED,
                EnrolmentState.WITHDRAWN,
                EnrolmentState.LAPSED,
            ]
        )
        request = FundingRequest.objects.get(enrolment__cohort=cohort)
        assert request.decision == SupportDecision.PENDING
        first = cohort.sessions.get(number=1)
        assert sorted(first.attendance.values_list("present", flat=True)) == [False, True]

    def test_the_lapsed_learner_paid_but_never_started(self) -> None:
        lapsed = _past_cohort().enrolments.get(state=EnrolmentState.LAPSED)
        assert lapsed.invoices.get().state == InvoiceState.PAID
        assert not lapsed.study_log.exists()
        assert not lapsed.attendance.exists()
        assert not lapsed.check_ins.exists()
        after_the_deadline = timezone.localdate(lapsed.state_changed_at, cohorts.zone(AUCKLAND))
        assert after_the_deadline == datetime.date(2024, 9, 2)

    def test_the_learner_who_studied_well_is_on_track_at_the_end_of_the_cohort(self) -> None:
        enrolment = _enrolment(LEILANI)
        progress = study.progress(enrolment)
        assert progress.expected == progress.planned == Decimal("43.2"), "the whole study period has passed"
        assert progress.logged == Decimal("47.00")
        assert progress.on_track
        days = sorted(enrolment.study_log.values_list("day", flat=True))
        assert len(days) == 22, "an entry every week of study"
        assert days[0] >= enrolment.cohort.study_starts
        assert days[-1] <= enrolment.cohort.study_ends

    def test_the_demo_learner_reads_on_track_and_both_check_ins_used(self, client: Client) -> None:
        enrolment = _enrolment(LEILANI)
        assert client.login(username=LEILANI, password=DEMO_PASSWORD)
        page = client.get(reverse("programmes:my-enrolment", args=[enrolment.pk])).text
        assert "47 h logged of the 43.2 h expected by now" in page
        assert "on track" in page
        assert "behind" not in page
        assert "2 used, 0 left of 2" in page

    def test_attendance_is_recorded_for_all_four_workshops_and_one_learner_missed_one(self) -> None:
        cohort = _past_cohort()
        marks = Attendance.objects.filter(session__cohort=cohort)
        assert set(marks.values_list("session__number", flat=True)) == {1, 2, 3, 4}
        assert marks.filter(enrolment__learner__email=LEILANI, present=True).count() == 4
        absent = marks.filter(present=False)
        assert list(absent.values_list("enrolment__learner__email", "session__number")) == [(MEI, 1)]

    def test_the_active_learner_held_both_check_ins_and_the_facilitator_kept_notes(self) -> None:
        bookings = CheckInBooking.objects.filter(enrolment=_enrolment(LEILANI), cancelled_at__isnull=True)
        assert bookings.count() == 2
        for booking in bookings.select_related("slot"):
            assert booking.slot.ends_at < booking.notes_updated_at
            assert booking.notes
            assert booking.slot.facilitator.email == "facilitator@inspiring.example"
            assert booking.booked_at < booking.slot.starts_at, "booked ahead, in 2024"

    def test_the_support_thread_has_a_question_and_the_facilitators_reply_from_2024(self) -> None:
        messages = list(_enrolment(LEILANI).support_thread.messages.select_related("author"))
        assert [m.author.email for m in messages] == [LEILANI, "facilitator@inspiring.example"]
        assert "attestation" in messages[0].body
        assert all(m.sent_at.year == 2024 for m in messages)

    def test_only_the_learner_who_fell_behind_is_behind_or_missed_a_workshop_on_the_staff_view(self) -> None:
        nudges = {n.enrolment.learner.email: n.reasons for n in cohort_figures(_past_cohort()).nudges}
        assert any(reason.startswith("Behind on hours") for reason in nudges[MEI])
        assert "Missed 1 of 4 workshops so far" in nudges[MEI]
        assert LEILANI not in nudges  # she kept up to the end of study: nothing to nudge her about

    def test_the_history_is_dated_when_it_happened_not_when_the_demo_was_loaded(self) -> None:
        cohort = _past_cohort()
        assert {e.created_at.year for e in cohort.enrolments.all()} == {2024}
        assert {e.state_changed_at.year for e in cohort.enrolments.all()} == {2024}
        extended = timezone.localdate(cohort.extensions.get().created_at, cohorts.zone(AUCKLAND))
        assert extended == datetime.date(2024, 3, 19)
        assert FundingRequest.objects.get(enrolment__cohort=cohort).created_at.year == 2024

    def test_the_programme_states_its_terms_of_registration(self, client: Client) -> None:
        terms = Programme.objects.get(slug="cld-facilitation").terms
        for words in ("$649 plus GST", "$525 plus GST", "within the year of your enrolment", "resubmit once"):
            assert words in terms
        assert client.login(username="outsider@elsewhere.example", password=DEMO_PASSWORD)
        page = client.get("/programmes/inspiring-communities/cld-facilitation/next/register/").text
        assert "Terms of registration" in page
        assert "resubmit once" in page

    def test_the_next_intake_is_open_for_registration_now(self) -> None:
        cohort = Cohort.objects.get(programme__slug="cld-facilitation", slug="next")
        assert cohorts.registration_window(cohort).is_open
        assert cohort.sessions.count() == 4
        assert cohort.study_starts > timezone.localdate()
        assert cohort.check_in_slots.count() == 12, "the facilitator has offered check-in times"

    def test_the_seg_centre_runs_the_l2_award_and_the_l3_certificate(self) -> None:
        codes = set(
            Cohort.objects.filter(programme__provider__slug="riverside-organising-centre").values_list(
                "programme__qualification__code", flat=True
            )
        )
        assert codes == {"603/1939/2", "603/1942/2"}

    def test_the_seg_cohorts_have_the_tutor_evening_sessions_at_the_centre_and_learners(self) -> None:
        tutor = User.objects.get(email="tutor@riverside.example")
        london = cohorts.zone("Europe/London")
        # The centre's open cohorts (its running Certificate cohort, with Jordan in it, is the portfolios' demo).
        for cohort in Cohort.objects.filter(programme__provider__slug="riverside-organising-centre", slug="next"):
            assert list(cohort.facilitators.all()) == [tutor]
            sessions = list(cohort.sessions.order_by("number"))
            assert len(sessions) == 4
            for session in sessions:
                assert session.venue.startswith("Riverside Community Hall")
                assert not session.meeting_url
                assert timezone.localtime(session.starts_at, london).strftime("%H:%M") == "18:30"
                assert session.starts_at.date() >= cohort.study_starts
            assert cohort.enrolments.filter(state=EnrolmentState.CONFIRMED).count() == 1, "one has paid"
            for enrolment in cohort.enrolments.select_related("fee_tier"):
                invoice = enrolment.invoices.get()
                assert (invoice.currency, invoice.tax_amount) == ("GBP", Decimal("0.00")), "the centre charges no VAT"
                assert invoice.total == enrolment.fee_tier.amount
                expected = {
                    EnrolmentState.CONFIRMED: InvoiceState.PAID,
                    EnrolmentState.APPLIED: InvoiceState.ISSUED,
                    EnrolmentState.WITHDRAWN: InvoiceState.CANCELLED,
                }
                assert invoice.state == expected[EnrolmentState(enrolment.state)]
        award = Cohort.objects.get(programme__slug="l2-award", slug="next")
        assert award.enrolments.get(state=EnrolmentState.APPLIED).invoice_to_organisation
        certificate = Cohort.objects.get(programme__slug="l3-certificate", slug="next")
        assert certificate.enrolments.filter(state=EnrolmentState.WITHDRAWN).count() == 1


@pytest.mark.parametrize(
    ("planned", "held"),
    [
        (datetime.date(2026, 12, 15), datetime.date(2026, 12, 15)),
        (datetime.date(2026, 12, 22), datetime.date(2027, 1, 5)),
        (datetime.date(2026, 12, 24), datetime.date(2027, 1, 7)),
        (datetime.date(2027, 1, 4), datetime.date(2027, 1, 11)),
        (datetime.date(2027, 1, 5), datetime.date(2027, 1, 5)),
    ],
)
def test_the_centres_evenings_keep_out_of_the_christmas_break(planned: datetime.date, held: datetime.date) -> None:
    assert _after_the_christmas_break(planned) == held
    assert held.weekday() == planned.weekday()


@pytest.mark.parametrize("today", [datetime.date(2026, month, day) for month in range(1, 13) for day in (1, 15, 28)])
def test_the_next_intake_is_open_and_keeps_the_rules_whatever_the_day(today: datetime.date) -> None:
    from credo.front.demo.programmes import next_intake_dates

    dates = next_intake_dates(today)
    zone = cohorts.zone(AUCKLAND)
    opens = timezone.localdate(dates["registration_opens"], zone)
    closes = timezone.localdate(dates["registration_closes"], zone)
    deadline = timezone.localdate(dates["submission_deadline"], zone)
    assert opens < today < closes <= dates["study_ends"]
    assert today < dates["study_starts"] <= deadline < dates["assessment_starts"] < dates["assessment_ends"]
    assert deadline <= opens + datetime.timedelta(days=365), "submitted within the year of enrolment"
    if today.month in (9, 10, 11, 12, 1, 2):  # the seed's calendar
        assert (closes.month, closes.day) == (3, 27)
        assert (dates["study_starts"].month, dates["study_ends"].month) == (4, 8)
        assert dates["assessment_ends"].month == 10
