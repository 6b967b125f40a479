"""``manage.py task_worker``: run background tasks, taking over those of workers that died.

django-tasks-db's ``db_worker`` with a lease on each running task (``credo.core.worker``); it takes the same
options. It has its own name because Django gives a management command's name to the app listed first in
INSTALLED_APPS, so a credo ``db_worker`` would quietly lose to django-tasks-db's.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from credo.core.worker import LeasedWorker, lease_length


class Command(db_worker.Command):
    help = (
        "Run background tasks. A task whose worker stops (killed, out of memory) is run again by a live worker "
        f"once its lease (CREDO_TASK_LEASE_SECONDS, now {settings.CREDO_TASK_LEASE_SECONDS} s) runs out, at most "
        f"CREDO_TASK_MAX_ATTEMPTS (now {settings.CREDO_TASK_MAX_ATTEMPTS}) times."
    )

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        reload: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        # As db_worker's handle, with credo's worker in place of theirs.
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded_queue_names = exclude_queues.split(",") if exclude_queues else []
        if excluded_queue_names and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = LeasedWorker(
            lease=lease_length(),
            max_attempts=settings.CREDO_TASK_MAX_ATTEMPTS,
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded_queue_names,
        )
        if reload and not batch:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only in the child that runs tasks
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
