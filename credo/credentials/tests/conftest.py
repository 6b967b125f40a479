"""An awarding body that issues, with a small catalogue, and a learner to award."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from credo.accounts.models import Organisation, User
from credo.catalogue.tests.builders import SmallCatalogue, build_small_catalogue
from credo.credentials import services
from credo.credentials.models import Attainment, Issuer, Route

AWARDED = datetime.date(2025, 6, 30)


@pytest.fixture
def catalogue(catalogue_admin: User, awarding_body: Organisation) -> SmallCatalogue:
    return build_small_catalogue(catalogue_admin, awarding_body)


@pytest.fixture
def issuer(awarding_body: Organisation, catalogue_admin: User) -> Issuer:
    return services.create_issuer(
        awarding_body, actor=catalogue_admin, email="certificates@awards.example", did_method="web"
    )


@pytest.fixture
def award_attainments(issuer: Issuer, catalogue: SmallCatalogue, learner: User, ratifier: User) -> list[Attainment]:
    """The learner's three Award units, ratified: the Award follows."""
    return [
        services.record_attainment(
            learner=learner,
            achievement=services.achievement_for_unit(unit),
            route=Route.RATIFIED_ASSESSMENT,
            attained_on=AWARDED,
            decided_by=ratifier,
            note="Ratification batch 2025-06",
        )
        for unit in catalogue.shared_units
    ]


def attain(learner: Any, unit: Any, decided_by: Any, route: str = Route.RATIFIED_ASSESSMENT) -> Attainment:
    return services.record_attainment(
        learner=learner,
        achievement=services.achievement_for_unit(unit),
        route=route,
        attained_on=AWARDED,
        decided_by=decided_by,
    )
