"""Periodic work that apps contribute to the one command cron runs (``manage.py send_reminders``).

django-tasks has no scheduler, so one command queues every periodic task. That command lives in programmes, which
must not import the apps built on top of it (portfolios, assessment…); instead each such app registers its tasks
here from its ``AppConfig.ready``, and the command queues whatever is registered. Each registered task must be safe
to run often and twice at once: it does a thing once however many times it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PeriodicTask:
    """``description`` completes the sentence "Queued …", e.g. "the reminders for attestation links"."""

    description: str
    task: Any  # a django_tasks Task: anything with .enqueue()


_registered: list[PeriodicTask] = []


def register(description: str, task: Any) -> None:
    """Add a task to the periodic run; registering the same task twice (ready() run again in tests) adds it once."""
    if all(entry.task is not task for entry in _registered):
        _registered.append(PeriodicTask(description, task))


def registered() -> tuple[PeriodicTask, ...]:
    return tuple(_registered)
