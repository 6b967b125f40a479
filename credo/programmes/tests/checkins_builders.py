"""People and times for the check-in tests: a cohort with two facilitators' worth of staff and confirmed learners."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort, Enrolment
from credo.programmes.services import checkins, enrolments

from .builders import nz

#: "Now" in these tests: the start of study, a week before the first offered time.
NOW = nz(2024, 4, 3, 9)
REGISTERED = nz(2024, 2, 1, 10)


def at(day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """A moment in April 2024, Auckland time."""
    return nz(2024, 4, day, hour, minute)


def facilitator_of(cohort: Cohort, provider: Organisation, email: str) -> User:
    user = MembershipFactory(user=UserFactory(email=email), organisation=provider, role=Role.FACILITATOR).user
    cohort.facilitators.add(user)
    return user


def confirmed_learner(cohort: Cohort, admin: User, email: str, **user_fields: Any) -> Enrolment:
    enrolment = enrolments.register(
        cohort=cohort,
        learner=UserFactory(email=email, **user_fields),
        organisation_name="Porirua Community Trust",
        organisation_type="community",
        terms_accepted=True,
        now=REGISTERED,
    )
    return enrolments.confirm(enrolment, actor=admin, reason="Invoice paid")


def slot(cohort: Cohort, facilitator: User, day: int, hour: int = 12) -> CheckInSlot:
    return checkins.publish_slot(
        actor=facilitator,
        cohort=cohort,
        starts_at=at(day, hour),
        ends_at=at(day, hour, 45),
        meeting_url="https://meet.example/kiaora",
        now=NOW,
    )


@dataclass
class CheckIns:
    """One cohort's check-in world: its facilitator, two confirmed learners, and three times on offer."""

    cohort: Cohort
    admin: User
    facilitator: User
    aroha: Enrolment
    mere: Enrolment
    slots: list[CheckInSlot]

    def book(self, enrolment: Enrolment, index: int, now: datetime.datetime = NOW) -> CheckInBooking:
        return checkins.book(enrolment=enrolment, slot=self.slots[index], actor=enrolment.learner, now=now)


def check_ins(cohort: Cohort, admin: User, provider: Organisation) -> CheckIns:
    facilitator = facilitator_of(cohort, provider, "tui@inspiring-test.example")
    return CheckIns(
        cohort=cohort,
        admin=admin,
        facilitator=facilitator,
        aroha=confirmed_learner(cohort, admin, "aroha@example.org", time_zone="Europe/London"),
        mere=confirmed_learner(cohort, admin, "mere@example.org"),
        slots=[slot(cohort, facilitator, day) for day in (10, 11, 12)],
    )
