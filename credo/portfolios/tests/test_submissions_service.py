"""Submitting: the deadline and its extensions, readiness, the declaration, the frozen snapshot, and reopening."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.audit.models import AuditEvent
from credo.portfolios.models import EvidenceItem, EvidenceVersion, ItemKind, Portfolio, Submission, SubmittedFile
from credo.portfolios.services import evidence, submissions
from credo.portfolios.services.manifest import canonical_json, manifest_sha256
from credo.programmes.models import Cohort
from credo.programmes.tests.builders import nz
from credo.programmes.tests.support_builders import facilitator_of

from .builders import PNG, upload
from .submission_builders import attested, make_ready

pytestmark = pytest.mark.django_db


def _at(monkeypatch: pytest.MonkeyPatch, moment: datetime.datetime) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment.astimezone(datetime.UTC))


@pytest.fixture
def ready(cld_portfolio: Portfolio, aroha: User) -> Portfolio:
    return make_ready(cld_portfolio, aroha)


# Deadlines ------------------------------------------------------------------------------------------------------


def test_the_first_attempts_deadline_is_the_cohorts(cld_portfolio: Portfolio, cld_cohort: Cohort) -> None:
    assert submissions.effective_deadline(cld_portfolio) == cld_cohort.submission_deadline


def test_a_submission_after_the_deadline_is_refused_with_the_date_in_the_cohorts_zone(
    ready: Portfolio, aroha: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _at(monkeypatch, nz(2024, 9, 1, 0, 0, 1))
    with pytest.raises(ValidationError, match=r"Saturday 31 August 2024, 11:59 PM \(Auckland, New Zealand time\)"):
        submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    assert not Submission.objects.exists()


def test_the_last_second_of_the_deadline_is_still_in_time(
    ready: Portfolio, aroha: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _at(monkeypatch, nz(2024, 8, 31, 23, 59, 59) + datetime.timedelta(microseconds=500_000))
    assert submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True).attempt == 1


def test_an_extension_moves_the_deadline_and_is_audited(
    ready: Portfolio, aroha: User, provider_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = nz(2024, 9, 14, 17)
    extension = submissions.grant_extension(
        portfolio=ready, actor=provider_admin, deadline=later, reason="Bereavement leave"
    )
    assert submissions.effective_deadline(ready) == later
    event = AuditEvent.objects.get(action="portfolios.deadline_extended")
    assert event.details["reason"] == "Bereavement leave"
    assert event.details["attempt"] == 1
    assert extension.granted_by == provider_admin
    _at(monkeypatch, nz(2024, 9, 10, 12))
    assert submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True).deadline == later


def test_the_latest_extension_applies(cld_portfolio: Portfolio, provider_admin: User) -> None:
    submissions.grant_extension(portfolio=cld_portfolio, actor=provider_admin, deadline=nz(2024, 9, 7), reason="a")
    submissions.grant_extension(portfolio=cld_portfolio, actor=provider_admin, deadline=nz(2024, 9, 21), reason="b")
    assert submissions.effective_deadline(cld_portfolio) == nz(2024, 9, 21)


@pytest.mark.parametrize(
    ("deadline", "problem"),
    [
        (nz(2024, 2, 1), "must be in the future"),
        (nz(2024, 8, 1), "after the current one, Saturday 31 August 2024"),
    ],
)
def test_an_extension_must_be_later_than_now_and_than_the_current_deadline(
    cld_portfolio: Portfolio, provider_admin: User, deadline: datetime.datetime, problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        submissions.grant_extension(portfolio=cld_portfolio, actor=provider_admin, deadline=deadline, reason="Ill")
    assert not cld_portfolio.extensions.exists()


def test_an_extension_needs_a_reason(cld_portfolio: Portfolio, provider_admin: User) -> None:
    with pytest.raises(ValidationError, match="Say why"):
        submissions.grant_extension(portfolio=cld_portfolio, actor=provider_admin, deadline=nz(2024, 9, 7), reason=" ")


def test_only_the_providers_programme_admins_grant_extensions(
    cld_portfolio: Portfolio, cld_cohort: Cohort, provider_admin: User, aroha: User, other_provider: Organisation
) -> None:
    facilitator = facilitator_of(cld_cohort, provider_admin, "facilitator@inspiring-test.example")
    elsewhere = MembershipFactory(
        user=UserFactory(email="admin@another.example"), organisation=other_provider, role=Role.PROGRAMME_ADMIN
    ).user
    for person in (facilitator, aroha, elsewhere):
        with pytest.raises(PermissionDenied):
            submissions.grant_extension(portfolio=cld_portfolio, actor=person, deadline=nz(2024, 9, 7), reason="x")


# Readiness, declaration -----------------------------------------------------------------------------------------


def test_a_portfolio_missing_required_evidence_is_refused_with_the_reasons(
    cld_portfolio: Portfolio, aroha: User
) -> None:
    first = cld_portfolio.sections.get(position=1)
    evidence.add_text(section=first, actor=aroha, title="Case study", html="<p>Short.</p>")
    with pytest.raises(ValidationError) as refused:
        submissions.submit(portfolio=cld_portfolio, actor=aroha, declaration_accepted=True)
    assert "An attestation from a participant: 0 attestations received of the 1 needed." in " ".join(
        refused.value.messages
    )
    assert not Submission.objects.exists()


def test_the_declaration_is_required(ready: Portfolio, aroha: User) -> None:
    with pytest.raises(ValidationError, match="Confirm the declaration"):
        submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=False)
    assert not Submission.objects.exists()


def test_only_the_learner_submits(ready: Portfolio, provider_admin: User) -> None:
    with pytest.raises(PermissionDenied):
        submissions.submit(portfolio=ready, actor=provider_admin, declaration_accepted=True)


# The snapshot ---------------------------------------------------------------------------------------------------


def test_submitting_freezes_a_hashed_snapshot_closes_the_portfolio_and_emails_a_receipt(
    ready: Portfolio, aroha: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submission = submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    assert submission.content_sha256 == manifest_sha256(submission.manifest)
    assert submissions.verify_submission(submission, files=True)
    sections = submission.manifest["sections"]
    assert [s["title"] for s in sections] == ["Your CLD case study", "Critical reflection"]
    pdf = next(i for i in sections[1]["items"] if i["kind"] == "file")
    stored = EvidenceItem.objects.get(kind=ItemKind.FILE)
    assert (pdf["name"], pdf["size"], pdf["sha256"]) == ("agenda.pdf", stored.size, stored.sha256)
    assert sections[0]["attestations"][0]["attestor_name"] == "Mere Participant"
    assert submission.files.get().file.name == stored.file.name
    assert submission.total_bytes == stored.size
    ready.refresh_from_db()
    assert not ready.is_open
    assert AuditEvent.objects.get(action="portfolios.submitted").details["sha256"] == submission.content_sha256
    (receipt,) = mail.outbox
    assert receipt.to == [aroha.email]
    assert submission.content_sha256 in receipt.body


def test_the_hash_is_of_the_canonical_json(ready: Portfolio, aroha: User) -> None:
    submission = submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    submission.refresh_from_db()  # as stored: the database's JSON, read back
    encoded = canonical_json(submission.manifest)
    assert encoded.startswith(b'{"attempt":1,"cohort":{"name":"2024 intake"')  # sorted keys, no spaces
    assert "kōrero".encode() in encoded  # UTF-8, not \u escapes
    assert submission.content_sha256 == hashlib.sha256(encoded).hexdigest()
    assert submissions.verify_submission(submission)


def test_a_changed_manifest_no_longer_verifies(ready: Portfolio, aroha: User) -> None:
    submission = submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    submission.manifest["sections"][0]["title"] = "Edited afterwards"
    assert not submissions.verify_submission(submission)


def test_a_stored_file_that_changed_is_detected_and_refused(ready: Portfolio, aroha: User, media: Path) -> None:
    stored = EvidenceItem.objects.get(kind=ItemKind.FILE)
    Path(default_storage.path(stored.file.name)).write_bytes(b"%PDF-1.4 something else entirely")
    with pytest.raises(ValidationError, match=r"“agenda\.pdf” is no longer the file that was uploaded"):
        submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    assert not Submission.objects.exists()
    ready.refresh_from_db()
    assert ready.is_open


def test_a_file_changed_after_submission_fails_verification_of_the_files(ready: Portfolio, aroha: User) -> None:
    submission = submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    Path(default_storage.path(submission.files.get().file.name)).write_bytes(b"tampered")
    assert submissions.verify_submission(submission)  # the manifest itself is untouched
    assert not submissions.verify_submission(submission, files=True)


def test_a_second_submission_of_an_attempt_is_refused(ready: Portfolio, aroha: User) -> None:
    submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    with pytest.raises(ValidationError, match="submitted"):
        submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    # Even past the service's checks, the database refuses a second submission of one attempt.
    first = Submission.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            portfolio=ready,
            attempt=1,
            submitted_at=first.submitted_at,
            submitted_by=aroha,
            declaration="x",
            deadline=first.deadline,
            manifest={},
            content_sha256="0" * 64,
        )


def test_submitting_keeps_only_the_latest_version_of_each_text(ready: Portfolio, aroha: User) -> None:
    text = EvidenceItem.objects.get(title="Reflection")
    evidence.save_text(item=text, actor=aroha, html="<p>Second thoughts.</p>", expected_version=1)
    assert EvidenceVersion.objects.filter(item=text).count() == 2
    submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    assert list(EvidenceVersion.objects.filter(item=text).values_list("number", flat=True)) == [2]


# Reopening ------------------------------------------------------------------------------------------------------


def test_reopening_keeps_attempt_one_frozen_and_readable_and_limits_attempts(
    ready: Portfolio, aroha: User, provider_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    resubmit_by = nz(2024, 10, 31, 17)
    submissions.reopen_for_resubmission(portfolio=ready, actor=provider_admin, deadline=resubmit_by)
    ready.refresh_from_db()
    assert (ready.attempt, ready.is_open) == (2, True)
    assert submissions.effective_deadline(ready) == resubmit_by
    # The learner changes their work for attempt 2: attempt 1 is untouched.
    pdf = EvidenceItem.objects.get(kind=ItemKind.FILE)
    evidence.remove_item(item=pdf, actor=aroha)
    evidence.add_file(
        section=ready.sections.get(position=2), actor=aroha, uploaded_file=upload(PNG, "photo.png"), title="Photo"
    )
    first.refresh_from_db()
    assert submissions.verify_submission(first, files=True)
    second = submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    assert second.attempt == 2
    assert second.content_sha256 != first.content_sha256
    with pytest.raises(ValidationError, match="allows 2 attempts"):
        submissions.reopen_for_resubmission(portfolio=ready, actor=provider_admin, deadline=nz(2024, 12, 1))


def test_an_open_portfolio_cannot_be_reopened(cld_portfolio: Portfolio, provider_admin: User) -> None:
    with pytest.raises(ValidationError, match="already open"):
        submissions.reopen_for_resubmission(portfolio=cld_portfolio, actor=provider_admin, deadline=nz(2024, 10, 1))


def test_a_learner_cannot_reopen_their_own_portfolio(ready: Portfolio, aroha: User) -> None:
    submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    with pytest.raises(PermissionDenied):
        submissions.reopen_for_resubmission(portfolio=ready, actor=aroha, deadline=nz(2024, 10, 1))


def test_removing_a_submitted_file_after_reopening_keeps_the_stored_file(
    ready: Portfolio, aroha: User, provider_admin: User, django_capture_on_commit_callbacks: Any
) -> None:
    submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    submissions.reopen_for_resubmission(portfolio=ready, actor=provider_admin, deadline=nz(2024, 10, 31))
    pdf = EvidenceItem.objects.get(kind=ItemKind.FILE)
    name = pdf.file.name
    with django_capture_on_commit_callbacks(execute=True):
        evidence.remove_item(item=pdf, actor=aroha)
    assert default_storage.exists(name)
    assert SubmittedFile.objects.get().file.name == name


def test_removing_a_file_no_submission_names_deletes_it(
    cld_portfolio: Portfolio, aroha: User, django_capture_on_commit_callbacks: Any
) -> None:
    item = evidence.add_file(
        section=cld_portfolio.sections.get(position=1), actor=aroha, uploaded_file=upload(PNG, "p.png"), title="P"
    )
    with django_capture_on_commit_callbacks(execute=True):
        evidence.remove_item(item=item, actor=aroha)
    assert not default_storage.exists(item.file.name)


def test_attestations_for_the_wrong_requirement_do_not_count(cld_portfolio: Portfolio, aroha: User) -> None:
    first = cld_portfolio.sections.get(position=1)
    attested(first, requirement=3)
    from credo.portfolios.services.readiness import check_readiness

    assert not check_readiness(cld_portfolio).ready


def test_the_snapshot_holds_the_mapping_to_criteria(seg_portfolio: Portfolio, sam: User) -> None:
    from credo.portfolios.services import mapping

    first = seg_portfolio.sections.order_by("position").first()
    assert first is not None
    item = evidence.add_text(section=first, actor=sam, title="Account", html="<p>What I did.</p>")
    criterion = mapping.criteria_of(seg_portfolio.enrolment.cohort.programme.qualification_id).first()
    assert criterion is not None
    mapping.map_evidence(item=item, actor=sam, criteria=[criterion])
    submission = submissions.submit(portfolio=seg_portfolio, actor=sam, declaration_accepted=True)
    (entry,) = submission.manifest["sections"][0]["items"]
    assert entry["criteria"] == [
        {
            "criterion": criterion.pk,
            "unit": criterion.outcome.unit.code,
            "outcome": 1,
            "number": "1.1",
            "text": "Describe it",
        }
    ]
