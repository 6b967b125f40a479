"""Programme admins write the page's sections, add graduates' words (published only with consent, withdrawn only
after a confirmation page) and information sessions; nobody else may."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort, InformationSession, ProgrammePage, Testimonial
from credo.programmes.services import pages

pytest_plugins = ["credo.programmes.tests.pages_fixtures", "credo.programmes.tests.workshops_fixtures"]

BASE = "/programmes/setup/inspiring-test/cld-facilitation/page/"
PAGES = [BASE, f"{BASE}testimonials/", f"{BASE}information-sessions/"]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("other_provider_admin", 404), ("cohort_facilitator", 403), ("provider_assessor", 403)],
)
def test_only_the_providers_programme_admins_set_up_the_page(
    url: str, who: str, status: int, cohort: Cohort, request: pytest.FixtureRequest,
    client_for: Callable[[User | None], Client],
) -> None:  # fmt: skip
    client = client_for(request.getfixturevalue(who))
    assert client.get(url).status_code == status
    assert client.post(url, {"support_text": "x", "text": "x", "graduate_name": "x"}).status_code == status
    assert not ProgrammePage.objects.exists()
    assert not Testimonial.objects.exists()


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_asked_to_sign_in(url: str, cohort: Cohort, client: Client) -> None:
    assert client.get(url).url.startswith("/accounts/login/")


def test_the_set_up_home_links_to_the_page(cohort: Cohort, provider_admin: User, client_for: Callable) -> None:
    text = client_for(provider_admin).get("/programmes/setup/inspiring-test/").content.decode()
    assert f'href="{BASE}"' in text


def test_an_admin_writes_the_sections_and_it_is_audited(
    cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(provider_admin)
    page = client.get(BASE).content.decode()
    assert "Two 1:1 guidance and planning check-ins" in page  # what credo lists for them, from the cohort
    response = client.post(
        BASE,
        {"support_text": "The assessment fee", "practical_experience": "Facilitating CLD", "cost_barrier": "Ask us"},
    )
    assert response.status_code == 302
    saved = ProgrammePage.objects.get(programme=cohort.programme)
    assert (saved.support_text, saved.practical_experience, saved.cost_barrier) == (
        "The assessment fee", "Facilitating CLD", "Ask us",
    )  # fmt: skip
    event = AuditEvent.objects.get(action="programmes.programme_page_updated")
    assert event.details["changed"] == ["support_text", "practical_experience", "cost_barrier"]


def test_a_testimonial_added_without_consent_is_kept_unpublished(
    cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(provider_admin)
    response = client.post(f"{BASE}testimonials/", {"text": "Great course", "graduate_name": "Hemi"})
    assert response.status_code == 302
    testimonial = Testimonial.objects.get()
    assert not testimonial.is_published
    assert "Not shown: waiting for consent" in client.get(f"{BASE}testimonials/").content.decode()
    # Recording consent says how, and publishes it.
    url = f"{BASE}testimonials/{testimonial.pk}/consent"
    refused = client.post(url, {"how": ""})
    assert refused.status_code == 422
    assert "Error:" in refused.content.decode()
    assert client.post(url, {"how": "email of 3 March 2024"}).status_code == 302
    testimonial.refresh_from_db()
    assert testimonial.is_published
    assert testimonial.consent_how == "email of 3 March 2024"
    assert AuditEvent.objects.filter(action="programmes.testimonial_consent_recorded").count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "Words", "graduate_name": "A", "consent": "on"}, "How they agreed"),
        ({"text": "Words", "graduate_name": "A", "consent_how": "email"}, "The graduate agreed"),
        ({"text": "", "graduate_name": "A"}, "The graduate&#x27;s words"),
    ],
)
def test_bad_testimonials_say_what_to_fix(
    data: dict[str, str], field: str, cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    response = client_for(provider_admin).post(f"{BASE}testimonials/", data)
    text = response.content.decode()
    assert response.status_code == 422
    assert "<title>Error:" in text
    assert 'class="error-summary"' in text
    assert field in text
    assert not Testimonial.objects.exists()


def test_withdrawing_asks_first_and_nothing_changes_on_get(
    cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    testimonial = pages.add_testimonial(
        cohort.programme, actor=provider_admin, text="Words", graduate_name="A", consent_how="email"
    )
    client = client_for(provider_admin)
    url = f"{BASE}testimonials/{testimonial.pk}/withdraw"
    page = client.get(url).content.decode()
    assert "taken off the programme's page for good" in page
    assert 'class="danger"' in page
    testimonial.refresh_from_db()
    assert testimonial.is_published
    assert client.post(url).status_code == 302
    testimonial.refresh_from_db()
    assert not testimonial.is_published
    assert AuditEvent.objects.filter(action="programmes.testimonial_withdrawn").count() == 1


def test_another_programmes_testimonial_is_not_found(
    cohort: Cohort, provider_admin: User, other_provider_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    testimonial = pages.add_testimonial(cohort.programme, actor=provider_admin, text="W", graduate_name="A")
    client = client_for(other_provider_admin)
    assert client.post(f"{BASE}testimonials/{testimonial.pk}/consent", {"how": "x"}).status_code == 404
    assert client.post(f"{BASE}testimonials/{testimonial.pk}/withdraw").status_code == 404
    testimonial.refresh_from_db()
    assert testimonial.consent_recorded_at is None
    assert testimonial.withdrawn_at is None


def test_an_admin_adds_an_information_session_and_later_its_recording(
    cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(provider_admin)
    data = {"title": "Information session", "hosts": "our facilitators", "day": "2024-02-14", "starts": "12:00",
            "ends": "13:00", "time_zone": "Pacific/Auckland"}  # fmt: skip
    assert client.post(f"{BASE}information-sessions/", data).status_code == 302
    session = InformationSession.objects.get()
    assert pages.span(session, "Pacific/Auckland") == "Wednesday 14 February 2024, 12:00\u201313:00 NZDT"
    url = f"{BASE}information-sessions/{session.public_id}/recording"
    assert client.post(url, {"recording_url": "https://video.example.org/x"}).status_code == 302
    session.refresh_from_db()
    assert session.recording_url == "https://video.example.org/x"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends": "11:00"}, "It must end after it starts"),
        ({"time_zone": "Mars/Olympus"}, "is not a time zone we know"),
        ({"day": "14/02/2024x"}, "Enter a valid date"),
    ],
)
def test_bad_information_sessions_say_what_to_fix(
    changes: dict[str, str], message: str, cohort: Cohort, provider_admin: User, client_for: Callable
) -> None:
    data = {"title": "Information session", "day": "2024-02-14", "starts": "12:00", "ends": "13:00",
            "time_zone": "Pacific/Auckland", **changes}  # fmt: skip
    response = client_for(provider_admin).post(f"{BASE}information-sessions/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not InformationSession.objects.exists()


def test_services_refuse_people_without_the_role(cohort: Cohort, cohort_facilitator: User, outsider: User) -> None:
    for actor in (cohort_facilitator, outsider):
        with pytest.raises(PermissionDenied):
            pages.update_page(cohort.programme, actor=actor, support_text="", practical_experience="", cost_barrier="")
        with pytest.raises(PermissionDenied):
            pages.add_testimonial(cohort.programme, actor=actor, text="x", graduate_name="x", consent_how="x")


def test_the_admins_lists_filter_and_page_in_fixed_queries(
    cohort: Cohort,
    provider_admin: User,
    client_for: Callable[[User | None], Client],
    django_assert_max_num_queries: Callable,
) -> None:
    client = client_for(provider_admin)
    waiting = pages.add_testimonial(cohort.programme, actor=provider_admin, text="W", graduate_name="Waiting One")
    shown = pages.add_testimonial(
        cohort.programme, actor=provider_admin, text="S", graduate_name="Shown One", consent_how="email"
    )
    text = client.get(f"{BASE}testimonials/", {"shown": "waiting"}).content.decode()
    assert waiting.graduate_name in text
    assert shown.graduate_name not in text
    with django_assert_max_num_queries(20) as first:
        client.get(f"{BASE}testimonials/")
    one = len(first)
    for n in range(25):
        pages.add_testimonial(
            cohort.programme, actor=provider_admin, text="W", graduate_name=f"G{n}", consent_how="email"
        )
    with django_assert_max_num_queries(one):
        text = client.get(f"{BASE}testimonials/", {"shown": "published"}).content.decode()
    assert "Page 1 of 2" in text
    assert 'href="?shown=published&amp;page=2"' in text
    assert client.get(f"{BASE}testimonials/", {"shown": "nonsense"}).status_code == 200  # no filter, not an error


def test_information_sessions_filter_by_upcoming_and_past(
    cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    def add(day: datetime.date, title: str) -> None:
        pages.add_information_session(
            cohort.programme,
            actor=provider_admin,
            details=pages.InformationSessionDetails(
                title=title, day=day, starts=datetime.time(12), ends=datetime.time(13), time_zone="Pacific/Auckland"
            ),
        )

    add(datetime.date(2024, 2, 14), "The 2024 session")
    add(timezone.localdate() + datetime.timedelta(days=10), "The next session")
    client = client_for(provider_admin)
    past = client.get(f"{BASE}information-sessions/", {"when": "past"}).content.decode()
    upcoming = client.get(f"{BASE}information-sessions/", {"when": "upcoming"}).content.decode()
    assert "The 2024 session" in past
    assert "The next session" not in past
    assert "The next session" in upcoming
    assert "The 2024 session" not in upcoming


def test_the_service_names_a_zone_it_does_not_know(cohort: Cohort, provider_admin: User) -> None:
    details = pages.InformationSessionDetails(
        title="Information session",
        day=datetime.date(2024, 2, 14),
        starts=datetime.time(12),
        ends=datetime.time(13),
        time_zone="Mars/Olympus",
    )
    with pytest.raises(ValidationError, match="not a time zone"):
        pages.add_information_session(cohort.programme, actor=provider_admin, details=details)


def test_the_information_sessions_list_reads_a_fixed_number_of_queries(
    cohort: Cohort, provider_admin: User, client_for: Callable, django_assert_max_num_queries: Callable
) -> None:
    client = client_for(provider_admin)

    def add(n: int) -> None:
        pages.add_information_session(
            cohort.programme,
            actor=provider_admin,
            details=pages.InformationSessionDetails(
                title=f"Session {n}", day=datetime.date(2024, 1, 1) + datetime.timedelta(days=n),
                starts=datetime.time(12), ends=datetime.time(13), time_zone="Pacific/Auckland",
            ),
        )  # fmt: skip

    add(0)
    with django_assert_max_num_queries(30) as first:
        client.get(f"{BASE}information-sessions/")
    one = len(first)
    for n in range(1, 30):
        add(n)
    with django_assert_max_num_queries(one):
        assert "Page 1 of 2" in client.get(f"{BASE}information-sessions/").content.decode()
