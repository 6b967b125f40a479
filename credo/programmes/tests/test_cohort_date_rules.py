"""A cohort's dates, checked against each other by the day they fall on in the cohort's own zone.

Auckland is 12 or 13 hours ahead of UTC, so a rule read in UTC would put an NZ morning on
the day before: every edge here is one that such a rule gets wrong. NZ daylight saving
ends on the first Sunday of April (03:00 NZDT becomes 02:00 NZST) and starts on the last
Sunday of September (02:00 NZST becomes 03:00 NZDT). Also here: a cohort's capacity
cannot fall below the places already held.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from credo.accounts.models import Organisation, User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent
from credo.catalogue.tests.builders import build_small_catalogue
from credo.programmes.models import Cohort, EnrolmentState, Programme
from credo.programmes.services import cohorts, enrolments

from .builders import AUCKLAND, FEE_TIERS, cld_programme, cohort_2024, nz
from .staff_helpers import register, register_many
from .test_setup_views import cohort_url, edit_data


def refused_fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(error.value.message_dict)


class TestTheAssessmentStartsAfterTheDeadline:
    def test_the_seeds_deadline_at_the_end_of_the_day_before_assessment_is_accepted(self, cohort: Cohort) -> None:
        # 31 August 23:59:59 in Auckland, assessed from 1 September: exactly as the seed has it.
        assert cohort.submission_deadline == nz(2024, 8, 31, 23, 59, 59)
        assert cohort.assessment_starts == datetime.date(2024, 9, 1)

    def test_a_deadline_a_minute_into_the_first_day_of_assessment_is_refused(
        self, provider_admin: User, programme: Programme
    ) -> None:
        # 00:01 on 1 September in Auckland is still 31 August in UTC.
        with pytest.raises(ValidationError) as refused:
            cohort_2024(provider_admin, programme, submission_deadline=nz(2024, 9, 1, 0, 1))

        assert refused_fields(refused) == {"assessment_starts"}
        message = refused.value.message_dict["assessment_starts"][0]
        assert "deadline (Sunday 1 September 2024, Pacific/Auckland time)" in message
        assert "Monday 2 September 2024 at the earliest" in message
        assert not Cohort.objects.exists()

    def test_any_gap_between_study_ending_and_the_deadline_is_fine(
        self, provider_admin: User, programme: Programme
    ) -> None:
        cohort = cohort_2024(
            provider_admin,
            programme,
            submission_deadline=cohorts.end_of_day(datetime.date(2024, 11, 29), AUCKLAND),
            assessment_starts=datetime.date(2024, 12, 2),
            assessment_ends=datetime.date(2024, 12, 20),
        )

        assert cohort.pk is not None

    @pytest.mark.parametrize(
        ("deadline", "accepted"),
        [
            # Assessment starts on Sunday 29 September 2024, the day clocks go forward; midnight is still NZST (+12).
            (nz(2024, 9, 28, 23, 59, 59), True),  # 11:59:59 UTC
            (nz(2024, 9, 28, 23, 30), True),  # read with the NZDT offset, this would already be the 29th
            (nz(2024, 9, 29, 0, 0), False),
            (nz(2024, 9, 29, 1, 59, 59), False),  # the last second before the change
        ],
    )
    def test_when_assessment_starts_the_day_daylight_saving_starts(
        self, provider_admin: User, programme: Programme, deadline: datetime.datetime, accepted: bool
    ) -> None:
        changes: dict[str, Any] = {
            "submission_deadline": deadline,
            "assessment_starts": datetime.date(2024, 9, 29),
            "assessment_ends": datetime.date(2024, 10, 31),
        }
        if accepted:
            assert cohort_2024(provider_admin, programme, **changes).submission_deadline == deadline
        else:
            with pytest.raises(ValidationError) as refused:
                cohort_2024(provider_admin, programme, **changes)
            assert refused_fields(refused) == {"assessment_starts"}

    @pytest.mark.parametrize(
        ("deadline", "accepted"),
        [
            # Daylight saving ends on Sunday 6 April 2025: that evening is NZST (+12), though the morning was +13.
            (cohorts.end_of_day(datetime.date(2025, 4, 6), AUCKLAND), True),  # 11:59:59 UTC
            (nz(2025, 4, 7, 0, 0), False),  # 12:00 UTC on the 6th
        ],
    )
    def test_when_the_deadline_falls_the_day_daylight_saving_ends(
        self, provider_admin: User, programme: Programme, deadline: datetime.datetime, accepted: bool
    ) -> None:
        summer: dict[str, Any] = {
            "slug": "summer",
            "registration_opens": nz(2024, 9, 2, 9),
            "registration_closes": cohorts.end_of_day(datetime.date(2024, 10, 1), AUCKLAND),
            "study_starts": datetime.date(2024, 10, 2),
            "study_ends": datetime.date(2025, 3, 28),
            "submission_deadline": deadline,
            "assessment_starts": datetime.date(2025, 4, 7),
            "assessment_ends": datetime.date(2025, 5, 30),
        }
        if accepted:
            assert cohort_2024(provider_admin, programme, **summer).submission_deadline == deadline
        else:
            with pytest.raises(ValidationError) as refused:
                cohort_2024(provider_admin, programme, **summer)
            assert refused_fields(refused) == {"assessment_starts"}

    def test_a_revision_that_moves_the_deadline_into_the_assessment_window_is_refused(
        self, provider_admin: User, cohort: Cohort
    ) -> None:
        before = AuditEvent.objects.count()
        with pytest.raises(ValidationError) as refused:
            cohorts.revise_cohort(
                actor=provider_admin,
                cohort=cohort,
                tier_changes=[],
                new_tiers=[],
                facilitators=[],
                submission_deadline=nz(2024, 9, 1, 0, 1),
            )

        assert refused_fields(refused) == {"assessment_starts"}
        cohort.refresh_from_db()
        assert cohort.submission_deadline == nz(2024, 8, 31, 23, 59, 59)
        assert AuditEvent.objects.count() == before


class TestAMicroCredentialsSubmissionIsWithinTheYear:
    """The seed: "culminating in your submission within the year of your enrolment"."""

    def year_long(self, deadline: datetime.datetime, opens: datetime.datetime | None = None) -> dict[str, Any]:
        """Registration opening (by default as the seed's), the deadline, and assessment in the weeks after it."""
        deadline_day = deadline.astimezone(ZoneInfo(AUCKLAND)).date()
        return {
            "registration_opens": opens or nz(2024, 1, 15, 9),
            "submission_deadline": deadline,
            "assessment_starts": deadline_day + datetime.timedelta(days=3),
            "assessment_ends": deadline_day + datetime.timedelta(days=60),
        }

    def test_the_last_local_day_of_the_year_after_registration_opens_is_allowed(
        self, provider_admin: User, programme: Programme
    ) -> None:
        last = cohorts.end_of_day(datetime.date(2025, 1, 15), AUCKLAND)

        cohort = cohort_2024(provider_admin, programme, **self.year_long(last))

        assert cohort.submission_deadline == last

    def test_the_first_moment_of_the_next_local_day_is_refused(
        self, provider_admin: User, programme: Programme
    ) -> None:
        # Midnight on 16 January in Auckland is 11:00 UTC on the 15th: a UTC reading would let it through.
        with pytest.raises(ValidationError) as refused:
            cohort_2024(provider_admin, programme, **self.year_long(nz(2025, 1, 16)))

        assert refused_fields(refused) == {"submission_deadline"}
        message = refused.value.message_dict["submission_deadline"][0]
        assert "within a year of enrolment" in message
        assert "Wednesday 15 January 2025 at the latest" in message

    def test_a_year_from_29_february_ends_on_28_february(self, provider_admin: User, programme: Programme) -> None:
        opens = nz(2024, 2, 29, 9)
        allowed = self.year_long(cohorts.end_of_day(datetime.date(2025, 2, 28), AUCKLAND), opens=opens)
        too_late = self.year_long(nz(2025, 3, 1), opens=opens)
        later_dates = {
            "registration_closes": cohorts.end_of_day(datetime.date(2024, 3, 20), AUCKLAND),
            "study_starts": datetime.date(2024, 4, 3),
        }

        cohort_2024(provider_admin, programme, slug="leap", **allowed, **later_dates)
        with pytest.raises(ValidationError) as refused:
            cohort_2024(provider_admin, programme, slug="late", **too_late, **later_dates)

        assert refused_fields(refused) == {"submission_deadline"}

    def test_other_qualifications_may_take_longer(
        self,
        provider_admin: User,
        provider: Organisation,
        catalogue_admin: User,
        awarding_body: Organisation,
    ) -> None:
        award = build_small_catalogue(catalogue_admin, awarding_body).award
        programme = cld_programme(provider_admin, provider, award)
        deadline = cohorts.end_of_day(datetime.date(2025, 6, 30), AUCKLAND)

        cohort = cohort_2024(provider_admin, programme, **self.year_long(deadline))

        assert cohort.submission_deadline == deadline


class TestRegistrationClosesByTheEndOfStudy:
    def dates(self, closes: datetime.datetime) -> dict[str, Any]:
        # Study ends on Sunday 6 April 2025, the day daylight saving ends.
        return {
            "slug": "summer",
            "registration_opens": nz(2024, 9, 2, 9),
            "registration_closes": closes,
            "study_starts": datetime.date(2024, 10, 2),
            "study_ends": datetime.date(2025, 4, 6),
            "submission_deadline": cohorts.end_of_day(datetime.date(2025, 4, 6), AUCKLAND),
            "assessment_starts": datetime.date(2025, 4, 7),
            "assessment_ends": datetime.date(2025, 5, 30),
        }

    def test_registration_may_stay_open_to_the_last_day_of_study(
        self, provider_admin: User, programme: Programme
    ) -> None:
        closes = cohorts.end_of_day(datetime.date(2025, 4, 6), AUCKLAND)

        assert cohort_2024(provider_admin, programme, **self.dates(closes)).registration_closes == closes

    def test_registration_open_past_the_end_of_study_is_refused(
        self, provider_admin: User, programme: Programme
    ) -> None:
        # 00:00:30 on 7 April in Auckland is still 6 April in UTC.
        with pytest.raises(ValidationError) as refused:
            cohort_2024(provider_admin, programme, **self.dates(nz(2025, 4, 7, 0, 0, 30)))

        assert refused_fields(refused) == {"registration_closes"}
        assert "by the day study ends (Sunday 6 April 2025)" in refused.value.message_dict["registration_closes"][0]

    def test_the_set_up_step_checks_the_same_rules(self, provider_admin: User, programme: Programme) -> None:
        fields = self.dates(nz(2025, 4, 7, 0, 0, 30)) | {"name": "Summer", "time_zone": AUCKLAND, "currency": "NZD"}

        with pytest.raises(ValidationError) as refused:
            cohorts.set_up_cohort(
                actor=provider_admin, programme=programme, fee_tiers=FEE_TIERS, facilitators=[], **fields
            )

        assert refused_fields(refused) == {"registration_closes"}
        assert not Cohort.objects.exists()


class TestCapacity:
    def test_it_cannot_fall_below_the_places_held(self, provider_admin: User, cohort: Cohort) -> None:
        held = register_many(cohort, 3)
        enrolments.withdraw(held[0], actor=held[0].learner, reason="Changed jobs")  # no longer holds a place
        register(cohort, UserFactory(email="waiting@example.org"))
        cohort.refresh_from_db()
        before = AuditEvent.objects.count()

        with pytest.raises(ValidationError) as refused:
            cohorts.update_cohort(actor=provider_admin, cohort=cohort, capacity=2)

        assert refused.value.message_dict["capacity"] == [
            "3 people hold a place in this cohort (registered, paid or not, or studying): the capacity cannot be lower "
            "than 3. Withdraw or defer enrolments first to make it smaller."
        ]
        cohort.refresh_from_db()
        assert cohort.capacity is None
        assert AuditEvent.objects.count() == before

    def test_it_may_fall_to_exactly_the_places_held(self, provider_admin: User, cohort: Cohort) -> None:
        register_many(cohort, 2)

        cohorts.update_cohort(actor=provider_admin, cohort=cohort, capacity=2)

        cohort.refresh_from_db()
        assert cohort.capacity == 2
        assert enrolments.places_left(cohort) == 0

    def test_one_place_held_is_named_in_the_singular(self, provider_admin: User, cohort: Cohort) -> None:
        register_many(cohort, 1)

        with pytest.raises(ValidationError, match="1 person holds a place"):
            cohorts.update_cohort(actor=provider_admin, cohort=cohort, capacity=0)

    def test_the_edit_page_shows_the_refusal_by_the_places_field(
        self, client_for: Callable[[User | None], Client], provider_admin: User, programme: Programme, cohort: Cohort
    ) -> None:
        register_many(cohort, 2)

        response = client_for(provider_admin).post(cohort_url(programme, cohort.slug), edit_data(cohort, capacity="1"))

        assert response.status_code == 422
        assert "2 people hold a place" in response.context["form"].errors["capacity"][0]
        cohort.refresh_from_db()
        assert cohort.capacity is None
        assert cohort.enrolments.filter(state=EnrolmentState.APPLIED).count() == 2
