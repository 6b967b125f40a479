"""The periodic sweep that queues issuance for every attainment still without a credential, whatever happened to
the task its award queued (deleted, pruned, failed for good)."""

from __future__ import annotations

import pytest

from credo.accounts.models import User
from credo.catalogue.tests.builders import SmallCatalogue
from credo.core import periodic
from credo.credentials.models import Attainment, Credential, Issuer
from credo.credentials.tasks import queue_pending_issuance

from .conftest import attain


@pytest.mark.django_db
def test_attainments_without_a_credential_are_issued_by_the_sweep(award_attainments: list[Attainment]) -> None:
    assert not Credential.objects.exists()  # recorded, but the task that would have issued them is gone

    queued = queue_pending_issuance.enqueue().return_value

    assert queued == 1
    for attainment in award_attainments:
        assert attainment.credentials.filter(superseded_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_the_sweep_queues_nothing_when_every_attainment_has_its_credential(award_attainments: list[Attainment]) -> None:
    queue_pending_issuance.enqueue()
    issued = Credential.objects.count()

    assert queue_pending_issuance.enqueue().return_value == 0
    assert Credential.objects.count() == issued


@pytest.mark.django_db
def test_the_sweep_leaves_out_an_issuer_with_no_signing_key(
    issuer: Issuer, catalogue: SmallCatalogue, learner: User, ratifier: User
) -> None:
    attain(learner, catalogue.shared_units[0], ratifier)
    issuer.keys.update(retired_at="2025-01-01T00:00:00Z")  # it could only fail, every time the sweep runs

    assert queue_pending_issuance.enqueue().return_value == 0


def test_the_sweep_is_queued_by_send_reminders() -> None:
    described = [entry.description for entry in periodic.registered()]
    assert "the issuing of credentials for attainments that have none yet" in described
