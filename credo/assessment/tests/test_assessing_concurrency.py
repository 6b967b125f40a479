"""Two requests at the same moment: two assessors taking one submission make one assessment; two completions of one
assessment make one completion.

Runs on both databases. On PostgreSQL the row locks (the submission's, the assessment's) make the second request
wait and then find the work done, which is the race this proves. SQLite serialises writers, so one goes first; a
request told the database is busy tries again once the other's attempt has ended. Threads with their own
connections need committed data: a transactional test.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection

from credo.accounts.models import User
from credo.assessment.models import Assessment, AssessmentState
from credo.assessment.services import assessing, assigning
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort

from .assessing_support import all_met, named
from .builders import submitted


def _race(actions: list[Callable[[], str]]) -> list[str]:
    """Run each action in its own thread, all starting together; each returns what happened, in words."""
    start = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action: Callable[[], str]) -> None:
        try:
            start.wait(timeout=10)
            for _attempt in range(200):
                try:
                    outcomes.append(action())
                except (ValidationError, PermissionDenied) as refused:
                    outcomes.append("refused: " + " ".join(getattr(refused, "messages", [str(refused)])))
                except OperationalError as busy:
                    if connection.vendor != "sqlite" or "locked" not in str(busy):
                        raise
                    threading.Event().wait(0.05)
                    continue
                return
        finally:
            connection.close()  # the thread's own connection

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_assessors_taking_one_submission_make_one_assessment(
    committed_db: None, cld_cohort: Cohort, centre_admin: User, assessor: User, second_assessor: User
) -> None:
    named(cld_cohort, centre_admin, assessor, second_assessor)
    submission = submitted(cld_cohort, "leilani@example.org")

    def take(who: User) -> Callable[[], str]:
        def action() -> str:
            assigning.assign(submission=submission, assessor=who, actor=who)
            return "assigned"

        return action

    outcomes = _race([take(assessor), take(second_assessor)])
    assert sorted(outcomes) == ["assigned", f"refused: {assigning.ALREADY_ASSIGNED}"]
    assert Assessment.objects.filter(submission=submission).count() == 1
    assert AuditEvent.objects.filter(action="assessment.assigned").count() == 1


def test_two_completions_of_one_assessment_make_one(
    committed_db: None, cld_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    named(cld_cohort, centre_admin, assessor)
    made = assigning.assign(submission=submitted(cld_cohort, "leilani@example.org"), assessor=assessor, actor=assessor)
    judgements = all_met(made)

    def complete() -> str:
        assessing.complete(
            assessment=made,
            actor=assessor,
            judgements=judgements,
            outcome="competent",
            feedback="",
            declaration_accepted=True,
            version=1,
        )
        return "completed"

    outcomes = _race([complete, complete])
    assert outcomes.count("completed") == 1
    assert len(outcomes) == 2
    made.refresh_from_db()
    assert made.state == AssessmentState.COMPLETED
    assert AuditEvent.objects.filter(action="assessment.completed").count() == 1
