"""Every read endpoint, driven by schemathesis from the OpenAPI document, answers as the document says."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from credo.accounts.models import OrganisationKind
from credo.accounts.tests.factories import OrganisationFactory, UserFactory
from credo.catalogue.tests.builders import build_small_catalogue
from credo.credentials.services import achievement_for_unit, create_issuer, issue_credential, record_attainment

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection_open() -> Iterator[None]:
    """Calls go straight to the WSGI app, not through Django's test client, so do what the client does:
    stop Django closing the connection (inside the test's transaction) when each request ends."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def catalogue(db: None) -> None:
    owner = OrganisationFactory(slug="contract-awards", kind=OrganisationKind.AWARDING_BODY)
    small = build_small_catalogue(UserFactory(), owner)
    # An issued credential, so the credentials endpoints list real achievements, not just an empty list.
    create_issuer(owner, actor="system", email="certificates@contract.example")
    achievement = achievement_for_unit(small.shared_units[0])
    attainment = record_attainment(
        learner=UserFactory(),
        achievement=achievement,
        route="direct_award",
        attained_on=date(2025, 1, 1),
        decided_by="system",
    )
    issue_credential(attainment)


@pytest.mark.usefixtures("catalogue")
@schema.include(method="GET").parametrize()
@settings(
    max_examples=int(os.environ.get("CREDO_CONTRACT_EXAMPLES", "25")),
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_read_endpoints_match_the_openapi_document(case: Any) -> None:
    case.call_and_validate()
