"""A provider running the NZ micro-credential's 2024 cohort, as the seed describes it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from credo.accounts.models import Organisation
from credo.catalogue.models import Qualification
from credo.programmes.models import Cohort, OrganisationType, Programme
from credo.programmes.services import cohorts

AUCKLAND = "Pacific/Auckland"
FEE_TIERS = [
    {
        "code": "government",
        "name": "Local and central government",
        "amount": "649.00",
        "organisation_types": [OrganisationType.LOCAL_GOVERNMENT, OrganisationType.CENTRAL_GOVERNMENT],
    },
    {
        "code": "community",
        "name": "Community organisations and volunteer groups",
        "amount": "525.00",
        "organisation_types": [OrganisationType.COMMUNITY, OrganisationType.VOLUNTEER_GROUP, OrganisationType.OTHER],
    },
]


def nz(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime.datetime:
    return cohorts.local_moment(datetime.date(year, month, day), datetime.time(hour, minute, second), AUCKLAND)


def cld_programme(
    admin: Any, provider: Organisation, qualification: Qualification, slug: str = "cld-facilitation"
) -> Programme:
    return cohorts.create_programme(
        actor=admin,
        provider=provider,
        qualification=qualification,
        name="Micro-credential in CLD facilitation",
        slug=slug,
        summary="Validate your community-led development facilitation experience with a micro-credential.",
        who_it_is_for="People already working in communities who facilitate community-led development.",
        what_is_required="A written CLD case study, attestations, and critical reflection.",
        time_commitment="About 2 hours a week over 5 months",
        fee_includes="Two 1:1 guidance sessions\nFour facilitated workshops\nEmail support\nAssessment and moderation",
    )


def cohort_2024(admin: Any, programme: Programme, **changes: Any) -> Cohort:
    fields: dict[str, Any] = {
        "name": "2024 intake",
        "slug": "2024",
        "time_zone": AUCKLAND,
        "registration_opens": nz(2024, 1, 15, 9),
        "registration_closes": cohorts.end_of_day(datetime.date(2024, 3, 20), AUCKLAND),
        "study_starts": datetime.date(2024, 4, 3),
        "study_ends": datetime.date(2024, 8, 31),
        "submission_deadline": cohorts.end_of_day(datetime.date(2024, 8, 31), AUCKLAND),  # the seed
        "assessment_starts": datetime.date(2024, 9, 1),
        "assessment_ends": datetime.date(2024, 10, 31),
        "currency": "NZD",
        "tax_name": "GST",
        "tax_rate": Decimal("0.15"),
    }
    fields.update(changes)
    return cohorts.create_cohort(actor=admin, programme=programme, fee_tiers=FEE_TIERS, **fields)
