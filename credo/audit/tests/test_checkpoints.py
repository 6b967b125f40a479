"""`audit_head` signs a checkpoint of the chain; `verify_audit` checks the log against checkpoints, and says plainly
why a checkpoint file cannot be used."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from credo.audit.checkpoints import read_checkpoint
from credo.audit.models import GENESIS_HASH, AuditEvent, ChainHead
from credo.audit.tests.helpers import record_events, run_command, run_verify, triggers_removed

pytestmark = pytest.mark.django_db


def take_checkpoint(path: Path) -> dict[str, object]:
    out, err = run_command("audit_head")
    assert err == ""
    path.write_text(out)
    data: dict[str, object] = json.loads(out)
    return data


def test_audit_head_signs_the_newest_event(tmp_path: Path) -> None:
    record_events(3)
    data = take_checkpoint(tmp_path / "head.json")
    head = ChainHead.objects.get()
    assert (data["seq"], data["hash"]) == (3, head.last_hash)
    assert set(data) == {"seq", "hash", "time", "key_id", "signature"}
    assert read_checkpoint((tmp_path / "head.json").read_text(), source="head.json").seq == 3


def test_a_checkpoint_of_the_empty_log_names_the_genesis(tmp_path: Path) -> None:
    data = take_checkpoint(tmp_path / "empty.json")
    assert (data["seq"], data["hash"]) == (0, GENESIS_HASH)
    record_events(2)
    out, err = run_verify("--since-checkpoint", str(tmp_path / "empty.json"))
    assert err == ""
    assert "The audit log is intact: from #1 to #2, chain unbroken. It agrees with 1 checkpoint(s)." in out


def test_the_log_since_a_checkpoint_is_checked_from_there_on(tmp_path: Path) -> None:
    record_events(3)
    take_checkpoint(tmp_path / "at-3.json")
    record_events(4, start=4)
    out, err = run_verify("--since-checkpoint", str(tmp_path / "at-3.json"))
    assert err == ""
    assert "The audit log is intact: from #3 to #7, chain unbroken. It agrees with 1 checkpoint(s)." in out


def test_an_edit_after_the_checkpoint_is_found_when_checking_from_it(tmp_path: Path) -> None:
    record_events(3)
    take_checkpoint(tmp_path / "at-3.json")
    record_events(2, start=4)
    with triggers_removed():
        AuditEvent.objects.filter(seq=5).update(details={"n": 0})
    _, err = run_verify("--since-checkpoint", str(tmp_path / "at-3.json"))
    assert "event #5: its contents no longer match its hash: the row was edited" in err


def test_a_deleted_checkpoint_event_is_named(tmp_path: Path) -> None:
    record_events(3)
    take_checkpoint(tmp_path / "at-3.json")
    record_events(2, start=4)
    with triggers_removed():
        AuditEvent.objects.filter(seq=3).delete()
    _, err = run_verify("--since-checkpoint", str(tmp_path / "at-3.json"))
    assert "event #3: the checkpoint of" in err
    assert "recorded it, but it is gone: deleted since then." in err
    assert "event #4: the events before it (#3) are missing: deleted." in err


def test_newest_events_cut_off_with_the_head_moved_back_are_caught_only_by_a_later_checkpoint(tmp_path: Path) -> None:
    record_events(5)
    take_checkpoint(tmp_path / "at-5.json")
    three = AuditEvent.objects.get(seq=3)
    # No key needed: the head is moved back to an event that really was the head once.
    with triggers_removed():
        AuditEvent.objects.filter(seq__gt=3).delete()
        ChainHead.objects.filter(id=1).update(last_seq=3, last_hash=three.hash)
    out, _ = run_verify()
    assert "The audit log is intact: 3 events" in out  # the limit decision 0001 states
    _, err = run_verify("--checkpoint", str(tmp_path / "at-5.json"))
    assert "recorded it, but the log now ends at #3: events were deleted or cut off the end since then." in err


def test_audit_head_refuses_to_sign_a_broken_log() -> None:
    record_events(3)
    with triggers_removed():
        AuditEvent.objects.filter(seq=2).update(action="test.rewritten")
    out, err = run_command("audit_head")
    assert out == ""
    assert "event #2: its contents no longer match its hash" in err
    assert "No checkpoint: the audit log has been tampered with (1 problem(s) found)." in err


def test_an_altered_checkpoint_is_refused(tmp_path: Path) -> None:
    record_events(3)
    data = take_checkpoint(tmp_path / "head.json")
    (tmp_path / "head.json").write_text(json.dumps({**data, "seq": 2}))
    _, err = run_verify("--checkpoint", str(tmp_path / "head.json"))
    assert err == (
        f"{tmp_path / 'head.json'}'s signature does not match its contents: the file was altered, or it was not made"
        " by manage.py audit_head with this installation's audit key."
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("seq 3", "it is not JSON."),
        ("[3]", "it is not a JSON object."),
        ('{"seq": 3, "hash": "ab"}', "it has no time, key_id, signature."),
        ('{"seq": "3", "hash": "ab", "time": "t", "key_id": "k", "signature": "s"}', "its seq is not a whole number."),
        ('{"seq": 3, "hash": 1, "time": "t", "key_id": "k", "signature": "s"}', "must be text."),
    ],
)
def test_a_file_that_is_not_a_checkpoint_is_named(tmp_path: Path, text: str, reason: str) -> None:
    (tmp_path / "bad.json").write_text(text)
    out, err = run_verify("--since-checkpoint", str(tmp_path / "bad.json"))
    assert out == ""
    assert err.startswith(f"{tmp_path / 'bad.json'} is not an audit checkpoint: ")
    assert err.endswith(reason)


def test_a_missing_checkpoint_file_is_named(tmp_path: Path) -> None:
    _, err = run_verify("--checkpoint", str(tmp_path / "nowhere.json"))
    assert err.startswith(f"Cannot read the checkpoint {tmp_path / 'nowhere.json'}: ")
