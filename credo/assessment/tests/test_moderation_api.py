"""The moderation API: plans, preview and draw, samples, moderating, the learner's outcomes, appeals; every role
and an outsider refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import Organisation, Role, User
from credo.assessment.models import AppealState, Assessment, ModerationState, Outcome
from credo.assessment.services import appeals, moderation
from credo.programmes.models import Cohort

from .builders import resubmitted, submitted
from .moderation_builders import completed, moderated

pytestmark = pytest.mark.django_db
Sign = Callable[[User | None], Client]
API = "/api/v1/assessment"


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_the_iqa_sets_the_plan_previews_draws_and_moderates(
    client_for: Sign, cld_cohort: Cohort, assessor: User, internal_qa: User
) -> None:
    client = client_for(internal_qa)
    base = f"{API}/cohorts/{cld_cohort.public_id}"
    assert client.get(f"{base}/sampling-plan").json()["scope"] == "default"
    put = client.put(
        f"{base}/sampling-plan", {"percent": 100, "new_assessor_decisions": 0}, content_type="application/json"
    )
    assert put.status_code == 200
    assert put.json() == {"scope": "cohort", "percent": 100, "new_assessor_decisions": 0}
    completed(submitted(cld_cohort, "aroha@example.org", "Aroha"), assessor, outcome=Outcome.NOT_YET_COMPETENT)
    preview = _post(client, f"{base}/samples/preview", {"seed": "api"})
    assert preview.status_code == 200
    assert preview.json()[0]["reasons"][0] == "not yet competent"
    drawn = _post(client, f"{base}/samples", {"seed": "api"})
    assert drawn.status_code == 201
    body = drawn.json()
    assert body["seed"] == "api"
    assert body["entries"][0]["state"] == "Waiting for the moderator"
    assert _post(client, f"{base}/samples", {}).status_code == 422  # nothing left to draw
    listed = client.get(f"{base}/samples", {"limit": 1})
    assert [s["number"] for s in listed.json()] == [1]
    assert client.get(f"{base}/samples/1").json()["entries"][0]["reasons"] == ["not yet competent"]
    assert client.get(f"{base}/samples/2").status_code == 404
    entry = body["entries"][0]["id"]
    refused = _post(client, f"{API}/moderation/{entry}", {"agreed": False, "rationale": ""})
    assert refused.status_code == 422
    agreed = _post(client, f"{API}/moderation/{entry}", {"agreed": True, "rationale": "Sound."})
    assert agreed.status_code == 200
    assert agreed.json()["state"] == "Agreed"


def test_the_samples_list_costs_a_fixed_number_of_queries(
    client_for: Sign, cld_cohort: Cohort, assessor: User, internal_qa: User, django_assert_max_num_queries: Any
) -> None:
    for i in range(3):
        completed(submitted(cld_cohort, f"l{i}@example.org"), assessor)
        moderation.draw_sample(cohort=cld_cohort, actor=internal_qa)
    client = client_for(internal_qa)
    with django_assert_max_num_queries(8):
        response = client.get(f"{API}/cohorts/{cld_cohort.public_id}/samples")
    assert len(response.json()) == 3


@pytest.fixture
def final(cld_cohort: Cohort, assessor: User, internal_qa: User) -> Assessment:
    first = moderated(
        completed(submitted(cld_cohort, "mere@example.org", "Mere"), assessor, outcome=Outcome.NOT_YET_COMPETENT),
        internal_qa,
    )
    return moderated(completed(resubmitted(first.submission), assessor, outcome=Outcome.NOT_YET_COMPETENT), internal_qa)


def test_the_learner_reads_outcomes_and_appeals_and_a_reviewer_decides(
    client_for: Sign, final: Assessment, centre_admin: User
) -> None:
    learner = client_for(final.learner)
    found = learner.get(f"{API}/outcomes").json()
    assert [o["attempt"] for o in found] == [2, 1]
    assert found[0]["is_final"]
    assert found[0]["appeal_by"]
    assert found[0]["judgements"][0]["comment"] == "Describe your own part in the process."
    lodged = _post(learner, f"{API}/outcomes/{final.pk}/appeal", {"grounds": "Misread."})
    assert lodged.status_code == 201
    appeal = lodged.json()["id"]
    decided = _post(
        client_for(centre_admin), f"{API}/appeals/{appeal}/decision", {"upheld": False, "decision": "It stands."}
    )
    assert decided.status_code == 200
    assert decided.json()["state"] == AppealState.DISMISSED.label


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("assessor", 403),
        ("facilitator", 403),
        ("learner", 404),
        ("outsider", 404),
        ("other_centre_admin", 404),
        (None, 401),
    ],
)
def test_staff_endpoints_refuse_everyone_else(
    who: str | None,
    status: int,
    request: pytest.FixtureRequest,
    client_for: Sign,
    cld_cohort: Cohort,
    final: Assessment,
    internal_qa: User,
) -> None:
    appeal = appeals.lodge_appeal(assessment=final, actor=final.learner, grounds="Misread.")
    entry = final.sample_entry
    client = client_for(request.getfixturevalue(who) if who else None)
    base = f"{API}/cohorts/{cld_cohort.public_id}"
    calls = [
        client.get(f"{base}/sampling-plan"),
        client.put(
            f"{base}/sampling-plan", {"percent": 1, "new_assessor_decisions": 1}, content_type="application/json"
        ),
        _post(client, f"{base}/samples/preview", {"seed": "x"}),
        _post(client, f"{base}/samples", {"seed": "x"}),
        client.get(f"{base}/samples"),
        client.get(f"{base}/samples/1"),
        _post(client, f"{API}/moderation/{entry.pk}", {"agreed": True}),
        _post(client, f"{API}/appeals/{appeal.pk}/decision", {"upheld": False, "decision": "No."}),
    ]
    assert [c.status_code for c in calls] == [status] * len(calls)
    entry.refresh_from_db()
    assert entry.state == ModerationState.AGREED


@pytest.mark.parametrize(("who", "status"), [("internal_qa", 404), ("learner", 404), ("outsider", 404), (None, 401)])
def test_the_learners_endpoints_refuse_everyone_else(
    who: str | None, status: int, request: pytest.FixtureRequest, client_for: Sign, final: Assessment
) -> None:
    client = client_for(request.getfixturevalue(who) if who else None)
    response = _post(client, f"{API}/outcomes/{final.pk}/appeal", {"grounds": "Not mine."})
    assert response.status_code == status
    if who is not None:
        assert client.get(f"{API}/outcomes").json() == []


def test_the_moderator_of_it_is_refused_the_appeal_decision(
    client_for: Sign, final: Assessment, internal_qa: User, centre: Organisation, member: Callable[..., User]
) -> None:
    appeal = appeals.lodge_appeal(assessment=final, actor=final.learner, grounds="Misread.")
    response = _post(
        client_for(internal_qa), f"{API}/appeals/{appeal.pk}/decision", {"upheld": False, "decision": "No."}
    )
    assert response.status_code == 403
    assert "Conflict of interest" in response.json()["detail"]
    other = member(centre, Role.INTERNAL_QA, "iqa2@credo.example")
    assert (
        _post(
            client_for(other), f"{API}/appeals/{appeal.pk}/decision", {"upheld": False, "decision": "No."}
        ).status_code
        == 200
    )
