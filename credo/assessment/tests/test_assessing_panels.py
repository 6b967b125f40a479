"""The assessor's dashboard panel: what is waiting, what is late, what nobody has taken yet."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import User
from credo.programmes.models import Cohort
from credo.programmes.tests.builders import nz

from .assessing_support import assigned
from .builders import Clock, submitted

pytestmark = pytest.mark.django_db
Sign = Callable[[User | None], Client]


def test_the_assessor_sees_what_is_waiting_and_late(
    client_for: Sign, cld_cohort: Cohort, centre_admin: User, assessor: User, clock: Clock
) -> None:
    assigned(submitted(cld_cohort, "leilani@example.org"), assessor, centre_admin)
    submitted(cld_cohort, "mere@example.org")
    clock.move(nz(2024, 11, 1, 9))
    text = client_for(assessor).get(reverse("dashboard")).content.decode()
    assert "1 assessment waiting for you" in text
    assert "1 late" in text
    assert "1 submission of your cohorts has no assessor yet" in text
    assert reverse("assessment:queue") in text


def test_someone_who_is_not_an_assessor_sees_no_assessment_panel(client_for: Sign, facilitator: User) -> None:
    text = client_for(facilitator).get(reverse("dashboard")).content.decode()
    assert "Open your assessment queue" not in text
