"""The issuer's staff pages: profile and keys, awards, bulk upload, credentials' status; everyone else refused."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials import services
from credo.credentials.models import (
    Achievement,
    Attainment,
    AwardBatch,
    AwardBatchState,
    Credential,
    CredentialState,
    Issuer,
    SigningKey,
)

SLUG = "test-awards"
PAST = datetime.date(2024, 10, 31)


@pytest.fixture
def achievement(issuer: Issuer, catalogue: SmallCatalogue) -> Achievement:
    return services.achievement_for_unit(catalogue.shared_units[0])


@pytest.fixture
def credential(achievement: Achievement, learner: User, catalogue_admin: User) -> Credential:
    attainment = services.record_attainment(
        learner=learner, achievement=achievement, route="direct_award", attained_on=PAST, decided_by=catalogue_admin
    )
    return services.issue_credential(attainment)


@pytest.fixture
def batch(achievement: Achievement, catalogue_admin: User) -> AwardBatch:
    from credo.credentials.services.awards import upload_awards

    data = f"email,full_name,achievement,attained_on\nnew@example.org,New Person,{achievement.code},2024-10-31\n"
    upload, _plan = upload_awards(
        actor=catalogue_admin, issuer=achievement.issuer, file_name="a.csv", data=data.encode()
    )
    return upload


def pages(credential: Credential, batch: AwardBatch) -> list[str]:
    return [
        f"/issuing/{SLUG}/",
        f"/issuing/{SLUG}/profile",
        f"/issuing/{SLUG}/award",
        f"/issuing/{SLUG}/award/bulk",
        f"/issuing/{SLUG}/award/bulk/template.csv",
        f"/issuing/{SLUG}/keys/rotate",
        f"/issuing/{SLUG}/award/bulk/{batch.pk}",
        f"/issuing/{SLUG}/credentials",
        f"/issuing/{SLUG}/credentials/{credential.public_id}",
        f"/issuing/{SLUG}/achievements/{credential.attainment.achievement.public_id}",
    ]


class TestWhoMaySeeThePages:
    @pytest.mark.parametrize("who", ["catalogue_admin", "ratifier"])
    def test_the_issuers_admins_and_ratifiers_see_every_page(
        self,
        who: str,
        credential: Credential,
        batch: AwardBatch,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(request.getfixturevalue(who))
        for url in pages(credential, batch):
            assert client.get(url).status_code == 200, url

    @pytest.mark.parametrize(
        ("who", "status"),
        [("outsider", 403), ("centre_admin", 403), ("learner", 403), ("external_qa", 403)],
    )
    def test_everyone_else_is_refused(
        self,
        who: str,
        status: int,
        credential: Credential,
        batch: AwardBatch,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(request.getfixturevalue(who))
        for url in pages(credential, batch):
            assert client.get(url).status_code == status, url

    def test_anonymous_visitors_are_sent_to_sign_in(
        self, credential: Credential, batch: AwardBatch, client_for: Callable[[User | None], Client]
    ) -> None:
        for url in pages(credential, batch):
            response = client_for(None).get(url)
            assert response.status_code == 302, url
            assert "/accounts/login/" in response["Location"], url

    def test_another_issuers_credential_is_not_found_under_ours(
        self,
        credential: Credential,
        other_awarding_body: Any,
        outsider: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        services.create_issuer(other_awarding_body, actor=outsider, email="x@other.example", did_method="key")
        response = client_for(outsider).get(f"/issuing/other-awards/credentials/{credential.public_id}")
        assert response.status_code == 404


@pytest.mark.parametrize("who", ["outsider", "centre_admin", "learner", None])
def test_no_change_is_made_by_someone_who_may_not(
    who: str | None,
    credential: Credential,
    batch: AwardBatch,
    achievement: Achievement,
    client_for: Callable[[User | None], Client],
    request: pytest.FixtureRequest,
) -> None:
    client = client_for(request.getfixturevalue(who) if who else None)
    events_before = AuditEvent.objects.count()
    keys_before = SigningKey.objects.count()
    posts: list[tuple[str, dict[str, Any]]] = [
        (f"/issuing/{SLUG}/profile", {"name": "Hijacked", "url": "https://x.example", "email": "x@x.example"}),
        (f"/issuing/{SLUG}/keys/rotate", {"confirmed": "yes"}),
        (
            f"/issuing/{SLUG}/award",
            {
                "achievement": achievement.pk,
                "email": "a@b.example",
                "full_name": "A",
                "attained_on": "2024-10-31",
                "confirmed": "yes",
            },
        ),
        (f"/issuing/{SLUG}/award/bulk/{batch.pk}", {"action": "apply"}),
        (f"/issuing/{SLUG}/award/bulk/{batch.pk}", {"action": "discard"}),
        (
            f"/issuing/{SLUG}/award/bulk",
            {
                "file": SimpleUploadedFile(
                    "a.csv", b"email,full_name,achievement,attained_on\n", content_type="text/csv"
                )
            },
        ),
        (
            f"/issuing/{SLUG}/setup",
            {"name": "X", "url": "https://x.example", "email": "x@x.example", "did_method": "key"},
        ),
        (
            f"/issuing/{SLUG}/credentials/{credential.public_id}",
            {"action": "revoke", "reason": "No", "confirmed": "yes"},
        ),
        (f"/issuing/{SLUG}/achievements/{achievement.public_id}", {"valid_for_days": "30"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in {302, 403, 404}, url
    assert AuditEvent.objects.count() == events_before
    assert SigningKey.objects.count() == keys_before
    credential.refresh_from_db()
    assert credential.state == CredentialState.ACTIVE
    assert Issuer.objects.get().name != "Hijacked"
    assert AwardBatch.objects.get().state == AwardBatchState.PREVIEWED  # neither applied, discarded nor added
    assert Attainment.objects.count() == 1
    achievement.refresh_from_db()
    assert achievement.valid_for_days is None


class TestStaffWork:
    def test_revoking_with_a_reason_changes_the_status_and_the_page_says_so(
        self, credential: Credential, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(catalogue_admin)
        url = f"/issuing/{SLUG}/credentials/{credential.public_id}"
        response = client.post(url, {"action": "revoke", "reason": ""})
        assert response.status_code == 200
        assert "This field is required" in response.content.decode()
        confirm = client.post(url, {"action": "revoke", "reason": "Awarded in error"})
        assert "Revoke it for good" in confirm.content.decode()
        credential.refresh_from_db()
        assert credential.state == CredentialState.ACTIVE, "nothing changes before the confirmation"
        response = client.post(url, {"action": "revoke", "reason": "Awarded in error", "confirmed": "yes"}, follow=True)
        assert "Revoked" in response.content.decode()
        assert "Awarded in error" in response.content.decode()
        credential.refresh_from_db()
        assert credential.state == CredentialState.REVOKED

    def test_suspend_then_reinstate(
        self, credential: Credential, ratifier: User, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(ratifier)
        url = f"/issuing/{SLUG}/credentials/{credential.public_id}"
        client.post(url, {"action": "suspend", "reason": "Under review"})
        credential.refresh_from_db()
        assert credential.state == CredentialState.SUSPENDED
        client.post(url, {"action": "reinstate", "reason": "Review cleared"})
        credential.refresh_from_db()
        assert credential.state == CredentialState.ACTIVE

    def test_reissue_leads_to_the_new_credential(
        self, credential: Credential, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        response = client_for(catalogue_admin).post(
            f"/issuing/{SLUG}/credentials/{credential.public_id}",
            {"action": "reissue", "reason": "Name corrected", "confirmed": "yes"},
        )
        new = Credential.objects.get(attainment=credential.attainment, superseded_at__isnull=True)
        assert new != credential
        assert response["Location"].endswith(str(new.public_id))

    def test_an_award_from_the_form(
        self,
        achievement: Achievement,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        client = client_for(catalogue_admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/issuing/{SLUG}/award",
                {
                    "achievement": achievement.pk,
                    "email": "hine@example.org",
                    "full_name": "Hine Walker",
                    "attained_on": "2024-10-31",
                    "route": "direct_award",
                    "confirmed": "yes",
                },
            )
        assert response.status_code == 302
        assert Credential.objects.filter(learner__email="hine@example.org", kind="achievement").count() == 1

    def test_a_bulk_upload_shows_the_problems_by_row(
        self, achievement: Achievement, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(catalogue_admin)
        upload = SimpleUploadedFile(
            "grads.csv", b"email,full_name,achievement,attained_on\nbad,X,NOPE,yesterday\n", content_type="text/csv"
        )
        response = client.post(f"/issuing/{SLUG}/award/bulk", {"file": upload}, follow=True)
        page = response.content.decode()
        assert "Nothing was awarded: 3 problems to fix" in page
        assert "is not the code or id of an achievement" in page
        assert "<title>Error: grads.csv" in page

    def test_a_bulk_upload_previews_and_then_awards(
        self,
        batch: AwardBatch,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        client = client_for(catalogue_admin)
        preview = client.get(f"/issuing/{SLUG}/award/bulk/{batch.pk}").content.decode()
        assert "Award all 1" in preview
        assert "will be invited" in preview
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/issuing/{SLUG}/award/bulk/{batch.pk}", {"action": "apply"})
        assert response.status_code == 302
        assert response["Location"].startswith("/jobs/"), "the person follows the job's progress"
        assert Credential.objects.filter(learner__email="new@example.org", kind="achievement").count() == 1
        job_page = client.get(response["Location"]).content.decode()
        assert "Invited and awarded" in job_page
        assert f'href="/issuing/{SLUG}/award/bulk"' in job_page  # back to the issuer's awards
        uploads = client.get(f"/issuing/{SLUG}/award/bulk").content.decode()
        assert "a.csv" in uploads
        assert f'href="{response["Location"]}"' in uploads

    def test_the_profile_never_shows_private_keys(
        self, issuer: Issuer, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(catalogue_admin)
        page = client.get(f"/issuing/{SLUG}/").content.decode()
        key = SigningKey.objects.get(issuer=issuer)
        assert key.public_key_multibase[:20] in page
        assert bytes(key.encrypted_private_key).hex()[:16] not in page
        response = client.post(
            f"/issuing/{SLUG}/profile",
            {"name": "Renamed Body", "url": "awards.example", "email": "certs@awards.example", "description": ""},
        )
        assert response.status_code == 302
        issuer.refresh_from_db()
        assert (issuer.name, issuer.url) == ("Renamed Body", "https://awards.example")

    def test_rotating_keeps_the_old_key_for_verification(
        self, issuer: Issuer, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        client_for(catalogue_admin).post(f"/issuing/{SLUG}/keys/rotate", {"confirmed": "yes"})
        keys = SigningKey.objects.filter(issuer=issuer)
        assert keys.count() == 2
        assert keys.filter(retired_at__isnull=True).count() == 1

    def test_every_published_catalogue_entry_can_be_awarded_before_its_first_award(
        self,
        issuer: Issuer,
        catalogue: SmallCatalogue,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        page = client_for(catalogue_admin).get(f"/issuing/{SLUG}/award").content.decode()
        assert catalogue.certificate.title in page
        assert catalogue.optional_units[0].title in page

    def test_expiry_set_for_an_achievement_dates_its_next_credentials(
        self,
        achievement: Achievement,
        learner: User,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        client = client_for(catalogue_admin)
        url = f"/issuing/{SLUG}/achievements/{achievement.public_id}"
        response = client.post(url, {"valid_for_days": "0"})
        assert "Ensure this value is greater than or equal to 1" in response.content.decode()
        assert client.post(url, {"valid_for_days": "730"}).status_code == 302
        attainment = services.record_attainment(
            learner=learner, achievement=achievement, route="direct_award", attained_on=PAST, decided_by=catalogue_admin
        )
        credential = services.issue_credential(attainment)
        assert credential.valid_until is not None
        assert credential.valid_until.date() == PAST + datetime.timedelta(days=730), "counted from when it was earned"
        assert '"validUntil"' in credential.issued_json
        assert client.post(url, {"valid_for_days": ""}).status_code == 302
        achievement.refresh_from_db()
        assert achievement.valid_for_days is None


class TestSettingUpIssuing:
    def test_a_programme_admin_sets_up_issuing_and_every_published_entry_becomes_an_achievement(
        self, catalogue: SmallCatalogue, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(catalogue_admin)
        response = client.get(f"/issuing/{SLUG}/")
        assert response.status_code == 302
        assert response["Location"] == f"/issuing/{SLUG}/setup"
        response = client.post(
            f"/issuing/{SLUG}/setup",
            {"name": "Test Awarding Body", "url": "awards.example", "email": "", "did_method": "key"},
        )
        assert "This field is required" in response.content.decode()
        assert not Issuer.objects.exists()
        response = client.post(
            f"/issuing/{SLUG}/setup",
            {
                "name": "Test Awarding Body",
                "url": "awards.example",
                "email": "certs@awards.example",
                "did_method": "key",
            },
        )
        assert response.status_code == 302
        issuer = Issuer.objects.get()
        assert issuer.did.startswith("did:key:")
        assert SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True).count() == 1
        assert Achievement.objects.filter(issuer=issuer, qualification=catalogue.certificate).exists()
        assert Achievement.objects.filter(issuer=issuer, unit=catalogue.optional_units[0]).exists()
        assert client.get(f"/issuing/{SLUG}/setup").status_code == 403  # once only

    @pytest.mark.parametrize(
        ("who", "slug", "status"),
        [
            ("ratifier", SLUG, 403),
            ("external_qa", SLUG, 403),
            ("outsider", SLUG, 404),
            ("learner", SLUG, 404),
            ("centre_admin", "test-centre", 403),  # a provider does not issue
        ],
    )
    def test_only_a_programme_admin_of_an_issuing_organisation_may(
        self,
        who: str,
        slug: str,
        status: int,
        awarding_body: Any,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(request.getfixturevalue(who))
        events_before = AuditEvent.objects.count()
        data = {"name": "X", "url": "https://x.example", "email": "x@x.example", "did_method": "key"}
        assert client.post(f"/issuing/{slug}/setup", data).status_code == status
        assert client.get(f"/issuing/{slug}/setup").status_code == status
        assert not Issuer.objects.exists()
        assert AuditEvent.objects.count() == events_before

    def test_anonymous_visitors_are_sent_to_sign_in(self, awarding_body: Any, client: Client) -> None:
        response = client.get(f"/issuing/{SLUG}/setup")
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
