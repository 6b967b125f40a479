"""The learner's attestation requests through the API: list, ask, cancel, send again, read; everyone else refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.portfolios.models import AttestationRequest, AttestationState, Portfolio
from credo.programmes.models import Cohort
from credo.programmes.tests.support_builders import facilitator_of

from .attestation_support import answer, ask, emails_at_once, first_section, many_requests, token_sent_to
from .builders import studying

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("emails_at_once")]
__all__ = ["emails_at_once"]

SignIn = Callable[[User | None], Client]
API = "/api/v1/portfolios/my"


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def asking(portfolio: Portfolio, **overrides: Any) -> dict[str, Any]:
    return {
        "section": first_section(portfolio).pk,
        "requirement": 0,
        "attestor_name": "Hemi Participant",
        "attestor_email": "Hemi@example.org",
        "relationship": "participant",
        "message": "Kia ora Hemi",
        **overrides,
    }


def test_the_learner_asks_reads_and_lists_their_requests(
    cld_portfolio: Portfolio, aroha: User, client_for: SignIn
) -> None:
    client = client_for(aroha)
    base = f"{API}/{cld_portfolio.enrolment_id}/attestations"
    made = post(client, base, asking(cld_portfolio))
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["state"], body["state_label"], body["attestor_email"]) == (
        "sent",
        "Waiting for a reply",
        "hemi@example.org",
    )
    assert body["asked_for"] == "An attestation from a participant"
    assert body["attestation"] is None
    assert "token" not in json.dumps(body)
    assert token_sent_to("hemi@example.org")
    listed = client.get(base).json()
    assert [row["id"] for row in listed] == [body["id"]]
    assert client.get(base, {"state": "completed"}).json() == []


def test_a_completed_attestation_is_read_through_the_api(
    cld_portfolio: Portfolio, aroha: User, client_for: SignIn
) -> None:
    request = ask(cld_portfolio, aroha)
    attestation = answer(token_sent_to("hemi@example.org"))
    body = client_for(aroha).get(f"{API}/{cld_portfolio.enrolment_id}/attestations/{request.pk}").json()
    assert body["state"] == "completed"
    assert body["attestation"]["statement"] == attestation.statement
    assert body["attestation"]["content_sha256"] == attestation.content_sha256


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"attestor_email": "nope"}, "attestor_email: Enter an email address"),
        ({"relationship": "manager"}, "relationship: This attestation must come from a participant"),
        ({"requirement": 5}, "requirement: Choose which"),
        ({"message": "a\x00b"}, "must not contain NUL characters"),
        ({"requirement": -1}, "body.payload.requirement"),
    ],
)
def test_bad_requests_are_a_422_saying_what_to_fix(
    cld_portfolio: Portfolio, aroha: User, client_for: SignIn, overrides: dict[str, Any], words: str
) -> None:
    response = post(
        client_for(aroha), f"{API}/{cld_portfolio.enrolment_id}/attestations", asking(cld_portfolio, **overrides)
    )
    assert response.status_code == 422
    assert words in " ".join(response.json()["problems"])
    assert not AttestationRequest.objects.exists()


def test_a_second_live_request_is_a_422(cld_portfolio: Portfolio, aroha: User, client_for: SignIn) -> None:
    client = client_for(aroha)
    base = f"{API}/{cld_portfolio.enrolment_id}/attestations"
    assert post(client, base, asking(cld_portfolio)).status_code == 201
    again = post(client, base, asking(cld_portfolio, attestor_email="HEMI@EXAMPLE.ORG"))
    assert again.status_code == 422
    assert "already asked Hemi Participant" in again.json()["detail"]


def test_another_learners_section_is_not_found(
    cld_portfolio: Portfolio, cld_cohort: Cohort, provider_admin: User, client_for: SignIn
) -> None:
    other = studying(cld_cohort, provider_admin, "tama@example.org", "Tama")
    response = post(client_for(other.learner), f"{API}/{other.pk}/attestations", asking(cld_portfolio))
    assert response.status_code == 404


def test_cancel_and_send_again(cld_portfolio: Portfolio, aroha: User, client_for: SignIn) -> None:
    client = client_for(aroha)
    request = ask(cld_portfolio, aroha)
    base = f"{API}/{cld_portfolio.enrolment_id}/attestations/{request.pk}"
    fresh = post(client, f"{base}/resend")
    assert fresh.status_code == 201
    assert fresh.json()["id"] != request.pk
    assert AttestationRequest.objects.get(pk=request.pk).state == AttestationState.CANCELLED
    cancelled = post(client, f"{API}/{cld_portfolio.enrolment_id}/attestations/{fresh.json()['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["state"] == "cancelled"
    again = post(client, f"{API}/{cld_portfolio.enrolment_id}/attestations/{fresh.json()['id']}/cancel")
    assert again.status_code == 422
    assert "nothing to cancel" in again.json()["detail"]


def test_the_list_is_paginated_and_costs_the_same_however_long(
    cld_portfolio: Portfolio, aroha: User, client_for: SignIn
) -> None:
    client = client_for(aroha)
    base = f"{API}/{cld_portfolio.enrolment_id}/attestations"
    many_requests(cld_portfolio, aroha, 2)
    client.get(base)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(base).json()) == 2
    AttestationRequest.objects.all().delete()
    many_requests(cld_portfolio, aroha, 60)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(base, {"limit": 50}).json()) == 50
    assert len(many) == len(few)
    page = client.get(base, {"limit": 10, "offset": 55}).json()
    assert [row["attestor_name"] for row in page] == [f"Person {n}" for n in range(55, 60)]
    expired = client.get(base, {"state": "expired", "limit": 200}).json()
    assert len(expired) == 30
    assert {row["state"] for row in expired} == {"expired"}
    assert client.get(base, {"state": "nonsense"}).status_code == 422
    assert client.get(base, {"limit": 0}).status_code == 422


# Who may use the endpoints ----------------------------------------------------------------------------------------


def _member(organisation: Organisation, role: str, email: str) -> User:
    return MembershipFactory(user=UserFactory(email=email), organisation=organisation, role=role).user


@pytest.fixture
def endpoints(cld_portfolio: Portfolio, aroha: User) -> list[tuple[str, str, dict[str, Any] | None]]:
    request = ask(cld_portfolio, aroha)
    base = f"{API}/{cld_portfolio.enrolment_id}/attestations"
    return [
        ("get", base, None),
        ("post", base, asking(cld_portfolio, attestor_email="other@example.org")),
        ("get", f"{base}/{request.pk}", None),
        ("post", f"{base}/{request.pk}/cancel", None),
        ("post", f"{base}/{request.pk}/resend", None),
    ]


def _call(client: Client, method: str, url: str, body: dict[str, Any] | None) -> Any:
    return post(client, url, body) if method == "post" else client.get(url)


def test_signed_out_callers_are_refused(endpoints: list[tuple[str, str, dict[str, Any] | None]]) -> None:
    for method, url, body in endpoints:
        assert _call(Client(), method, url, body).status_code == 401


def test_nobody_but_the_learner_is_answered(
    endpoints: list[tuple[str, str, dict[str, Any] | None]],
    cld_cohort: Cohort,
    provider: Organisation,
    provider_admin: User,
    other_provider: Organisation,
    client_for: SignIn,
) -> None:
    people = [
        studying(cld_cohort, provider_admin, "tama@example.org", "Tama").learner,
        provider_admin,
        facilitator_of(cld_cohort, provider_admin, "facilitator@inspiring-test.example"),
        _member(provider, Role.ASSESSOR, "assessor@inspiring-test.example"),
        _member(other_provider, Role.PROGRAMME_ADMIN, "admin@another.example"),
    ]
    for person in people:
        client = client_for(person)
        for method, url, body in endpoints:
            assert _call(client, method, url, body).status_code == 404, (person.email, url)
    assert AttestationRequest.objects.get().state == AttestationState.SENT
