"""Task leases (credo.core.worker): a task whose worker died is queued again, by any live worker, a few times at most.

These run the worker in this process, on the tasks' database backend; the real thing, a worker process killed in
the middle of a batch, is credo/credentials/tests/test_issuance_after_a_crash.py.
"""

from __future__ import annotations

import datetime
import logging
import signal
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult, get_date_max

from credo.core.tasks import send_email
from credo.core.worker import (
    LeasedWorker,
    WorkerLostError,
    expired_leases,
    leasing,
    requeue_expired,
    take_lease,
)

LEASE = datetime.timedelta(seconds=60)
EMAIL = {"subject": "Hello", "body": "Body", "to": ["someone@example.org"], "from_email": "credo@example.org"}


@pytest.fixture
def database_tasks(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tasks are rows in the database, as in production, instead of running at once; and the worker, run in the
    test's own transaction, keeps the connection (a worker closes its connection between tasks, as a request does)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


def _worker(**options: Any) -> LeasedWorker:
    return LeasedWorker(
        lease=LEASE,
        max_attempts=options.pop("max_attempts", 3),
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=options.pop("worker_id", "live-worker"),
        excluded_queue_names=[],
    )


def _taken_by_a_worker_that_died(task_id: str, *, worker_id: str = "dead-worker") -> DBTaskResult:
    """What a worker leaves behind when it is killed while running the task: RUNNING, with its lease."""
    row = DBTaskResult.objects.get(pk=task_id)
    row.claim(worker_id)
    assert take_lease(row, lease=LEASE)
    row.refresh_from_db()
    return row


def _after_the_lease() -> datetime.datetime:
    return timezone.now() + LEASE + datetime.timedelta(seconds=1)


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_a_task_whose_worker_died_is_queued_again_with_the_same_arguments_and_then_runs() -> None:
    result = send_email.enqueue(**EMAIL)
    _taken_by_a_worker_that_died(result.id)

    assert requeue_expired(max_attempts=3, now=_after_the_lease()) == [result.id]

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.READY
    assert row.args_kwargs == {"args": [], "kwargs": EMAIL}
    _worker().run()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == ["dead-worker", "live-worker"]
    assert [message.subject for message in mail.outbox] == ["Hello"]


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_a_task_within_its_lease_is_left_to_its_worker() -> None:
    result = send_email.enqueue(**EMAIL)
    row = _taken_by_a_worker_that_died(result.id)

    assert requeue_expired(max_attempts=3, now=row.run_after - datetime.timedelta(seconds=1)) == []
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_a_task_is_leased_in_the_same_save_that_takes_it() -> None:
    """No moment when a task is RUNNING without a lease: a worker killed then would leave it RUNNING for ever."""
    result = send_email.enqueue(**EMAIL)
    row = DBTaskResult.objects.get(pk=result.id)

    with leasing(LEASE):
        row.claim("live-worker")

    leased = DBTaskResult.objects.get(pk=result.id)
    assert leased.status == TaskResultStatus.RUNNING
    assert leased.started_at < leased.run_after <= timezone.now() + LEASE


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_the_heartbeat_renews_the_running_tasks_lease() -> None:
    result = send_email.enqueue(**EMAIL)
    row = _taken_by_a_worker_that_died(result.id, worker_id="live-worker")
    worker = _worker()
    worker._running = (row.pk, row.started_at)
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=row.started_at + datetime.timedelta(microseconds=1))

    worker.beat()

    renewed = DBTaskResult.objects.get(pk=row.pk)
    assert renewed.status == TaskResultStatus.RUNNING
    assert renewed.run_after > timezone.now() + LEASE - datetime.timedelta(seconds=5)


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_a_task_taken_by_a_worker_without_leases_is_never_taken_over() -> None:
    """django-tasks-db's own db_worker keeps no lease: its task may still be running, so it is left alone."""
    undelayed = send_email.enqueue(**EMAIL)
    delayed = send_email.using(run_after=timezone.now() - datetime.timedelta(minutes=5)).enqueue(**EMAIL)
    for task_id in (undelayed.id, delayed.id):
        DBTaskResult.objects.get(pk=task_id).claim("stock-worker")  # as db_worker does: no lease

    assert not expired_leases(_after_the_lease()).exists()
    assert requeue_expired(max_attempts=3, now=_after_the_lease()) == []


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_a_task_whose_workers_keep_dying_is_marked_failed_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    result = send_email.enqueue(**EMAIL)
    for attempt in range(3):
        _taken_by_a_worker_that_died(result.id, worker_id=f"dead-worker-{attempt}")
        with caplog.at_level(logging.WARNING, logger="credo.core.worker"):
            requeue_expired(max_attempts=3, now=_after_the_lease())

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.task_result.errors[0].exception_class is WorkerLostError
    assert "stopped 3 times" in row.traceback
    assert any(r.levelno == logging.ERROR and "stopped 3 times" in r.getMessage() for r in caplog.records)
    _worker().run()
    assert mail.outbox == []  # never run again


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_a_requeued_task_waits_its_turn_like_any_task_enqueued_without_a_delay() -> None:
    result = send_email.enqueue(**EMAIL)
    _taken_by_a_worker_that_died(result.id)
    requeue_expired(max_attempts=3, now=_after_the_lease())
    assert DBTaskResult.objects.get(pk=result.id).run_after == get_date_max()


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks")
def test_an_email_task_run_again_after_its_worker_died_does_not_send_the_message_twice() -> None:
    result = send_email.enqueue(**EMAIL)
    _worker(worker_id="first-worker").run()  # sends, then (say) dies before it can mark the task finished:
    DBTaskResult.objects.filter(pk=result.id).update(status=TaskResultStatus.RUNNING, finished_at=None)
    _taken_by_a_worker_that_died(result.id, worker_id="first-worker")
    requeue_expired(max_attempts=3, now=_after_the_lease())

    _worker().run()

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 1
    assert len(mail.outbox) == 1


@pytest.fixture
def signal_handlers_kept() -> Any:
    """The command sets its own SIGINT/SIGTERM handlers (a graceful stop); the test run keeps its own."""
    kept = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for number, handler in kept.items():
        signal.signal(number, handler)


@pytest.mark.django_db
@pytest.mark.usefixtures("database_tasks", "signal_handlers_kept")
def test_task_worker_runs_the_queued_tasks() -> None:
    result = send_email.enqueue(**EMAIL)
    call_command("task_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
    assert len(mail.outbox) == 1
