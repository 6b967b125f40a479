"""The staff API: a cohort's progress, a learner's portfolio to read, and comments; everyone else refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.catalogue.models import Qualification
from credo.portfolios.models import EvidenceItem, Portfolio, SectionComment
from credo.portfolios.services import evidence
from credo.portfolios.services.comments import comment_on_section
from credo.portfolios.services.mapping import criteria_of, map_evidence
from credo.portfolios.services.portfolios import portfolio_for
from credo.programmes.models import Cohort

from .builders import PDF, studying, upload
from .staff_builders import attestation_request, completed_attestation, submitted, text

pytest_plugins = ["credo.portfolios.tests.staff_fixtures"]
pytestmark = pytest.mark.django_db

API = "/api/v1/portfolios/staff"
Sign = Callable[[User | None], Client]


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def endpoints(cld_portfolio: Portfolio, aroha: User) -> list[tuple[str, str]]:
    section = cld_portfolio.sections.get(position=1)
    comment = SectionComment.objects.create(section=section, author=aroha, body="Not a real comment")
    enrolment_id = cld_portfolio.enrolment_id
    return [
        ("get", f"{API}/cohorts/{cld_portfolio.enrolment.cohort.public_id}/progress"),
        ("get", f"{API}/enrolments/{enrolment_id}"),
        ("get", f"{API}/enrolments/{enrolment_id}/sections/{section.pk}/comments"),
        ("post", f"{API}/enrolments/{enrolment_id}/sections/{section.pk}/comments"),
        ("delete", f"{API}/enrolments/{enrolment_id}/comments/{comment.pk}"),
    ]


def _call(client: Client, method: str, url: str) -> int:
    if method == "post":
        return int(post(client, url, {"body": "Hello"}).status_code)
    return int(getattr(client, method)(url).status_code)


def test_someone_signed_out_is_asked_to_sign_in(endpoints: list[tuple[str, str]], client_for: Sign) -> None:
    for method, url in endpoints:
        assert _call(client_for(None), method, url) == 401, url


def test_learners_another_provider_and_outsiders_learn_nothing(
    endpoints: list[tuple[str, str]],
    aroha: User,
    cld_cohort: Cohort,
    provider_admin: User,
    other_providers_admin: User,
    outsider: User,
    client_for: Sign,
) -> None:
    classmate = studying(cld_cohort, provider_admin, "tama@example.org", "Tama").learner
    for person in (aroha, classmate, other_providers_admin, outsider):
        for method, url in endpoints:
            assert _call(client_for(person), method, url) == 404, (person, url)
    assert SectionComment.objects.count() == 1


def test_a_facilitator_of_another_cohort_is_refused(
    endpoints: list[tuple[str, str]], other_cohorts_facilitator: User, client_for: Sign
) -> None:
    for method, url in endpoints:
        assert _call(client_for(other_cohorts_facilitator), method, url) == 403, url


def test_the_cohort_progress_lists_learners_filtered_and_paginated(
    cld_portfolio: Portfolio, cld_cohort: Cohort, provider_assessor: User, provider_admin: User, client_for: Sign
) -> None:
    studying(cld_cohort, provider_admin, "idle@example.org", "Idle Learner")
    text(cld_portfolio, "Case study", "<p>one two</p>")
    attestation_request(cld_portfolio.sections.get(position=1))
    client = client_for(provider_assessor)
    url = f"{API}/cohorts/{cld_cohort.public_id}/progress"
    everyone = client.get(url).json()
    assert [(r["learner_name"], r["stage"], r["stage_label"]) for r in everyone] == [
        ("Aroha Te Whare", "in_progress", "In progress"),
        ("Idle Learner", "not_started", "Not started"),
    ]
    assert (everyone[0]["words"], everyone[0]["attestations_pending"], everyone[0]["sections_started"]) == (2, 1, 1)
    assert [r["learner_name"] for r in client.get(url, {"stage": "not_started"}).json()] == ["Idle Learner"]
    assert [r["learner_name"] for r in client.get(url, {"q": "aroha"}).json()] == ["Aroha Te Whare"]
    assert [r["learner_name"] for r in client.get(url, {"limit": 1, "offset": 1}).json()] == ["Idle Learner"]
    bad = client.get(url, {"stage": "graded", "q": "\x00"})
    assert bad.status_code == 422
    assert any("stage" in p for p in bad.json()["problems"])


def test_the_cohort_progress_costs_the_same_for_two_learners_or_twenty(
    cld_cohort: Cohort, provider_admin: User, client_for: Sign
) -> None:
    client, url = client_for(provider_admin), f"{API}/cohorts/{cld_cohort.public_id}/progress?limit=200"

    def add(start: int, count: int) -> None:
        for n in range(start, start + count):
            text(portfolio_for(enrolment=studying(cld_cohort, provider_admin, f"l{n}@example.org", f"L {n:02d}")))

    def cost() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured)

    add(0, 2)
    few = cost()
    add(2, 18)
    assert cost() == few
    assert len(client.get(url).json()) == 20


def test_a_learners_portfolio_reads_as_on_the_page(
    seg_portfolio: Portfolio, sam: User, seg: Qualification, provider_admin: User, client_for: Sign
) -> None:
    section = seg_portfolio.sections.get(position=1)
    written = text(seg_portfolio, "Minutes", "<p>We met</p>")
    EvidenceItem.objects.filter(pk=written.pk).update(html="<p>We met<script>alert(1)</script></p>")
    stored = evidence.add_file(section=section, actor=sam, uploaded_file=upload(PDF, "agenda.pdf"))
    map_evidence(item=written, actor=sam, criteria=list(criteria_of(seg.pk))[:1])
    completed_attestation(section, "Sam organised it well.")
    comment_on_section(section=section, actor=provider_admin, body="Add the date.")
    body = client_for(provider_admin).get(f"{API}/enrolments/{seg_portfolio.enrolment_id}").json()
    assert (body["learner_name"], body["attempt"], body["is_open"], body["submitted"], body["may_comment"]) == (
        "Sam Organiser",
        1,
        True,
        False,
        True,
    )
    first = body["sections"][0]
    by_title = {item["title"]: item for item in first["items"]}
    assert by_title["Minutes"]["html"] == "<p>We met</p>"
    assert [(c["unit"], c["number"]) for c in by_title["Minutes"]["criteria"]] == [("L/700/0901", "1.1")]
    assert by_title["agenda.pdf"]["download"].endswith(f"/files/{stored.pk}/")
    [request] = first["attestation_requests"]
    assert (request["state"], request["state_label"], request["attestation"]["statement"]) == (
        "completed",
        "Received",
        "Sam organised it well.",
    )
    assert [(c["body"], c["yours"]) for c in first["comments"]] == [("Add the date.", True)]


def test_a_submitted_portfolio_says_so(cld_portfolio: Portfolio, cohort_facilitator: User, client_for: Sign) -> None:
    submitted(cld_portfolio)
    body = client_for(cohort_facilitator).get(f"{API}/enrolments/{cld_portfolio.enrolment_id}").json()
    assert (body["submitted"], body["is_open"], body["may_comment"]) == (True, False, False)
    assert body["submissions"][0]["content_sha256"] == "1" * 64


def test_comments_are_made_listed_and_removed_by_their_author(
    cld_portfolio: Portfolio, cohort_facilitator: User, provider_admin: User, provider_assessor: User, client_for: Sign
) -> None:
    section = cld_portfolio.sections.get(position=1)
    url = f"{API}/enrolments/{cld_portfolio.enrolment_id}/sections/{section.pk}/comments"
    facilitator = client_for(cohort_facilitator)
    made = post(facilitator, url, {"body": "  Try a timeline.  "})
    assert made.status_code == 201
    assert made.json()["body"] == "Try a timeline."
    assert [c["body"] for c in client_for(provider_assessor).get(url).json()] == ["Try a timeline."]
    assert post(client_for(provider_assessor), url, {"body": "Assessors do not comment"}).status_code == 403
    empty = post(facilitator, url, {"body": "   "})
    assert empty.status_code == 422
    assert empty.json()["detail"] == "body: Write your comment."
    assert post(facilitator, url, {"body": "a\x00b"}).status_code == 422
    removal = f"{API}/enrolments/{cld_portfolio.enrolment_id}/comments/{made.json()['id']}"
    assert client_for(provider_admin).delete(removal).status_code == 403
    assert facilitator.delete(removal).status_code == 204
    assert facilitator.delete(removal).status_code == 404
    assert AuditEvent.objects.filter(action__startswith="portfolios.comment_").count() == 2


def test_comments_are_paginated(cld_portfolio: Portfolio, cohort_facilitator: User, client_for: Sign) -> None:
    section = cld_portfolio.sections.get(position=1)
    for n in range(3):
        comment_on_section(section=section, actor=cohort_facilitator, body=f"Comment {n}")
    url = f"{API}/enrolments/{cld_portfolio.enrolment_id}/sections/{section.pk}/comments"
    page = client_for(cohort_facilitator).get(url, {"limit": 2, "offset": 1}).json()
    assert [c["body"] for c in page] == ["Comment 1", "Comment 2"]
