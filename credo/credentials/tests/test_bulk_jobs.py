"""Long work of an issuer's staff as background jobs: applying a checked CSV row by row, re-issuing an achievement.

Each row is done in its own transaction with its outcome, so a worker killed part way resumes without doing a row
twice; a row that cannot be done is reported on its line and the others are still done.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.catalogue.tests.builders import SmallCatalogue
from credo.core import jobs
from credo.core.models import Job, JobLineOutcome, JobState
from credo.credentials import services
from credo.credentials.models import (
    Achievement,
    Attainment,
    AwardBatch,
    AwardBatchState,
    Credential,
    CredentialState,
    Issuer,
    Route,
)
from credo.credentials.services import bulk
from credo.credentials.services.awards import award_directly, upload_awards

SLUG = "test-awards"
API = "/api/v1/credentials"
PAST = datetime.date(2024, 10, 31)
ROWS = 30


class WorkerKilled(BaseException):
    """Not an Exception: like SIGKILL, nothing in the job catches it or records that it stopped."""


@pytest.fixture
def unit(issuer: Issuer, catalogue: SmallCatalogue) -> Achievement:
    return services.achievement_for_unit(catalogue.shared_units[0])


def _batch(actor: User, unit: Achievement, rows: int = ROWS, *, extra: str = "") -> AwardBatch:
    lines = [f"grad{n:03}@example.org,Graduate {n},{unit.code},2024-10-31" for n in range(rows)]
    data = "\n".join(["email,full_name,achievement,attained_on", *lines, extra]) + "\n"
    batch, plan = upload_awards(actor=actor, issuer=unit.issuer, file_name="grads.csv", data=data.encode())
    assert plan.ok, plan.problems
    return batch


def _run(job: Job) -> Job:
    """What the task worker does with the job's task."""
    jobs.run_job.call(job_id=str(job.public_id))
    job.refresh_from_db()
    return job


@pytest.fixture
def kill_after() -> Iterator[Callable[[int], None]]:
    """Make the next run die in the middle of its n-th award, after the award's writes, before its commit."""
    real = bulk._award
    calls = [0]

    def arm(n: int) -> None:
        def award_then_die(*args: Any, **kwargs: Any) -> Attainment:
            calls[0] += 1
            attainment = real(*args, **kwargs)
            if calls[0] == n:
                raise WorkerKilled
            return attainment

        bulk._award = award_then_die  # type: ignore[assignment]  # the job's own reference, as the worker calls it

    yield arm
    bulk._award = real


class TestApplyingAnAwardBatch:
    def test_a_killed_run_resumes_and_every_row_is_awarded_exactly_once(
        self, unit: Achievement, catalogue_admin: User, kill_after: Callable[[int], None]
    ) -> None:
        batch = _batch(catalogue_admin, unit)
        job = bulk.apply_awards(batch, actor=catalogue_admin)
        batch.refresh_from_db()
        assert (batch.state, batch.get_state_display()) == (AwardBatchState.APPLYING, "Being awarded")

        kill_after(13)
        with pytest.raises(WorkerKilled):
            jobs.run_job.call(job_id=str(job.public_id))
        job.refresh_from_db()
        assert (job.state, job.processed) == (JobState.RUNNING, 12), "the 13th row died with its transaction"
        assert Attainment.objects.count() == 12
        assert not User.objects.filter(email="grad012@example.org").exists(), "its invitation was rolled back too"

        job = _run(job)  # the task again, as after a crash
        assert (job.state, job.processed, job.failed, job.runs) == (JobState.DONE, ROWS, 0, 2)
        assert Attainment.objects.filter(achievement=unit).count() == ROWS
        assert AuditEvent.objects.filter(action="credentials.attained").count() == ROWS
        assert AuditEvent.objects.filter(action="credentials.bulk_awarded").count() == 1
        assert set(job.lines.values_list("message", flat=True)) == {"Invited and awarded"}
        batch.refresh_from_db()
        assert batch.state == AwardBatchState.APPLIED
        assert job.summary.startswith(f"Awarded {ROWS} rows of {ROWS} ({ROWS} people invited")

        _run(Job.objects.get(pk=job.pk))  # a stray second task changes nothing
        assert AuditEvent.objects.filter(action="credentials.bulk_awarded").count() == 1

    def test_a_row_that_cannot_be_awarded_by_then_is_reported_and_the_others_are_awarded(
        self, unit: Achievement, catalogue_admin: User, learner: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        batch = _batch(catalogue_admin, unit, rows=3, extra=f"{learner.email},,{unit.code},2024-10-31")
        job = bulk.apply_awards(batch, actor=catalogue_admin)  # checked: fine; the job has not run yet
        award_directly(actor=catalogue_admin, achievement=unit, email=learner.email, full_name="", attained_on=PAST)
        with django_capture_on_commit_callbacks(execute=True):
            job = _run(job)
        assert (job.state, job.processed, job.failed) == (JobState.DONE, 4, 1)
        failed = job.lines.get(outcome=JobLineOutcome.FAILED)
        assert (failed.line, failed.label) == (5, learner.email)
        assert "already holds" in failed.message
        assert Attainment.objects.filter(achievement=unit).count() == 4  # three from the file, one directly
        assert Credential.objects.filter(attainment__achievement=unit).count() == 4  # issuance was scheduled
        assert "1 row could not be awarded" in job.summary

    def test_someone_who_lost_their_role_before_the_job_ran_awards_nothing(
        self, unit: Achievement, catalogue_admin: User
    ) -> None:
        job = bulk.apply_awards(_batch(catalogue_admin, unit, rows=2), actor=catalogue_admin)
        catalogue_admin.memberships.all().delete()
        job = _run(job)
        assert job.state == JobState.FAILED
        assert "no longer a programme admin or ratifier" in job.problem
        assert not Attainment.objects.exists()

    def test_the_api_checks_the_upload_then_answers_202_with_the_job(
        self, unit: Achievement, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(catalogue_admin)
        csv = f"email,full_name,achievement,attained_on\r\nnew@example.org,New,{unit.code},2024-10-31\r\n"
        uploaded = client.post(f"{API}/issuers/{SLUG}/award-batches", {"file": _file(csv.encode())})
        assert uploaded.status_code == 201, uploaded.content
        batch = uploaded.json()
        assert (batch["state"], batch["awards"], batch["invitations"]) == ("previewed", 1, 1)

        applied = client.post(f"{API}/issuers/{SLUG}/award-batches/{batch['id']}/apply")
        assert applied.status_code == 202, applied.content
        job = Job.objects.get(public_id=applied.json()["id"])
        assert applied.json()["page_url"] == f"/jobs/{job.public_id}/"
        _run(job)
        followed = client.get(f"/api/v1/jobs/{job.public_id}").json()
        assert (followed["state"], followed["processed"]) == ("done", 1)
        shown = client.get(f"{API}/issuers/{SLUG}/award-batches/{batch['id']}").json()
        assert (shown["state"], shown["job"]["id"]) == ("applied", str(job.public_id))
        again = client.post(f"{API}/issuers/{SLUG}/award-batches/{batch['id']}/apply")
        assert again.status_code == 422
        assert "already been awarded" in again.json()["detail"]

    def test_the_api_names_each_row_at_fault(
        self, unit: Achievement, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        csv = "email,full_name,achievement,attained_on\nbad,X,NOPE,yesterday\n"
        refused = client_for(catalogue_admin).post(f"{API}/issuers/{SLUG}/award-batches", {"file": _file(csv.encode())})
        assert refused.status_code == 422
        assert "Row 2, email: " in " ".join(refused.json()["problems"])
        assert not Attainment.objects.exists()

    @pytest.mark.parametrize("who", ["outsider", "centre_admin", "learner", "external_qa"])
    def test_nobody_else_uploads_or_applies_through_the_api(
        self,
        who: str,
        unit: Achievement,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        batch = _batch(catalogue_admin, unit, rows=1)
        client = client_for(request.getfixturevalue(who))
        csv = f"email,full_name,achievement,attained_on\nx@example.org,X,{unit.code},2024-10-31\n"
        assert client.post(f"{API}/issuers/{SLUG}/award-batches", {"file": _file(csv.encode())}).status_code == 403
        assert client.post(f"{API}/issuers/{SLUG}/award-batches/{batch.pk}/apply").status_code == 403
        assert client.get(f"{API}/issuers/{SLUG}/award-batches/{batch.pk}").status_code == 403
        assert client.get(f"{API}/issuers/{SLUG}/award-batches").status_code == 403
        assert client_for(None).post(f"{API}/issuers/{SLUG}/award-batches/{batch.pk}/apply").status_code == 401
        assert not Job.objects.exists()
        assert AwardBatch.objects.count() == 1


def _file(content: bytes, name: str = "awards.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


# Re-issuing every credential of an achievement ---------------------------------------------------------


@pytest.fixture
def holders(unit: Achievement, catalogue_admin: User) -> list[Credential]:
    """Six learners hold the unit's credential: four active, one suspended, one revoked."""
    credentials = []
    for n in range(6):
        attainment = award_directly(
            actor=catalogue_admin,
            achievement=unit,
            email=f"holder{n}@example.org",
            full_name=f"H {n}",
            attained_on=PAST,
        )
        credentials.append(services.issue_credential(attainment))
    services.suspend(credentials[4], actor=catalogue_admin, reason="Under review")
    services.revoke(credentials[5], actor=catalogue_admin, reason="Issued in error")
    return credentials


def _reissue_url(unit: Achievement) -> str:
    return f"/issuing/{SLUG}/achievements/{unit.public_id}/reissue"


class TestReissuingAnAchievement:
    def test_the_confirmation_says_how_many_and_what_happens_before_anything_changes(
        self, unit: Achievement, holders: list[Credential], catalogue_admin: User, client_for: Callable[..., Client]
    ) -> None:
        client = client_for(catalogue_admin)
        page = client.get(_reissue_url(unit)).content.decode()
        assert "4 active credentials" in page
        assert "each revoked for good" in page
        assert "1 suspended credential is left as it is" in page
        assert 'class="danger"' in page
        assert "This cannot be undone" in page
        unconfirmed = client.post(_reissue_url(unit), {"reason": "Title corrected"})
        assert unconfirmed.status_code == 200
        no_reason = client.post(_reissue_url(unit), {"reason": " ", "confirmed": "yes"})
        assert "This field is required" in no_reason.content.decode()
        assert not Job.objects.exists()
        assert Credential.objects.count() == 6

    def test_each_active_credential_is_replaced_and_a_killed_run_resumes_without_replacing_one_twice(
        self,
        unit: Achievement,
        holders: list[Credential],
        catalogue_admin: User,
        client_for: Callable[..., Client],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        response = client_for(catalogue_admin).post(
            _reissue_url(unit), {"reason": "The unit title was corrected", "confirmed": "yes"}
        )
        assert response.status_code == 302
        job = Job.objects.get()
        assert response["Location"] == f"/jobs/{job.public_id}/"

        real = services.issuance.reissue
        calls = [0]

        def reissue_then_die(*args: Any, **kwargs: Any) -> Credential:
            calls[0] += 1
            new = real(*args, **kwargs)
            if calls[0] == 3:
                raise WorkerKilled
            return new

        monkeypatch.setattr(bulk.issuance, "reissue", reissue_then_die)
        with pytest.raises(WorkerKilled):
            jobs.run_job.call(job_id=str(job.public_id))
        monkeypatch.setattr(bulk.issuance, "reissue", real)
        assert Credential.objects.filter(superseded_at__isnull=False).count() == 2

        job = _run(job)
        assert (job.state, job.total, job.processed, job.skipped) == (JobState.DONE, 4, 4, 0)
        for old in holders[:4]:
            old.refresh_from_db()
            assert old.state == CredentialState.REVOKED
            assert old.state_reason == "Replaced by a corrected credential: The unit title was corrected"
            assert old.replaced_by is not None
            assert old.replaced_by.state == CredentialState.ACTIVE
        assert Credential.objects.filter(attainment__achievement=unit, superseded_at__isnull=False).count() == 4
        holders[4].refresh_from_db()
        assert (holders[4].state, holders[4].superseded_at) == (CredentialState.SUSPENDED, None)
        assert AuditEvent.objects.filter(action="credentials.achievement_reissued").count() == 1
        assert job.summary.startswith("Re-issued 4 credentials for")

    def test_a_credential_suspended_after_the_job_started_is_left_alone_and_reported(
        self, unit: Achievement, holders: list[Credential], catalogue_admin: User
    ) -> None:
        job = bulk.reissue_achievement(unit, actor=catalogue_admin, reason="Title corrected")
        services.suspend(holders[0], actor=catalogue_admin, reason="Complaint received")
        job = _run(job)
        assert (job.processed, job.skipped) == (4, 1)
        skipped = job.lines.get(outcome=JobLineOutcome.SKIPPED)
        assert skipped.label == "holder0@example.org"
        assert "suspended: reinstate it first" in skipped.message

    def test_the_api_answers_202_with_the_job(
        self, unit: Achievement, holders: list[Credential], catalogue_admin: User, client_for: Callable[..., Client]
    ) -> None:
        response = client_for(catalogue_admin).post(
            f"{API}/issuers/{SLUG}/achievements/{unit.public_id}/reissue",
            {"reason": "Title corrected"},
            content_type="application/json",
        )
        assert response.status_code == 202, response.content
        assert response.json()["total"] == 4

    @pytest.mark.parametrize(("who", "status"), [("ratifier", 403), ("outsider", 403), ("centre_admin", 403)])
    def test_only_the_issuers_programme_admins_may_reissue_in_bulk(
        self,
        who: str,
        status: int,
        unit: Achievement,
        holders: list[Credential],
        client_for: Callable[..., Client],
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(request.getfixturevalue(who))
        assert client.get(_reissue_url(unit)).status_code == status
        posted = client.post(_reissue_url(unit), {"reason": "Hijack", "confirmed": "yes"})
        assert posted.status_code == status
        api = client.post(
            f"{API}/issuers/{SLUG}/achievements/{unit.public_id}/reissue",
            {"reason": "Hijack"},
            content_type="application/json",
        )
        assert api.status_code == status
        assert client_for(None).get(_reissue_url(unit)).status_code == 302
        assert not Job.objects.exists()
        assert Credential.objects.filter(superseded_at__isnull=False).count() == 0

    def test_another_issuers_achievement_is_not_found_under_ours(
        self, holders: list[Credential], other_awarding_body: Any, outsider: User, client_for: Callable[..., Client]
    ) -> None:
        services.create_issuer(other_awarding_body, actor=outsider, email="x@other.example", did_method="key")
        unit = holders[0].attainment.achievement if holders[0].attainment else None
        assert unit is not None
        response = client_for(outsider).get(f"/issuing/other-awards/achievements/{unit.public_id}/reissue")
        assert response.status_code == 404


def test_only_programme_admins_see_the_reissue_link(
    unit: Achievement,
    holders: list[Credential],
    catalogue_admin: User,
    ratifier: User,
    client_for: Callable[..., Client],
) -> None:
    assert _reissue_url(unit) in client_for(catalogue_admin).get(f"/issuing/{SLUG}/").content.decode()
    assert _reissue_url(unit) not in client_for(ratifier).get(f"/issuing/{SLUG}/").content.decode()


def test_an_attainment_cannot_be_recorded_twice_for_the_same_learner_and_achievement(
    unit: Achievement, learner: User
) -> None:
    """What keeps a resumed bulk award from awarding a row twice, even if its job line were lost."""
    services.record_attainment(
        learner=learner, achievement=unit, route=Route.DIRECT_AWARD, attained_on=PAST, decided_by=None
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already holds"):
        services.record_attainment(
            learner=learner, achievement=unit, route=Route.DIRECT_AWARD, attained_on=PAST, decided_by=None
        )
    assert Attainment.objects.filter(learner=learner, achievement=unit).count() == 1
