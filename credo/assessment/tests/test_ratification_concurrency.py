"""Two ratifiers ratifying the same batch at the same moment: one ratification, one job, one credential each.

Runs on both databases. On PostgreSQL the batch's row lock makes the second ratifier wait, then see the batch being
ratified and be told so. SQLite serialises writers, so one goes first; a writer told the database is locked tries
again once the other's attempt has ended, which is what the wait amounts to. Real threads with their own
connections need committed data: a transactional test.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.assessment.models import BatchState, RatificationBatch
from credo.assessment.services import ratification
from credo.core.models import Job
from credo.credentials.models import Attainment, Credential, Issuer, StatusList
from credo.credentials.services.issuers import did_document
from credo.credentials.services.status import status_list_json
from credo.credentials.tests.test_interop import dcc_verify
from credo.credentials.verification import verify_credential
from credo.programmes.models import Cohort

from .ratification_builders import ready_outcomes, share_everything

ALREADY = "already being ratified"


def _ratify_waiting_for_the_writer(batch_pk: int, actor: User, ended: threading.Event) -> str:
    for _attempt in range(200):
        try:
            ratification.ratify(batch=RatificationBatch.objects.get(pk=batch_pk), actor=actor)
        except ValidationError as refused:
            return " ".join(refused.messages)
        except OperationalError as busy:
            if connection.vendor != "sqlite" or "locked" not in str(busy):
                raise
            ended.wait(timeout=0.05)  # the other ratification holds the write lock
        else:
            return "ratified"
    return "gave up waiting for the other writer"


def test_two_ratifiers_at_once_make_one_ratification_and_one_credential_each(
    committed_db: None,
    cld_cohort: Cohort,
    centre_admin: User,
    institution: Organisation,
    institution_ratifier: User,
    institution_issuer: Issuer,
) -> None:
    ready_outcomes(cld_cohort, 3)
    batch = ratification.send_for_ratification(cohort=cld_cohort, actor=centre_admin)
    second = UserFactory(email="second.ratifier@poly.example", full_name="Second Ratifier")
    MembershipFactory(user=second, organisation=institution, role=Role.RATIFIER)
    start = threading.Barrier(2)
    ended = threading.Event()
    outcomes: dict[str, str] = {}

    def ask(actor: User) -> None:
        try:
            start.wait(timeout=10)
            outcomes[actor.email] = _ratify_waiting_for_the_writer(batch.pk, actor, ended)
        finally:
            ended.set()
            connection.close()  # the thread's own connection

    threads = [threading.Thread(target=ask, args=(actor,)) for actor in (institution_ratifier, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(outcomes.values(), key=lambda said: said != "ratified")[0] == "ratified"
    refused = [said for said in outcomes.values() if said != "ratified"]
    assert len(refused) == 1
    assert ALREADY in refused[0]
    batch.refresh_from_db()
    assert batch.state == BatchState.RATIFIED  # the winner's job ran when its transaction committed
    assert Job.objects.filter(kind=ratification.RATIFY_BATCH).count() == 1
    assert Attainment.objects.count() == 3
    assert Credential.objects.count() == 3
    assert Credential.objects.values("learner").distinct().count() == 3


def test_an_issued_credential_verifies_with_its_evidence_in_credo_and_in_the_dcc_verifier(
    committed_db: None,
    tmp_path: Path,
    cld_cohort: Cohort,
    centre_admin: User,
    institution_ratifier: User,
    institution_issuer: Issuer,
) -> None:
    (assessment,) = ready_outcomes(cld_cohort, 1)
    share_everything(assessment.submission)
    batch = ratification.send_for_ratification(cohort=cld_cohort, actor=centre_admin)
    ratification.ratify(batch=batch, actor=institution_ratifier)  # committed: the job ran

    credential = Credential.objects.get(learner=assessment.learner)
    document = json.loads(credential.issued_json)
    assert len(document["evidence"]) == 3
    assert all(entry["id"].startswith("ni:///sha-256;") for entry in document["evidence"])
    report = verify_credential(document)
    assert report.verified, [check for check in report.checks if check.passed is False]

    status = {}
    for status_list in StatusList.objects.filter(issuer=institution_issuer):
        listed = json.loads(status_list_json(status_list))
        status[listed["id"]] = listed
    dids = (
        {institution_issuer.did: did_document(institution_issuer)}
        if institution_issuer.did.startswith("did:web:")
        else {}
    )
    verdicts = dcc_verify(tmp_path, {"ratified": credential.issued_json}, dids=dids, status=status)
    assert verdicts["ratified"]["verified"], verdicts["ratified"]
    assert verdicts["ratified"]["schema"] is True
