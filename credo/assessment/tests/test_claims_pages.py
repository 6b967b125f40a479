"""The claims pages: the centre builds, checks, changes and submits a claim; the awarding body lists the claims it
received, reads a claim with the centre's sampling records and a portfolio of the sample, reviews it, and approves
certification; both download it as CSV and PDF. Everyone else is refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Organisation, User
from credo.assessment.models import Claim, ClaimState, RiskRating
from credo.assessment.services import claims, eqa
from credo.credentials.models import Issuer
from credo.programmes.models import Cohort

from .claims_builders import ready_to_claim

pytestmark = pytest.mark.django_db

SignIn = Callable[[User | None], Client]


@pytest.fixture
def draft(
    seg_cohort: Cohort, centre: Organisation, centre_admin: User, awarding_body: Organisation, seg_issuer: Issuer
) -> Claim:
    assessment = ready_to_claim(seg_cohort, "jordan@example.org", "Jordan Lee")
    return claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])


@pytest.fixture
def submitted(draft: Claim, centre_admin: User) -> Claim:
    return claims.submit_claim(claim=draft, actor=centre_admin)


@pytest.fixture
def released(submitted: Claim, external_qa: User) -> Claim:
    eqa.review_claim(
        claim=submitted,
        actor=external_qa,
        findings="Read one portfolio.",
        actions="",
        risk=RiskRating.LOW,
        released=True,
        sampled=list(eqa.claim_assessments(submitted)),
    )
    submitted.refresh_from_db()
    return submitted


def _url(name: str, claim: Claim, *extra: Any) -> str:
    return reverse(f"assessment:{name}", args=[claim.pk, *extra])


def test_the_centre_sees_its_claimable_learners_and_drafts_a_claim(
    client_for: SignIn, seg_cohort: Cohort, centre_admin: User, awarding_body: Organisation, seg_issuer: Issuer
) -> None:
    assessment = ready_to_claim(seg_cohort, "jordan@example.org", "Jordan Lee")
    client = client_for(centre_admin)
    page = client.get("/assessment/centres/test-centre/claims/")
    assert page.status_code == 200
    assert "Jordan Lee" in page.content.decode()

    built = client.post(
        f"/assessment/centres/test-centre/claims/{awarding_body.slug}/new/", {"assessments": [assessment.pk]}
    )
    claim = Claim.objects.get()
    assert built.status_code == 302
    assert built["Location"] == _url("claim", claim)
    page = client.get(built["Location"])
    text = page.content.decode()
    assert "Nothing stops this claim being submitted." in text
    assert "Organising unit 1" in text
    assert "Being prepared by the centre" in text  # the state in words, never its code


def test_drafting_with_nobody_chosen_shows_the_problem_beside_the_field(
    client_for: SignIn, seg_cohort: Cohort, centre_admin: User, awarding_body: Organisation, seg_issuer: Issuer
) -> None:
    ready_to_claim(seg_cohort, "jordan@example.org")
    answer = client_for(centre_admin).post(f"/assessment/centres/test-centre/claims/{awarding_body.slug}/new/", {})
    assert answer.status_code == 422
    assert "Choose at least one learner to claim for." in answer.content.decode()
    assert not Claim.objects.exists()


def test_the_centre_takes_a_learner_off_after_confirming(client_for: SignIn, draft: Claim, centre_admin: User) -> None:
    client = client_for(centre_admin)
    learner = draft.lines.first().learner  # type: ignore[union-attr]
    url = _url("claim_remove", draft, learner.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert 'class="danger"' in page.content.decode()
    assert draft.lines.exists()  # asking changes nothing
    assert client.post(url, {}).status_code == 200  # not confirmed: asked again
    assert draft.lines.exists()
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    assert not draft.lines.exists()


def test_the_centre_submits_after_confirming(client_for: SignIn, draft: Claim, centre_admin: User) -> None:
    client = client_for(centre_admin)
    page = client.get(_url("claim_submit", draft))
    assert "Submit the claim" in page.content.decode()
    draft.refresh_from_db()
    assert draft.state == ClaimState.DRAFT
    client.post(_url("claim_submit", draft), {"confirmed": "yes"})
    draft.refresh_from_db()
    assert draft.state == ClaimState.SUBMITTED


def test_the_centre_adds_learners_to_a_draft(
    client_for: SignIn, draft: Claim, centre_admin: User, seg_cohort: Cohort
) -> None:
    second = ready_to_claim(seg_cohort, "sam@example.org", "Sam Rivers")
    answer = client_for(centre_admin).post(_url("claim_add", draft), {"assessments": [second.pk]})
    assert answer.status_code == 302
    assert draft.lines.filter(learner=second.learner).exists()


def test_the_eqa_lists_claims_received_filtered_and_paginated_in_a_fixed_number_of_queries(
    client_for: SignIn,
    submitted: Claim,
    external_qa: User,
    centre: Organisation,
    centre_admin: User,
    awarding_body: Organisation,
    django_assert_max_num_queries: Any,
) -> None:
    for _ in range(30):
        Claim.objects.create(
            centre=centre, awarding_body=awarding_body, created_by=centre_admin, state=ClaimState.SUBMITTED
        )
    Claim.objects.create(centre=centre, awarding_body=awarding_body, created_by=centre_admin)  # a draft: not sent
    client = client_for(external_qa)
    with django_assert_max_num_queries(12):
        page = client.get(f"/assessment/awarding/{awarding_body.slug}/claims/?state=submitted&centre=test-centre")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Claims matching the filters: 31" in text
    assert "Page 1 of 2" in text
    assert (
        client.get(f"/assessment/awarding/{awarding_body.slug}/claims/?state=certificated")
        .content.decode()
        .count("Claim ")
        < 5
    )


def test_the_eqa_reads_the_claim_the_sampling_records_and_a_portfolio_then_reviews_it(
    client_for: SignIn, submitted: Claim, external_qa: User
) -> None:
    client = client_for(external_qa)
    page = client.get(_url("claim", submitted)).content.decode()
    assert "The centre's sampling records" in page
    assert "Not in the sample" in page
    assert "Record the review" in page
    assessment = eqa.claim_assessments(submitted).get()
    portfolio = client.get(_url("claim_portfolio", submitted, assessment.pk))
    assert portfolio.status_code == 200
    assert "What I did." in portfolio.content.decode()

    refused = client.post(_url("claim_review", submitted), {"findings": "", "risk": "low", "decision": "block"})
    assert refused.status_code == 422
    assert "This field is required." in refused.content.decode()

    done = client.post(
        _url("claim_review", submitted),
        {"findings": "Fine.", "risk": "medium", "decision": "release", "sampled": [assessment.pk]},
    )
    assert done.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ClaimState.RELEASED
    assert "Medium risk" in client.get(_url("claim", submitted)).content.decode()


def test_blocking_without_actions_is_shown_beside_the_actions(
    client_for: SignIn, submitted: Claim, external_qa: User
) -> None:
    answer = client_for(external_qa).post(
        _url("claim_review", submitted), {"findings": "Gaps.", "risk": "high", "decision": "block"}
    )
    assert answer.status_code == 422
    assert "Say what the centre must do" in answer.content.decode()


def test_certification_staff_approve_after_confirming_and_follow_the_job(
    client_for: SignIn,
    released: Claim,
    ratifier: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = client_for(ratifier)
    assert "Approve certification" in client.get(_url("claim", released)).content.decode()
    page = client.get(_url("claim_approve", released))
    assert 'class="danger"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(_url("claim_approve", released), {"confirmed": "yes"})
    assert answer.status_code == 302
    assert answer["Location"].startswith("/jobs/")
    released.refresh_from_db()
    assert released.state == ClaimState.CERTIFICATED
    assert "follow its progress" not in client.get(_url("claim", released)).content.decode()


def test_the_claim_downloads_as_csv_and_as_a_pdf_to_sign(
    client_for: SignIn, submitted: Claim, centre_admin: User
) -> None:
    client = client_for(centre_admin)
    csv_answer = client.get(_url("claim_csv", submitted))
    assert csv_answer["Content-Type"].startswith("text/csv")
    rows = csv_answer.content.decode().splitlines()
    assert rows[0].startswith("claim,centre,awarding_body,state")
    assert len(rows) == 4  # two units and the award
    assert "jordan@example.org" in rows[1]
    pdf_answer = client.get(_url("claim_pdf", submitted))
    assert pdf_answer["Content-Type"] == "application/pdf"
    assert pdf_answer.content.startswith(b"%PDF")


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


#: Who may open each page of a submitted claim; everyone else is refused (403 with a role there, else 404).
PAGES = [
    ("claim", "GET", {"centre_admin", "external_qa", "ratifier"}),
    ("claim_csv", "GET", {"centre_admin", "external_qa", "ratifier"}),
    ("claim_pdf", "GET", {"centre_admin", "external_qa", "ratifier"}),
    ("claim_submit", "GET", {"centre_admin"}),
    ("claim_add", "POST", {"centre_admin"}),
    ("claim_review", "POST", {"external_qa"}),
    ("claim_approve", "GET", {"ratifier"}),
]
#: Roles at the centre or the awarding body (a 403); the others learn nothing (404).
WITH_A_ROLE = {"learner", "assessor", "internal_qa", "facilitator", "centre_admin", "external_qa", "ratifier"}
WITH_A_ROLE |= {"catalogue_admin"}


@pytest.mark.parametrize(("name", "method", "allowed"), PAGES)
def test_each_claim_page_refuses_every_other_role_and_other_organisations(
    client_for: SignIn, submitted: Claim, everyone: dict[str, User], name: str, method: str, allowed: set[str]
) -> None:
    for who, user in everyone.items():
        client = client_for(user)
        answer = client.get(_url(name, submitted)) if method == "GET" else client.post(_url(name, submitted), {})
        if who in allowed:
            assert answer.status_code in (200, 302, 422), (who, answer.status_code)
        elif who == "learner":
            assert answer.status_code == 404, who  # a learner at the centre learns nothing of claims
        else:
            assert answer.status_code == (403 if who in WITH_A_ROLE else 404), (who, answer.status_code)


def test_a_draft_is_the_centres_own(client_for: SignIn, draft: Claim, external_qa: User, ratifier: User) -> None:
    for user in (external_qa, ratifier):
        assert client_for(user).get(_url("claim", draft)).status_code == 403


def test_the_lists_refuse_others(
    client_for: SignIn, everyone: dict[str, User], awarding_body: Organisation, seg_cohort: Cohort
) -> None:
    centre_page = "/assessment/centres/test-centre/claims/"
    body_page = f"/assessment/awarding/{awarding_body.slug}/claims/"
    for who, user in everyone.items():
        client = client_for(user)
        centre_status = client.get(centre_page).status_code
        body_status = client.get(body_page).status_code
        assert centre_status == {"centre_admin": 200, "assessor": 403, "internal_qa": 403, "facilitator": 403}.get(
            who, 404
        ), who
        assert body_status == {"external_qa": 200, "ratifier": 200, "catalogue_admin": 403}.get(who, 404), who
    assert client_for(None).get(centre_page).status_code == 302  # to sign in
