"""Where staff find a learner's portfolio: the cohort's dashboard (a count and a link), its staff menu, a check-in."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import User
from credo.portfolios.models import Portfolio
from credo.portfolios.services.portfolios import portfolio_for
from credo.programmes import cohort_panels
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.services import checkins
from credo.programmes.tests.builders import nz

from .builders import studying
from .staff_builders import submitted, text

pytest_plugins = ["credo.portfolios.tests.staff_fixtures"]
pytestmark = pytest.mark.django_db

Sign = Callable[[User | None], Client]


def dashboard(cohort: Cohort) -> str:
    return reverse("programmes:staff_dashboard", args=[cohort.public_id])


def test_the_cohort_dashboard_counts_portfolios_started_and_submitted(
    cld_portfolio: Portfolio, cld_cohort: Cohort, provider_admin: User, cohort_facilitator: User, client_for: Sign
) -> None:
    studying(cld_cohort, provider_admin, "idle@example.org", "Idle Learner")
    done = portfolio_for(enrolment=studying(cld_cohort, provider_admin, "done@example.org", "Done"))
    text(done)
    submitted(done)
    text(cld_portfolio)
    for person in (provider_admin, cohort_facilitator):
        page = client_for(person).get(dashboard(cld_cohort)).content.decode()
        assert "2 of 3 learners studying have started a portfolio; 1 submitted." in page
        progress = reverse("portfolios:cohort_progress", args=[cld_cohort.public_id])
        assert f'<a href="{progress}">Every learner' in page
        assert f'<a href="{progress}">Portfolios</a>' in page  # the cohort's staff menu


def test_the_dashboards_portfolio_count_costs_one_query_however_many_learners(
    cld_cohort: Cohort, provider_admin: User
) -> None:
    def cost() -> int:
        with CaptureQueriesContext(connection) as captured:
            cohort_panels.panels_for(cld_cohort, provider_admin)
        return len(captured)

    few = cost()
    for n in range(5):
        text(portfolio_for(enrolment=studying(cld_cohort, provider_admin, f"l{n}@example.org")))
    assert cost() == few == 1


def test_the_progress_page_marks_itself_in_the_staff_menu(
    cld_cohort: Cohort, cohort_facilitator: User, client_for: Sign
) -> None:
    page = client_for(cohort_facilitator).get(reverse("portfolios:cohort_progress", args=[cld_cohort.public_id]))
    assert 'aria-current="page">Portfolios</a>' in page.content.decode()


def test_a_check_in_links_to_the_learners_portfolio(
    cld_enrolment: Enrolment, cld_cohort: Cohort, cohort_facilitator: User, aroha: User, client_for: Sign
) -> None:
    now = nz(2024, 3, 1, 9)
    starts = nz(2024, 4, 10, 12)
    slot = checkins.publish_slot(
        actor=cohort_facilitator,
        cohort=cld_cohort,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(minutes=45),
        now=now,
    )
    booking = checkins.book(enrolment=cld_enrolment, slot=slot, actor=aroha, now=now)
    portfolio = reverse("portfolios:staff_portfolio", args=[cld_enrolment.pk])
    client = client_for(cohort_facilitator)
    listing = client.get(reverse("programmes:checkins-staff", args=[cld_cohort.public_id])).content.decode()
    notes = client.get(reverse("programmes:checkins-notes", args=[cld_cohort.public_id, booking.pk])).content.decode()
    assert f'href="{portfolio}"' in listing
    assert f'href="{portfolio}">Read Aroha Te Whare' in notes
    assert client.get(portfolio).status_code == 200
