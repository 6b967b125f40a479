"""The demo's credentials: past graduates brought in by bulk award, an SEG learner's Award then Certificate.

Each one verifies, in credo's verifier and in the DCC's; the revoked and suspended ones say so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from credo.credentials import links
from credo.credentials.models import (
    AchievementKind,
    Attainment,
    AwardBatch,
    AwardBatchState,
    Credential,
    CredentialKind,
    CredentialState,
    Issuer,
    Route,
)
from credo.credentials.tests.test_interop import _issued_world, _tampered, dcc_verify
from credo.credentials.verification import verify_credential
from credo.front.demo import GRADUATE

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("demo_for_the_class")
class TestDemoCredentials:
    def test_past_graduates_came_in_by_one_bulk_award_and_hold_the_micro_credential(self) -> None:
        batch = AwardBatch.objects.get(issuer__organisation__slug="otago-polytechnic")
        assert batch.state == AwardBatchState.APPLIED
        credentials = Credential.objects.filter(issuer__organisation__slug="otago-polytechnic")
        assert credentials.count() == 5
        assert {c.attainment.route for c in credentials} == {Route.DIRECT_AWARD}
        states = sorted(credentials.values_list("state", flat=True))
        assert states == ["active", "active", "active", "revoked", "suspended"]
        assert credentials.get(learner__email=GRADUATE).state == CredentialState.ACTIVE

    def test_the_seg_learner_holds_unit_qualification_and_transcript_credentials(self) -> None:
        held = Credential.objects.filter(learner__email="learner@riverside.example", superseded_at__isnull=True)
        kinds = sorted(
            c.attainment.achievement.kind if c.attainment else c.kind
            for c in held.select_related("attainment__achievement")
        )
        assert kinds.count(AchievementKind.UNIT) == 9
        assert kinds.count(AchievementKind.QUALIFICATION) == 2
        assert kinds.count(CredentialKind.TRANSCRIPT) == 1
        certificate = Attainment.objects.get(
            learner__email="learner@riverside.example", achievement__qualification__code="603/1942/2"
        )
        assert certificate.route == Route.RULES_OF_COMBINATION
        assert certificate.components.count() == 9
        award = Attainment.objects.get(
            learner__email="learner@riverside.example", achievement__qualification__code="603/1941/0"
        )
        assert award.attained_on < certificate.attained_on
        transcript = json.loads(held.get(kind=CredentialKind.TRANSCRIPT).issued_json)
        assert len(transcript["credentialSubject"]["verifiableCredential"]) == 11

    def test_credos_verifier_verifies_each_and_reports_the_revoked_and_suspended(self) -> None:
        for credential in Credential.objects.all():
            report = verify_credential(json.loads(credential.issued_json))
            failed = [check for check in report.checks if check.passed is False]
            if credential.state == CredentialState.REVOKED:
                assert report.revoked, credential
            elif credential.state == CredentialState.SUSPENDED:
                assert report.suspended, credential
            else:
                assert report.verified, (credential, failed)

    def test_the_dcc_verifier_verifies_each_fails_a_tampered_copy_and_reports_the_revoked(self, tmp_path: Path) -> None:
        documents = {str(c.public_id): c.issued_json for c in Credential.objects.all()}
        any_active = Credential.objects.filter(state=CredentialState.ACTIVE).first()
        assert any_active is not None
        documents["tampered"] = _tampered(any_active.issued_json)
        dids: dict[str, object] = {}
        status: dict[str, object] = {}
        for issuer in Issuer.objects.all():
            world_dids, world_status = _issued_world(issuer)
            dids |= world_dids
            status |= world_status
        verdicts = dcc_verify(tmp_path, documents, dids=dids, status=status)
        assert not verdicts["tampered"]["verified"]
        for credential in Credential.objects.all():
            verdict = verdicts[str(credential.public_id)]
            assert verdict["signature"], verdict
            assert verdict["status"]["revoked"] == (credential.state == CredentialState.REVOKED), verdict
            assert verdict["status"]["suspended"] == (credential.state == CredentialState.SUSPENDED), verdict

    def test_the_verify_page_verifies_each_by_its_address(self, client: Client) -> None:
        for credential in Credential.objects.filter(superseded_at__isnull=True):
            page = client.get("/verify", {"url": links.credential_page(credential.public_id)})
            assert page.status_code == 200
            headline = {
                CredentialState.ACTIVE: "Verified",
                CredentialState.REVOKED: "Revoked: the issuer has withdrawn this credential.",
                CredentialState.SUSPENDED: "Suspended: the issuer has put this credential on hold",
            }[CredentialState(credential.state)]
            text = page.content.decode()
            assert headline in text, (credential, text[text.find("<main") :][:3000])
