"""verify_audit finds an edited, inserted or deleted event, and says which."""

from __future__ import annotations

import itertools

import pytest
from django.db import DatabaseError, transaction

from credo.audit.models import AuditEvent, ChainHead, chain_hash
from credo.audit.services import record_event, verify_chain
from credo.audit.tests.helpers import record_events, run_verify, triggers_removed

pytestmark = pytest.mark.django_db


def five_events() -> list[AuditEvent]:
    return record_events(5)


def test_an_untouched_log_is_reported_intact() -> None:
    five_events()
    out, err = run_verify()
    assert "The audit log is intact: 5 events" in out
    assert err == ""


def test_events_are_chained_by_hash() -> None:
    events = five_events()
    assert events[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1
    assert ChainHead.objects.get().last_hash == events[-1].hash


def test_the_database_refuses_to_change_an_event() -> None:
    event = five_events()[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="test.rewritten")


def test_the_database_refuses_to_delete_an_event() -> None:
    event = five_events()[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_it_names_an_edited_event() -> None:
    events = five_events()
    with triggers_removed():
        AuditEvent.objects.filter(pk=events[2].pk).update(details={"n": 999})
    _out, err = run_verify()
    assert "event #3: its contents no longer match its hash: the row was edited" in err
    assert "event #2" not in err
    assert "event #4" not in err
    assert "tampered with: 1 problem(s)" in err


def test_it_names_an_edited_event_even_when_its_hash_was_recomputed() -> None:
    events = five_events()
    forged = AuditEvent.objects.get(pk=events[1].pk)
    forged.actor_label = "someone-else"
    with triggers_removed():
        # Without the audit key the best a tamperer can do is a plain SHA-256 of the new contents.
        AuditEvent.objects.filter(pk=forged.pk).update(actor_label="someone-else", hash=chain_hash(forged.content()))
    problems = [str(p) for p in verify_chain()]
    assert problems == [
        "event #2: its contents no longer match its hash: the row was edited (or its hash recomputed without the key).",
        "event #3: it does not link to the event before it: a row before it was edited, deleted or inserted.",
    ]


def test_it_names_where_an_event_was_deleted() -> None:
    events = five_events()
    with triggers_removed():
        AuditEvent.objects.filter(pk=events[1].pk).delete()
    _, err = run_verify()
    assert "event #3: the events before it (#2) are missing: deleted." in err
    assert "event #3: it does not link to the event before it" in err


def test_it_notices_events_cut_off_the_end() -> None:
    events = five_events()
    with triggers_removed():
        AuditEvent.objects.filter(pk__in=[events[3].pk, events[4].pk]).delete()
    _, err = run_verify()
    assert "log: the log ends at #3 but 5 events were written: the last ones were deleted." in err


def test_it_notices_a_forged_event_appended_with_a_plain_hash() -> None:
    events = five_events()
    forged = AuditEvent(
        seq=6,
        occurred_at=events[-1].occurred_at,
        actor_label="system",
        action="test.forged",
        details={},
        prev_hash=events[-1].hash,
    )
    forged.hash = chain_hash(forged.content())
    forged.save()
    _, err = run_verify()
    assert "event #6: it carries no audit key" in err
    assert "the chain head does not match the newest event" in err


def test_the_database_refuses_two_events_with_the_same_predecessor() -> None:
    events = five_events()
    fork = AuditEvent(
        seq=99, occurred_at=events[1].occurred_at, actor_label="system", action="test.fork", prev_hash=events[1].hash
    )
    fork.hash = chain_hash(fork.content())
    with pytest.raises(DatabaseError), transaction.atomic():
        fork.save()


def test_it_names_an_event_inserted_in_the_middle() -> None:
    events = five_events()
    with triggers_removed():
        # Make room after #2 by renumbering the later events, slip a forged #3 in, relink the old #3 to it.
        for event in reversed(events[2:]):
            AuditEvent.objects.filter(pk=event.pk).update(seq=event.seq + 1)
        AuditEvent.objects.filter(pk=events[2].pk).update(prev_hash="f" * 64)
        forged = AuditEvent(
            seq=3,
            occurred_at=events[1].occurred_at,
            actor_label="system",
            action="test.inserted",
            details={},
            prev_hash=events[1].hash,
        )
        forged.hash = chain_hash(forged.content())
        forged.save()
        AuditEvent.objects.filter(pk=events[2].pk).update(prev_hash=forged.hash)
    problems = [str(p) for p in verify_chain()]
    # The forged #3 links up cleanly, but carries no seal; nor can the renumbered, relinked event after it.
    assert problems[:2] == [
        "event #3: it carries no audit key: it was written without the key, by someone working on the database"
        " directly.",
        "event #4: its contents no longer match its hash: the row was edited (or its hash recomputed without the key).",
    ]


def test_details_are_stored_as_plain_json() -> None:
    import datetime
    import decimal

    event = record_event(
        actor="system",
        action="test.types",
        details={"when": datetime.date(2024, 3, 27), "fee": decimal.Decimal("649.00")},
    )
    event.refresh_from_db()
    assert event.details == {"when": "2024-03-27", "fee": "649.00"}
    assert verify_chain() == []
