"""The demo's programmes: the seed's 2024 cohort as a past cohort, the next intake open now, the SEG centre's."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from credo.core.demo import load_demo
from credo.programmes.models import Cohort, EnrolmentState, FundingRequest, SupportDecision
from credo.programmes.services import cohorts

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded() -> None:
    load_demo()


@pytest.mark.usefixtures("loaded")
class TestDemoProgrammes:
    def test_the_2024_cohort_is_as_the_seed_describes_it(self) -> None:
        cohort = Cohort.objects.get(programme__slug="cld-facilitation", slug="2024")
        during = cohorts.local_moment(datetime.date(2024, 3, 25), datetime.time(12), "Pacific/Auckland")
        assert cohorts.extension_announcement(cohort, during) == "Registrations extended! Closing Wednesday 27th March."
        assert cohorts.extension_announcement(cohort) == "", "a past cohort no longer announces it"
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
            [EnrolmentState.ACTIVE, EnrolmentState.ACTIVE, EnrolmentState.APPLIED, EnrolmentState.WITHDRAWN]
        )
        request = FundingRequest.objects.get(enrolment__cohort=cohort)
        assert request.decision == SupportDecision.PENDING
        first = cohort.sessions.get(number=1)
        assert sorted(first.attendance.values_list("present", flat=True)) == [False, True]

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
