"""The editing services behind the set-up pages: same checks as creation, audited, all or nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.audit.models import AuditEvent
from credo.catalogue.models import Qualification
from credo.catalogue.tests.builders import make_qualification
from credo.programmes.models import Cohort, FeeTier, Programme
from credo.programmes.services import cohorts

from .builders import AUCKLAND, FEE_TIERS, cohort_2024
from .staff_helpers import register


def test_a_cohort_and_its_tiers_are_not_kept_when_a_facilitator_is_refused(
    provider_admin: User, programme: Programme, applicant: User
) -> None:
    before = AuditEvent.objects.count()
    fields = {
        "name": "2025 intake",
        "slug": "2025",
        "time_zone": AUCKLAND,
        "registration_opens": cohorts.local_moment(datetime.date(2025, 1, 15), datetime.time(9), AUCKLAND),
        "registration_closes": cohorts.end_of_day(datetime.date(2025, 3, 20), AUCKLAND),
        "study_starts": datetime.date(2025, 4, 3),
        "study_ends": datetime.date(2025, 8, 31),
        "submission_deadline": cohorts.end_of_day(datetime.date(2025, 8, 31), AUCKLAND),
        "assessment_starts": datetime.date(2025, 9, 1),
        "assessment_ends": datetime.date(2025, 10, 31),
        "currency": "NZD",
    }

    with pytest.raises(ValidationError, match="Not facilitators"):
        cohorts.set_up_cohort(
            actor=provider_admin, programme=programme, fee_tiers=FEE_TIERS, facilitators=[applicant], **fields
        )

    assert not Cohort.objects.exists()
    assert not FeeTier.objects.exists()
    assert AuditEvent.objects.count() == before


def test_only_the_providers_programme_admins_edit(cohort: Cohort, programme: Programme) -> None:
    facilitator = MembershipFactory(
        user=UserFactory(email="f@inspiring-test.example"), organisation=programme.provider, role=Role.FACILITATOR
    ).user
    before = AuditEvent.objects.count()

    with pytest.raises(PermissionDenied):
        cohorts.update_cohort(actor=facilitator, cohort=cohort, name="Renamed")
    with pytest.raises(PermissionDenied):
        cohorts.update_programme(actor=facilitator, programme=programme, name="Renamed")
    with pytest.raises(PermissionDenied):
        cohorts.update_fee_tier(
            cohort.fee_tiers.first(), actor=facilitator, name="X", amount="1", organisation_types=["other"]
        )

    cohort.refresh_from_db()
    programme.refresh_from_db()
    assert (cohort.name, programme.name) == ("2024 intake", "Micro-credential in CLD facilitation")
    assert AuditEvent.objects.count() == before


def test_an_edit_that_puts_dates_out_of_order_is_refused_by_field(provider_admin: User, cohort: Cohort) -> None:
    with pytest.raises(ValidationError) as refused:
        cohorts.update_cohort(actor=provider_admin, cohort=cohort, study_ends=datetime.date(2024, 1, 1))

    assert "study_ends" in refused.value.message_dict
    cohort.refresh_from_db()
    assert cohort.study_ends == datetime.date(2024, 8, 31)


def test_an_unchanged_save_writes_no_audit_event(provider_admin: User, cohort: Cohort) -> None:
    before = AuditEvent.objects.count()

    cohorts.update_cohort(actor=provider_admin, cohort=cohort, name=cohort.name, tax_rate=Decimal("0.1500"))

    assert AuditEvent.objects.count() == before


def test_the_currency_is_fixed_once_invoiced(provider_admin: User, cohort: Cohort, applicant: User) -> None:
    register(cohort, applicant)

    with pytest.raises(ValidationError) as refused:
        cohorts.update_cohort(actor=provider_admin, cohort=cohort, currency="AUD")

    assert "cannot change now" in refused.value.message_dict["currency"][0]


def test_a_tier_cannot_take_a_type_another_tier_has(provider_admin: User, cohort: Cohort) -> None:
    government = FeeTier.objects.get(cohort=cohort, code="government")

    with pytest.raises(ValidationError, match="Already in another tier: community"):
        cohorts.update_fee_tier(
            government, actor=provider_admin, name="Gov", amount="649", organisation_types=["community"]
        )


def test_an_uninvoiced_tier_amount_changes_and_is_audited(provider_admin: User, cohort: Cohort) -> None:
    community = FeeTier.objects.get(cohort=cohort, code="community")

    cohorts.update_fee_tier(
        community,
        actor=provider_admin,
        name=community.name,
        amount="500",
        organisation_types=community.organisation_types,
    )

    community.refresh_from_db()
    assert community.amount == Decimal("500.00")
    event = AuditEvent.objects.get(action="programmes.fee_tier_updated")
    assert event.details["tier"] == "community"


def test_a_programme_cannot_move_to_a_draft_entry(
    provider_admin: User, programme: Programme, catalogue_admin: User, awarding_body: Organisation
) -> None:
    draft: Qualification = make_qualification(catalogue_admin, awarding_body, "7000078", "Draft entry")

    with pytest.raises(ValidationError, match="is not live"):
        cohorts.update_programme(actor=provider_admin, programme=programme, qualification=draft)

    programme.refresh_from_db()
    assert programme.qualification.code != draft.code


def test_a_built_cohort_can_be_renamed(provider_admin: User, programme: Programme) -> None:
    cohort = cohort_2024(provider_admin, programme)

    cohorts.update_cohort(actor=provider_admin, cohort=cohort, name="2024 autumn intake")

    cohort.refresh_from_db()
    assert cohort.name == "2024 autumn intake"
    event = AuditEvent.objects.get(action="programmes.cohort_updated")
    assert event.details["name"] == {"from": "2024 intake", "to": "2024 autumn intake"}
