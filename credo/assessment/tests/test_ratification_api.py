"""The ratification API: every step through /api/v1/assessment/, in the OpenAPI document, and refused to every role
that may not take it and to another organisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.assessment.models import BatchState, EntryDecision, RatificationBatch
from credo.assessment.services import ratification
from credo.credentials.models import Credential, Issuer
from credo.programmes.models import Cohort

from .ratification_builders import ready_outcomes

pytestmark = pytest.mark.django_db

API = "/api/v1/assessment"
Sign = Callable[[User | None], Client]


@pytest.fixture
def batch(cld_cohort: Cohort, centre_admin: User) -> RatificationBatch:
    ready_outcomes(cld_cohort, 2)
    return ratification.send_for_ratification(cohort=cld_cohort, actor=centre_admin)


def test_every_step_is_in_the_openapi_document(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/cohorts/{public_id}/ratification/ready",
        "/cohorts/{public_id}/ratification/batches",
        "/ratification/institutions/{slug}/batches",
        "/ratification/batches/{pk}",
        "/ratification/batches/{pk}/entries",
        "/ratification/batches/{pk}/entries/{entry_id}/return",
        "/ratification/batches/{pk}/ratify",
    ):
        assert f"{API}{path}" in paths, path


def test_the_provider_lists_what_is_ready_and_sends_it(
    client_for: Sign, cld_cohort: Cohort, centre_admin: User
) -> None:
    ready_outcomes(cld_cohort, 2)
    client = client_for(centre_admin)
    ready = client.get(f"{API}/cohorts/{cld_cohort.public_id}/ratification/ready", {"limit": 1})
    assert ready.status_code == 200
    assert [row["learner_name"] for row in ready.json()] == ["Learner 1"]
    sent = client.post(f"{API}/cohorts/{cld_cohort.public_id}/ratification/batches")
    assert sent.status_code == 201
    body = sent.json()
    assert (body["state"], body["state_label"], body["learners"], body["waiting"]) == (
        "submitted",
        "Waiting for ratification",
        2,
        2,
    )
    again = client.post(f"{API}/cohorts/{cld_cohort.public_id}/ratification/batches")
    assert again.status_code == 422
    assert "There is nothing to send" in again.json()["detail"]


def test_a_ratifier_lists_reads_returns_and_ratifies(
    client_for: Sign,
    batch: RatificationBatch,
    institution_ratifier: User,
    institution_issuer: Issuer,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(institution_ratifier)
    listed = client.get(f"{API}/ratification/institutions/test-poly/batches", {"state": "submitted"})
    assert [b["id"] for b in listed.json()] == [batch.pk]
    assert client.get(f"{API}/ratification/institutions/test-poly/batches", {"state": "ratified"}).json() == []
    with django_assert_max_num_queries(12):
        entries = client.get(f"{API}/ratification/batches/{batch.pk}/entries").json()
    assert entries[0]["moderation_label"] == "Agreed"
    assert entries[0]["moderation_reasons"] == ["one of the assessor's first 5 decisions", "random 25%"]
    assert entries[1]["moderation_label"] == "Not in the sample"

    url = f"{API}/ratification/batches/{batch.pk}/entries/{entries[0]['id']}/return"
    empty = client.post(url, {"reason": " "}, content_type="application/json")
    assert empty.status_code == 422
    assert empty.json()["problems"][0].startswith("reason:")
    returned = client.post(url, {"reason": "Unsigned attestation."}, content_type="application/json")
    assert (returned.status_code, returned.json()["decision"]) == (200, EntryDecision.RETURNED)

    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{API}/ratification/batches/{batch.pk}/ratify")
    assert started.status_code == 202
    assert started.json()["page_url"].startswith("/jobs/")
    read = client.get(f"{API}/ratification/batches/{batch.pk}").json()
    assert (read["state"], read["ratified"], read["returned"]) == (BatchState.RATIFIED, 1, 1)
    assert Credential.objects.count() == 1
    again = client.post(f"{API}/ratification/batches/{batch.pk}/ratify")
    assert again.status_code == 422


#: What each persona gets from the provider's endpoints, then from the institution's (reading, acting).
REFUSALS = [
    # persona, provider endpoints, reading a batch, acting on it
    ("assessor", 403, 403, 403),
    ("internal_qa", 403, 403, 403),
    ("centre_admin", None, None, 403),
    ("institution_admin", 404, 403, 403),
    ("institution_ratifier", 404, None, None),
    ("other_centre_admin", 404, 404, 404),
    ("outsider", 404, 404, 404),
]


@pytest.mark.parametrize(("persona", "provider", "reading", "acting"), REFUSALS)
def test_each_role_and_an_outsider_is_refused_what_is_not_theirs(
    client_for: Sign,
    batch: RatificationBatch,
    cld_cohort: Cohort,
    persona: str,
    provider: int | None,
    reading: int | None,
    acting: int | None,
    request: pytest.FixtureRequest,
) -> None:
    client = client_for(request.getfixturevalue(persona))
    entry = batch.entries.first()
    assert entry is not None
    if provider:
        assert client.get(f"{API}/cohorts/{cld_cohort.public_id}/ratification/ready").status_code == provider
        assert client.post(f"{API}/cohorts/{cld_cohort.public_id}/ratification/batches").status_code == provider
    if reading:
        assert client.get(f"{API}/ratification/batches/{batch.pk}").status_code == reading
        assert client.get(f"{API}/ratification/batches/{batch.pk}/entries").status_code == reading
    if acting:
        returned = client.post(
            f"{API}/ratification/batches/{batch.pk}/entries/{entry.pk}/return",
            {"reason": "No."},
            content_type="application/json",
        )
        assert returned.status_code == acting
        assert client.post(f"{API}/ratification/batches/{batch.pk}/ratify").status_code == acting
    listing = client.get(f"{API}/ratification/institutions/test-poly/batches").status_code
    assert listing == {"institution_ratifier": 200, "institution_admin": 403}.get(persona, 404)
    batch.refresh_from_db()
    entry.refresh_from_db()
    assert (batch.state, entry.decision) == (BatchState.SUBMITTED, EntryDecision.PENDING)


def test_signed_out_is_refused(client: Client, batch: RatificationBatch) -> None:
    assert client.get(f"{API}/ratification/batches/{batch.pk}").status_code == 401
    assert client.post(f"{API}/ratification/batches/{batch.pk}/ratify").status_code == 401
