"""The catalogue format, declared once: every key of every entry, its type, and whether it is required.

`SCHEMA` describes a whole file (docs/catalogue-format.md is its prose form).
The reader checks a file against it and fills in its defaults; the exporter
writes keys in its order; an import sorts keyed lists (outcomes by number,
criteria 1.2 before 1.10) as `in_export_order` says. Nothing here touches the
database or reports a problem: these are declarations, and the few functions
that read them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import models

from credo.accounts.models import Organisation, OrganisationKind
from credo.catalogue.models import (
    AssessmentCriterion,
    CentreApproval,
    CodeScheme,
    Competency,
    EvidenceKind,
    EvidenceRequirement,
    Framework,
    GroupKind,
    Level,
    ProgressionRoute,
    Qualification,
    QualificationKind,
    RuleGroup,
    Status,
    TemplateSection,
    Unit,
)

FORMAT_NAME = "credo-catalogue"
FORMAT_VERSION = 1
ENTRY_KINDS = ("frameworks", "organisations", "units", "qualifications", "progression_routes", "approvals")

Entry = dict[str, Any]


# One declaration drives reading, defaults and key order, so the reader, the exporter and the
# documentation cannot drift apart (a test checks that the documentation names every key).

SMALL_NUMBER = 32767  # PositiveSmallIntegerField
LARGE_NUMBER = 2147483647  # PositiveIntegerField


def _max_length(model: type[models.Model], name: str) -> int | None:
    return getattr(model._meta.get_field(name), "max_length", None)


def _country_problem(value: str) -> str | None:
    if not re.fullmatch(r"[A-Z]{2}", value):
        return f"{value!r} is not a country code: use the two capital letters of ISO 3166-1, e.g. GB or NZ."
    return None


def _slug_problem(value: str) -> str | None:
    try:
        validate_slug(value)
    except ValidationError:
        return f"{value!r} is not a slug: use only letters, digits, hyphens and underscores, e.g. seg-awards."
    return None


def _time_zone_problem(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{value!r} is not a time zone: use an IANA name such as Europe/London or Pacific/Auckland."
    return None


def _website_problem(value: str) -> str | None:
    if not value:
        return None
    try:
        URLValidator()(value)
    except ValidationError:
        return f"{value!r} is not a web address: give the full address, e.g. https://example.org/, or leave it empty."
    return None


@dataclass(frozen=True)
class Text:
    max_length: int | None = None
    check: Callable[[str], str | None] | None = None


@dataclass(frozen=True)
class Whole:
    maximum: int
    minimum: int = 0


@dataclass(frozen=True)
class Choice:
    values: tuple[str, ...]


@dataclass(frozen=True)
class Flag:
    pass


@dataclass(frozen=True)
class Day:
    pass


@dataclass(frozen=True)
class Constant:
    value: Any
    why: str


@dataclass(frozen=True)
class Codes:
    """A list of codes (the units of a rule group)."""

    max_length: int


@dataclass(frozen=True)
class Items:
    record: Record
    # For lists ordered by a key rather than by position in the file: the export's order.
    order: Callable[[Entry], Any] | None = None


@dataclass(frozen=True)
class Key:
    name: str
    type: Text | Whole | Choice | Flag | Day | Constant | Codes | Items | Record
    required: bool = False
    # For optional keys: the value when the key is missing or null.
    default: Any = None
    # Whether null is a value in its own right (kept, not replaced by the default).
    nullable: bool = False


@dataclass(frozen=True)
class Record:
    noun: str
    keys: tuple[Key, ...]
    # How a list item is named in locations, from its own keys: "603/1939/2 v1".
    label: Callable[[Mapping[Any, Any]], str | None] | None = None

    def key(self, name: str) -> Key:
        return next(key for key in self.keys if key.name == name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys)


def _text_of(raw: Mapping[Any, Any], name: str) -> str | None:
    value = raw.get(name)
    return value if isinstance(value, str) else None


def _qualification_label(raw: Mapping[Any, Any]) -> str | None:
    code = _text_of(raw, "code")
    version = raw.get("version", 1)
    if code is None:
        return None
    if isinstance(version, int) and not isinstance(version, bool):
        return f"{code} v{version}"
    return code


def _pair_label(first: str, joiner: str, second: str) -> Callable[[Mapping[Any, Any]], str | None]:
    def label(raw: Mapping[Any, Any]) -> str | None:
        a, b = _text_of(raw, first), _text_of(raw, second)
        return f"{a}{joiner}{b}" if a and b else None

    return label


def _field_label(name: str) -> Callable[[Mapping[Any, Any]], str | None]:
    return lambda raw: _text_of(raw, name)


def _required_text(name: str, model: type[models.Model], model_field: str | None = None, **kwargs: Any) -> Key:
    return Key(name, Text(_max_length(model, model_field or name), **kwargs), required=True)


def _optional_text(name: str, model: type[models.Model], default: str = "", **kwargs: Any) -> Key:
    return Key(name, Text(_max_length(model, name), **kwargs), default=default)


def _count(name: str, maximum: int = LARGE_NUMBER) -> Key:
    return Key(name, Whole(maximum), nullable=True)


def criterion_order(number: str) -> tuple[tuple[int, int | str], ...]:
    """1.2 before 1.10: numbers compare as numbers, anything else as text after them."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in number.split("."))


def _by(name: str) -> Callable[[Entry], Any]:
    return lambda entry: entry[name]


LEVEL = Record(
    "level",
    (
        Key("number", Whole(SMALL_NUMBER), required=True),
        _required_text("name", Level),
    ),
)
FRAMEWORK = Record(
    "framework",
    (
        _required_text("code", Framework),
        _required_text("name", Framework),
        _required_text("country", Framework, check=_country_problem),
        Key("code_scheme", Choice(tuple(CodeScheme.values)), required=True),
        Key("levels", Items(LEVEL, order=_by("number"))),
    ),
    label=_field_label("code"),
)
ORGANISATION = Record(
    "organisation",
    (
        _required_text("slug", Organisation, check=_slug_problem),
        _required_text("name", Organisation),
        Key("kind", Choice(tuple(OrganisationKind.values)), required=True),
        _required_text("country", Organisation, check=_country_problem),
        _optional_text("time_zone", Organisation, default="UTC", check=_time_zone_problem),
        _optional_text("website", Organisation, check=_website_problem),
    ),
    label=_field_label("slug"),
)
CRITERION = Record(
    "assessment criterion",
    (
        _required_text("number", AssessmentCriterion),
        Key("text", Text(), required=True),
        Key("sample", Flag(), default=False),
    ),
)
OUTCOME = Record(
    "learning outcome",
    (
        Key("number", Whole(SMALL_NUMBER), required=True),
        Key("text", Text(), required=True),
        Key("sample", Flag(), default=False),
        Key("criteria", Items(CRITERION, order=lambda entry: criterion_order(entry["number"]))),
    ),
)
UNIT = Record(
    "unit",
    (
        _required_text("code", Unit),
        _required_text("owner", Organisation, "slug"),
        _required_text("framework", Framework, "code"),
        Key("level", Whole(SMALL_NUMBER), required=True),
        _required_text("title", Unit),
        _count("credits"),
        _count("guided_learning_hours"),
        Key("outcomes", Items(OUTCOME, order=_by("number"))),
    ),
    label=_field_label("code"),
)
RULE = Record(
    "rule group",
    (
        _required_text("name", RuleGroup),
        Key("kind", Choice(tuple(GroupKind.values)), required=True),
        _count("min_units", SMALL_NUMBER),
        _count("min_credits"),
        Key("units", Codes(_max_length(Unit, "code") or 40)),
    ),
)
COMPETENCY = Record(
    "competency",
    (
        Key("number", Whole(SMALL_NUMBER), required=True),
        _required_text("title", Competency),
        Key("description", Text(), default=""),
        Key("sample", Flag(), default=False),
    ),
)
REQUIREMENT = Record(
    "evidence requirement",
    (
        Key("kind", Choice(tuple(EvidenceKind.values)), required=True),
        _required_text("description", EvidenceRequirement),
        Key("min_count", Whole(SMALL_NUMBER), default=1),
        _optional_text("attestor_relationship", EvidenceRequirement),
    ),
)
SECTION = Record(
    "template section",
    (
        Key("position", Whole(SMALL_NUMBER), required=True),
        _required_text("title", TemplateSection),
        Key("guidance", Text(), default=""),
        _count("min_words"),
        _count("max_words"),
        Key("sample", Flag(), default=False),
        Key("requirements", Items(REQUIREMENT)),
    ),
)
TEMPLATE = Record(
    "portfolio template",
    (
        Key("introduction", Text(), default=""),
        Key("sections", Items(SECTION, order=_by("position"))),
    ),
)
QUALIFICATION = Record(
    "qualification",
    (
        _required_text("code", Qualification),
        Key("version", Whole(SMALL_NUMBER, minimum=1), default=1),
        _required_text("owner", Organisation, "slug"),
        _required_text("framework", Framework, "code"),
        Key("level", Whole(SMALL_NUMBER), required=True),
        Key("kind", Choice(tuple(QualificationKind.values)), required=True),
        Key("status", Choice(tuple(Status.values)), default=Status.DRAFT.value),
        _required_text("title", Qualification),
        Key("summary", Text(), default=""),
        _optional_text("level_note", Qualification),
        _count("guided_learning_hours"),
        _count("total_qualification_time"),
        _count("credits"),
        Key("rules", Items(RULE)),
        Key("competencies", Items(COMPETENCY, order=_by("number"))),
        Key("portfolio_template", TEMPLATE, nullable=True),
    ),
    label=_qualification_label,
)
ROUTE = Record(
    "progression route",
    (
        _required_text("from", ProgressionRoute, "from_code"),
        _required_text("to", ProgressionRoute, "to_code"),
    ),
    label=_pair_label("from", " → ", "to"),
)
APPROVAL = Record(
    "centre approval",
    (
        _required_text("qualification", CentreApproval, "qualification_code"),
        _required_text("centre", Organisation, "slug"),
        Key("approved_on", Day(), required=True),
    ),
    label=_pair_label("qualification", " at ", "centre"),
)
SCHEMA = Record(
    "credo catalogue file",
    (
        Key("format", Constant(FORMAT_NAME, "is this a credo catalogue file?"), required=True),
        Key("format_version", Constant(FORMAT_VERSION, "this version of credo reads format_version 1"), required=True),
        Key("frameworks", Items(FRAMEWORK)),
        Key("organisations", Items(ORGANISATION)),
        Key("units", Items(UNIT)),
        Key("qualifications", Items(QUALIFICATION)),
        Key("progression_routes", Items(ROUTE)),
        Key("approvals", Items(APPROVAL)),
    ),
)


def qualification_key(entry: Entry) -> tuple[str, int]:
    """How a qualification entry is matched with the catalogue: by code and version."""
    return (entry["code"], entry["version"])


def in_export_order(entry: Entry, record: Record) -> Entry:
    """The entry with its keyed lists (outcomes by number, criteria 1.2 before 1.10…) sorted as an export sorts them.

    Done only once the file is known to be sound: problem locations keep the file's own order.
    """
    ordered = dict(entry)
    for key in record.keys:
        value = entry[key.name]
        if isinstance(key.type, Items):
            items = [in_export_order(item, key.type.record) for item in value]
            ordered[key.name] = sorted(items, key=key.type.order) if key.type.order else items
        elif isinstance(key.type, Record) and value is not None:
            ordered[key.name] = in_export_order(value, key.type)
    return ordered
