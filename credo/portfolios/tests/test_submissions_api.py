"""The submissions API: readiness, submit, the learner's submissions, the ZIPs, and extensions; and its refusals."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.core.models import Job
from credo.portfolios.models import DeadlineExtension, Portfolio, Submission
from credo.portfolios.services import submissions
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.tests.support_builders import facilitator_of, facilitator_of_another_cohort

from .builders import studying
from .submission_builders import make_ready

pytestmark = pytest.mark.django_db

SignIn = Callable[[User | None], Client]


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def ready(cld_portfolio: Portfolio, aroha: User) -> Portfolio:
    return make_ready(cld_portfolio, aroha)


def test_readiness_lists_what_is_missing(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: SignIn
) -> None:
    body = client_for(aroha).get(reverse("api:portfolios_readiness", args=[cld_enrolment.pk])).json()
    assert body["ready"] is False
    assert body["blocks"] == ["There is no evidence in the portfolio yet."]
    assert body["sections"][0]["blocks"] == [
        "An attestation from a participant: 0 attestations received of the 1 needed."
    ]
    assert body["declaration"] == submissions.DECLARATION


def test_a_learner_submits_and_reads_their_submission(
    ready: Portfolio,
    cld_enrolment: Enrolment,
    aroha: User,
    client_for: SignIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(aroha)
    url = reverse("api:portfolios_submit", args=[cld_enrolment.pk])
    refused = post(client, url, {"declaration_accepted": False})
    assert refused.status_code == 422
    assert "Confirm the declaration" in refused.json()["detail"]
    made = post(client, url, {"declaration_accepted": True})
    assert made.status_code == 201
    submission = Submission.objects.get()
    assert made.json()["content_sha256"] == submission.content_sha256
    assert made.json()["files"] == 1
    again = post(client, url, {"declaration_accepted": True})
    assert again.status_code == 422
    listed = client.get(reverse("api:portfolios_submissions", args=[cld_enrolment.pk])).json()
    assert [s["attempt"] for s in listed] == [1]
    detail = client.get(listed[0]["url"]).json()
    assert detail["manifest"] == submission.manifest
    assert detail["content_sha256"] == submission.content_sha256
    with django_capture_on_commit_callbacks(execute=True):
        started = post(client, listed[0]["zip"], {})
    assert started.status_code == 202
    polled = client.get(f"/api/v1/jobs/{started.json()['id']}").json()
    assert polled["state"] == "done"
    download = client.get(polled["download_url"])
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert {"index.html", "manifest.json"} <= set(archive.namelist())


def test_the_portfolio_zip_is_built_by_a_job_for_the_learner(
    ready: Portfolio,
    cld_enrolment: Enrolment,
    aroha: User,
    client_for: SignIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(aroha)
    with django_capture_on_commit_callbacks(execute=True):
        started = post(client, reverse("api:portfolios_export_zip", args=[cld_enrolment.pk]), {})
    assert started.status_code == 202
    polled = client.get(f"/api/v1/jobs/{started.json()['id']}").json()
    assert (polled["state"], polled["total"], polled["processed"]) == ("done", 1, 1)
    download = client.get(polled["download_url"])
    assert download["Content-Type"] == "application/zip"


def test_staff_who_may_read_the_portfolio_build_its_zip_and_everyone_else_is_refused(
    ready: Portfolio,
    cld_enrolment: Enrolment,
    cld_cohort: Cohort,
    provider_admin: User,
    other_provider: Organisation,
    aroha: User,
    client_for: SignIn,
) -> None:
    url = reverse("api:portfolios_staff_export_zip", args=[cld_enrolment.pk])
    started = post(client_for(provider_admin), url, {})
    assert started.status_code == 202
    job = Job.objects.get()
    assert job.started_by == provider_admin
    assert client_for(aroha).get(f"/api/v1/jobs/{job.public_id}").status_code == 404  # the job is the admin's
    other_admin = MembershipFactory(
        user=UserFactory(email="admin@another.example"), organisation=other_provider, role=Role.PROGRAMME_ADMIN
    ).user
    other_cohorts_facilitator = facilitator_of_another_cohort(cld_cohort, provider_admin)
    assert post(client_for(other_cohorts_facilitator), url, {}).status_code == 403
    assert post(client_for(other_admin), url, {}).status_code == 404
    assert post(client_for(aroha), url, {}).status_code == 404  # a learner reads their own through /my/
    assert post(client_for(None), url, {}).status_code == 401
    assert Job.objects.count() == 1


def test_the_submission_list_takes_the_same_queries_for_many_attempts(
    ready: Portfolio,
    cld_enrolment: Enrolment,
    aroha: User,
    provider_admin: User,
    client_for: SignIn,
    django_assert_max_num_queries: Any,
) -> None:
    from credo.programmes.tests.builders import nz

    client = client_for(aroha)
    url = reverse("api:portfolios_submissions", args=[cld_enrolment.pk])
    submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    cld_enrolment.cohort.resubmissions_allowed = 3
    cld_enrolment.cohort.save(update_fields=["resubmissions_allowed"])
    for _ in range(2):
        submissions.reopen_for_resubmission(portfolio=ready, actor=provider_admin, deadline=nz(2024, 10, 31))
        submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(url).json()) == 3
    assert [s["attempt"] for s in client.get(url, {"offset": 1, "limit": 1}).json()] == [2]


def test_a_programme_admin_grants_an_extension(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, provider_admin: User, client_for: SignIn
) -> None:
    url = reverse("api:portfolios_grant_extension", args=[cld_enrolment.pk])
    made = post(client_for(provider_admin), url, {"deadline": "2024-09-14T17:00:00+12:00", "reason": "Illness"})
    assert made.status_code == 201, made.content
    assert DeadlineExtension.objects.get().reason == "Illness"
    naive = post(client_for(provider_admin), url, {"deadline": "2024-09-20T17:00:00", "reason": "x"})
    assert naive.status_code == 422
    assert "time zone" in naive.json()["detail"]
    far = post(client_for(provider_admin), url, {"deadline": "9999-12-31T23:00:00-12:00", "reason": "x"})
    assert far.status_code == 422
    nul = post(client_for(provider_admin), url, {"deadline": "2024-09-20T17:00:00+12:00", "reason": "a\x00b"})
    assert nul.status_code == 422


def test_extensions_are_refused_to_everyone_else(
    cld_portfolio: Portfolio,
    cld_enrolment: Enrolment,
    cld_cohort: Cohort,
    provider_admin: User,
    other_provider: Organisation,
    aroha: User,
    client_for: SignIn,
) -> None:
    url = reverse("api:portfolios_grant_extension", args=[cld_enrolment.pk])
    body = {"deadline": "2024-09-14T17:00:00+12:00", "reason": "x"}
    facilitator = facilitator_of(cld_cohort, provider_admin, "facilitator@inspiring-test.example")
    other_admin = MembershipFactory(
        user=UserFactory(email="admin@another.example"), organisation=other_provider, role=Role.PROGRAMME_ADMIN
    ).user
    assert post(client_for(facilitator), url, body).status_code == 403
    assert post(client_for(other_admin), url, body).status_code == 404
    assert post(client_for(aroha), url, body).status_code == 404
    assert post(client_for(None), url, body).status_code == 401
    assert not DeadlineExtension.objects.exists()


@pytest.mark.parametrize(
    ("name", "method", "with_attempt"),
    [
        ("api:portfolios_readiness", "get", False),
        ("api:portfolios_submit", "post", False),
        ("api:portfolios_submissions", "get", False),
        ("api:portfolios_submission", "get", True),
        ("api:portfolios_submission_zip", "post", True),
        ("api:portfolios_export_zip", "post", False),
    ],
)
def test_learner_endpoints_refuse_everyone_but_the_learner(
    ready: Portfolio,
    cld_enrolment: Enrolment,
    cld_cohort: Cohort,
    provider_admin: User,
    other_provider: Organisation,
    aroha: User,
    client_for: SignIn,
    name: str,
    method: str,
    with_attempt: bool,
) -> None:
    submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    url = reverse(name, args=[cld_enrolment.pk, 1] if with_attempt else [cld_enrolment.pk])
    other_learner = studying(cld_cohort, provider_admin, "tama@example.org", "Tama").learner
    other_admin = MembershipFactory(
        user=UserFactory(email="admin@another.example"), organisation=other_provider, role=Role.PROGRAMME_ADMIN
    ).user

    def call(person: User | None) -> int:
        client = client_for(person)
        response = post(client, url, {"declaration_accepted": True}) if method == "post" else client.get(url)
        return response.status_code

    for person in (other_learner, other_admin, provider_admin):
        assert call(person) == 404, person
    assert call(None) == 401
    assert Submission.objects.count() == 1
    assert not Job.objects.exists()
