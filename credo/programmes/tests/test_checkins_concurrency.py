"""Two learners asking for the same time at the same moment: exactly one gets it, the other is told plainly.

Runs on both databases. On PostgreSQL the slot's row lock makes the second
request wait, then see the booking. SQLite serialises writers, so one goes
first; its in-memory test database (shared cache) reports a busy writer as
"table is locked" at once instead of waiting as a database file does, so each
request here retries whole once the other request's attempt has ended, which is what the wait amounts to. Real threads
with their own connections need committed data: a transactional test.
"""

from __future__ import annotations

import threading

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection

from credo.accounts.models import Organisation, User
from credo.programmes.models import CheckInBooking, CheckInSlot, Cohort, Enrolment
from credo.programmes.services import checkins

from .checkins_builders import NOW, check_ins


class Turns:
    """Attempts that have ended, so a request told "table is locked" waits for the other's to end, not a clock."""

    def __init__(self) -> None:
        self.ended = 0
        self.changed = threading.Condition()

    def end_one(self) -> None:
        with self.changed:
            self.ended += 1
            self.changed.notify_all()

    def wait_for_another(self, seen: int) -> None:
        with self.changed:
            self.changed.wait_for(lambda: self.ended > seen, timeout=10)


def _book_waiting_for_the_writer(enrolment: Enrolment, slot_pk: int, turns: Turns) -> str:
    wanted = CheckInSlot.objects.get(pk=slot_pk)
    for _attempt in range(200):
        seen = turns.ended
        try:
            checkins.book(enrolment=enrolment, slot=wanted, actor=enrolment.learner, now=NOW)
        except ValidationError as refused:
            return " ".join(refused.messages)
        except OperationalError as busy:
            if connection.vendor != "sqlite" or "locked" not in str(busy):
                raise
            turns.end_one()
            turns.wait_for_another(seen + 1)  # the other request's attempt, which holds the write lock
        else:
            return "booked"
    return "gave up waiting for the other writer"


def test_a_slot_is_booked_once_under_concurrent_requests(
    committed_db: None,
    cohort: Cohort,
    provider_admin: User,
    provider: Organisation,
) -> None:
    world = check_ins(cohort, provider_admin, provider)
    wanted = world.slots[0]
    start = threading.Barrier(2)
    turns = Turns()
    outcomes: dict[str, str] = {}

    def ask(enrolment: Enrolment) -> None:
        try:
            start.wait(timeout=10)
            outcomes[enrolment.learner.email] = _book_waiting_for_the_writer(enrolment, wanted.pk, turns)
        finally:
            turns.end_one()  # finished: whoever waits on this request may try again
            connection.close()  # the thread's own connection

    threads = [threading.Thread(target=ask, args=(enrolment,)) for enrolment in (world.aroha, world.mere)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes.values()) == sorted(["booked", checkins.SLOT_TAKEN])
    winner = next(email for email, outcome in outcomes.items() if outcome == "booked")
    booked = CheckInBooking.objects.filter(slot=wanted).values_list("enrolment__learner__email", flat=True)
    assert list(booked) == [winner]
