"""Two certification officers approve the same released claim at the same moment: one approval starts the
certification, the other is refused in words; the learners get one set of attainments and one credential each.

Runs on both databases; proves the race on PostgreSQL, where the claim's row lock makes the second approval wait and
then see the claim being (or already) certificated. SQLite serialises writers: a busy writer is "locked", and the
approval is tried again once the other has ended. Real threads with their own connections need committed data.
"""

from __future__ import annotations

import threading

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from credo.accounts.models import Organisation, Role, User
from credo.assessment.models import Claim, ClaimState, RiskRating
from credo.assessment.services import claims, eqa
from credo.credentials.models import AchievementKind, Attainment, Credential, Issuer
from credo.programmes.models import Cohort

from .claims_builders import ready_to_claim, staff


def _approve(claim_pk: int, actor: User, ended: threading.Event) -> str:
    for _attempt in range(200):
        try:
            eqa.approve_claim(claim=Claim.objects.get(pk=claim_pk), actor=actor)
        except ValidationError as refused:
            return " ".join(refused.messages)
        except OperationalError as busy:
            if connection.vendor != "sqlite" or "locked" not in str(busy):
                raise
            ended.wait(timeout=0.05)  # the other writer holds the lock until it ends
        else:
            return "approved"
    return "gave up waiting for the other writer"


def test_two_officers_approving_at_once_certificate_the_claim_once(
    committed_db: None,
    seg_cohort: Cohort,
    centre: Organisation,
    centre_admin: User,
    awarding_body: Organisation,
    external_qa: User,
    ratifier: User,
    seg_issuer: Issuer,
) -> None:
    outcomes = [ready_to_claim(seg_cohort, f"learner{n}@example.org", f"Learner {n}") for n in range(2)]
    claim = claims.build_claim(centre=centre, awarding_body=awarding_body, actor=centre_admin, assessments=outcomes)
    claims.submit_claim(claim=claim, actor=centre_admin)
    eqa.review_claim(
        claim=claim,
        actor=external_qa,
        findings="Sample read.",
        actions="",
        risk=RiskRating.LOW,
        released=True,
        sampled=outcomes[:1],
    )
    second = staff(awarding_body, Role.RATIFIER, "second-ratifier@example.org")
    start = threading.Barrier(2)
    ended = threading.Event()
    said: dict[str, str] = {}

    def approve(actor: User) -> None:
        try:
            start.wait(timeout=10)
            said[actor.email] = _approve(claim.pk, actor, ended)
        finally:
            ended.set()
            connection.close()

    threads = [threading.Thread(target=approve, args=(who,)) for who in (ratifier, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert list(said.values()).count("approved") == 1, said
    (refusal,) = [words for words in said.values() if words != "approved"]
    assert "only a claim released by external quality assurance is approved" in refusal, said
    claim.refresh_from_db()
    assert claim.state == ClaimState.CERTIFICATED
    for assessment in outcomes:
        held = Attainment.objects.filter(learner=assessment.learner)
        assert held.filter(achievement__kind=AchievementKind.UNIT).count() == 2
        assert held.exclude(achievement__kind=AchievementKind.UNIT).count() == 1
        for attainment in held:
            assert Credential.objects.filter(attainment=attainment, superseded_at__isnull=True).count() == 1
