"""What claims put on the dashboard: the EQA's claims waiting, certification's released claims, the centre's blocked
claims; nothing for anyone else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Organisation, User
from credo.assessment.models import Claim, ClaimState
from credo.programmes.models import Cohort

pytestmark = pytest.mark.django_db
SignIn = Callable[[User | None], Client]


def dashboard(client: Client) -> str:
    answer = client.get(reverse("dashboard"))
    assert answer.status_code == 200
    return answer.content.decode()


@pytest.fixture
def received(seg_cohort: Cohort, centre: Organisation, centre_admin: User, awarding_body: Organisation) -> None:
    for state in (ClaimState.SUBMITTED, ClaimState.SUBMITTED, ClaimState.RELEASED, ClaimState.BLOCKED):
        Claim.objects.create(centre=centre, awarding_body=awarding_body, created_by=centre_admin, state=state)


@pytest.mark.usefixtures("received")
def test_each_role_sees_the_claims_waiting_for_them(
    client_for: SignIn, external_qa: User, ratifier: User, centre_admin: User, assessor: User, outsider: User
) -> None:
    assert "Claims waiting for external quality assurance: 2" in dashboard(client_for(external_qa))
    assert "Released claims waiting for certification: 1" in dashboard(client_for(ratifier))
    centre_page = dashboard(client_for(centre_admin))
    assert "1 claim blocked by external quality assurance: revise and resubmit" in centre_page
    assert "Claims for certification" in centre_page
    for someone in (assessor, outsider):
        page = dashboard(client_for(someone))
        assert "claims" not in page.lower() or "Claims for certification" not in page
