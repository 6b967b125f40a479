"""The pipeline through the API: the same readers and counts as the pages, paginated and filtered."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import User
from credo.catalogue.models import Qualification
from credo.programmes.models import Cohort

from .builders import submitted
from .pipeline_builders import at_every_stage, second_cohort

pytestmark = pytest.mark.django_db

Sign = Callable[[User | None], Client]
LIST = reverse("api:assessment_pipelines")


def cohort_url(cohort: Cohort) -> str:
    return reverse("api:assessment_cohort_pipeline", args=[cohort.public_id])


def test_a_cohort_s_pipeline_lists_every_stage_in_order_with_words(
    cld_cohort: Cohort, assessor: User, centre_admin: User, client_for: Sign
) -> None:
    at_every_stage(cld_cohort, assessor, centre_admin)

    body = client_for(assessor).get(cohort_url(cld_cohort)).json()

    assert body["cohort"] == str(cld_cohort.public_id)
    assert body["route"] == "ratification"
    assert body["total"] == 11
    assert body["in_progress"] == 9
    assert [(s["stage"], s["learners"]) for s in body["stages"]] == [
        ("submitted", 2),
        ("in_assessment", 3),
        ("awaiting_moderation", 1),
        ("may_resubmit", 2),
        ("final", 1),
        ("awaiting_award", 1),
        ("awarded", 1),
    ]
    assert body["stages"][2]["label"] == "Assessed, waiting for moderation"
    assert body["stages"][2]["who_next"] == "The internal quality assurer draws a sample and moderates it."


@pytest.mark.parametrize("who", ["centre_admin", "internal_qa", "assessor"])
def test_the_provider_s_admins_moderators_and_assessors_read_it(
    who: str, request: pytest.FixtureRequest, cld_cohort: Cohort, client_for: Sign
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(cohort_url(cld_cohort)).status_code == 200
    assert [p["cohort"] for p in client.get(LIST).json()] == [str(cld_cohort.public_id)]


def test_a_facilitator_at_the_provider_is_refused_with_a_reason(
    facilitator: User, cld_cohort: Cohort, client_for: Sign
) -> None:
    client = client_for(facilitator)
    for url in (LIST, cohort_url(cld_cohort)):
        response = client.get(url)
        assert response.status_code == 403
        assert "internal quality assurers and assessors" in response.json()["detail"]


@pytest.mark.parametrize("who", ["learner", "outsider", "other_centre_admin", "ratifier", "external_qa"])
def test_anyone_else_learns_nothing_of_the_cohort(
    who: str, request: pytest.FixtureRequest, cld_cohort: Cohort, client_for: Sign
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(cohort_url(cld_cohort)).status_code == 404
    listed = client.get(LIST)
    if who == "other_centre_admin":
        assert listed.json() == []  # their own provider has no cohorts
    else:
        assert listed.status_code == 403


def test_someone_signed_out_is_refused(cld_cohort: Cohort, client: Client) -> None:
    assert client.get(LIST).status_code == 401
    assert client.get(cohort_url(cld_cohort)).status_code == 401


def test_the_list_filters_by_programme_and_name_and_pages(
    cld_cohort: Cohort, seg: Qualification, centre_admin: User, other_centre_admin: User, client_for: Sign
) -> None:
    seg_cohort = second_cohort(centre_admin, seg)
    theirs = second_cohort(other_centre_admin, seg)
    client = client_for(centre_admin)

    def listed(**query: object) -> list[str]:
        return [p["cohort"] for p in client.get(LIST, query).json()]

    assert set(listed()) == {str(cld_cohort.public_id), str(seg_cohort.public_id)}
    assert listed(programme=seg_cohort.programme_id) == [str(seg_cohort.public_id)]
    assert listed(programme=theirs.programme_id) == []
    assert listed(q="CLD") == [str(cld_cohort.public_id)]
    assert len(listed(limit=1)) == 1
    assert listed(limit=1) != listed(limit=1, offset=1)
    assert client.get(LIST, {"limit": 0}).status_code == 422
    assert client.get(LIST, {"q": "a\x00b"}).status_code == 422


def test_the_list_costs_the_same_queries_however_many_submissions(
    cld_cohort: Cohort, seg: Qualification, assessor: User, centre_admin: User, client_for: Sign
) -> None:
    client = client_for(centre_admin)
    client.get(LIST)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    at_every_stage(cld_cohort, assessor, centre_admin)
    submitted(second_cohort(centre_admin, seg), "jordan@example.org")
    with CaptureQueriesContext(connection) as many:
        body = client.get(LIST).json()
    assert len(body) == 2
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_openapi_document_describes_both_endpoints(client: Client) -> None:
    paths = client.get(reverse("api:openapi-json")).json()["paths"]
    listed = paths["/api/v1/assessment/pipeline"]["get"]
    one = paths["/api/v1/assessment/pipeline/{public_id}"]["get"]
    assert {"200", "401", "403"} <= set(listed["responses"])
    assert {"200", "401", "403", "404"} <= set(one["responses"])
    assert {p["name"] for p in listed["parameters"]} >= {"programme", "q", "limit", "offset"}
