"""The claims API, step by step (claimable, build, add, take off, submit, sampling records, review, approve), each
in the OpenAPI document, with every role and other organisations refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import Organisation, User
from credo.assessment.models import Assessment, Claim, ClaimState
from credo.assessment.services import claims
from credo.credentials.models import Issuer
from credo.programmes.models import Cohort

from .claims_builders import ready_to_claim

pytestmark = pytest.mark.django_db

API = "/api/v1/assessment/claims"
SignIn = Callable[[User | None], Client]


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def outcomes(seg_cohort: Cohort, seg_issuer: Issuer) -> list[Assessment]:
    return [
        ready_to_claim(seg_cohort, "jordan@example.org", "Jordan Lee"),
        ready_to_claim(seg_cohort, "sam@example.org", "Sam Rivers"),
    ]


def test_the_whole_way_through_the_api(
    client_for: SignIn,
    outcomes: list[Assessment],
    centre_admin: User,
    external_qa: User,
    ratifier: User,
    awarding_body: Organisation,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    centre = client_for(centre_admin)
    listed = centre.get(f"{API}/centres/test-centre/claimable?awarding_body={awarding_body.slug}").json()
    assert [row["learner_email"] for row in listed] == ["jordan@example.org", "sam@example.org"]

    built = post(
        centre,
        API,
        {"centre": "test-centre", "awarding_body": awarding_body.slug, "assessments": [outcomes[0].pk]},
    )
    assert built.status_code == 201, built.json()
    claim_id = built.json()["id"]
    assert built.json()["state_label"] == "Being prepared by the centre"
    (learner,) = built.json()["learners"]
    assert {line["kind"] for line in learner["lines"]} == {"unit", "qualification"}

    added = post(centre, f"{API}/{claim_id}/learners", {"assessments": [outcomes[1].pk]})
    assert len(added.json()["learners"]) == 2
    taken_off = centre.delete(f"{API}/{claim_id}/learners/{outcomes[1].learner_id}")
    assert len(taken_off.json()["learners"]) == 1
    submitted = post(centre, f"{API}/{claim_id}/submit")
    assert submitted.json()["state"] == "submitted"

    eqa = client_for(external_qa)
    samples = eqa.get(f"{API}/{claim_id}/sampling").json()
    assert [entry["state_label"] for sample in samples for entry in sample["entries"]] == ["Not in the sample"] * 2
    refused = post(eqa, f"{API}/{claim_id}/review", {"findings": "x", "risk": "low", "released": True})
    assert refused.status_code == 422
    assert "sample read" in refused.json()["detail"]
    reviewed = post(
        eqa,
        f"{API}/{claim_id}/review",
        {"findings": "Read it.", "risk": "low", "released": True, "sampled": [outcomes[0].pk]},
    )
    assert reviewed.status_code == 201
    assert reviewed.json()["risk_label"] == "Low risk"

    with django_capture_on_commit_callbacks(execute=True):
        approved = post(client_for(ratifier), f"{API}/{claim_id}/approve")
    assert approved.status_code == 202
    assert approved.json()["job"].startswith("/jobs/")
    final = client_for(ratifier).get(f"{API}/{claim_id}").json()
    assert final["state"] == "certificated"
    assert all(line["certificated"] for row in final["learners"] for line in row["lines"])


def test_lists_are_filtered_and_paginated_in_a_fixed_number_of_queries(
    client_for: SignIn,
    centre: Organisation,
    centre_admin: User,
    awarding_body: Organisation,
    external_qa: User,
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(12):
        Claim.objects.create(
            centre=centre,
            awarding_body=awarding_body,
            created_by=centre_admin,
            state=ClaimState.SUBMITTED if n % 2 else ClaimState.BLOCKED,
        )
    client = client_for(external_qa)
    with django_assert_max_num_queries(8):
        found = client.get(f"{API}/awarding/{awarding_body.slug}?state=submitted&centre=test-centre&limit=4").json()
    assert len(found) == 4
    assert {row["state"] for row in found} == {"submitted"}
    admin = client_for(centre_admin)
    with django_assert_max_num_queries(8):
        mine = admin.get(f"{API}/centres/test-centre?state=blocked&limit=50").json()
    assert len(mine) == 6


def test_the_endpoints_are_in_the_openapi_document(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operations = {operation["operationId"] for path in document["paths"].values() for operation in path.values()}
    assert {
        "assessment_claimable",
        "assessment_centre_claims",
        "assessment_received_claims",
        "assessment_build_claim",
        "assessment_claim",
        "assessment_claim_add",
        "assessment_claim_remove",
        "assessment_claim_submit",
        "assessment_claim_sampling",
        "assessment_claim_review",
        "assessment_claim_approve",
    } <= operations


# Refusals ------------------------------------------------------------------------------------------------------


@pytest.fixture
def everyone(
    learner: User,
    assessor: User,
    internal_qa: User,
    facilitator: User,
    centre_admin: User,
    external_qa: User,
    ratifier: User,
    catalogue_admin: User,
    other_centre_admin: User,
    outsider: User,
) -> dict[str, User]:
    return {
        "learner": learner,
        "assessor": assessor,
        "internal_qa": internal_qa,
        "facilitator": facilitator,
        "centre_admin": centre_admin,
        "external_qa": external_qa,
        "ratifier": ratifier,
        "catalogue_admin": catalogue_admin,
        "other_centre_admin": other_centre_admin,
        "outsider": outsider,
    }


STAFF_THERE = {"assessor", "internal_qa", "facilitator", "centre_admin", "external_qa", "ratifier", "catalogue_admin"}


@pytest.fixture
def submitted_claim(
    outcomes: list[Assessment], centre: Organisation, centre_admin: User, awarding_body: Organisation
) -> Claim:
    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=outcomes)
    return claims.submit_claim(claim=claim, actor=centre_admin)


def test_every_claim_endpoint_refuses_every_other_role_and_organisation(
    client_for: SignIn, submitted_claim: Claim, everyone: dict[str, User], outcomes: list[Assessment]
) -> None:
    claim_id = submitted_claim.pk
    learner_id = outcomes[0].learner_id
    endpoints: list[tuple[str, str, dict[str, Any] | None, set[str]]] = [
        ("get", f"{API}/{claim_id}", None, {"centre_admin", "external_qa", "ratifier"}),
        ("post", f"{API}/{claim_id}/learners", {"assessments": []}, {"centre_admin"}),
        ("delete", f"{API}/{claim_id}/learners/{learner_id}", None, {"centre_admin"}),
        ("post", f"{API}/{claim_id}/submit", None, {"centre_admin"}),
        ("get", f"{API}/{claim_id}/sampling", None, {"external_qa", "ratifier"}),
        ("post", f"{API}/{claim_id}/review", {"findings": "x", "risk": "low", "released": False}, {"external_qa"}),
        ("post", f"{API}/{claim_id}/approve", None, {"ratifier"}),
    ]
    for method, url, body, allowed in endpoints:
        assert (
            post(client_for(None), url, body) if method == "post" else getattr(client_for(None), method)(url)
        ).status_code == 401
        for who, user in everyone.items():
            client = client_for(user)
            answer = post(client, url, body) if method == "post" else getattr(client, method)(url)
            if who in allowed:
                assert answer.status_code in (200, 201, 202, 422), (url, who, answer.status_code)
            else:
                expected = 403 if who in STAFF_THERE else 404
                assert answer.status_code == expected, (url, who, answer.status_code)


def test_the_centre_and_awarding_body_lists_refuse_others(
    client_for: SignIn, everyone: dict[str, User], awarding_body: Organisation, outcomes: list[Assessment]
) -> None:
    for who, user in everyone.items():
        client = client_for(user)
        centre_list = client.get(f"{API}/centres/test-centre").status_code
        claimable = client.get(f"{API}/centres/test-centre/claimable?awarding_body={awarding_body.slug}").status_code
        build = post(
            client, API, {"centre": "test-centre", "awarding_body": awarding_body.slug, "assessments": [outcomes[0].pk]}
        ).status_code
        received = client.get(f"{API}/awarding/{awarding_body.slug}").status_code
        at_centre = {"assessor", "internal_qa", "facilitator"}
        assert centre_list == (200 if who == "centre_admin" else 403 if who in at_centre else 404), who
        assert claimable == centre_list, who
        assert build == (201 if who == "centre_admin" else centre_list), who
        assert received == {"external_qa": 200, "ratifier": 200, "catalogue_admin": 403}.get(who, 404), who
