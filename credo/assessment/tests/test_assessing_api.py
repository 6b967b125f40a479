"""Assessing through the JSON API: the same rules as the pages, refused for every other role and an outsider."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.assessment.models import Assessment, AssessmentState, CohortAssessor
from credo.programmes.models import Cohort
from credo.programmes.tests.builders import cohort_2024

from .assessing_support import assigned, named
from .builders import submitted

pytestmark = pytest.mark.django_db
Sign = Callable[[User | None], Client]
API = "/api/v1/assessment"


def _send(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def assessment(cld_cohort: Cohort, centre_admin: User, assessor: User) -> Assessment:
    return assigned(submitted(cld_cohort, "leilani@example.org", "Leilani Tui"), assessor, centre_admin)


def _all_met(assessment: Assessment) -> list[dict[str, Any]]:
    return [
        {"key": key, "met": True, "comment": "Shown."} for key in assessment.judgements.values_list("key", flat=True)
    ]


def test_the_queue_lists_the_assessors_work_with_paging(
    client_for: Sign, assessment: Assessment, assessor: User
) -> None:
    answer = client_for(assessor).get(f"{API}/queue", {"limit": 1})
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1
    assert body["items"][0]["learner"] == "Leilani Tui"
    assert body["items"][0]["state_label"] == "Waiting to be assessed"
    assert client_for(assessor).get(f"{API}/queue", {"state": "completed"}).json()["count"] == 0


@pytest.mark.parametrize("who", ["facilitator", "learner", "outsider"])
def test_the_queue_is_refused_to_other_roles(client_for: Sign, who: str, request: pytest.FixtureRequest) -> None:
    assert client_for(request.getfixturevalue(who)).get(f"{API}/queue").status_code == 403


def test_the_queue_needs_a_sign_in(client_for: Sign) -> None:
    assert client_for(None).get(f"{API}/queue").status_code == 401


def test_a_programme_admin_names_an_assessor_who_takes_a_submission(
    client_for: Sign, cld_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    named_answer = _send(
        client_for(centre_admin),
        "post",
        f"{API}/cohorts/{cld_cohort.public_id}/assessors",
        {"assessors": [assessor.pk]},
    )
    assert named_answer.status_code == 200
    assert CohortAssessor.objects.filter(cohort=cld_cohort, assessor=assessor).exists()
    submission = submitted(cld_cohort, "leilani@example.org")
    listed = client_for(assessor).get(f"{API}/cohorts/{cld_cohort.public_id}/unassigned")
    assert [row["submission"] for row in listed.json()] == [submission.pk]
    taken = _send(client_for(assessor), "post", f"{API}/submissions/{submission.pk}/assessment")
    assert taken.status_code == 201
    assert taken.json()["assessor"] == assessor.full_name
    again = _send(client_for(assessor), "post", f"{API}/submissions/{submission.pk}/assessment")
    assert again.status_code == 422
    assert "already has an assessor" in again.json()["detail"]


@pytest.mark.parametrize(("who", "status"), [("assessor", 403), ("internal_qa", 403), ("outsider", 404)])
def test_only_programme_admins_name_assessors_and_change_settings(
    client_for: Sign, cld_cohort: Cohort, assessor: User, who: str, status: int, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(who))
    url = f"{API}/cohorts/{cld_cohort.public_id}"
    assert _send(client, "post", f"{url}/assessors", {"assessors": [assessor.pk]}).status_code == status
    assert client.get(f"{url}/settings").status_code == status
    body = {"facilitators_may_assess_own_learners": True, "resubmission_days": 10, "appeal_days": 10}
    assert _send(client, "put", f"{url}/settings", body).status_code == status


@pytest.mark.parametrize(("who", "status"), [("facilitator", 403), ("outsider", 404), ("other_centre_admin", 404)])
def test_others_cannot_assign_or_list_unassigned(
    client_for: Sign, cld_cohort: Cohort, who: str, status: int, request: pytest.FixtureRequest
) -> None:
    submission = submitted(cld_cohort, "leilani@example.org")
    client = client_for(request.getfixturevalue(who))
    assert _send(client, "post", f"{API}/submissions/{submission.pk}/assessment").status_code == status
    listed = client.get(f"{API}/cohorts/{cld_cohort.public_id}/unassigned")
    assert listed.status_code == status


def test_a_programme_admin_changes_the_settings(client_for: Sign, cld_cohort: Cohort, centre_admin: User) -> None:
    url = f"{API}/cohorts/{cld_cohort.public_id}/settings"
    body = {"facilitators_may_assess_own_learners": True, "resubmission_days": 14, "appeal_days": 10}
    assert _send(client_for(centre_admin), "put", url, body).json() == body
    refused = _send(client_for(centre_admin), "put", url, {**body, "appeal_days": 0})
    assert refused.status_code == 422


def test_draft_then_complete_through_the_api(client_for: Sign, assessment: Assessment, assessor: User) -> None:
    client = client_for(assessor)
    url = f"{API}/assessments/{assessment.pk}"
    read = client.get(url).json()
    assert [j["met"] for j in read["judgements"]] == [None, None, None]
    assert read["files"][0]["matches"] is True
    draft = _send(client, "put", f"{url}/draft", {"version": 1, "judgements": _all_met(assessment)})
    assert draft.status_code == 200
    assert draft.json()["state"] == "draft"
    stale = _send(client, "put", f"{url}/draft", {"version": 1, "judgements": []})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    refused = _send(client, "post", f"{url}/complete", {"version": 2, "outcome": "competent"})
    assert refused.status_code == 422
    assert "declaration_accepted: Confirm the assessor's declaration." in refused.json()["problems"]
    done = _send(
        client, "post", f"{url}/complete", {"version": 2, "outcome": "competent", "declaration_accepted": True}
    )
    assert done.status_code == 200
    assert done.json()["state"] == AssessmentState.COMPLETED
    assert done.json()["files_verified"] is True


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("centre_admin", 200, 403),
        ("internal_qa", 200, 403),
        ("second_assessor", 403, 403),
        ("facilitator", 403, 403),
        ("outsider", 404, 404),
    ],
)
def test_who_reads_and_who_judges(
    client_for: Sign, assessment: Assessment, who: str, read: int, write: int, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(who))
    url = f"{API}/assessments/{assessment.pk}"
    assert client.get(url).status_code == read
    assert _send(client, "put", f"{url}/draft", {"version": 1}).status_code == write
    body = {"version": 1, "outcome": "competent", "declaration_accepted": True, "judgements": _all_met(assessment)}
    assert _send(client, "post", f"{url}/complete", body).status_code == write


def test_the_endpoints_are_in_the_openapi_document(client_for: Sign) -> None:
    paths = client_for(None).get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/assessment/queue",
        "/api/v1/assessment/cohorts/{public_id}/unassigned",
        "/api/v1/assessment/cohorts/{public_id}/assessors",
        "/api/v1/assessment/submissions/{submission_id}/assessment",
        "/api/v1/assessment/assessments/{assessment_id}",
        "/api/v1/assessment/assessments/{assessment_id}/draft",
        "/api/v1/assessment/assessments/{assessment_id}/complete",
        "/api/v1/assessment/cohorts/{public_id}/settings",
    ):
        assert path in paths
    assert "409" in paths["/api/v1/assessment/assessments/{assessment_id}/complete"]["post"]["responses"]


def test_a_named_assessor_of_another_cohort_is_refused_its_unassigned_list(
    client_for: Sign, cld_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    later = cohort_2024(centre_admin, cld_cohort.programme, name="2025 intake", slug="2025")
    named(later, centre_admin, assessor)
    assert client_for(assessor).get(f"{API}/cohorts/{cld_cohort.public_id}/unassigned").status_code == 403
