"""Every endpoint, driven by schemathesis from the OpenAPI document, answers as the document says.

Every check schemathesis has is run, response conformance included: each answer's status code is one the
operation documents, its content type and headers are the documented ones, and its body fits the documented
schema (refusals too: the one Error shape, credo/api_errors.py). The caller is signed in as a programme admin of
the organisation owning the catalogue, with a CSRF token, so that writes reach their endpoints' checks and
services instead of all stopping at the sign-in.
"""

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
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, CheckContext, load_all_checks
from schemathesis.core.transport import Response
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from credo.accounts.models import OrganisationKind, Role
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.catalogue.tests.builders import build_small_catalogue
from credo.credentials.services import achievement_for_unit, create_issuer, issue_credential, record_attainment

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

load_all_checks()

#: Where ninja's input validation says a problem is (credo/api_errors.describe): "body.url: …", "query.limit: …".
INPUT_LOCATIONS = ("body.", "query.", "path.", "form.", "file.", "header.", "cookie.")


def well_formed_data_is_accepted(ctx: CheckContext, response: Response, case: Any) -> bool | None:
    """schemathesis' positive_data_acceptance, less refusals by a rule the schema cannot state.

    Input the document says is well formed must get past the API's input validation: a 422 naming an input
    location is a schema that promises too much. A 422 from a service (a file that carries no credential, a code
    already taken) judged well-formed input by the data it found, which no schema can describe.
    """
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code == 422:
            problems = response.json().get("problems", [])
            if problems and not any(problem.startswith(INPUT_LOCATIONS) for problem in problems):
                return None
        raise


#: Every built-in check (the stateful ones, which need a recorded scenario, take no part in single calls), with
#: positive_data_acceptance as refined above.
ALL_CHECKS = [
    well_formed_data_is_accepted if check is positive_data_acceptance else check
    for check in CHECKS.get_all()
    if callable(check) and not isinstance(check, type)
]

EXAMPLES = int(os.environ.get("CREDO_CONTRACT_EXAMPLES", "25"))


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
def signed_in(db: None) -> dict[str, str]:
    """A catalogue with an issued credential, and the headers of its owner's programme admin's session."""
    owner = OrganisationFactory(slug="contract-awards", kind=OrganisationKind.AWARDING_BODY)
    admin = UserFactory()
    MembershipFactory(user=admin, organisation=owner, role=Role.PROGRAMME_ADMIN)
    small = build_small_catalogue(admin, owner)
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
    client = Client()
    client.force_login(admin)
    token = get_random_string(32)
    return {"Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={token}", "X-CSRFToken": token}


@schema.include(method="GET").parametrize()
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_read_answers_as_the_document_says(case: Any, signed_in: dict[str, str]) -> None:
    case.call_and_validate(headers=signed_in, checks=ALL_CHECKS)


# Writes get fewer examples: most of what fuzzing finds in them (input refused, object not found, not allowed)
# is the same few refusals, and there are as many writes as reads.
@schema.exclude(method="GET").parametrize()
@settings(max_examples=max(EXAMPLES // 2, 1), derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_write_answers_as_the_document_says(case: Any, signed_in: dict[str, str]) -> None:
    case.call_and_validate(headers=signed_in, checks=ALL_CHECKS)


def test_every_operation_documents_its_refusals_with_the_one_error_shape(client: Any) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["components"]["schemas"]["Error"]["required"] == ["detail"]
    assert not {"Message", "Problems"} & document["components"]["schemas"].keys()  # no second copy of the shape
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            has_input = bool(operation.get("parameters") or operation.get("requestBody"))
            expected = {"422"} if has_input else set()
            if "requestBody" in operation:
                expected.add("400")
            if "{" in path:
                expected.add("404")
            if operation.get("security"):
                expected |= {"401"} | ({"403"} if method != "get" else set())
            assert expected <= responses.keys(), f"{method.upper()} {path}: {sorted(responses)}"
            for code, response in responses.items():
                if code.startswith("4") and code != "409":  # a stale save's 409 also says which version is current
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, f"{method.upper()} {path} {code}"
    verify = document["paths"]["/api/v1/credentials/verify"]["post"]["responses"]
    assert "429" in verify  # the throttled one
