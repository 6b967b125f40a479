"""The programme page's own sections: what the fee includes (from the cohort), experience, the portfolio (from the
catalogue's template), cost, information sessions in the viewer's zone, and graduates' words only with consent."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.catalogue.models import PortfolioTemplate
from credo.programmes.models import Cohort, InformationSession, Programme
from credo.programmes.services import cohorts, pages, workshops

from .builders import cohort_2024
from .workshops_builders import SEED_WORKSHOPS, details, enrol

pytest_plugins = ["credo.programmes.tests.pages_fixtures"]

URL = "/programmes/inspiring-test/cld-facilitation/"


def _add_workshops(cohort: Cohort, admin: User) -> None:
    for number, day, topic in SEED_WORKSHOPS:
        workshops.add_session(cohort, actor=admin, number=number, details=details(day, topic))


def _session(programme: Programme, admin: User, day: datetime.date, **changes: str) -> InformationSession:
    fields = {"title": "Information session", "hosts": "our facilitators", "time_zone": "Pacific/Auckland"}
    fields.update(changes)
    return pages.add_information_session(
        programme,
        actor=admin,
        details=pages.InformationSessionDetails(day=day, starts=datetime.time(12), ends=datetime.time(13), **fields),
    )


def _future(days: int = 10) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def test_the_fee_includes_what_the_cohort_sets_up_and_the_admins_own_words(
    cohort: Cohort, provider_admin: User, client: Client
) -> None:
    _add_workshops(cohort, provider_admin)
    pages.update_page(
        cohort.programme,
        actor=provider_admin,
        support_text="The assessment fee for Otago Polytechnic's recognition of learning",
        practical_experience="You already facilitate community-led processes.",
        cost_barrier="Include it in a grant application for professional development.",
    )
    text = client.get(URL).content.decode()
    assert "What support can I expect?" in text
    assert "Two 1:1 guidance and planning check-ins with one of the facilitators." in text
    assert "Four facilitated workshops" in text
    assert "Wednesday 3 April, 12:00\u201313:30 NZDT: Exploring community-led development frameworks" in text
    assert "Email support for one-off questions over the study period." in text
    assert "The assessment fee for Otago Polytechnic&#x27;s recognition of learning" in text
    assert "with the ability to resubmit once." in text
    assert "What practical experience will I need?" in text
    assert "You already facilitate community-led processes." in text
    assert "Include it in a grant application" in text


def test_what_the_fee_includes_follows_the_cohort_when_it_changes(cohort: Cohort, client: Client) -> None:
    Cohort.objects.filter(pk=cohort.pk).update(check_ins_allowed=3, resubmissions_allowed=0)
    text = client.get(URL).content.decode()
    assert "Three 1:1 guidance and planning check-ins" in text
    assert "no resubmission: it is assessed as final" in text


def test_the_portfolio_section_is_the_catalogues_template(
    cohort: Cohort, portfolio_template: PortfolioTemplate, client: Client
) -> None:
    text = client.get(URL).content.decode()
    assert "What does my portfolio need to include?" in text
    assert "Evidence of one CLD process you facilitated." in text
    assert "Case study" in text
    assert "One CLD process you have facilitated." in text
    assert "Suggested length: 1,500 to 3,000 words" in text
    assert "An attestation from a participant" in text
    # A change in the catalogue is on the page at once: nothing is copied.
    portfolio_template.sections.filter(position=2).update(title="Your plan for future CLD practice")
    assert "Your plan for future CLD practice" in client.get(URL).content.decode()


def test_without_a_template_there_is_no_portfolio_section(cohort: Cohort, client: Client) -> None:
    assert "What does my portfolio need to include?" not in client.get(URL).content.decode()


def test_cost_barrier_says_how_to_ask_and_links_a_learner_to_their_study_page(
    cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    enrolment = enrol(cohort, provider_admin, "kiri@example.org")
    anonymous = client_for(None).get(URL).content.decode()
    assert "a reduced fee, a payment plan or a letter for a grant application" in anonymous
    mine = client_for(enrolment.learner).get(URL).content.decode()
    assert f'href="/programmes/my/{enrolment.pk}/#support-heading"' in mine


def test_an_open_cohort_is_where_a_visitor_asks_after_registering(
    programme: Programme, provider_admin: User, client: Client
) -> None:
    today = timezone.localdate()
    cohort_2024(
        provider_admin,
        programme,
        name="Open intake",
        slug="open",
        registration_opens=timezone.now() - datetime.timedelta(days=1),
        registration_closes=timezone.now() + datetime.timedelta(days=20),
        study_starts=today + datetime.timedelta(days=30),
        study_ends=today + datetime.timedelta(days=180),
        submission_deadline=timezone.now() + datetime.timedelta(days=200),
        assessment_starts=today + datetime.timedelta(days=210),
        assessment_ends=today + datetime.timedelta(days=260),
    )
    text = client.get(URL).content.decode()
    assert "With the Open intake, the fee includes" in text
    assert 'href="/programmes/inspiring-test/cld-facilitation/open/register/">Register for the Open intake' in text


def test_past_sessions_show_their_recording_and_upcoming_ones_a_way_to_sign_up(
    cohort: Cohort, provider_admin: User, client: Client
) -> None:
    past = _session(
        cohort.programme,
        provider_admin,
        datetime.date(2024, 2, 14),
        recording_url="https://video.example.org/information-session",
    )
    upcoming = _session(cohort.programme, provider_admin, _future(), meeting_url="https://meet.example.org/secret")
    text = client.get(URL).content.decode()
    assert "Wednesday 14 February 2024, 12:00\u201313:00 NZDT" in text
    assert 'href="https://video.example.org/information-session">watch the recording' in text
    assert f'href="/programmes/information-sessions/{upcoming.public_id}/sign-up"' in text
    assert f"/programmes/information-sessions/{past.public_id}/sign-up" not in text
    # The time is marked up for credo.js to add the visitor's own; the joining link is not on the page.
    assert 'data-zone="Pacific/Auckland"' in text
    assert 'class="local-time"' in text
    assert "https://meet.example.org/secret" not in text
    # Anonymous pages stay free of the CSRF cookie: a visitor signs up on the sign-up page.
    assert "csrfmiddlewaretoken" not in text


def test_a_signed_in_viewer_sees_the_time_in_their_own_zone(
    cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    upcoming = _session(cohort.programme, provider_admin, _future())
    viewer = UserFactory(email="london@example.org", time_zone="Europe/London")
    text = client_for(viewer).get(URL).content.decode()
    theirs = pages.span(upcoming, "Europe/London")
    assert theirs.split(", ")[1].startswith(("23:00", "00:00"))  # noon in Auckland is the night before in London
    assert f"(your time: {theirs})" in text
    # The server showed it already, so credo.js does not add it again.
    assert 'data-shown="1"' in text


def test_a_testimonial_without_consent_is_never_shown(cohort: Cohort, provider_admin: User, client: Client) -> None:
    pages.add_testimonial(cohort.programme, actor=provider_admin, text="Kept private.", graduate_name="No Consent")
    shown = pages.add_testimonial(
        cohort.programme,
        actor=provider_admin,
        text="The best decision I made.",
        graduate_name="Gemma S.",
        graduate_detail="2021 graduate",
        consent_how="email of 3 March 2024",
    )
    text = client.get(URL).content.decode()
    assert "The best decision I made." in text
    assert "Gemma S., 2021 graduate" in text
    assert "Kept private." not in text
    assert "No Consent" not in text
    pages.withdraw_testimonial(shown, actor=provider_admin)
    assert "The best decision I made." not in client.get(URL).content.decode()


def _count(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_page_reads_a_fixed_number_of_queries_however_many_rows(
    cohort: Cohort,
    provider_admin: User,
    portfolio_template: PortfolioTemplate,
    client_for: Callable[[User | None], Client],
) -> None:
    viewer = UserFactory(email="viewer@example.org", time_zone="Europe/London")
    client = client_for(viewer)
    _session(cohort.programme, provider_admin, _future())
    _session(cohort.programme, provider_admin, datetime.date(2024, 2, 14))
    pages.add_testimonial(cohort.programme, actor=provider_admin, text="One", graduate_name="A", consent_how="email")
    one = _count(client)
    for n in range(8):
        _session(cohort.programme, provider_admin, _future(11 + n))
        _session(cohort.programme, provider_admin, datetime.date(2024, 2, 1 + n))
        pages.add_testimonial(
            cohort.programme, actor=provider_admin, text=f"Words {n}", graduate_name=f"G{n}", consent_how="email"
        )
    _add_workshops(cohort, provider_admin)
    assert _count(client) == one


def test_featured_cohort_prefers_the_open_one_then_the_next_then_the_latest(
    cohort: Cohort, provider_admin: User
) -> None:
    assert pages.featured_cohort(cohort.programme) == cohort
    assert pages.featured_cohort(cohort.programme, now=cohorts.local_moment(datetime.date(2024, 1, 1),
                                 datetime.time(9), "Pacific/Auckland")) == cohort  # fmt: skip
