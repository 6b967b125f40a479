"""Helpers for the staff-area tests: learners registered in the 2024 cohort, and the people who must be refused."""

from __future__ import annotations

import datetime
from typing import Any

from credo.accounts.models import Organisation, OrganisationKind, Role, User
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.services import enrolments

from .builders import nz

DURING = nz(2024, 2, 1, 10)
PAID_ON = datetime.date(2024, 2, 5)


def register(cohort: Cohort, learner: User, **changes: Any) -> Enrolment:
    fields: dict[str, Any] = {
        "organisation_name": "Wellington City Council",
        "organisation_type": "local_government",
        "terms_accepted": True,
        "now": DURING,
    }
    fields.update(changes)
    return enrolments.register(cohort=cohort, learner=learner, **fields)


def register_many(cohort: Cohort, count: int, *, start: int = 0) -> list[Enrolment]:
    return [
        register(cohort, UserFactory(email=f"learner{n}@example.org", full_name=f"Learner {n:02d}"))
        for n in range(start, start + count)
    ]


def cohort_facilitator(cohort: Cohort) -> User:
    """A facilitator of this very cohort, at its provider: may run workshops, not the staff pages."""
    user = MembershipFactory(
        user=UserFactory(email="cohort-facilitator@example.org"),
        organisation=cohort.programme.provider,
        role=Role.FACILITATOR,
    ).user
    cohort.facilitators.add(user)
    return user


def other_provider_admin() -> User:
    other = OrganisationFactory(name="Another Provider", slug="another-provider", kind=OrganisationKind.PROVIDER)
    assert isinstance(other, Organisation)
    return MembershipFactory(
        user=UserFactory(email="admin@another-provider.example"), organisation=other, role=Role.PROGRAMME_ADMIN
    ).user


#: Everyone who must be refused the staff pages, by fixture name or helper: (name, expected status).
REFUSED = [
    ("outsider", 404),
    ("learner", 404),
    ("facilitator", 404),
    ("centre_admin", 404),
    ("cohort_facilitator", 403),
    ("other_provider_admin", 404),
    ("enrolled_learner", 404),
]


def refused_user(name: str, cohort: Cohort, request: Any) -> User:
    if name == "cohort_facilitator":
        return cohort_facilitator(cohort)
    if name == "other_provider_admin":
        return other_provider_admin()
    if name == "enrolled_learner":
        enrolment = Enrolment.objects.filter(cohort=cohort).select_related("learner").first()
        if enrolment is None:
            enrolment = register(cohort, UserFactory(email="enrolled@example.org"))
        learner = enrolment.learner
        assert isinstance(learner, User)
        return learner
    user = request.getfixturevalue(name)
    assert isinstance(user, User)
    return user


def audit_count() -> int:
    return AuditEvent.objects.count()
