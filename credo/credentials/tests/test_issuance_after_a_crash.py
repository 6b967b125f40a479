"""A real task worker killed with SIGKILL in the middle of a batch: after a new worker starts, every attainment has
exactly one credential and the task has finished (issue 12: work is never lost when a worker dies).

The workers are ``manage.py task_worker`` processes on the test database (a file on SQLite: see the root conftest),
with a lease of a couple of seconds so that the new worker takes the dead one's task over quickly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Count
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from credo.accounts.models import User
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials import services
from credo.credentials.models import Attainment, Credential, Issuer, Route
from credo.credentials.services.issuance import CHUNK
from credo.credentials.tasks import issue_pending_credentials

from .conftest import AWARDED

#: Issuance commits chunk by chunk: the first commits, and the kill lands while the second is being signed.
ATTAINMENTS = 2 * CHUNK + 1
LEASE_SECONDS = 2
PATIENCE = 180.0  # seconds; only ever reached if something is broken


def _database_url() -> str:
    """The test database, as the worker process's DATABASE_URL."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": _database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "CREDO_VAR_DIR": str(tmp_path / "var"),  # the learners' emails go to this outbox
        "CREDO_TASK_LEASE_SECONDS": str(LEASE_SECONDS),
        "DEBUG": "false",
    }
    workers: list[subprocess.Popen[bytes]] = []

    def start(worker_id: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "manage.py", "task_worker", "--worker-id", worker_id]
        command += ["--interval", "0.05", "--no-startup-delay", "--no-reload", "--verbosity", "0"]
        log = (tmp_path / f"{worker_id}.log").open("wb")
        worker = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.kill()
        worker.wait(timeout=30)


def _wait_for(what: str, condition: Callable[[], bool], worker: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if worker.poll() is not None:
            pytest.fail(f"The worker stopped (exit {worker.returncode}) before {what}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"No {what} after {PATIENCE:.0f} s:\n{log.read_text()}")
        time.sleep(0.05)


def _attainments(issuer: Issuer, catalogue: SmallCatalogue) -> None:
    achievement = services.achievement_for_unit(catalogue.shared_units[0])
    assert achievement.issuer == issuer
    learners = User.objects.bulk_create(
        User(email=f"graduate{n:04d}@example.org", full_name=f"Graduate {n:04d}", password=make_password(None))
        for n in range(ATTAINMENTS)
    )
    Attainment.objects.bulk_create(
        Attainment(learner=learner, achievement=achievement, route=Route.DIRECT_AWARD, attained_on=AWARDED)
        for learner in learners
    )


def test_a_batch_cut_short_by_a_killed_worker_is_finished_by_the_next_with_one_credential_per_attainment(
    committed_db: None,
    settings: Any,
    issuer: Issuer,
    catalogue: SmallCatalogue,
    start_worker: Callable[[str], subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    _attainments(issuer, catalogue)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    task_id = issue_pending_credentials.enqueue(issuer_id=issuer.pk).id
    issued = Credential.objects.filter(issuer=issuer)

    first = start_worker("first")
    _wait_for("a first credential", issued.exists, first, tmp_path / "first.log")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)

    assert 0 < issued.count() < ATTAINMENTS, "the worker was to be killed in the middle of the batch"
    assert DBTaskResult.objects.get(pk=task_id).status == TaskResultStatus.RUNNING  # as the killed worker left it

    second = start_worker("second")
    task = DBTaskResult.objects.filter(pk=task_id)
    unfinished = {TaskResultStatus.READY, TaskResultStatus.RUNNING}
    _wait_for("end to the task", lambda: task.get().status not in unfinished, second, tmp_path / "second.log")
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=30)

    row = task.get()
    assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
    assert row.worker_ids == ["first", "second"]
    per_attainment = Attainment.objects.filter(achievement__issuer=issuer).annotate(n=Count("credentials"))
    assert sorted({a.n for a in per_attainment}) == [1]
    assert per_attainment.count() == ATTAINMENTS
