"""The cohort page and the learner's page keep a fixed number of queries however many learners there are."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.services import enrolments

from .builders import nz

DURING = nz(2024, 2, 1, 10)
COHORT_PAGE = "/programmes/inspiring-test/cld-facilitation/2024/"


def register_learners(cohort: Cohort, count: int) -> list[Enrolment]:
    return [
        enrolments.register(
            cohort=cohort,
            learner=UserFactory(),
            organisation_name="Kāpiti Coast District Council",
            organisation_type="local_government",
            terms_accepted=True,
            now=DURING,
        )
        for _ in range(count)
    ]


def queries(client: Client, url: str) -> int:
    client.get(url)  # warm: the session, the user, compiled templates
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 2, 2, 9))


@pytest.mark.usefixtures("frozen")
def test_the_cohort_page_costs_the_same_with_one_learner_or_twenty(
    cohort: Cohort, client_for: Callable[[User | None], Client]
) -> None:
    register_learners(cohort, 1)
    anonymous, signed_in = client_for(None), client_for(UserFactory(time_zone="Europe/London"))
    few = (queries(anonymous, COHORT_PAGE), queries(signed_in, COHORT_PAGE))
    register_learners(cohort, 19)
    assert (queries(anonymous, COHORT_PAGE), queries(signed_in, COHORT_PAGE)) == few


@pytest.mark.usefixtures("frozen")
def test_the_learners_page_costs_the_same_however_many_others_are_in_the_cohort(
    cohort: Cohort, client_for: Callable[[User | None], Client]
) -> None:
    (mine,) = register_learners(cohort, 1)
    client = client_for(mine.learner)
    url = f"/programmes/my/{mine.pk}/"
    few = queries(client, url)
    register_learners(cohort, 20)
    assert queries(client, url) == few
