"""Cohorts: dates in the cohort's zone, registration windows at their edges, extensions recorded and announced."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort, Programme, RegistrationExtension
from credo.programmes.services import cohorts

from .builders import AUCKLAND, cohort_2024, nz

UTC = datetime.UTC


class TestTimes:
    def test_the_end_of_a_day_in_auckland_during_daylight_saving(self) -> None:
        closes = cohorts.end_of_day(datetime.date(2024, 3, 27), AUCKLAND)
        assert closes.astimezone(UTC) == datetime.datetime(2024, 3, 27, 10, 59, 59, tzinfo=UTC)  # NZDT, +13

    def test_the_end_of_the_day_daylight_saving_ends(self) -> None:
        closes = cohorts.end_of_day(datetime.date(2024, 4, 7), AUCKLAND)  # clocks went back at 03:00
        assert closes.astimezone(UTC) == datetime.datetime(2024, 4, 7, 11, 59, 59, tzinfo=UTC)  # NZST, +12

    def test_a_time_skipped_by_daylight_saving_moves_to_just_after_the_gap(self) -> None:
        moment = cohorts.local_moment(datetime.date(2024, 9, 29), datetime.time(2, 30), AUCKLAND)
        assert moment.astimezone(UTC) == datetime.datetime(2024, 9, 28, 14, 30, tzinfo=UTC)  # 03:30 NZDT

    def test_an_unknown_zone_says_what_to_write(self) -> None:
        with pytest.raises(ValidationError, match="like Pacific/Auckland"):
            cohorts.zone("Auckland")


class TestRegistrationWindow:
    def test_open_until_the_last_second_of_the_closing_day_in_auckland(self, cohort: Cohort) -> None:
        assert cohorts.registration_window(cohort, nz(2024, 3, 20, 23, 59, 58)).is_open
        last_half_second = nz(2024, 3, 20, 23, 59, 59) + datetime.timedelta(microseconds=500_000)
        assert cohorts.registration_window(cohort, last_half_second).is_open
        closed = cohorts.registration_window(cohort, nz(2024, 3, 21))
        assert not closed.is_open
        assert closed.message == (
            "Registration closed Wednesday 20 March 2024, 11:59 PM Pacific/Auckland time; look for the next intake."
        )

    def test_not_yet_open_says_when_it_opens(self, cohort: Cohort) -> None:
        window = cohorts.registration_window(cohort, nz(2024, 1, 15, 8, 59))
        assert not window.is_open
        assert window.message == "Registration opens Monday 15 January 2024, 9:00 AM Pacific/Auckland time."


class TestExtensions:
    def test_an_extension_is_recorded_and_announced(self, cohort: Cohort, provider_admin: User) -> None:
        cohorts.extend_registration(
            cohort,
            actor=provider_admin,
            new_closes=cohorts.end_of_day(datetime.date(2024, 3, 27), AUCKLAND),
            reason="More time for councils' approval processes",
        )
        cohort.refresh_from_db()
        assert cohorts.registration_window(cohort, nz(2024, 3, 27, 18)).is_open
        assert (
            cohorts.extension_announcement(cohort, nz(2024, 3, 21))
            == "Registrations extended! Closing Wednesday 27th March."
        )
        assert (
            cohorts.extension_announcement(cohort, nz(2024, 3, 28))
            == "Registration was extended to Wednesday 27 March 2024."
        ), "once closed, it is history"
        extension = RegistrationExtension.objects.get()
        assert extension.extended_by == provider_admin
        assert extension.previous_closes == cohorts.end_of_day(datetime.date(2024, 3, 20), AUCKLAND)
        assert AuditEvent.objects.filter(action="programmes.registration_extended").count() == 1

    @pytest.mark.parametrize(
        ("day", "reason", "field"),
        [(datetime.date(2024, 3, 19), "Earlier", "new_closes"), (datetime.date(2024, 3, 27), " ", "reason")],
    )
    def test_an_extension_must_be_later_and_explained(
        self, cohort: Cohort, provider_admin: User, day: datetime.date, reason: str, field: str
    ) -> None:
        with pytest.raises(ValidationError) as refused:
            cohorts.extend_registration(
                cohort, actor=provider_admin, new_closes=cohorts.end_of_day(day, AUCKLAND), reason=reason
            )
        assert field in refused.value.message_dict
        assert not RegistrationExtension.objects.exists()

    @pytest.mark.parametrize("who", ["catalogue_admin", "outsider", "learner", "facilitator"])
    def test_only_the_providers_programme_admins_extend(
        self, cohort: Cohort, who: str, request: pytest.FixtureRequest
    ) -> None:
        events = AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            cohorts.extend_registration(
                cohort,
                actor=request.getfixturevalue(who),
                new_closes=cohorts.end_of_day(datetime.date(2024, 3, 27), AUCKLAND),
                reason="x",
            )
        assert AuditEvent.objects.count() == events


class TestSettingUp:
    def test_dates_that_contradict_each_other_are_refused_by_field(
        self, programme: Programme, provider_admin: User
    ) -> None:
        with pytest.raises(ValidationError) as refused:
            cohort_2024(
                provider_admin,
                programme,
                slug="bad",
                study_ends=datetime.date(2024, 3, 25),  # before study starts, after registration closes
                assessment_ends=datetime.date(2024, 8, 1),
            )
        assert set(refused.value.message_dict) == {"study_ends", "assessment_ends"}
        assert not Cohort.objects.filter(slug="bad").exists()

    def test_a_fee_tier_per_organisation_type(self, cohort: Cohort) -> None:
        assert cohorts.tier_for(cohort, "local_government").amount == 649
        assert cohorts.tier_for(cohort, "volunteer_group").amount == 525


class TestCreating:
    def test_the_first_fee_tiers_are_part_of_the_audit_record(self, cohort: Cohort) -> None:
        event = AuditEvent.objects.get(action="programmes.cohort_created")
        tiers = {tier["code"]: (tier["amount"], tier["organisation_types"]) for tier in event.details["fee_tiers"]}
        assert {code: amount for code, (amount, _types) in tiers.items()} == {
            tier.code: str(tier.amount) for tier in cohort.fee_tiers.all()
        }
