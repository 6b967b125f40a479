"""The Django admin is for platform operators only, and never edits the audit log or the catalogue."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.accounts.tests.factories import UserFactory
from credo.audit.services import record_event

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]


def test_members_of_organisations_are_not_let_into_the_admin(
    client_for: ClientFor, catalogue_admin: User, outsider: User
) -> None:
    for user in (None, catalogue_admin, outsider):
        response = client_for(user).get("/operator/")
        assert response.status_code == 302
        assert "/operator/login/" in response["Location"]


def test_an_operator_reads_the_audit_log_but_cannot_change_it(client_for: ClientFor) -> None:
    operator = UserFactory(is_staff=True, is_superuser=True)
    event = record_event(actor="system", action="test.recorded")
    client = client_for(operator)
    assert client.get("/operator/").status_code == 200
    assert "test.recorded" in client.get("/operator/audit/auditevent/").text
    assert client.get(f"/operator/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert client.get("/operator/audit/auditevent/add/").status_code == 403
