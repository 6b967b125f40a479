"""Resources for enrolled learners: a link or a file kept under a private path, opened only through a view that
checks who asks (confirmed or active learners of the programme, its facilitators and admins), always as a download."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort, Enrolment, Resource, ResourceKind, Session
from credo.programmes.services import enrolments, pages

pytest_plugins = ["credo.programmes.tests.pages_fixtures", "credo.programmes.tests.workshops_fixtures"]

STAFF_PAGE = "/programmes/resources/inspiring-test/cld-facilitation/"
SLIDES = b"%PDF-1.4 workshop one slides"


@pytest.fixture
def slides(cohort: Cohort, session: Session, provider_admin: User) -> Resource:
    return pages.add_resource(
        cohort.programme,
        actor=provider_admin,
        kind=ResourceKind.SLIDES,
        title="Workshop 1 slides",
        upload=SimpleUploadedFile("Workshop 1 slides.pdf", SLIDES, "application/pdf"),
        workshop=session,
    )


def _open(resource: Resource) -> str:
    return f"/programmes/resources/{resource.public_id}/open"


def test_a_file_is_kept_under_a_private_path_and_never_at_a_public_url(
    slides: Resource, media: Path, enrolled: Enrolment, client_for: Callable[[User | None], Client]
) -> None:
    assert slides.file.name.startswith(f"private/programmes/{slides.programme_id}/resources/")
    assert (media / slides.file.name).read_bytes() == SLIDES
    client = client_for(enrolled.learner)
    # MEDIA_URL is not routed: the storage's own address serves nothing, even to someone allowed to read it.
    assert client.get(slides.file.url).status_code == 404
    assert client.get(f"/media/{slides.file.name}").status_code == 404
    for page in (f"/programmes/my/{enrolled.pk}/", f"/programmes/my/{enrolled.pk}/resources/", STAFF_PAGE):
        text = client_for(slides.added_by).get(page).content.decode() if page == STAFF_PAGE else (
            client.get(page).content.decode()
        )  # fmt: skip
        assert slides.file.name not in text
        assert "/media/" not in text


@pytest.mark.parametrize("who", ["enrolled_learner", "active_learner", "provider_admin", "cohort_facilitator"])
def test_the_programmes_learners_and_staff_download_it_as_an_attachment(
    who: str, slides: Resource, enrolled: Enrolment, provider_admin: User, request: pytest.FixtureRequest,
    client_for: Callable[[User | None], Client],
) -> None:  # fmt: skip
    if who == "active_learner":
        enrolments.activate(enrolled, actor=provider_admin)
    user = enrolled.learner if who in ("enrolled_learner", "active_learner") else request.getfixturevalue(who)
    response = client_for(user).get(_open(slides))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="Workshop 1 slides.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == SLIDES


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 404), ("other_provider_admin", 404), ("applicant", 404), ("provider_assessor", 403),
     ("withdrawn", 404), ("stranger", 404)],
)  # fmt: skip
def test_everyone_else_is_refused(
    who: str, status: int, slides: Resource, applicant_enrolment: Enrolment, enrolled: Enrolment,
    provider_admin: User, request: pytest.FixtureRequest, client_for: Callable[[User | None], Client],
) -> None:  # fmt: skip
    if who == "applicant":
        user = applicant_enrolment.learner
    elif who == "withdrawn":
        enrolments.withdraw(enrolled, actor=enrolled.learner, reason="Moving away")
        user = enrolled.learner
    elif who == "stranger":
        user = UserFactory(email="stranger@example.org")
    else:
        user = request.getfixturevalue(who)
    response = client_for(user).get(_open(slides))
    assert response.status_code == status
    assert SLIDES not in response.content


def test_anonymous_visitors_are_sent_to_sign_in(slides: Resource, client: Client) -> None:
    response = client.get(_open(slides))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_study_page_lists_resources_once_the_place_is_confirmed(
    slides: Resource, enrolled: Enrolment, applicant_enrolment: Enrolment, client_for: Callable
) -> None:
    mine = client_for(enrolled.learner).get(f"/programmes/my/{enrolled.pk}/").content.decode()
    assert "Workshop 1 slides" in mine
    assert f'href="{_open(slides)}"' in mine
    waiting = client_for(applicant_enrolment.learner).get(f"/programmes/my/{applicant_enrolment.pk}/").content
    assert b"Workshop 1 slides" not in waiting
    assert b"for learners whose place is confirmed" in waiting


def test_staff_add_a_link_and_a_file_and_bad_input_says_what_to_fix(
    cohort: Cohort, cohort_facilitator: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(cohort_facilitator)
    assert client.get(STAFF_PAGE).status_code == 200
    both = client.post(
        STAFF_PAGE,
        {"kind": "reading", "title": "Both", "link": "https://example.org/r",
         "upload": SimpleUploadedFile("r.txt", b"x")},
    )  # fmt: skip
    assert both.status_code == 422
    assert "Give either a link or a file" in both.content.decode()
    neither = client.post(STAFF_PAGE, {"kind": "reading", "title": "Neither"})
    assert neither.status_code == 422
    assert "<title>Error:" in neither.content.decode()
    assert (
        client.post(STAFF_PAGE, {"kind": "reading", "title": "A reading", "link": "https://example.org/r"}).status_code
        == 302
    )
    upload = SimpleUploadedFile("tool.txt", b"a tool")
    assert client.post(STAFF_PAGE, {"kind": "tool", "title": "A tool", "upload": upload}).status_code == 302
    assert sorted(Resource.objects.values_list("title", flat=True)) == ["A reading", "A tool"]
    assert AuditEvent.objects.filter(action="programmes.resource_added").count() == 2


@pytest.mark.parametrize(
    ("who", "status"), [("outsider", 404), ("other_provider_admin", 404), ("provider_assessor", 403)]
)
def test_only_the_programmes_staff_manage_resources(
    who: str, status: int, slides: Resource, request: pytest.FixtureRequest, client_for: Callable
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(STAFF_PAGE).status_code == status
    assert client.post(STAFF_PAGE, {"kind": "tool", "title": "X", "link": "https://example.org"}).status_code == status
    assert client.post(f"/programmes/resources/{slides.public_id}/remove").status_code == status
    assert Resource.objects.count() == 1


def test_a_learner_cannot_manage_resources(slides: Resource, enrolled: Enrolment, client_for: Callable) -> None:
    client = client_for(enrolled.learner)
    assert client.get(STAFF_PAGE).status_code == 404
    assert client.post(f"/programmes/resources/{slides.public_id}/remove").status_code == 404


def test_removing_asks_first_then_deletes_the_file(
    slides: Resource,
    media: Path,
    provider_admin: User,
    client_for: Callable,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    client = client_for(provider_admin)
    url = f"/programmes/resources/{slides.public_id}/remove"
    page = client.get(url).content.decode()
    assert "cannot be undone" in page
    assert 'class="danger"' in page
    stored = media / slides.file.name
    assert stored.exists()
    assert Resource.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not Resource.objects.exists()
    assert not stored.exists()


def test_the_learners_list_is_paginated_filtered_and_in_fixed_queries(
    cohort: Cohort, enrolled: Enrolment, provider_admin: User, client_for: Callable,
    django_assert_max_num_queries: Callable,
) -> None:  # fmt: skip
    client = client_for(enrolled.learner)
    url = f"/programmes/my/{enrolled.pk}/resources/"

    def add(n: int, kind: str = ResourceKind.READING) -> None:
        pages.add_resource(cohort.programme, actor=provider_admin, kind=kind, title=f"R{n}",
                           link=f"https://example.org/{n}")  # fmt: skip

    add(0)
    with django_assert_max_num_queries(10) as one:
        client.get(url)
    listed = len(one)  # now: the next request's start clears the connection's query log
    with django_assert_max_num_queries(60) as study_page:
        client.get(f"/programmes/my/{enrolled.pk}/")
    on_study_page = len(study_page)
    for n in range(1, 25):
        add(n)
    add(99, ResourceKind.TOOL)
    with django_assert_max_num_queries(listed):
        text = client.get(url).content.decode()
    assert "Page 1 of 2" in text
    tools = client.get(url, {"kind": "tool"}).content.decode()
    assert "R99" in tools
    assert ">R1<" not in tools
    with django_assert_max_num_queries(on_study_page):
        client.get(f"/programmes/my/{enrolled.pk}/")  # the study page shows the newest few, in one query


def test_another_learners_resources_page_is_not_found(
    enrolled: Enrolment, outsider: User, client_for: Callable
) -> None:
    assert client_for(outsider).get(f"/programmes/my/{enrolled.pk}/resources/").status_code == 404


def test_staff_filter_the_list_by_kind(
    slides: Resource, cohort: Cohort, provider_admin: User, client_for: Callable
) -> None:
    pages.add_resource(
        cohort.programme, actor=provider_admin, kind=ResourceKind.READING, title="A reading", link="https://e.org/r"
    )
    text = client_for(provider_admin).get(STAFF_PAGE, {"kind": "slides"}).content.decode()
    assert "Workshop 1 slides" in text
    assert "A reading" not in text
    assert "2024 intake, workshop 1" in text  # a workshop's resource says which cohort's workshop


def test_the_staff_list_reads_a_fixed_number_of_queries(
    session: Session,
    cohort: Cohort,
    provider_admin: User,
    client_for: Callable,
    django_assert_max_num_queries: Callable,
) -> None:
    client = client_for(provider_admin)

    def add(n: int) -> None:
        pages.add_resource(cohort.programme, actor=provider_admin, kind=ResourceKind.SLIDES, title=f"S{n}",
                           link=f"https://example.org/{n}", workshop=session)  # fmt: skip

    add(0)
    with django_assert_max_num_queries(30) as first:
        client.get(STAFF_PAGE)
    one = len(first)
    for n in range(1, 30):
        add(n)
    with django_assert_max_num_queries(one):
        assert "Page 1 of 2" in client.get(STAFF_PAGE).content.decode()
