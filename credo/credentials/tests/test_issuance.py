"""From attainment to signed credential: issuers, keys, issuance, status and transcripts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from credo.accounts.models import Organisation, User
from credo.audit.models import AuditEvent
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials import kek, services
from credo.credentials.models import (
    AchievementKind,
    Attainment,
    Credential,
    CredentialKind,
    CredentialState,
    Issuer,
    Route,
    SigningKey,
)
from credo.credentials.services import issuance
from credo.credentials.services.issuers import problems_signing
from credo.credentials.tasks import schedule_issuance
from credo.credentials.verification import verify_credential

from .conftest import attain

pytestmark = pytest.mark.django_db


def document(credential: Credential) -> dict[str, Any]:
    return json.loads(credential.issued_json)


def passed(credential: Credential) -> dict[str, bool | None]:
    return {check.name: check.passed for check in verify_credential(document(credential)).checks}


class TestIssuers:
    def test_only_issuing_organisations_get_an_issuer_profile(self, centre: Organisation, centre_admin: User) -> None:
        with pytest.raises(ValidationError, match="only issuers sign credentials"):
            services.create_issuer(centre, actor=centre_admin, email="x@centre.example")

    def test_a_new_issuer_has_one_sealed_key_and_a_did_web(self, issuer: Issuer) -> None:
        assert issuer.did == "did:web:127.0.0.1%3A8000:issuers:test-awards"
        (key,) = issuer.keys.all()
        assert key.retired_at is None
        assert len(bytes(key.encrypted_private_key)) == 12 + 32 + 16  # nonce, key, tag: no plaintext
        assert problems_signing(issuer) == []

    def test_without_a_domain_an_issuer_uses_did_key(self, awarding_body: Organisation, catalogue_admin: User) -> None:
        issuer = services.create_issuer(awarding_body, actor=catalogue_admin, email="c@awards.example")
        assert issuer.did == "did:key:" + issuer.keys.get().public_key_multibase

    def test_a_wrong_key_encryption_key_is_reported_not_used(self, issuer: Issuer, settings: Any) -> None:
        settings.KEY_ENCRYPTION_KEY = "A" * 43
        (problem,) = problems_signing(issuer)
        assert "was sealed with key-encryption key" in problem
        with pytest.raises(kek.KeyEncryptionError):
            services.signing_key_for(issuer)

    def test_rotation_keeps_earlier_credentials_verifiable(
        self, issuer: Issuer, award_attainments: list[Attainment], catalogue_admin: User
    ) -> None:
        before = issuance.issue_credential(award_attainments[0])
        new_key = services.rotate_key(issuer, actor=catalogue_admin)
        assert issuer.keys.filter(retired_at__isnull=True).get() == new_key
        after = issuance.issue_credential(award_attainments[1])
        assert document(before)["proof"][0]["verificationMethod"].endswith("#key-1")
        assert document(after)["proof"][0]["verificationMethod"].endswith("#key-2")
        assert passed(before)["Signature"]
        assert passed(after)["Signature"]

    def test_the_database_allows_one_active_key(self, issuer: Issuer) -> None:
        key = issuer.keys.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            SigningKey.objects.create(
                issuer=issuer, fragment="key-9", public_key_multibase="z6Mkx", encrypted_private_key=b"", kek_id="x"
            )
        assert issuer.keys.get() == key


class TestAttainments:
    def test_completing_the_award_units_records_the_award_naming_its_units(
        self, award_attainments: list[Attainment], catalogue: SmallCatalogue, learner: User
    ) -> None:
        award = Attainment.objects.get(learner=learner, achievement__qualification=catalogue.award)
        assert award.route == Route.RULES_OF_COMBINATION
        assert set(award.components.all()) == set(award_attainments)
        assert award.achievement.kind == AchievementKind.QUALIFICATION
        assert not Attainment.objects.filter(learner=learner, achievement__qualification=catalogue.certificate).exists()

    def test_the_certificate_follows_when_its_rules_are_met_counting_the_award_units(
        self, award_attainments: list[Attainment], catalogue: SmallCatalogue, learner: User, ratifier: User
    ) -> None:
        for unit in catalogue.certificate_only_units:
            attain(learner, unit, ratifier)
        attain(learner, catalogue.optional_units[0], ratifier, Route.CREDIT_TRANSFER)
        assert not Attainment.objects.filter(achievement__qualification=catalogue.certificate).exists()
        attain(learner, catalogue.optional_units[1], ratifier, Route.PRIOR_LEARNING)
        certificate = Attainment.objects.get(learner=learner, achievement__qualification=catalogue.certificate)
        routes = sorted(certificate.components.values_list("route", flat=True))
        assert routes.count(Route.RATIFIED_ASSESSMENT) == 5
        assert Route.CREDIT_TRANSFER in routes
        assert Route.PRIOR_LEARNING in routes

    def test_a_learner_holds_an_achievement_once(
        self, award_attainments: list[Attainment], catalogue: SmallCatalogue, learner: User, ratifier: User
    ) -> None:
        with pytest.raises(ValidationError, match="already holds"):
            attain(learner, catalogue.shared_units[0], ratifier)

    def test_achievements_are_snapshots_of_the_catalogue(self, issuer: Issuer, catalogue: SmallCatalogue) -> None:
        unit = services.achievement_for_unit(catalogue.shared_units[0])
        assert services.achievement_for_unit(catalogue.shared_units[0]) == unit
        assert unit.code == catalogue.shared_units[0].code
        assert unit.code_type == "ext:OfqualUnitReferenceNumber"
        award = services.achievement_for_qualification(catalogue.award)
        assert award.achievement_type == "Award"
        assert catalogue.shared_units[0].code in award.criteria_narrative


class TestIssuance:
    def test_each_attainment_gets_one_verifiable_credential(
        self,
        issuer: Issuer,
        award_attainments: list[Attainment],
        learner: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            assert issuance.issue_pending(issuer) == 4  # three units and the Award
        assert issuance.issue_pending(issuer) == 0
        credentials = Credential.objects.filter(learner=learner)
        assert credentials.count() == 4
        for credential in credentials:
            assert passed(credential) == {
                "Signature": True,
                "Issuer and key": True,
                "Dates": True,
                "Status": True,
                "Schema": True,
            }
        assert len(mail.outbox) == 4
        assert "has issued you a verifiable credential" in mail.outbox[0].body

    def test_a_crash_part_way_leaves_no_duplicates_and_no_gaps(
        self, issuer: Issuer, award_attainments: list[Attainment], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(issuance, "CHUNK", 2)
        real_sign = issuance.proofs.sign
        calls = {"n": 0}

        def crash_on_third(*args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 3:
                raise RuntimeError("worker killed")
            return real_sign(*args, **kwargs)

        monkeypatch.setattr(issuance.proofs, "sign", crash_on_third)
        with pytest.raises(RuntimeError):
            issuance.issue_pending(issuer)
        assert Credential.objects.count() == 2  # the first chunk committed; the second left nothing behind
        monkeypatch.setattr(issuance.proofs, "sign", real_sign)
        assert issuance.issue_pending(issuer) == 2
        slots = list(Credential.objects.values_list("status_index", flat=True).order_by("status_index"))
        assert slots == [0, 1, 2, 3]
        assert Credential.objects.values("attainment").distinct().count() == 4

    def test_issuing_twice_returns_the_same_credential(self, award_attainments: list[Attainment]) -> None:
        first = issuance.issue_credential(award_attainments[0])
        assert issuance.issue_credential(award_attainments[0]) == first

    def test_an_achievement_with_a_validity_period_expires(self, award_attainments: list[Attainment]) -> None:
        achievement = award_attainments[0].achievement
        achievement.valid_for_days = 365
        achievement.save()
        credential = issuance.issue_credential(award_attainments[0])
        assert "validUntil" in document(credential)
        later = credential.issued_at.replace(year=credential.issued_at.year + 2)
        dates = [c for c in verify_credential(document(credential), now=later).checks if c.name == "Dates"]
        assert dates[0].passed is False
        assert "expired" in dates[0].detail

    def test_the_learner_is_named_and_their_email_hashed(self, award_attainments: list[Attainment]) -> None:
        subject = document(issuance.issue_credential(award_attainments[0]))["credentialSubject"]
        name, email = subject["identifier"]
        assert (
            name
            == {
                "type": "IdentityObject",
                "identityHash": "learner@credo.example",
                "identityType": "name",
                "hashed": False,
            }
            or name["identityType"] == "name"
        )
        assert email["hashed"] is True
        assert "learner@credo.example" not in json.dumps(email)


class TestStatus:
    def test_revoking_changes_the_signed_status_list_and_the_verdict(
        self, award_attainments: list[Attainment], ratifier: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        credential = issuance.issue_credential(award_attainments[0])
        with django_capture_on_commit_callbacks(execute=True):
            services.revoke(credential, actor=ratifier, reason="Malpractice found on appeal")
        report = verify_credential(document(credential))
        assert report.revoked
        assert not report.verified
        assert report.summary().startswith("Revoked")
        assert AuditEvent.objects.filter(action="credentials.revoked").exists()
        assert "Malpractice found on appeal" in mail.outbox[-1].body

    def test_suspension_can_be_lifted(self, award_attainments: list[Attainment], ratifier: User) -> None:
        credential = issuance.issue_credential(award_attainments[0])
        services.suspend(credential, actor=ratifier, reason="Under investigation")
        assert verify_credential(document(credential)).suspended
        services.reinstate(credential, actor=ratifier, reason="Investigation closed")
        report = verify_credential(document(credential))
        assert report.verified
        assert not report.suspended

    def test_a_change_needs_a_reason_and_a_revoked_credential_stays_revoked(
        self, award_attainments: list[Attainment], ratifier: User
    ) -> None:
        credential = issuance.issue_credential(award_attainments[0])
        with pytest.raises(ValidationError, match="Give a reason"):
            services.revoke(credential, actor=ratifier, reason=" ")
        services.revoke(credential, actor=ratifier, reason="Issued in error")
        with pytest.raises(ValidationError, match="cannot be"):
            services.reinstate(credential, actor=ratifier, reason="Oops")
        credential.refresh_from_db()
        assert credential.state == CredentialState.REVOKED

    def test_reissuing_after_a_correction_revokes_the_old_credential(
        self, award_attainments: list[Attainment], ratifier: User, learner: User
    ) -> None:
        old = issuance.issue_credential(award_attainments[0])
        learner.full_name = "Corrected Name"
        learner.save()
        new = issuance.reissue(old, actor=ratifier, reason="Name corrected")
        old.refresh_from_db()
        assert old.state == CredentialState.REVOKED
        assert old.replaced_by == new
        assert "Corrected Name" in new.issued_json
        assert verify_credential(document(new)).verified

    def test_a_private_credential_stays_private_when_reissued(
        self, award_attainments: list[Attainment], ratifier: User
    ) -> None:
        old = issuance.issue_credential(award_attainments[0])
        Credential.objects.filter(pk=old.pk).update(is_public=False)
        old.refresh_from_db()
        new = issuance.reissue(old, actor=ratifier, reason="Name corrected")
        new.refresh_from_db()
        assert new.is_public is False


class TestTranscripts:
    def test_the_background_issuance_also_issues_the_learners_transcript_once(
        self,
        issuer: Issuer,
        award_attainments: list[Attainment],
        learner: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            schedule_issuance(issuer)
        transcripts = Credential.objects.filter(learner=learner, kind=CredentialKind.TRANSCRIPT)
        assert transcripts.count() == 1
        assert len(document(transcripts.get())["credentialSubject"]["verifiableCredential"]) == 4
        assert issuance.refresh_transcripts(issuer) == 0, "nothing changed, so nothing is renewed"

    def test_revoking_a_bundled_credential_renews_the_transcript_without_it(
        self,
        issuer: Issuer,
        award_attainments: list[Attainment],
        learner: User,
        ratifier: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        issuance.issue_pending(issuer)
        first = issuance.issue_transcript(learner, issuer)
        unit = Credential.objects.get(attainment=award_attainments[0])
        with django_capture_on_commit_callbacks(execute=True):
            services.revoke(unit, actor=ratifier, reason="Awarded in error")
        first.refresh_from_db()
        assert first.state == CredentialState.REVOKED
        current = Credential.objects.get(learner=learner, kind=CredentialKind.TRANSCRIPT, superseded_at__isnull=True)
        bundled = {c["id"] for c in document(current)["credentialSubject"]["verifiableCredential"]}
        assert unit.urn not in bundled
        assert len(bundled) == 3
        assert verify_credential(document(current)).verified

    def test_a_transcript_bundles_the_units_and_the_award(
        self, issuer: Issuer, award_attainments: list[Attainment], learner: User
    ) -> None:
        issuance.issue_pending(issuer)
        transcript = issuance.issue_transcript(learner, issuer)
        clr = document(transcript)
        assert transcript.kind == CredentialKind.TRANSCRIPT
        assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
        assert len(clr["credentialSubject"]["verifiableCredential"]) == 4
        assert len(clr["credentialSubject"]["association"]) == 3
        report = verify_credential(clr)
        assert report.verified, [c for c in report.checks if not c.passed]
        assert len(report.embedded) == 4
        assert all(embedded.verified for embedded in report.embedded)

    def test_a_new_transcript_replaces_the_old(
        self, issuer: Issuer, award_attainments: list[Attainment], learner: User
    ) -> None:
        issuance.issue_pending(issuer)
        first = issuance.issue_transcript(learner, issuer)
        second = issuance.issue_transcript(learner, issuer)
        first.refresh_from_db()
        assert first.state == CredentialState.REVOKED
        assert first.replaced_by == second

    def test_no_transcript_without_credentials(self, issuer: Issuer, learner: User) -> None:
        with pytest.raises(ValidationError, match="holds no credentials"):
            issuance.issue_transcript(learner, issuer)


class TestSystemCheck:
    def test_an_issuer_that_cannot_sign_is_warned_about(self, issuer: Issuer, settings: Any) -> None:
        from credo.credentials.checks import issuers_can_sign

        assert issuers_can_sign() == []
        settings.KEY_ENCRYPTION_KEY = "B" * 43
        (warning,) = issuers_can_sign()
        assert warning.id == "credentials.W002"
        assert "cannot be issued" in warning.msg
        issuer.keys.update(retired_at="2025-01-01T00:00:00Z")
        settings.KEY_ENCRYPTION_KEY = ""
        (warning,) = issuers_can_sign()
        assert "has no active signing key" in warning.msg

    def test_production_without_a_key_encryption_key_is_warned_about(self, issuer: Issuer, settings: Any) -> None:
        from credo.credentials.checks import issuers_can_sign

        settings.PRODUCTION = True
        settings.KEY_ENCRYPTION_KEY = ""
        (warning,) = issuers_can_sign()
        assert warning.id == "credentials.W001"
