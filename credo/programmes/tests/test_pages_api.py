"""The programme page in the API: its sections, information sessions and consented testimonials for anyone; its
resources for enrolled learners whose place is confirmed and the programme's staff, nobody else."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from credo.accounts.models import User
from credo.catalogue.models import PortfolioTemplate
from credo.programmes.models import Cohort, Enrolment, ResourceKind
from credo.programmes.services import pages

pytest_plugins = ["credo.programmes.tests.pages_fixtures", "credo.programmes.tests.workshops_fixtures"]

PUBLIC = "/api/v1/programmes/public/programmes/inspiring-test/cld-facilitation"
RESOURCES = "/api/v1/programmes/programmes/inspiring-test/cld-facilitation/resources"


def _session(cohort: Cohort, admin: User, day: datetime.date, recording: str = "") -> None:
    pages.add_information_session(
        cohort.programme,
        actor=admin,
        details=pages.InformationSessionDetails(
            title="Information session", day=day, starts=datetime.time(12), ends=datetime.time(13),
            time_zone="Pacific/Auckland", hosts="our facilitators", recording_url=recording,
            meeting_url="https://meet.example.org/secret",
        ),
    )  # fmt: skip


def test_anyone_reads_the_pages_sections(
    cohort: Cohort, provider_admin: User, portfolio_template: PortfolioTemplate, client: Client
) -> None:
    pages.update_page(cohort.programme, actor=provider_admin, support_text="The assessment fee",
                      practical_experience="Facilitating CLD", cost_barrier="Ask us")  # fmt: skip
    body = client.get(f"{PUBLIC}/page").json()
    assert body["fee_includes"]["cohort"] == "2024 intake"
    assert body["fee_includes"]["items"][0].startswith("Two 1:1 guidance and planning check-ins")
    assert "The assessment fee" in body["fee_includes"]["items"]
    assert body["fee_includes"]["items"][-1].endswith("with the ability to resubmit once.")
    assert body["practical_experience"] == "Facilitating CLD"
    assert body["cost_barrier"] == "Ask us"
    assert [s["title"] for s in body["portfolio"]] == ["Case study", "A plan for your future practice"]
    assert body["portfolio"][0]["suggested_length"] == "1,500 to 3,000 words"
    assert body["fee_support"] == ["a reduced fee", "a payment plan", "a letter for a grant application"]


def test_sessions_upcoming_and_past_without_the_joining_link(
    cohort: Cohort, provider_admin: User, client: Client
) -> None:
    _session(cohort, provider_admin, datetime.date(2024, 2, 14), recording="https://video.example.org/x")
    _session(cohort, provider_admin, timezone.localdate() + datetime.timedelta(days=9))
    (upcoming,) = client.get(f"{PUBLIC}/information-sessions").json()
    (past,) = client.get(f"{PUBLIC}/information-sessions", {"when": "past"}).json()
    assert past["when"] == "Wednesday 14 February 2024, 12:00\u201313:00 NZDT"
    assert past["recording_url"] == "https://video.example.org/x"
    assert upcoming["sign_up"].endswith(f"/programmes/information-sessions/{upcoming['id']}/sign-up")
    assert "meet.example.org" not in str(upcoming)
    assert client.get(f"{PUBLIC}/information-sessions", {"when": "someday"}).status_code == 422


def test_only_consented_testimonials_are_listed_page_by_page(
    cohort: Cohort, provider_admin: User, client: Client
) -> None:
    pages.add_testimonial(cohort.programme, actor=provider_admin, text="Private", graduate_name="No consent")
    for n in range(3):
        pages.add_testimonial(cohort.programme, actor=provider_admin, text=f"Words {n}", graduate_name=f"G{n}",
                              consent_how="email")  # fmt: skip
    listed = client.get(f"{PUBLIC}/testimonials", {"limit": 2}).json()
    rest = client.get(f"{PUBLIC}/testimonials", {"limit": 2, "offset": 2}).json()
    assert [t["graduate_name"] for t in listed + rest] == ["G2", "G1", "G0"]
    assert client.get(f"{PUBLIC}/testimonials", {"limit": 0}).status_code == 422


def test_unknown_programmes_are_not_found(cohort: Cohort, client: Client) -> None:
    for path in ("page", "information-sessions", "testimonials"):
        assert client.get(f"/api/v1/programmes/public/programmes/inspiring-test/nothing/{path}").status_code == 404


@pytest.fixture
def resources(cohort: Cohort, provider_admin: User) -> None:
    for n in range(3):
        pages.add_resource(cohort.programme, actor=provider_admin, kind=ResourceKind.READING, title=f"Reading {n}",
                           link=f"https://example.org/{n}")  # fmt: skip


@pytest.mark.parametrize("who", ["enrolled", "provider_admin", "cohort_facilitator"])
def test_learners_and_staff_read_the_resources(
    who: str, resources: None, request: pytest.FixtureRequest, client_for: Callable[[User | None], Client]
) -> None:
    found = request.getfixturevalue(who)
    user = found.learner if isinstance(found, Enrolment) else found
    client = client_for(user)
    body = client.get(RESOURCES, {"limit": 2}).json()
    assert [r["title"] for r in body] == ["Reading 2", "Reading 1"]
    assert body[0]["kind_name"] == "Reading"
    assert body[0]["url"] == "https://example.org/2"
    assert client.get(RESOURCES, {"kind": "tool"}).json() == []


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("outsider", 404), ("other_provider_admin", 404), ("applicant", 404),
     ("provider_assessor", 403)],
)  # fmt: skip
def test_everyone_else_is_refused_the_resources(
    who: str, status: int, resources: None, applicant_enrolment: Enrolment, request: pytest.FixtureRequest,
    client_for: Callable[[User | None], Client],
) -> None:  # fmt: skip
    user = {"anonymous": None, "applicant": applicant_enrolment.learner}.get(who) or (
        None if who == "anonymous" else request.getfixturevalue(who)
    )
    response = client_for(user).get(RESOURCES)
    assert response.status_code == status
    assert b"Reading" not in response.content


def test_the_endpoints_are_in_the_openapi_document(client: Client, db: None) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    prefix = "/api/v1/programmes"
    for path in (
        "/public/programmes/{provider}/{programme}/page",
        "/public/programmes/{provider}/{programme}/information-sessions",
        "/public/programmes/{provider}/{programme}/testimonials",
        "/programmes/{provider}/{programme}/resources",
        "/my/enrolments/{enrolment_id}/resources",
    ):
        assert "get" in paths[f"{prefix}{path}"]


def test_lists_read_a_fixed_number_of_queries(
    cohort: Cohort, provider_admin: User, session: object, client_for: Callable[[User | None], Client],
    django_assert_max_num_queries: Callable,
) -> None:  # fmt: skip
    client = client_for(provider_admin)

    def add(n: int) -> None:
        _session(cohort, provider_admin, datetime.date(2024, 2, 1 + n))
        pages.add_testimonial(cohort.programme, actor=provider_admin, text="W", graduate_name=f"G{n}",
                              consent_how="email")  # fmt: skip
        pages.add_resource(cohort.programme, actor=provider_admin, kind=ResourceKind.SLIDES, title=f"S{n}",
                           link="https://example.org/s", workshop=session)  # fmt: skip

    add(0)
    counts = {}
    urls = [f"{PUBLIC}/information-sessions?when=past", f"{PUBLIC}/testimonials", RESOURCES, f"{PUBLIC}/page"]
    for url in urls:
        with django_assert_max_num_queries(20) as captured:
            client.get(url)
        counts[url] = len(captured)
    for n in range(1, 10):
        add(n)
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200


def test_a_learner_reads_their_own_list_once_their_place_is_confirmed(
    resources: None,
    enrolled: Enrolment,
    applicant_enrolment: Enrolment,
    outsider: User,
    client_for: Callable[[User | None], Client],
) -> None:
    mine = f"/api/v1/programmes/my/enrolments/{enrolled.pk}/resources"
    listed = client_for(enrolled.learner).get(mine, {"kind": "reading"}).json()
    assert [r["title"] for r in listed] == ["Reading 2", "Reading 1", "Reading 0"]
    waiting = f"/api/v1/programmes/my/enrolments/{applicant_enrolment.pk}/resources"
    refused = client_for(applicant_enrolment.learner).get(waiting)
    assert refused.status_code == 403
    assert "once your place is confirmed" in refused.json()["detail"]
    assert client_for(outsider).get(mine).status_code == 404
    assert client_for(applicant_enrolment.learner).get(mine).status_code == 404
    assert client_for(None).get(mine).status_code == 401
