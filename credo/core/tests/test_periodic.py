"""The registry of periodic work that apps contribute to `manage.py send_reminders`."""

from __future__ import annotations

from typing import Any

import pytest

from credo.core import periodic


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    registry: list[Any] = []
    monkeypatch.setattr(periodic, "_registered", registry)
    return registry


def test_a_task_registered_twice_is_queued_once(fresh_registry: list[Any]) -> None:
    task = object()
    periodic.register("the reminders for something", task)
    periodic.register("the reminders for something", task)
    assert periodic.registered() == (periodic.PeriodicTask("the reminders for something", task),)


def test_tasks_are_queued_in_the_order_they_were_registered(fresh_registry: list[Any]) -> None:
    first, second = object(), object()
    periodic.register("first", first)
    periodic.register("second", second)
    assert [entry.task for entry in periodic.registered()] == [first, second]


def test_the_portfolios_app_registers_its_attestation_tasks() -> None:
    described = [entry.description for entry in periodic.registered()]
    assert "the reminders for attestation links about to expire" in described
    assert "the expiry of attestation links past their date" in described
