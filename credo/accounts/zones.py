"""Time zones as people choose them: one entry per place, named in words, searchable, old names still understood.

``zoneinfo.available_timezones()`` has ~600 names, among them backward-compatibility aliases
(``Asia/Calcutta``, ``US/Eastern``) and names that are nowhere (``Factory``). The tz database ships
``zone.tab``, the table it keeps for exactly this ("to help users select time zones"): one row per
country and zone, with the country's code. We offer those rows (plus UTC), labelled "Kolkata, India",
and read ``tzdata.zi``'s link lines so that every other name, e.g. an ``Asia/Calcutta`` already stored on a
profile, maps to the zone people are offered today.

Every form that asks for a zone uses :class:`ZoneField`: a text box with a ``<datalist>`` of the labels,
which browsers filter as one types, with no script; ``credo.js`` fills an empty one with the browser's zone.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

UTC = "UTC"
#: UTC's own names, and GMT's, which differs from it only in its abbreviation.
UTC_NAMES = ("UTC", "Etc/UTC", "Etc/GMT")
#: Names in the zone database that are not anywhere a person lives.
NOT_PLACES = frozenset({"Factory", "localtime"})


@dataclass(frozen=True)
class Zone:
    name: str  # the IANA name stored, e.g. "Asia/Kolkata"
    label: str  # what people read and type, e.g. "Kolkata, India"
    aliases: tuple[str, ...]  # older or other names for the same zone, e.g. ("Asia/Calcutta",)


def _tz_file(name: str) -> list[str]:
    """A file of the tz database: from the ``tzdata`` package (pinned with credo), else the system's copy."""
    try:
        return (resources.files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError):
        for directory in zoneinfo.TZPATH:
            path = Path(directory) / name
            if path.exists():
                return path.read_text(encoding="utf-8").splitlines()
    return []


def _rows(lines: Iterable[str]) -> Iterable[list[str]]:
    return (line.split("\t") for line in lines if line.strip() and not line.startswith("#"))


def _links() -> dict[str, str]:
    """Every alias in the database and the zone it stands for (``tzdata.zi``'s ``L target alias`` lines)."""
    links = {}
    for line in _tz_file("tzdata.zi"):
        if line.startswith("L "):
            _l, target, alias = line.split()
            links[alias] = target
    return links


def _label(name: str, country: str) -> str:
    """ "America/Argentina/Buenos_Aires", "Argentina" -> "Buenos Aires, Argentina"; spaces, never underscores."""
    parts = [part.replace("_", " ") for part in name.split("/")]
    city, middle = parts[-1], [part for part in parts[1:-1] if part != country]
    place = f"{city} ({', '.join(middle)})" if middle else city
    return f"{place}, {country}" if country else place


@cache
def zones() -> tuple[Zone, ...]:
    """The zones people are offered, sorted by label; each with the other names that mean it."""
    countries = {row[0]: row[1] for row in _rows(_tz_file("iso3166.tab")) if len(row) >= 2}
    offered: dict[str, str] = {}
    for row in _rows(_tz_file("zone.tab")):
        if len(row) >= 3:
            offered[row[2]] = _label(row[2], countries.get(row[0], ""))
    if not offered:  # no zone table anywhere: fall back to the places Python knows, minus the obvious non-places
        offered = {name: _label(name, "") for name in zoneinfo.available_timezones() if "/" in name}
        offered = {name: label for name, label in offered.items() if not name.startswith(("Etc/", "SystemV/"))}
    offered[UTC] = "UTC (Coordinated Universal Time)"
    aliases: dict[str, list[str]] = {name: [] for name in offered}
    for alias, target in _links().items():
        if alias in offered:
            continue
        if target in offered:
            aliases[target].append(alias)
        elif target in UTC_NAMES or alias in UTC_NAMES:
            aliases[UTC].append(alias)
    aliases[UTC].extend(name for name in UTC_NAMES if name != UTC and name not in aliases[UTC])
    found = (Zone(name, label, tuple(sorted(aliases[name]))) for name, label in offered.items())
    return tuple(sorted(found, key=lambda zone: zone.label.casefold()))


@cache
def _by_word() -> dict[str, str]:
    """Everything a person or an old record may call a zone (label, name, alias; any case) -> the zone's name."""
    words: dict[str, str] = {}
    for zone in zones():
        for word in (zone.name, *zone.aliases):
            words.setdefault(word.casefold(), zone.name)
    for zone in zones():  # labels last: a label never hides a name
        words.setdefault(zone.label.casefold(), zone.name)
    return words


def canonical_zone(value: str) -> str | None:
    """The zone to store for what was typed or stored: "Asia/Calcutta" and "kolkata, india" -> "Asia/Kolkata".

    A real zone that is neither offered nor an alias of one (``Etc/GMT+5``) is kept as it is, so a record made
    before this list existed still reads; anything else is None.
    """
    value = (value or "").strip()
    if not value:
        return None
    found = _by_word().get(value.casefold())
    if found:
        return found
    return value if value in zoneinfo.available_timezones() - NOT_PLACES else None


def zone_label(name: str) -> str:
    """How a stored zone reads for people; an unknown name is shown as it is, without underscores."""
    canonical = canonical_zone(name)
    for zone in zones():
        if zone.name == canonical:
            return zone.label
    return name.replace("_", " ")


@cache
def _datalist_options() -> SafeString:
    return format_html_join(
        "", '<option value="{}" data-zones="{}"></option>', ((z.label, " ".join((z.name, *z.aliases))) for z in zones())
    )


class ZoneInput(forms.TextInput):
    """A text box whose ``<datalist>`` lists every offered zone's label; browsers filter it as one types."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # credo.js fills an empty box with the browser's own zone, for the person to confirm.
        super().__init__({"autocomplete": "off", "spellcheck": "false", "data-guess-zone": "", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        return zone_label(str(value)) if canonical_zone(str(value)) else str(value)

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or 'id_' + name}-zones"
        attrs["list"] = list_id
        box = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}">{}</datalist>', box, list_id, _datalist_options())


class ZoneField(forms.CharField):
    """A time zone, chosen by place; cleans to the IANA name to store ("Pacific/Auckland")."""

    widget = ZoneInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Time zone")
        kwargs.setdefault("max_length", 100)  # what is typed (a label); the name stored is shorter
        super().__init__(**kwargs)
        self.widget.attrs.pop("maxlength", None)  # a label may be longer than the name stored

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        found = canonical_zone(text)
        if found is None:
            raise ValidationError(
                f"{text!r} is not a time zone we know. Start typing a city or country (such as Auckland or "
                "New Zealand) and choose one from the list.",
                code="invalid_choice",
            )
        return found
