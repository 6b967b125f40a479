"""The public API: programmes on offer and cohorts with quotes, readable by anyone, exact to the cent."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from credo.programmes.models import Cohort, Programme

from .builders import nz

BASE = "/api/v1/programmes/public/programmes"


def test_anyone_lists_the_programmes_on_offer(programme: Programme, client: Client) -> None:
    response = client.get(BASE)
    assert response.status_code == 200
    (listed,) = response.json()
    assert listed["provider"] == "inspiring-test"
    assert listed["slug"] == "cld-facilitation"
    assert listed["time_commitment"] == "About 2 hours a week over 5 months"
    assert listed["fee_includes"][:2] == ["Two 1:1 guidance sessions", "Four facilitated workshops"]
    assert listed["url"] == "/programmes/inspiring-test/cld-facilitation/"


def test_a_cohort_comes_with_its_dates_and_quotes_before_and_with_tax(
    cohort: Cohort, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 2, 1, 10))
    (listed,) = client.get(f"{BASE}/inspiring-test/cld-facilitation/cohorts").json()
    assert listed == client.get(f"{BASE}/inspiring-test/cld-facilitation/cohorts/2024").json()
    assert listed["registration_open"] is True
    assert listed["registration_message"].startswith("Registration is open until Wednesday 20 March 2024")
    assert listed["study_starts"] == str(datetime.date(2024, 4, 3))
    assert listed["places_left"] is None
    assert [(q["tier"], q["amount"], q["tax_name"], q["tax"], q["total"]) for q in listed["quotes"]] == [
        ("government", "649.00", "GST", "97.35", "746.35"),
        ("community", "525.00", "GST", "78.75", "603.75"),
    ]
    assert listed["rounding_rule"].startswith("Tax is calculated on the fee")


@pytest.mark.parametrize(
    "path",
    [
        "/nobody/cld-facilitation/cohorts",
        "/inspiring-test/nothing/cohorts",
        "/inspiring-test/cld-facilitation/cohorts/1999",
    ],
)
def test_unknown_programmes_and_cohorts_are_not_found(path: str, cohort: Cohort, client: Client) -> None:
    assert client.get(f"{BASE}{path}").status_code == 404
