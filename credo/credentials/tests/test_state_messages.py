"""Each change to a credential in each state it cannot be made from says why in words that are true for it."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from credo.accounts.models import User
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials import services
from credo.credentials.models import Credential, CredentialState, Issuer
from credo.credentials.services import issuance, status

PAST = datetime.date(2024, 10, 31)
CHANGES = {
    "revoke": status.revoke,
    "suspend": status.suspend,
    "reinstate": status.reinstate,
    "reissue": issuance.reissue,
}


@pytest.fixture
def credential(issuer: Issuer, catalogue: SmallCatalogue, learner: User, catalogue_admin: User) -> Credential:
    attainment = services.record_attainment(
        learner=learner,
        achievement=services.achievement_for_unit(catalogue.shared_units[0]),
        route="direct_award",
        attained_on=PAST,
        decided_by=catalogue_admin,
    )
    return services.issue_credential(attainment)


def _in_state(credential: Credential, state: str, actor: User) -> Credential:
    if state in (CredentialState.SUSPENDED, CredentialState.REVOKED):
        status.suspend(credential, actor=actor, reason="Under review")
    if state == CredentialState.REVOKED:
        status.revoke(credential, actor=actor, reason="Malpractice")
    if state == "replaced":
        issuance.reissue(credential, actor=actor, reason="Name corrected")
    credential.refresh_from_db()
    return credential


@pytest.mark.parametrize(
    ("action", "state", "says"),
    [
        ("revoke", "revoked", "This credential is already revoked."),
        ("suspend", "suspended", "This credential is already suspended; reinstate it to make it active again."),
        ("suspend", "revoked", "This credential is revoked, and revoking is for good: it cannot be suspended."),
        ("reinstate", "active", "This credential is active already: only a suspended credential can be reinstated."),
        ("reinstate", "revoked", "This credential is revoked, and revoking is for good: it cannot be reinstated."),
        (
            "reissue",
            "revoked",
            "This credential is revoked, and revoking is for good: a revoked credential cannot be re-issued.",
        ),
        ("reissue", "suspended", "This credential is suspended: reinstate it first, then re-issue it."),
        (
            "reissue",
            "replaced",
            "This credential has already been replaced: re-issue the credential that replaced it.",
        ),
    ],
)
def test_a_change_that_cannot_be_made_says_why(
    credential: Credential, catalogue_admin: User, action: str, state: str, says: str
) -> None:
    credential = _in_state(credential, state, catalogue_admin)
    credentials_before = Credential.objects.count()
    with pytest.raises(ValidationError) as refused:
        CHANGES[action](credential, actor=catalogue_admin, reason="Because")
    assert refused.value.messages == [says]
    assert Credential.objects.count() == credentials_before


def test_re_issuing_a_suspended_credential_leaves_it_suspended(credential: Credential, catalogue_admin: User) -> None:
    """A re-issue signs an active credential: it must not lift a suspension nobody decided to lift."""
    credential = _in_state(credential, CredentialState.SUSPENDED, catalogue_admin)
    with pytest.raises(ValidationError):
        issuance.reissue(credential, actor=catalogue_admin, reason="Name corrected")
    credential.refresh_from_db()
    assert (credential.state, credential.superseded_at) == (CredentialState.SUSPENDED, None)


def test_the_page_says_why_a_revoked_credential_cannot_be_re_issued(
    credential: Credential, catalogue_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    credential = _in_state(credential, CredentialState.REVOKED, catalogue_admin)
    page = client_for(catalogue_admin).post(
        f"/issuing/test-awards/credentials/{credential.public_id}",
        {"action": "reissue", "reason": "Name corrected", "confirmed": "yes"},
    )
    shown = page.content.decode()
    assert "a revoked credential cannot be re-issued" in shown
    assert "it cannot be revoked" not in shown
