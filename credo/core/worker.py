"""Task leases: a task whose worker dies is run again, by any live worker (``manage.py task_worker``).

django-tasks-db's worker marks a task RUNNING when it takes it and only ever looks for READY ones, so a task whose
worker was killed (a deploy, the OOM killer, a lost machine) stayed RUNNING for ever and its work was lost. credo's
worker is theirs with a lease added, kept in django-tasks-db's own columns, so there is no table of our own:

* ``run_after`` of a RUNNING task is its lease: the moment after which another worker may take it over. It means
  nothing else once a task has started (the queue reads it only for READY tasks). The worker sets it in the
  transaction that takes the task (a ``post_save`` receiver on the claim), so no task is ever RUNNING without a
  lease, and moves it on every ``lease / 4`` seconds from a heartbeat thread while the task runs.
* A lease is recognised by ``run_after > started_at``. A task taken by django-tasks-db's own ``db_worker`` (which
  keeps no lease) has ``run_after`` at its enqueue-time value: the far future, or a moment before it started; so it
  is never taken over while that worker may still be running it.
* ``worker_ids`` lists every worker that took the task, so its length counts the runs. A task whose lease ran out
  is queued again (READY, same arguments), unless it has been run ``max_attempts`` times: a task that kills its
  worker each time (say, by running out of memory) is then marked failed, with a log line, instead of looping.

Every worker's heartbeat thread also looks for run-out leases, so a dead worker's task resumes on whichever worker is
alive. A task may therefore run twice (the dead worker may have done part or all of it), and twice at once if a live
worker lost its lease (its heartbeat could not reach the database for a whole lease): every task must be safe to run
again. See docs/decisions/0015-task-leases-and-idempotent-tasks.md.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import F
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger(__name__)


class WorkerLostError(Exception):
    """Recorded as the error of a task that was running each time its worker stopped, too many times."""


def lease_length() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CREDO_TASK_LEASE_SECONDS)


def take_lease(row: DBTaskResult, *, lease: datetime.timedelta) -> bool:
    """Start the lease of a task this worker has just taken (``row`` as claimed); False if it is no longer ours."""
    return _extend(row.pk, row.started_at, lease=lease)


def _extend(task_id: Any, started_at: datetime.datetime | None, *, lease: datetime.timedelta) -> bool:
    # started_at names this run: if the task was taken over (queued again, taken by another worker) it differs,
    # and a late heartbeat must not extend the new run's lease.
    renewed = DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at).update(
        run_after=timezone.now() + lease
    )
    return renewed == 1


_claiming = threading.local()  # the lease a LeasedWorker gives the tasks it takes, in its own thread


@contextmanager
def leasing(lease: datetime.timedelta) -> Iterator[None]:
    """While inside, each task this thread takes (django-tasks-db's ``claim``) gets a lease in the same transaction."""
    _claiming.lease = lease
    try:
        yield
    finally:
        _claiming.lease = None


@receiver(post_save, sender=DBTaskResult)
def _lease_on_claim(sender: Any, instance: DBTaskResult, update_fields: Any = None, **kwargs: Any) -> None:
    lease = getattr(_claiming, "lease", None)
    # claim() saves exactly these fields, inside the worker's transaction that selected the task.
    if lease is not None and update_fields == frozenset({"status", "started_at", "worker_ids"}):
        take_lease(instance, lease=lease)


def expired_leases(now: datetime.datetime | None = None) -> Any:
    """Running tasks whose lease has run out: their worker stopped renewing it."""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, run_after__gt=F("started_at"), run_after__lt=now or timezone.now()
    )


def requeue_expired(*, max_attempts: int, now: datetime.datetime | None = None) -> list[str]:
    """Queue again (READY, same arguments) each task whose lease has run out, or mark it failed once it has been
    run ``max_attempts`` times; returns the ids of the tasks queued again. Safe for several workers at once."""
    now = now or timezone.now()
    expired = expired_leases(now)
    if not expired.exists():  # the usual case, checked without taking SQLite's write lock
        return []
    requeued = []
    with exclusive_transaction(expired.db):
        # Locked and read again: another worker may have queued it, or its own worker renewed it, meanwhile.
        for row in expired.select_for_update(skip_locked=True).order_by("started_at"):
            runs = len(row.worker_ids)
            if runs >= max_attempts:
                _give_up(row, runs=runs, now=now)
                continue
            row.status = TaskResultStatus.READY
            # As for a task enqueued without a delay: it waits its turn by priority and by when it was enqueued.
            row.run_after = get_date_max()
            row.save(update_fields=["status", "run_after"])
            requeued.append(str(row.pk))
            logger.warning(
                "Task %s (%s) was running on worker %s, which stopped renewing its lease: queued again (run %d of %d).",
                row.pk,
                row.task_path,
                row.worker_ids[-1] if row.worker_ids else "?",
                runs + 1,
                max_attempts,
            )
    return requeued


def _give_up(row: DBTaskResult, *, runs: int, now: datetime.datetime) -> None:
    message = (
        f"The worker running this task stopped {runs} times (killed, or out of memory?): it is not run again. "
        "Its work is safe to run again: queue it again once the cause is fixed."
    )
    row.status = TaskResultStatus.FAILED
    row.finished_at = now
    row.exception_class_path = f"{WorkerLostError.__module__}.{WorkerLostError.__qualname__}"
    row.traceback = f"{WorkerLostError.__qualname__}: {message}\n"
    row.return_value = None
    row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback", "return_value"])
    logger.error("Task %s (%s) failed: %s", row.pk, row.task_path, message)


class LeasedWorker(Worker):
    """django-tasks-db's worker, keeping a lease on the task it runs and taking over the tasks of dead workers."""

    def __init__(self, *, lease: datetime.timedelta, max_attempts: int, **options: Any) -> None:
        super().__init__(**options)
        self.lease = lease
        self.max_attempts = max_attempts
        self._running: tuple[Any, datetime.datetime | None] | None = None  # (task id, started_at) of this run
        self._guard = threading.Lock()
        self._stopped = threading.Event()

    def run(self) -> None:
        # A daemon thread: when the worker exits (or is killed), its heartbeat stops with it, and its lease runs out.
        heartbeat = threading.Thread(target=self._beat, name="credo-task-lease", daemon=True)
        heartbeat.start()
        try:
            with leasing(self.lease):
                super().run()
        finally:
            self._stopped.set()
            heartbeat.join(timeout=self.lease.total_seconds())  # a beat under way ends, and closes its connection

    def run_task(self, db_task_result: DBTaskResult) -> None:
        with self._guard:
            self._running = (db_task_result.pk, db_task_result.started_at)
        try:
            super().run_task(db_task_result)
        finally:
            with self._guard:
                self._running = None

    def _beat(self) -> None:
        interval = self.lease.total_seconds() / 4
        while True:  # at once, so that a worker started after a crash looks for dead workers' tasks straight away
            try:
                self.beat()
            except Exception:  # a database hiccup: try again at the next beat, well within the lease
                logger.exception("Could not renew task leases; trying again in %.1f s.", interval)
            finally:
                close_old_connections()
            if self._stopped.wait(interval):
                break
        connection.close()

    def beat(self) -> None:
        """Renew the running task's lease, then take over the tasks whose workers have stopped."""
        with self._guard:
            running = self._running
        if running is not None and not _extend(*running, lease=self.lease):
            task_id, started_at = running
            now = DBTaskResult.objects.filter(pk=task_id).values_list("status", "started_at").first()
            # Not renewed because it has just finished is fine; taken over by another worker is worth a line.
            if now is not None and (now[0] == TaskResultStatus.READY or now[1] != started_at):
                logger.warning(
                    "Task %s was taken over by another worker (this one could not renew its lease within %s): "
                    "it may run twice.",
                    task_id,
                    self.lease,
                )
        requeue_expired(max_attempts=self.max_attempts)
