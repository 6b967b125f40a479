"""Builders for the workshop tests: the seed's four Wednesday workshops, session details, enrolling learners,
and the people who must be refused (fixtures in ``workshops_fixtures``)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.services import enrolments
from credo.programmes.services.workshops import SessionDetails

from .builders import nz

DURING_REGISTRATION = nz(2024, 2, 1, 10)
ZOOM = "https://zoom.example/j/123"
#: The seed's workshops: Wednesdays, 12:00-13:30 Auckland time.
SEED_WORKSHOPS = [
    (1, datetime.date(2024, 4, 3), "Exploring community-led development frameworks"),
    (2, datetime.date(2024, 5, 22), "Unpacking the tasks of the micro-credential"),
    (3, datetime.date(2024, 7, 3), "Sharing progress to date, peer-to-peer feedback"),
    (4, datetime.date(2024, 8, 7), "Getting to success"),
]


def details(day: datetime.date, topic: str = "Exploring CLD frameworks", **changes: Any) -> SessionDetails:
    fields: dict[str, Any] = {
        "topic": topic,
        "day": day,
        "starts": datetime.time(12, 0),
        "ends": datetime.time(13, 30),
        "meeting_url": ZOOM,
        "venue": "",
    }
    fields.update(changes)
    return SessionDetails(**fields)


def enrol(cohort: Cohort, admin: User, email: str, name: str = "") -> Enrolment:
    learner = UserFactory(email=email, full_name=name or email.split("@")[0].title())
    enrolment = enrolments.register(
        cohort=cohort,
        learner=learner,
        organisation_name="Ōtautahi Community Trust",
        organisation_type="community",
        terms_accepted=True,
        now=DURING_REGISTRATION,
    )
    return enrolments.confirm(enrolment, actor=admin, reason="Paid")


REFUSED = ["anonymous", "outsider", "other_learner", "other_facilitator", "other_admin"]


def person(request: pytest.FixtureRequest, name: str) -> User | None:
    return None if name == "anonymous" else request.getfixturevalue(name)
