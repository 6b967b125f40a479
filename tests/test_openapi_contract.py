"""Every read endpoint, driven by schemathesis from the OpenAPI document, answers as the document says."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from credo.accounts.models import OrganisationKind
from credo.accounts.tests.factories import OrganisationFactory, UserFactory
from credo.catalogue.tests.builders import build_small_catalogue

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def catalogue(db: None) -> None:
    owner = OrganisationFactory(slug="contract-awards", kind=OrganisationKind.AWARDING_BODY)
    build_small_catalogue(UserFactory(), owner)


@pytest.mark.usefixtures("catalogue")
@schema.include(method="GET").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_read_endpoints_match_the_openapi_document(case: Any) -> None:
    case.call_and_validate()
