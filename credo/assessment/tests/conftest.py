"""Two cohorts at one centre, each with its way out: a micro-credential ratified by an issuing institution (CLD), and
a unit-based award certificated by an awarding body after a claim and external quality assurance (SEG). Learners
submit through the portfolios' own services, so every submission has a real, hashed snapshot.

"Now" is late August 2024 in Auckland: after study, before the submission deadline (31 August); tests that need the
assessment window move the clock with ``clock``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from credo.accounts.models import Organisation, OrganisationKind, Role, User
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.catalogue.models import Qualification
from credo.credentials.models import Issuer
from credo.credentials.services import create_issuer
from credo.portfolios.tests.builders import cld_with_template, cohort_of, seg_award
from credo.programmes.models import Cohort
from credo.programmes.tests.builders import nz

from .builders import Clock


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Django's 'now', movable: starts on 20 August 2024, 9 am in Auckland."""
    found = Clock(nz(2024, 8, 20, 9).astimezone(datetime.UTC))
    monkeypatch.setattr("django.utils.timezone.now", found.now)
    return found


@pytest.fixture(autouse=True)
def _private_media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def _member(organisation: Organisation, role: str, email: str, name: str = "") -> User:
    user = UserFactory(email=email, full_name=name or email.split("@")[0].title())
    return MembershipFactory(user=user, organisation=organisation, role=role).user


@pytest.fixture
def institution(db: None) -> Organisation:
    """The issuing institution that ratifies the micro-credential (Otago Polytechnic in the demo)."""
    return OrganisationFactory(
        name="Test Polytechnic", slug="test-poly", kind=OrganisationKind.ISSUING_INSTITUTION, country="NZ"
    )


@pytest.fixture
def institution_admin(institution: Organisation) -> User:
    return _member(institution, Role.PROGRAMME_ADMIN, "admin@poly.example", "Hana Admin")


@pytest.fixture
def institution_ratifier(institution: Organisation) -> User:
    return _member(institution, Role.RATIFIER, "ratifier@poly.example", "Rawiri Ratifier")


@pytest.fixture
def institution_issuer(institution: Organisation, institution_admin: User) -> Issuer:
    return create_issuer(institution, actor=institution_admin, email="badges@poly.example", did_method="key")


@pytest.fixture
def seg_issuer(awarding_body: Organisation, catalogue_admin: User) -> Issuer:
    return create_issuer(awarding_body, actor=catalogue_admin, email="certificates@awards.example", did_method="key")


@pytest.fixture
def cld(institution_admin: User, institution: Organisation) -> Qualification:
    return cld_with_template(institution_admin, institution)


@pytest.fixture
def seg(catalogue_admin: User, awarding_body: Organisation) -> Qualification:
    return seg_award(catalogue_admin, awarding_body)


@pytest.fixture
def cld_cohort(centre_admin: User, centre: Organisation, cld: Qualification) -> Cohort:
    return cohort_of(centre_admin, centre, cld, "cld-facilitation")


@pytest.fixture
def seg_cohort(centre_admin: User, centre: Organisation, seg: Qualification) -> Cohort:
    return cohort_of(centre_admin, centre, seg, "organising")


@pytest.fixture
def second_assessor(centre: Organisation) -> User:
    return _member(centre, Role.ASSESSOR, "assessor2@credo.example", "Second Assessor")


@pytest.fixture
def other_centre_admin(db: None) -> User:
    """A programme admin at another centre: refused everything of this one."""
    other = OrganisationFactory(name="Other Centre", slug="other-centre", kind=OrganisationKind.PROVIDER, country="GB")
    return _member(other, Role.PROGRAMME_ADMIN, "admin@other-centre.example")


@pytest.fixture
def member() -> Callable[..., User]:
    """Make a member of an organisation with a role: ``member(centre, Role.ASSESSOR, "a@x.example")``."""
    return _member
