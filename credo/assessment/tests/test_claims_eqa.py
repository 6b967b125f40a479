"""External quality assurance of a claim and its certification: the EQA's review (findings, actions, risk, sample)
releases or blocks it; certification staff approve a released claim, and the job records attainments, issues the
credentials, ends the enrolments as awarded and emails the learners, once however often it runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import Organisation, Role, User
from credo.assessment.models import CentreRisk, Claim, ClaimState, EqaReview, RiskRating
from credo.assessment.services import claims, eqa
from credo.audit.models import AuditEvent
from credo.catalogue.models import Qualification
from credo.core import jobs
from credo.core.models import Job, JobState
from credo.credentials.models import AchievementKind, Attainment, Credential, Issuer, Route
from credo.programmes.models import Cohort, EnrolmentState

from .claims_builders import award_units, certificate_cohort, holding, ready_to_claim, seg_certificate, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted_claim(
    seg_cohort: Cohort, centre: Organisation, centre_admin: User, awarding_body: Organisation, seg_issuer: Issuer
) -> Claim:
    learners = [
        ready_to_claim(seg_cohort, "jordan@example.org", "Jordan Lee"),
        ready_to_claim(seg_cohort, "sam@example.org", "Sam Rivers"),
    ]
    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=learners)
    return claims.submit_claim(claim=claim, actor=centre_admin)


def _release(claim: Claim, external_qa: User, **changes: Any) -> EqaReview:
    values: dict[str, Any] = {
        "findings": "Three portfolios read: judgements follow the evidence.",
        "actions": "",
        "risk": RiskRating.LOW,
        "released": True,
        "sampled": list(eqa.claim_assessments(claim)[:1]),
    }
    values.update(changes)
    return eqa.review_claim(claim=claim, actor=external_qa, **values)


def test_the_eqa_releases_a_claim_on_a_sample_and_sets_the_centres_risk(
    submitted_claim: Claim, external_qa: User, centre_admin: User
) -> None:
    review = _release(submitted_claim, external_qa)
    submitted_claim.refresh_from_db()
    assert submitted_claim.state == ClaimState.RELEASED
    assert submitted_claim.released_at is not None
    assert list(review.portfolios_sampled.all()) == list(eqa.claim_assessments(submitted_claim)[:1])
    risk = CentreRisk.objects.get(centre=submitted_claim.centre, awarding_body=submitted_claim.awarding_body)
    assert risk.risk == RiskRating.LOW
    assert AuditEvent.objects.filter(action="assessment.claim_released", object_id=str(submitted_claim.pk)).exists()


def test_a_blocked_claim_tells_the_centre_what_to_do_and_can_be_revised_and_resubmitted(
    submitted_claim: Claim,
    external_qa: User,
    centre_admin: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _release(
            submitted_claim,
            external_qa,
            released=False,
            risk=RiskRating.HIGH,
            actions="Re-moderate unit 2: the sample shows no IQA of it.",
        )
    submitted_claim.refresh_from_db()
    assert submitted_claim.state == ClaimState.BLOCKED
    assert CentreRisk.objects.get(centre=submitted_claim.centre).risk == RiskRating.HIGH
    (message,) = [m for m in mail.outbox if centre_admin.email in m.to]
    assert "blocked" in message.subject
    assert "Re-moderate unit 2" in message.body
    assert "submit it again" in message.body

    first = claims.summary(submitted_claim)[0].learner
    claims.remove_from_claim(claim=submitted_claim, actor=centre_admin, learner=first)
    claims.submit_claim(claim=submitted_claim, actor=centre_admin)
    submitted_claim.refresh_from_db()
    assert submitted_claim.state == ClaimState.SUBMITTED
    assert AuditEvent.objects.filter(action="assessment.claim_resubmitted").exists()
    # A second review of the same claim updates the one risk rating of the centre.
    _release(submitted_claim, external_qa, risk=RiskRating.MEDIUM)
    assert CentreRisk.objects.get(centre=submitted_claim.centre).risk == RiskRating.MEDIUM


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"findings": "  "}, "findings", "Write your findings"),
        ({"released": False}, "actions", "Say what the centre must do"),
        ({"sampled": []}, "sampled", "sample read"),
        ({"risk": "dire"}, "risk", "risk rating"),
    ],
)
def test_a_review_without_what_it_needs_is_refused_by_field(
    submitted_claim: Claim, external_qa: User, changes: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _release(submitted_claim, external_qa, **changes)
    assert words in " ".join(refused.value.message_dict[field])
    submitted_claim.refresh_from_db()
    assert submitted_claim.state == ClaimState.SUBMITTED


def test_only_the_awarding_bodys_eqa_reviews_and_nobody_who_works_for_the_centre(
    submitted_claim: Claim, ratifier: User, centre_admin: User, outsider: User, external_qa: User, centre: Organisation
) -> None:
    for someone in (ratifier, centre_admin, outsider):
        with pytest.raises(PermissionDenied, match="external quality assurers"):
            _release(submitted_claim, someone)
    staff_at_both = staff(submitted_claim.awarding_body, Role.EXTERNAL_QA, "both@example.org")
    staff_at_both.memberships.create(organisation=centre, role=Role.ASSESSOR)
    with pytest.raises(PermissionDenied, match="Conflict of interest"):
        _release(submitted_claim, staff_at_both)


def test_only_a_submitted_claim_is_reviewed_and_only_its_own_portfolios_sampled(
    submitted_claim: Claim, external_qa: User, seg_cohort: Cohort
) -> None:
    stranger = ready_to_claim(seg_cohort, "stranger@example.org")
    with pytest.raises(ValidationError, match="learners on this claim"):
        _release(submitted_claim, external_qa, sampled=[stranger])
    _release(submitted_claim, external_qa)
    with pytest.raises(ValidationError, match="only a submitted claim is reviewed"):
        _release(submitted_claim, external_qa)


def test_the_eqa_reads_the_centres_sampling_records(submitted_claim: Claim, seg_cohort: Cohort) -> None:
    samples = list(eqa.sampling_records(submitted_claim))
    assert {s.cohort_id for s in samples} == {seg_cohort.pk}
    assert {e.assessment.learner.email for s in samples for e in s.entries.all()} == {
        "jordan@example.org",
        "sam@example.org",
    }


# Certification ------------------------------------------------------------------------------------------------


def _approve(claim: Claim, ratifier: User, capture: Callable[..., Any]) -> Job:
    with capture(execute=True):
        job = eqa.approve_claim(claim=claim, actor=ratifier)
    job.refresh_from_db()
    return job


def test_approving_a_released_claim_certificates_it_in_the_background(
    submitted_claim: Claim,
    external_qa: User,
    ratifier: User,
    seg: Qualification,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    _release(submitted_claim, external_qa)
    job = _approve(submitted_claim, ratifier, django_capture_on_commit_callbacks)

    submitted_claim.refresh_from_db()
    assert job.state == JobState.DONE, job.problem
    assert submitted_claim.state == ClaimState.CERTIFICATED
    assert submitted_claim.approved_by == ratifier
    for row in claims.summary(submitted_claim):
        learner = row.learner
        units = Attainment.objects.filter(learner=learner, achievement__kind=AchievementKind.UNIT)
        assert {a.route for a in units} == {Route.RATIFIED_ASSESSMENT}
        assert all(a.evidence == [] for a in units)
        qualification = Attainment.objects.get(learner=learner, achievement__qualification=seg)
        assert qualification.route == Route.RULES_OF_COMBINATION  # it followed from the units
        assert row.qualification is not None
        assert row.qualification.attainment == qualification
        assert {line.attainment for line in row.units} == set(units)
        assert Credential.objects.filter(attainment__learner=learner, superseded_at__isnull=True).count() == 3
        enrolment = row.assessment.submission.portfolio.enrolment  # type: ignore[union-attr]
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.AWARDED
        told = [m for m in mail.outbox if learner.email in m.to and "Certificated by" in m.subject]
        assert len(told) == 1
        assert "dashboard" in told[0].body
    assert AuditEvent.objects.filter(action="assessment.claim_certificated").count() == 1


def test_certificating_carried_in_units_records_the_qualification_they_complete(
    seg: Qualification,
    centre: Organisation,
    centre_admin: User,
    catalogue_admin: User,
    awarding_body: Organisation,
    external_qa: User,
    ratifier: User,
    seg_issuer: Issuer,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    certificate = seg_certificate(catalogue_admin, awarding_body, seg)
    cohort = certificate_cohort(centre_admin, centre, certificate)
    own_unit = next(u for u in award_units(certificate) if u not in award_units(seg))
    assessment = ready_to_claim(cohort, "jordan@example.org", units={own_unit.code})
    holding(assessment.learner, award_units(seg), catalogue_admin)
    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=[assessment])
    claims.submit_claim(claim=claim, actor=centre_admin)
    _release(claim, external_qa)

    _approve(claim, ratifier, django_capture_on_commit_callbacks)

    line = claim.lines.get(achievement__qualification=certificate)
    assert line.attainment is not None
    assert set(line.attainment.components.values_list("achievement__unit__code", flat=True)) == {
        u.code for u in award_units(certificate)
    }
    enrolment = assessment.submission.portfolio.enrolment
    enrolment.refresh_from_db()
    assert enrolment.state == EnrolmentState.AWARDED


def test_the_certification_job_is_safe_to_run_twice(
    submitted_claim: Claim,
    external_qa: User,
    ratifier: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    _release(submitted_claim, external_qa)
    job = _approve(submitted_claim, ratifier, django_capture_on_commit_callbacks)
    attainments = Attainment.objects.count()
    credentials = Credential.objects.count()
    emails = len(mail.outbox)

    Job.objects.filter(pk=job.pk).update(state=JobState.QUEUED, finished_at=None)  # as if the worker ran it again
    with django_capture_on_commit_callbacks(execute=True):
        jobs.run_job.call(job_id=str(job.public_id))

    assert Attainment.objects.count() == attainments
    assert Credential.objects.count() == credentials
    assert len(mail.outbox) == emails
    assert AuditEvent.objects.filter(action="assessment.claim_certificated").count() == 1


def test_the_job_resumes_a_claim_left_part_way(
    submitted_claim: Claim,
    external_qa: User,
    ratifier: User,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """A worker that died after the first learner: the rerun does the second only."""
    _release(submitted_claim, external_qa)
    job = eqa.approve_claim(claim=submitted_claim, actor=ratifier)  # the job is queued, not run (no commit here)
    first = claims.summary(submitted_claim)[0].learner
    run = jobs.JobRun(job)
    submitted_claim.refresh_from_db()
    eqa._certify_learner(submitted_claim, first, actor=ratifier, on=submitted_claim.approved_at.date())  # type: ignore[union-attr]
    run.record(1, "done", "", label=first.email)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.run_job.call(job_id=str(job.public_id))
    job.refresh_from_db()
    assert job.state == JobState.DONE
    assert Attainment.objects.filter(learner=first, achievement__kind=AchievementKind.UNIT).count() == 2
    submitted_claim.refresh_from_db()
    assert submitted_claim.state == ClaimState.CERTIFICATED
    assert not submitted_claim.lines.filter(attainment__isnull=True).exists()


def test_only_certification_staff_approve_and_not_the_eqa_who_released_it(
    submitted_claim: Claim, external_qa: User, ratifier: User, centre_admin: User, outsider: User
) -> None:
    with pytest.raises(ValidationError, match="only a claim released"):
        eqa.approve_claim(claim=submitted_claim, actor=ratifier)
    _release(submitted_claim, external_qa)
    for someone in (external_qa, centre_admin, outsider):
        with pytest.raises(PermissionDenied, match="certification staff"):
            eqa.approve_claim(claim=submitted_claim, actor=someone)
    external_qa.memberships.create(organisation=submitted_claim.awarding_body, role=Role.RATIFIER)
    with pytest.raises(PermissionDenied, match="Conflict of interest: you released this claim"):
        eqa.approve_claim(claim=submitted_claim, actor=external_qa)


def test_a_second_approval_is_refused(
    submitted_claim: Claim, external_qa: User, ratifier: User, awarding_body: Organisation
) -> None:
    _release(submitted_claim, external_qa)
    eqa.approve_claim(claim=submitted_claim, actor=ratifier)
    other = staff(awarding_body, Role.RATIFIER, "second-ratifier@example.org")
    with pytest.raises(ValidationError, match="being certificated"):
        eqa.approve_claim(claim=submitted_claim, actor=other)
