"""Time zones are offered by place, in words, once each; names a record may already hold still work."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.accounts.zones import ZoneField, canonical_zone, zone_label, zones


def test_only_current_zones_are_offered_each_once_and_labelled_with_spaces() -> None:
    offered = {zone.name: zone.label for zone in zones()}
    assert 300 < len(offered) < 450  # zone.tab's places, not the ~600 names with aliases
    assert "Asia/Kolkata" in offered
    for alias in ("Asia/Calcutta", "US/Eastern", "GB", "Factory", "localtime", "Etc/GMT+5"):
        assert alias not in offered
    labels = list(offered.values())
    assert len(labels) == len(set(labels))
    assert not [label for label in labels if "_" in label]
    assert offered["Pacific/Auckland"] == "Auckland, New Zealand"
    assert offered["America/Argentina/Buenos_Aires"] == "Buenos Aires, Argentina"
    assert offered["America/Indiana/Indianapolis"] == "Indianapolis (Indiana), United States"
    assert offered["UTC"] == "UTC (Coordinated Universal Time)"
    assert all(name == "UTC" or name in zoneinfo.available_timezones() for name in offered)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Kolkata, India", "Asia/Kolkata"),
        ("  auckland, new zealand ", "Pacific/Auckland"),
        ("pacific/auckland", "Pacific/Auckland"),
        ("US/Eastern", "America/New_York"),
        ("Etc/UTC", "UTC"),
        ("GMT", "UTC"),
        ("Etc/GMT+5", "Etc/GMT+5"),  # a real zone nobody is offered: a record holding it still reads
    ],
)
def test_what_people_type_or_records_hold_becomes_the_zone_offered_today(typed: str, stored: str) -> None:
    assert canonical_zone(typed) == stored
    assert ZoneField(required=False).clean(typed) == stored


@pytest.mark.parametrize("typed", ["Mars/Olympus", "Factory", "localtime", "Auckland"])
def test_what_is_not_a_zone_is_refused_with_what_to_do(typed: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        ZoneField().clean(typed)
    assert "Start typing a city or country" in refused.value.messages[0]


def test_a_stored_alias_reads_as_the_place() -> None:
    assert zone_label("Asia/Calcutta") == "Kolkata, India"
    assert zone_label("Etc/GMT+5") == "Etc/GMT+5"


def test_the_box_lists_every_place_with_the_names_a_browser_may_report() -> None:
    html = str(ZoneField(required=False).widget.render("time_zone", "Asia/Calcutta", {"id": "id_time_zone"}))
    assert 'list="id_time_zone-zones"' in html
    assert 'value="Kolkata, India"' in html  # the stored alias shows as today's place
    assert '<datalist id="id_time_zone-zones">' in html
    assert '<option value="Kolkata, India" data-zones="Asia/Kolkata Asia/Calcutta"></option>' in html
    assert "data-guess-zone" in html  # credo.js fills an empty box with the browser's zone
    assert html.count("<option ") == len(zones())


@pytest.mark.django_db
def test_a_profile_holding_an_old_name_still_shows_and_saves(
    learner: User, client_for: Callable[[User | None], Client]
) -> None:
    learner.time_zone = "Asia/Calcutta"
    learner.save()
    client = client_for(learner)
    page = client.get("/organisations/profile/")
    assert 'value="Kolkata, India"' in page.text
    response = client.post("/organisations/profile/", {"full_name": learner.full_name, "time_zone": "Kolkata, India"})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.time_zone == "Asia/Kolkata"


@pytest.mark.django_db
def test_an_empty_zone_means_the_organisations(learner: User, client_for: Callable[[User | None], Client]) -> None:
    response = client_for(learner).post("/organisations/profile/", {"full_name": "Jordan Ellis", "time_zone": ""})
    assert response.status_code == 302
    learner.refresh_from_db()
    assert learner.time_zone == ""


def test_templates_show_a_stored_zone_as_its_place() -> None:
    from django.template import Context, Template

    shown = Template("{% load credo_accounts %}Times are in {{ zone|place }}.").render(
        Context({"zone": "Asia/Calcutta"})
    )
    assert shown == "Times are in Kolkata, India."
