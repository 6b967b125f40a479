"""Two internal quality assurers draw a sample of one cohort at the same moment: one draw is made.

Runs on both databases; on PostgreSQL the cohort's row lock is what makes the second wait and then find nothing left
to draw (SQLite serialises writers itself: a "database is locked" answer is retried).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from credo.accounts.models import Organisation, Role, User
from credo.assessment.models import ModerationSample, SampleEntry
from credo.assessment.services import moderation
from credo.programmes.models import Cohort

from .builders import submitted
from .moderation_builders import completed


def _draw(cohort_pk: int, actor: User, ended: threading.Event) -> str:
    cohort = Cohort.objects.get(pk=cohort_pk)
    for _attempt in range(200):
        try:
            sample = moderation.draw_sample(cohort=cohort, actor=actor, seed=actor.email)
        except ValidationError as refused:
            return " ".join(refused.messages)
        except OperationalError as busy:
            if connection.vendor != "sqlite" or "locked" not in str(busy):
                raise
            ended.wait(timeout=0.05)  # the other writer holds the lock until it ends
        else:
            return f"drew {sample.number}"
    return "gave up waiting for the other writer"


def test_two_iqas_drawing_at_once_make_one_draw(
    committed_db: None,
    cld_cohort: Cohort,
    centre: Organisation,
    assessor: User,
    internal_qa: User,
    member: Callable[..., User],
) -> None:
    other = member(centre, Role.INTERNAL_QA, "iqa2@credo.example")
    for i in range(3):
        completed(submitted(cld_cohort, f"l{i}@example.org"), assessor)
    start = threading.Barrier(2)
    ended = threading.Event()
    outcomes: dict[str, str] = {}

    def draw(actor: User) -> None:
        try:
            start.wait(timeout=10)
            outcomes[actor.email] = _draw(cld_cohort.pk, actor, ended)
        finally:
            ended.set()
            connection.close()

    threads = [threading.Thread(target=draw, args=(actor,)) for actor in (internal_qa, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) == [
        "No completed assessments are waiting to be sampled in this cohort.",
        "drew 1",
    ]
    assert ModerationSample.objects.filter(cohort=cld_cohort).count() == 1
    assert SampleEntry.objects.count() == 3
