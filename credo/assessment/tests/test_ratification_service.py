"""Ratification by the issuing institution: a provider sends its moderated, competent outcomes; the institution's
ratifiers return a learner with a reason or ratify the batch; the job records each learner's attainment with the
evidence they chose to share, issues their credential, ends their enrolment as awarded and emails them."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory
from credo.assessment.models import (
    BatchState,
    EntryDecision,
    Outcome,
    RatificationBatch,
    RatificationEntry,
)
from credo.assessment.services import ratification
from credo.audit.models import AuditEvent
from credo.core import jobs
from credo.core.models import Job, JobState
from credo.credentials.models import Attainment, Credential, Issuer, Route
from credo.credentials.verification import verify_credential
from credo.programmes.models import Cohort, EnrolmentState

from .builders import submitted
from .ratification_builders import (
    assessed,
    assessor_of,
    moderator_of,
    ready_outcomes,
    sampled,
    share_everything,
)

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Not an Exception: like SIGKILL, nothing in the job catches it or records that it stopped."""


def _run(job: Job) -> Job:
    """What the task worker does with the job's task."""
    jobs.run_job.call(job_id=str(job.public_id))
    job.refresh_from_db()
    return job


def _sent(cohort: Cohort, admin: User, count: int = 2) -> RatificationBatch:
    ready_outcomes(cohort, count)
    return ratification.send_for_ratification(cohort=cohort, actor=admin)


class TestWhatIsReady:
    def test_only_released_moderated_competent_outcomes_are_ready(self, cld_cohort: Cohort) -> None:
        ready = ready_outcomes(cld_cohort, 2)
        assessor, moderator = assessor_of(cld_cohort), moderator_of(cld_cohort)
        not_yet = assessed(
            submitted(cld_cohort, "nyc@example.org"), assessor=assessor, outcome=Outcome.NOT_YET_COMPETENT
        )
        unreleased = assessed(submitted(cld_cohort, "held@example.org"), assessor=assessor, released=False)
        sampled(cld_cohort, [not_yet, unreleased], moderator=moderator, seed="seed-2")
        in_moderation = assessed(submitted(cld_cohort, "wait@example.org"), assessor=assessor)
        sampled(cld_cohort, [in_moderation], moderator=moderator, completed=False, seed="seed-3")

        assert set(ratification.ready_for_ratification(cld_cohort)) == set(ready)


class TestSending:
    def test_a_programme_admin_sends_every_ready_outcome_to_the_institution(
        self, cld_cohort: Cohort, centre_admin: User, institution: Organisation
    ) -> None:
        ready = ready_outcomes(cld_cohort, 3)
        batch = ratification.send_for_ratification(cohort=cld_cohort, actor=centre_admin)
        assert (batch.state, batch.institution, batch.submitted_by) == (BatchState.SUBMITTED, institution, centre_admin)
        assert {e.assessment for e in batch.entries.all()} == set(ready)
        assert not ratification.ready_for_ratification(cld_cohort).exists()
        event = AuditEvent.objects.get(action="assessment.ratification_sent")
        assert set(event.details["learners"]) == {a.learner.email for a in ready}

    def test_nothing_ready_is_refused_saying_moderation_is_not_finished(
        self, cld_cohort: Cohort, centre_admin: User
    ) -> None:
        waiting = assessed(submitted(cld_cohort, "wait@example.org"), assessor=assessor_of(cld_cohort))
        sampled(cld_cohort, [waiting], moderator=moderator_of(cld_cohort), completed=False)
        with pytest.raises(ValidationError, match="1 competent outcome is waiting for moderation to finish"):
            ratification.send_for_ratification(cohort=cld_cohort, actor=centre_admin)
        assert not RatificationBatch.objects.exists()

    def test_nothing_at_all_is_refused_plainly(self, cld_cohort: Cohort, centre_admin: User) -> None:
        with pytest.raises(ValidationError, match="There is nothing to send"):
            ratification.send_for_ratification(cohort=cld_cohort, actor=centre_admin)

    @pytest.mark.parametrize("persona", ["assessor", "internal_qa", "facilitator", "institution_ratifier", "outsider"])
    def test_only_the_providers_programme_admins_send(
        self, cld_cohort: Cohort, persona: str, request: pytest.FixtureRequest
    ) -> None:
        ready_outcomes(cld_cohort, 1)
        with pytest.raises(PermissionDenied, match="programme admins send"):
            ratification.send_for_ratification(cohort=cld_cohort, actor=request.getfixturevalue(persona))

    def test_an_awarding_bodys_qualification_goes_by_a_claim_instead(
        self, seg_cohort: Cohort, centre_admin: User
    ) -> None:
        with pytest.raises(ValidationError, match="claim for certification"):
            ratification.send_for_ratification(cohort=seg_cohort, actor=centre_admin)


class TestReturning:
    def test_a_ratifier_returns_a_learner_who_is_told_and_can_be_sent_again(
        self,
        cld_cohort: Cohort,
        centre_admin: User,
        institution_ratifier: User,
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        batch = _sent(cld_cohort, centre_admin)
        entry = batch.entries.order_by("pk").first()
        assert entry is not None
        with django_capture_on_commit_callbacks(execute=True):
            returned = ratification.return_entry(
                entry=entry, actor=institution_ratifier, reason="The attestation is not signed by the participant."
            )
        assert (returned.decision, returned.get_decision_display()) == ("returned", "Returned to the provider")
        assert list(ratification.returned_entries(cld_cohort)) == [returned]
        (sent,) = [m for m in mailoutbox if m.to == [entry.assessment.learner.email]]
        assert "needs another look" in sent.subject
        assert "You do not need to do anything now" in sent.body

        again = ratification.send_for_ratification(cohort=cld_cohort, actor=centre_admin)
        assert [e.assessment_id for e in again.entries.all()] == [entry.assessment_id]
        assert not ratification.returned_entries(cld_cohort).exists()

    def test_a_reason_is_needed(self, cld_cohort: Cohort, centre_admin: User, institution_ratifier: User) -> None:
        entry = _sent(cld_cohort, centre_admin).entries.first()
        with pytest.raises(ValidationError) as refused:
            ratification.return_entry(entry=entry, actor=institution_ratifier, reason="  ")
        assert "reason" in refused.value.message_dict

    @pytest.mark.parametrize("persona", ["centre_admin", "institution_admin", "assessor", "outsider"])
    def test_only_the_institutions_ratifiers_return(
        self, cld_cohort: Cohort, centre_admin: User, persona: str, request: pytest.FixtureRequest
    ) -> None:
        entry = _sent(cld_cohort, centre_admin).entries.first()
        with pytest.raises(PermissionDenied, match="ratifiers ratify"):
            ratification.return_entry(entry=entry, actor=request.getfixturevalue(persona), reason="No.")

    def test_nobody_is_returned_once_ratification_has_started(
        self, cld_cohort: Cohort, centre_admin: User, institution_ratifier: User, institution_issuer: Issuer
    ) -> None:
        batch = _sent(cld_cohort, centre_admin)
        ratification.ratify(batch=batch, actor=institution_ratifier)
        with pytest.raises(ValidationError, match="only before it is ratified"):
            ratification.return_entry(entry=batch.entries.first(), actor=institution_ratifier, reason="Too late.")


class TestRatifying:
    def test_ratifying_issues_each_learner_a_credential_with_their_shared_evidence(
        self,
        cld_cohort: Cohort,
        centre_admin: User,
        institution_ratifier: User,
        institution_issuer: Issuer,
        mailoutbox: list[Any],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        batch = _sent(cld_cohort, centre_admin, count=2)
        first, second = batch.entries.order_by("pk")
        share_everything(first.assessment.submission)
        with django_capture_on_commit_callbacks(execute=True):
            job = ratification.ratify(batch=batch, actor=institution_ratifier)
        job.refresh_from_db()
        batch.refresh_from_db()
        assert (job.state, job.processed, job.failed) == (JobState.DONE, 2, 0)
        assert (batch.state, batch.ratified_by) == (BatchState.RATIFIED, institution_ratifier)
        assert "Ratified 2 outcomes" in job.summary

        for entry in (first, second):
            entry.refresh_from_db()
            assert entry.decision == EntryDecision.RATIFIED
            attainment = entry.attainment
            assert attainment is not None
            assert attainment.route == Route.RATIFIED_ASSESSMENT
            assert attainment.learner == entry.assessment.learner
            credential = Credential.objects.get(attainment=attainment)
            report = verify_credential(json.loads(credential.issued_json))
            assert report.verified, [c for c in report.checks if c.passed is False]
            enrolment = entry.assessment.submission.portfolio.enrolment
            enrolment.refresh_from_db()
            assert enrolment.state == EnrolmentState.AWARDED

        evidence = json.loads(Credential.objects.get(attainment=first.attainment).issued_json)["evidence"]
        manifest_items = [i for s in first.assessment.submission.manifest["sections"] for i in s["items"]]
        assert [e["name"] for e in evidence] == [i["title"] for i in manifest_items]
        file_item = next(i for i in manifest_items if i["kind"] == "file")
        file_id = "ni:///sha-256;" + base64.urlsafe_b64encode(bytes.fromhex(file_item["sha256"])).decode().rstrip("=")
        assert file_id in [e["id"] for e in evidence]
        text_item = next(i for i in manifest_items if i["kind"] == "text")
        text_digest = hashlib.sha256(text_item["html"].encode()).digest()
        assert ratification.named_information(text_digest) in [e["id"] for e in evidence]
        assert all(e["description"] for e in evidence)
        assert "evidence" not in json.loads(Credential.objects.get(attainment=second.attainment).issued_json), (
            "the second learner shared nothing"
        )

        learner_mail = [m for m in mailoutbox if m.to == [first.assessment.learner.email]]
        awarded = next(m for m in learner_mail if "is awarded" in m.subject)
        credential = Credential.objects.get(attainment=first.attainment)
        assert f"/credentials/{credential.public_id}" in awarded.body
        assert "Your enrolment is now complete" in awarded.body
        assert AuditEvent.objects.filter(action="assessment.ratified").count() == 1

    def test_a_second_ratification_of_the_same_batch_is_refused(
        self, cld_cohort: Cohort, centre_admin: User, institution_ratifier: User, institution_issuer: Issuer
    ) -> None:
        batch = _sent(cld_cohort, centre_admin)
        ratification.ratify(batch=batch, actor=institution_ratifier)
        with pytest.raises(ValidationError, match="already being ratified"):
            ratification.ratify(batch=batch, actor=institution_ratifier)
        assert Job.objects.filter(kind=ratification.RATIFY_BATCH).count() == 1

    @pytest.mark.parametrize("persona", ["centre_admin", "institution_admin", "internal_qa", "outsider", "ratifier"])
    def test_only_the_institutions_ratifiers_ratify(
        self, cld_cohort: Cohort, centre_admin: User, persona: str, request: pytest.FixtureRequest
    ) -> None:
        batch = _sent(cld_cohort, centre_admin)
        with pytest.raises(PermissionDenied, match="ratifiers ratify"):
            ratification.ratify(batch=batch, actor=request.getfixturevalue(persona))
        batch.refresh_from_db()
        assert batch.state == BatchState.SUBMITTED

    def test_nobody_ratifies_an_outcome_they_assessed(
        self, cld_cohort: Cohort, centre_admin: User, institution: Organisation
    ) -> None:
        batch = _sent(cld_cohort, centre_admin)
        assessor = assessor_of(cld_cohort)  # who also ratifies for the institution
        MembershipFactory(user=assessor, organisation=institution, role=Role.RATIFIER)
        with pytest.raises(PermissionDenied, match="Conflict of interest: you assessed or moderated"):
            ratification.ratify(batch=batch, actor=assessor)

    def test_a_returned_learner_is_left_out_of_the_ratification(
        self,
        cld_cohort: Cohort,
        centre_admin: User,
        institution_ratifier: User,
        institution_issuer: Issuer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        batch = _sent(cld_cohort, centre_admin)
        returned = batch.entries.order_by("pk").first()
        ratification.return_entry(entry=returned, actor=institution_ratifier, reason="Check the attestation.")
        with django_capture_on_commit_callbacks(execute=True):
            ratification.ratify(batch=batch, actor=institution_ratifier)
        assert Attainment.objects.count() == 1
        assert not Attainment.objects.filter(learner=returned.assessment.learner).exists()
        batch.refresh_from_db()
        assert batch.job is not None
        assert "1 was returned to the provider" in batch.job.summary


def test_a_killed_ratification_resumes_and_each_learner_gets_exactly_one_credential(
    cld_cohort: Cohort,
    centre_admin: User,
    institution_ratifier: User,
    institution_issuer: Issuer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ratification, "CHUNK", 3)
    batch = _sent(cld_cohort, centre_admin, count=7)
    job = ratification.ratify(batch=batch, actor=institution_ratifier)  # the task waits for the commit: not yet run

    real = ratification.record_attainment
    calls = [0]

    def record_then_die(**kwargs: Any) -> Attainment:
        """Dies inside the 5th attainment, in the second chunk: the first chunk (3) committed, the second rolls back."""
        calls[0] += 1
        attainment = real(**kwargs)
        if calls[0] == 5:
            raise WorkerKilled
        return attainment

    monkeypatch.setattr(ratification, "record_attainment", record_then_die)
    with pytest.raises(WorkerKilled):
        jobs.run_job.call(job_id=str(job.public_id))
    job.refresh_from_db()
    assert (job.state, job.processed) == (JobState.RUNNING, 3)
    assert Attainment.objects.count() == 3
    assert Credential.objects.count() == 3
    assert RatificationEntry.objects.filter(decision=EntryDecision.RATIFIED).count() == 3

    monkeypatch.setattr(ratification, "record_attainment", real)
    job = _run(job)
    assert (job.state, job.processed, job.failed, job.runs) == (JobState.DONE, 7, 0, 2)
    assert Attainment.objects.count() == 7
    assert Credential.objects.count() == 7
    assert Credential.objects.values("attainment").distinct().count() == 7
    assert AuditEvent.objects.filter(action="credentials.attained").count() == 7
    batch.refresh_from_db()
    assert batch.state == BatchState.RATIFIED

    _run(Job.objects.get(pk=job.pk))  # a stray second task changes nothing
    assert (Attainment.objects.count(), Credential.objects.count()) == (7, 7)
    assert AuditEvent.objects.filter(action="assessment.ratified").count() == 1
