"""The catalogue as a file: export it, and import it all-or-nothing.

The interchange format (docs/catalogue-format.md) is YAML; JSON, being YAML,
imports too. An export writes every key of every entry in a fixed order, so
export → import → export gives the same bytes, and a re-import of an export is
a no-op.

An import is checked as a whole before anything is written: every problem is
collected with its location in the file (`units[3] (Y/615/8308) > outcomes[0] >
text`), and one problem refuses the lot. A clean file is applied in a single
transaction that writes only the rows that differ, with one audit event for
each entry created or changed. The catalogue's own rules hold on import just as
in the editor: a published qualification's structure never changes (publish a
new version instead), and a unit used by one is frozen.

How it works: `_Reader` turns the document into canonical entries (the very
dicts an export writes, defaults filled in) while checking shapes and types
against `SCHEMA`; `_Checker` cross-checks the entries against each other and
against the catalogue as exported from the database; `_plan` compares entries
with their exported rows to decide what is created, updated or unchanged; and
`_Writer` applies the plan. Comparing exported forms is what makes "changed"
mean exactly "the export would differ".
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import URLValidator, validate_slug
from django.db import models, transaction

from credo.accounts.models import Organisation, OrganisationKind
from credo.audit.services import record_event
from credo.catalogue.codes import code_slug
from credo.catalogue.models import (
    AssessmentCriterion,
    CentreApproval,
    CodeScheme,
    Competency,
    EvidenceKind,
    EvidenceRequirement,
    Framework,
    GroupKind,
    GroupUnit,
    Level,
    PortfolioTemplate,
    ProgressionRoute,
    Qualification,
    QualificationKind,
    RuleGroup,
    Status,
    TemplateSection,
    Unit,
)
from credo.catalogue.services import (
    CATALOGUE_OWNER_KINDS,
    CriterionSpec,
    GroupOutline,
    OutcomeSpec,
    StructureOutline,
    UnitOutline,
    outline_problems,
    write_outcomes,
)

FORMAT_NAME = "credo-catalogue"
FORMAT_VERSION = 1
ENTRY_KINDS = ("frameworks", "organisations", "units", "qualifications", "progression_routes", "approvals")

Entry = dict[str, Any]


# Problems and reports ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where it is, and what to do about it."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class ImportRefused(Exception):  # noqa: N818 - the name is the callers' API
    """The file has problems, so nothing was imported."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        lines = [f"Nothing was imported: {len(self.problems)} problem(s).", *map(str, self.problems)]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass(frozen=True)
class ImportReport:
    """What an import did (or, when `written` is false, would do) to each kind of entry."""

    frameworks: Tally = Tally()
    organisations: Tally = Tally()
    units: Tally = Tally()
    qualifications: Tally = Tally()
    progression_routes: Tally = Tally()
    approvals: Tally = Tally()
    written: bool = True

    def tallies(self) -> dict[str, Tally]:
        return {kind: getattr(self, kind) for kind in ENTRY_KINDS}

    @property
    def changed(self) -> bool:
        return any(tally.created or tally.updated for tally in self.tallies().values())

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            kind: {"created": t.created, "updated": t.updated, "unchanged": t.unchanged}
            for kind, t in self.tallies().items()
        }

    def summary(self) -> str:
        """One line, e.g. "Imported: created 12 units, 4 qualifications; updated 1 organisation." """
        tallies = self.tallies()
        if not self.changed:
            entries = _listing({kind: t.total for kind, t in tallies.items()}) or "no entries"
            return f"Nothing to change: the catalogue already matches this file ({entries})."
        created = _listing({kind: t.created for kind, t in tallies.items()})
        updated = _listing({kind: t.updated for kind, t in tallies.items()})
        unchanged = sum(t.unchanged for t in tallies.values())
        if self.written:
            parts = [f"created {created}" if created else "", f"updated {updated}" if updated else ""]
            parts.append(f"{unchanged} {'entry' if unchanged == 1 else 'entries'} unchanged" if unchanged else "")
            return "Imported: " + "; ".join(part for part in parts if part) + "."
        parts = [f"create {created}" if created else "", f"update {updated}" if updated else ""]
        parts.append(f"leave {unchanged} {'entry' if unchanged == 1 else 'entries'} unchanged" if unchanged else "")
        return "Dry run, nothing written: the import would " + "; ".join(part for part in parts if part) + "."


def _listing(counts: dict[str, int]) -> str:
    """ "12 units, 1 qualification": the kinds with a count, singular where it is one."""
    words = {kind: kind.replace("_", " ") for kind in counts}
    return ", ".join(
        f"{count} {words[kind] if count != 1 else words[kind].removesuffix('s')}"
        for kind, count in counts.items()
        if count
    )


# The format: every key, its type, and whether it is required -------------------------------------
#
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


def _criterion_order(number: str) -> tuple[tuple[int, int | str], ...]:
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
        Key("criteria", Items(CRITERION, order=lambda entry: _criterion_order(entry["number"]))),
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


# Text in and out ------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping.

    Plain YAML keeps the last of two equal keys without a word, which would
    silently drop half of an entry someone edited by hand.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, Hashable) and key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key {key!r} is given twice: keep one",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_document(text: str) -> dict[str, Any]:
    """The document in a YAML (or JSON) text; ImportRefused if it cannot be read as one."""
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        what = "; ".join(part for part in (error.context, error.problem) if part)
        raise ImportRefused([Problem(where, f"this is not valid YAML ({what}): fix the syntax there.")]) from error
    except yaml.YAMLError as error:
        raise ImportRefused([Problem("file", f"this is not valid YAML ({error}).")]) from error
    if document is None:
        raise ImportRefused([Problem("file", "the file is empty: it needs at least format and format_version.")])
    if not isinstance(document, dict):
        raise ImportRefused(
            [Problem("file", f"the file holds {_describe(document)}; it must be a mapping that starts with format.")]
        )
    return document


def dump_document(document: dict[str, Any]) -> str:
    # Wide lines keep long titles and summaries on one line where they fit, as in the demo file.
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)


# Export -----------------------------------------------------------------------------------------


def _framework_entry(framework: Framework) -> Entry:
    return {
        "code": framework.code,
        "name": framework.name,
        "country": framework.country,
        "code_scheme": framework.code_scheme,
        "levels": [
            {"number": level.number, "name": level.name}
            for level in sorted(framework.levels.all(), key=lambda level: level.number)
        ],
    }


def _organisation_entry(organisation: Organisation) -> Entry:
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
        "country": organisation.country,
        "time_zone": organisation.time_zone,
        "website": organisation.website,
    }


def _unit_entry(unit: Unit) -> Entry:
    return {
        "code": unit.code,
        "owner": unit.owner.slug,
        "framework": unit.framework.code,
        "level": unit.level.number,
        "title": unit.title,
        "credits": unit.credits,
        "guided_learning_hours": unit.guided_learning_hours,
        "outcomes": [
            {
                "number": outcome.number,
                "text": outcome.text,
                "sample": outcome.is_sample,
                "criteria": [
                    {"number": criterion.number, "text": criterion.text, "sample": criterion.is_sample}
                    for criterion in sorted(outcome.criteria.all(), key=lambda c: _criterion_order(c.number))
                ],
            }
            for outcome in sorted(unit.outcomes.all(), key=lambda outcome: outcome.number)
        ],
    }


def _template_entry(qualification: Qualification) -> Entry | None:
    try:
        template = qualification.portfolio_template
    except ObjectDoesNotExist:
        return None
    return {
        "introduction": template.introduction,
        "sections": [
            {
                "position": section.position,
                "title": section.title,
                "guidance": section.guidance,
                "min_words": section.min_words,
                "max_words": section.max_words,
                "sample": section.is_sample,
                "requirements": [
                    {
                        "kind": requirement.kind,
                        "description": requirement.description,
                        "min_count": requirement.min_count,
                        "attestor_relationship": requirement.attestor_relationship,
                    }
                    for requirement in sorted(section.requirements.all(), key=lambda r: (r.position, r.pk))
                ],
            }
            for section in sorted(template.sections.all(), key=lambda section: section.position)
        ],
    }


def _qualification_entry(qualification: Qualification) -> Entry:
    return {
        "code": qualification.code,
        "version": qualification.version,
        "owner": qualification.owner.slug,
        "framework": qualification.framework.code,
        "level": qualification.level.number,
        "kind": qualification.kind,
        "status": qualification.status,
        "title": qualification.title,
        "summary": qualification.summary,
        "level_note": qualification.level_note,
        "guided_learning_hours": qualification.guided_learning_hours,
        "total_qualification_time": qualification.total_qualification_time,
        "credits": qualification.credits,
        "rules": [
            {
                "name": group.name,
                "kind": group.kind,
                "min_units": group.min_units,
                "min_credits": group.min_credits,
                "units": [m.unit.code for m in sorted(group.memberships.all(), key=lambda m: (m.position, m.pk))],
            }
            for group in sorted(qualification.rule_groups.all(), key=lambda group: (group.position, group.pk))
        ],
        "competencies": [
            {"number": c.number, "title": c.title, "description": c.description, "sample": c.is_sample}
            for c in sorted(qualification.competencies.all(), key=lambda c: c.number)
        ],
        "portfolio_template": _template_entry(qualification),
    }


def _framework_entries(frameworks: models.QuerySet[Framework]) -> list[Entry]:
    return [_framework_entry(f) for f in frameworks.prefetch_related("levels").order_by("code")]


def _unit_entries(units: models.QuerySet[Unit]) -> list[Entry]:
    units = units.select_related("owner", "framework", "level").prefetch_related("outcomes__criteria")
    return [_unit_entry(unit) for unit in units.order_by("code")]


def _qualification_entries(qualifications: models.QuerySet[Qualification]) -> list[Entry]:
    qualifications = qualifications.select_related(
        "owner", "framework", "level", "portfolio_template"
    ).prefetch_related(
        models.Prefetch("rule_groups__memberships", queryset=GroupUnit.objects.select_related("unit")),
        "competencies",
        "portfolio_template__sections__requirements",
    )
    return [_qualification_entry(q) for q in qualifications.order_by("code", "version")]


def _approval_entries(approvals: models.QuerySet[CentreApproval]) -> list[Entry]:
    entries = [
        {"qualification": a.qualification_code, "centre": a.centre.slug, "approved_on": a.approved_on.isoformat()}
        for a in approvals.select_related("centre")
    ]
    return sorted(entries, key=lambda entry: (entry["qualification"], entry["centre"]))


def export_catalogue() -> dict[str, Any]:
    """The whole catalogue as a document, every key present, in a stable order."""
    units = _unit_entries(Unit.objects.all())
    qualifications = _qualification_entries(Qualification.objects.all())
    approvals = _approval_entries(CentreApproval.objects.all())
    # Only the organisations the catalogue names: the rest are no business of a catalogue file.
    slugs = {e["owner"] for e in units} | {e["owner"] for e in qualifications} | {e["centre"] for e in approvals}
    organisations = Organisation.objects.filter(slug__in=slugs).order_by("slug")
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "frameworks": _framework_entries(Framework.objects.all()),
        "organisations": [_organisation_entry(o) for o in organisations],
        "units": units,
        "qualifications": qualifications,
        "progression_routes": [
            {"from": route.from_code, "to": route.to_code}
            for route in ProgressionRoute.objects.order_by("from_code", "to_code")
        ],
        "approvals": approvals,
    }


# Reading: shapes and types ----------------------------------------------------------------------


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    return f"a {type(value).__name__}"


def _at(location: str, part: str) -> str:
    return f"{location} > {part}" if location else part


def _item_location(location: str, index: int, record: Record, raw: Any) -> str:
    label = record.label(raw) if record.label and isinstance(raw, Mapping) else None
    return f"{location}[{index}]" + (f" ({label})" if label else "")


def _suggestion(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class Located:
    """A top-level entry of the file, with where it is for messages."""

    location: str
    entry: Entry
    # Whether reading found nothing wrong inside it: only a clean entry is compared with the catalogue.
    clean: bool = True


_INVALID = object()


class _Reader:
    """Checks shapes and types, and builds canonical entries.

    A canonical entry has every key of its record, in order, defaults filled in:
    exactly what an export writes. A value with a problem is left out of its
    entry (and a list item with a problem becomes None), so the cross-checks
    skip what cannot be judged instead of piling up follow-on problems.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    def read_document(self, document: Any) -> dict[str, list[Located]]:
        if not isinstance(document, Mapping):
            self.problem("file", f"the file holds {_describe(document)}; it must be a mapping that starts with format.")
            return {kind: [] for kind in ENTRY_KINDS}
        self._unknown_keys(document, SCHEMA, "")
        for key in SCHEMA.keys:
            if isinstance(key.type, Constant):
                self._value(document, key, "")
        found: dict[str, list[Located]] = {}
        for kind in ENTRY_KINDS:
            record = SCHEMA.key(kind).type
            assert isinstance(record, Items)
            raw = document.get(kind)
            found[kind] = []
            if raw is None:
                continue
            if not isinstance(raw, list):
                self.problem(kind, f"must be a list of {record.record.noun} entries, not {_describe(raw)}.")
                continue
            for index, item in enumerate(raw):
                location = _item_location(kind, index, record.record, item)
                problems_before = len(self.problems)
                entry = self.read_record(item, record.record, location)
                if entry is not None:
                    found[kind].append(Located(location, entry, clean=len(self.problems) == problems_before))
        return found

    def read_record(self, raw: Any, record: Record, location: str) -> Entry | None:
        if not isinstance(raw, Mapping):
            self.problem(location, f"must be a mapping of keys to values (one {record.noun}), not {_describe(raw)}.")
            return None
        self._unknown_keys(raw, record, location)
        entry: Entry = {}
        for key in record.keys:
            value = self._value(raw, key, location)
            if value is not _INVALID:
                entry[key.name] = value
        return entry

    def _unknown_keys(self, raw: Mapping[Any, Any], record: Record, location: str) -> None:
        for name in raw:
            if name not in record.names:
                self.problem(
                    _at(location, str(name)),
                    f"unknown key{_suggestion(str(name), record.names)}: the keys of a {record.noun} are "
                    f"{', '.join(record.names)}.",
                )

    def _value(self, raw: Mapping[Any, Any], key: Key, location: str) -> Any:
        where = _at(location, key.name)
        value = raw.get(key.name)
        if value is None and not (key.nullable and key.name in raw):
            if key.required:
                self.problem(where, f"missing: this needs a value ({self._expected(key)}).")
                return _INVALID
            if isinstance(key.type, Items | Codes):
                return []
            return key.default
        if value is None:
            return None
        return self._typed(value, key, where)

    def _expected(self, key: Key) -> str:
        kind = key.type
        if isinstance(kind, Choice):
            return "one of " + ", ".join(kind.values)
        if isinstance(kind, Whole):
            return "a whole number"
        if isinstance(kind, Constant):
            return repr(kind.value)
        if isinstance(kind, Day):
            return "a date, YYYY-MM-DD"
        return "text"

    def _typed(self, value: Any, key: Key, where: str) -> Any:
        kind = key.type
        if isinstance(kind, Text):
            if key.required and isinstance(value, str) and not value.strip():
                self.problem(where, f"is empty: this needs a value ({self._expected(key)}).")
                return _INVALID
            return self._text(value, kind, where)
        if isinstance(kind, Whole):
            return self._whole(value, kind, where)
        if isinstance(kind, Choice):
            if value in kind.values:
                return value
            self.problem(where, f"{_describe(value)} is not allowed here: use one of {', '.join(kind.values)}.")
            return _INVALID
        if isinstance(kind, Flag):
            if isinstance(value, bool):
                return value
            self.problem(where, f"must be true or false, not {_describe(value)}.")
            return _INVALID
        if isinstance(kind, Day):
            return self._day(value, where)
        if isinstance(kind, Constant):
            if type(value) is type(kind.value) and value == kind.value:
                return value
            self.problem(where, f"must be {kind.value!r}, not {_describe(value)}: {kind.why}")
            return _INVALID
        if isinstance(kind, Codes):
            return self._codes(value, kind, where)
        if isinstance(kind, Items):
            return self._items(value, kind.record, where)
        record = self.read_record(value, kind, where)
        return _INVALID if record is None else record

    def _text(self, value: Any, kind: Text, where: str) -> Any:
        if not isinstance(value, str):
            quote = " (put it in quotes, so it is read as text)" if not isinstance(value, list | dict) else ""
            self.problem(where, f"must be text, not {_describe(value)}{quote}.")
            return _INVALID
        if kind.max_length is not None and len(value) > kind.max_length:
            self.problem(where, f"is {len(value)} characters long: at most {kind.max_length} fit here.")
            return _INVALID
        if value and kind.check and (problem := kind.check(value)):
            self.problem(where, problem)
            return _INVALID
        return value

    def _whole(self, value: Any, kind: Whole, where: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, f"must be a whole number, not {_describe(value)}.")
            return _INVALID
        if not kind.minimum <= value <= kind.maximum:
            self.problem(where, f"must be between {kind.minimum} and {kind.maximum}, not {value}.")
            return _INVALID
        return value

    def _day(self, value: Any, where: str) -> Any:
        # YAML reads an unquoted 2024-01-15 as a date, and a quoted one as text: both are fine.
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        self.problem(where, f"must be a date written YYYY-MM-DD, not {_describe(value)}.")
        return _INVALID

    def _codes(self, value: Any, kind: Codes, where: str) -> Any:
        if not isinstance(value, list):
            self.problem(where, f"must be a list of unit codes, not {_describe(value)}.")
            return _INVALID
        codes: list[str | None] = []
        for index, code in enumerate(value):
            checked = self._text(code, Text(kind.max_length), f"{where}[{index}]")
            codes.append(None if checked is _INVALID or not checked else checked)
            if checked == "":
                self.problem(f"{where}[{index}]", "is empty: give a unit code.")
        return codes

    def _items(self, value: Any, record: Record, where: str) -> Any:
        if not isinstance(value, list):
            self.problem(where, f"must be a list (of {record.noun} entries), not {_describe(value)}.")
            return _INVALID
        return [self.read_record(item, record, _item_location(where, i, record, item)) for i, item in enumerate(value)]


# Cross-checks: the file against itself and the catalogue -----------------------------------------


def _has(entry: Entry | None, *names: str) -> bool:
    return entry is not None and all(name in entry for name in names)


def _listed(entry: Entry, name: str) -> list[tuple[int, Entry]]:
    """The valid items of a list key, with their index in the file."""
    return [(i, item) for i, item in enumerate(entry.get(name, [])) if item is not None]


def _qualification_key(entry: Entry) -> tuple[str, int]:
    return (entry["code"], entry["version"])


def _versions(versions: Iterable[int]) -> str:
    return ", ".join(f"v{v}" for v in sorted(versions))


@dataclass
class _Catalogue:
    """The rows of the catalogue the file touches, in exported form."""

    frameworks: dict[str, Entry]
    frameworks_in_use: set[str]
    organisations: dict[str, Entry]
    units: dict[str, Entry]
    unit_slugs: dict[str, str]
    # unit code -> the qualification versions that use it, with their status
    unit_users: dict[str, set[tuple[str, int, str]]]
    qualifications: dict[tuple[str, int], Entry]
    routes: set[tuple[str, str]]
    # (qualification code, centre slug) -> (approved_on, owner slug)
    approvals: dict[tuple[str, str], tuple[str, str]]

    @classmethod
    def load(cls, found: dict[str, list[Located]]) -> _Catalogue:
        def values(kind: str, *names: str) -> set[Any]:
            result: set[Any] = set()
            for located in found[kind]:
                result.update(located.entry[n] for n in names if isinstance(located.entry.get(n), str))
            return result

        rule_units = {
            code
            for located in found["qualifications"]
            for _, rule in _listed(located.entry, "rules")
            for code in rule.get("units", [])
            if code
        }
        unit_codes = values("units", "code") | rule_units
        qualification_codes = (
            values("qualifications", "code")
            | values("progression_routes", "from", "to")
            | values("approvals", "qualification")
        )
        slugs = (
            values("organisations", "slug")
            | values("units", "owner")
            | values("qualifications", "owner")
            | values("approvals", "centre")
        )
        in_use = set(Unit.objects.values_list("framework__code", flat=True)) | set(
            Qualification.objects.values_list("framework__code", flat=True)
        )
        users: dict[str, set[tuple[str, int, str]]] = defaultdict(set)
        memberships = GroupUnit.objects.filter(unit__code__in=unit_codes).values_list(
            "unit__code", "qualification__code", "qualification__version", "qualification__status"
        )
        for unit_code, code, version, status in memberships:
            users[unit_code].add((code, version, status))
        file_slugs = [code_slug(code) for code in values("units", "code")]
        approvals = CentreApproval.objects.filter(qualification_code__in=qualification_codes).select_related(
            "centre", "owner"
        )
        return cls(
            frameworks={e["code"]: e for e in _framework_entries(Framework.objects.all())},
            frameworks_in_use=in_use,
            organisations={
                o.slug: _organisation_entry(o) for o in Organisation.objects.filter(slug__in=slugs).order_by("slug")
            },
            units={e["code"]: e for e in _unit_entries(Unit.objects.filter(code__in=unit_codes))},
            unit_slugs=dict(Unit.objects.filter(slug__in=file_slugs).values_list("slug", "code")),
            unit_users=dict(users),
            qualifications={
                _qualification_key(e): e
                for e in _qualification_entries(Qualification.objects.filter(code__in=qualification_codes))
            },
            routes=set(
                ProgressionRoute.objects.filter(from_code__in=qualification_codes).values_list("from_code", "to_code")
            ),
            approvals={
                (a.qualification_code, a.centre.slug): (a.approved_on.isoformat(), a.owner.slug) for a in approvals
            },
        )


class _Checker:
    """Everything that needs more than one value to judge: duplicates, references, rules, and the catalogue."""

    def __init__(self, found: dict[str, list[Located]], catalogue: _Catalogue) -> None:
        self.found = found
        self.catalogue = catalogue
        self.problems: list[Problem] = []
        self._merge()

    def problem(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    def _merge(self) -> None:
        """The catalogue as it would be after the import, for resolving references.

        Anything the file declares, even with problems, counts as known: its own
        problems are reported already, and "unknown unit" on top would mislead.
        """
        catalogue = self.catalogue
        self.organisation_kinds: dict[str, str | None] = {s: e["kind"] for s, e in catalogue.organisations.items()}
        for located in self.found["organisations"]:
            if isinstance(located.entry.get("slug"), str):
                self.organisation_kinds[located.entry["slug"]] = located.entry.get("kind")
        self.schemes: dict[str, str | None] = {c: e["code_scheme"] for c, e in catalogue.frameworks.items()}
        self.levels: dict[str, set[int]] = {
            c: {lv["number"] for lv in e["levels"]} for c, e in catalogue.frameworks.items()
        }
        for located in self.found["frameworks"]:
            code = located.entry.get("code")
            if isinstance(code, str):
                self.schemes[code] = located.entry.get("code_scheme")
                numbers = {level["number"] for _, level in _listed(located.entry, "levels") if "number" in level}
                self.levels[code] = self.levels.get(code, set()) | numbers
        self.units: dict[str, Entry | None] = dict(catalogue.units)
        for located in self.found["units"]:
            if isinstance(located.entry.get("code"), str):
                self.units[located.entry["code"]] = located.entry if located.clean else None
        self.qualification_codes = {code for code, _ in catalogue.qualifications} | {
            located.entry["code"] for located in self.found["qualifications"] if "code" in located.entry
        }

    def check(self) -> list[Problem]:
        self._frameworks()
        self._organisations()
        self._units()
        self._qualifications()
        self._routes()
        self._approvals()
        return self.problems

    # -- shared checks

    def _duplicates(self, kind: str, key: Callable[[Entry], Hashable | None], what: Callable[[Hashable], str]) -> None:
        first_seen: dict[Hashable, str] = {}
        for located in self.found[kind]:
            value = key(located.entry)
            if value is None:
                continue
            if value in first_seen:
                self.problem(
                    located.location, f"{what(value)} is listed twice (first at {first_seen[value]}): keep one."
                )
            else:
                first_seen[value] = located.location

    def _numbers_once(self, items: list[tuple[int, Entry]], name: str, location: str, what: str) -> None:
        seen: dict[Any, int] = {}
        for index, item in items:
            if name not in item:
                continue
            value = item[name]
            if value in seen:
                self.problem(
                    f"{location}[{index}] > {name}",
                    f"{what} {value} is used twice (also at {location}[{seen[value]}]): each needs its own.",
                )
            else:
                seen[value] = index

    def _owner(self, entry: Entry, location: str) -> None:
        slug = entry.get("owner")
        if slug is None:
            return
        if slug not in self.organisation_kinds:
            self.problem(
                _at(location, "owner"),
                f"there is no organisation {slug!r} in this file or the catalogue"
                f"{_suggestion(slug, self.organisation_kinds)}: add it under organisations, or correct the slug.",
            )
        elif (kind := self.organisation_kinds[slug]) is not None and kind not in CATALOGUE_OWNER_KINDS:
            self.problem(
                _at(location, "owner"),
                f"{slug} is a {kind}: only an awarding_body or issuing_institution owns units and qualifications.",
            )

    def _framework_and_level(self, entry: Entry, location: str) -> str | None:
        """Check the framework and level references; the framework's code scheme when both are known."""
        code = entry.get("framework")
        if code is None:
            return None
        if code not in self.schemes:
            self.problem(
                _at(location, "framework"),
                f"there is no framework {code!r} in this file or the catalogue{_suggestion(code, self.schemes)}: "
                "add it under frameworks, or correct the code.",
            )
            return None
        levels = self.levels.get(code, set())
        if "level" in entry and entry["level"] not in levels:
            known = ", ".join(map(str, sorted(levels))) or "none yet"
            self.problem(
                _at(location, "level"),
                f"{code} has no level {entry['level']} (its levels: {known}): use one of those, or add the level "
                "to the framework.",
            )
        return self.schemes[code]

    def _code(self, entry: Entry, location: str, scheme: str | None, *, unit: bool) -> None:
        if scheme is None or "code" not in entry:
            return
        # An unsaved Framework carries the scheme's rules, so file-only frameworks are checked the same way.
        framework = Framework(code=entry["framework"], code_scheme=scheme)
        check = framework.unit_code_problem if unit else framework.qualification_code_problem
        if problem := check(entry["code"]):
            self.problem(_at(location, "code"), problem)

    # -- per kind

    def _frameworks(self) -> None:
        self._duplicates("frameworks", lambda e: e.get("code"), lambda code: f"Framework {code}")
        for located in self.found["frameworks"]:
            entry, location = located.entry, located.location
            self._numbers_once(_listed(entry, "levels"), "number", _at(location, "levels"), "Level")
            existing = self.catalogue.frameworks.get(entry.get("code", ""))
            if (
                existing
                and "code_scheme" in entry
                and entry["code_scheme"] != existing["code_scheme"]
                and entry["code"] in self.catalogue.frameworks_in_use
            ):
                self.problem(
                    _at(location, "code_scheme"),
                    f"{entry['code']} already has units or qualifications whose codes were checked under the "
                    f"{existing['code_scheme']} scheme, so its code_scheme cannot change.",
                )

    def _organisations(self) -> None:
        self._duplicates("organisations", lambda e: e.get("slug"), lambda slug: f"Organisation {slug}")
        for located in self.found["organisations"]:
            entry = located.entry
            existing = self.catalogue.organisations.get(entry.get("slug", ""))
            if existing and "kind" in entry and entry["kind"] != existing["kind"]:
                self.problem(
                    _at(located.location, "kind"),
                    f"{entry['slug']} is a {existing['kind']} in the catalogue and this file says {entry['kind']}: "
                    "an organisation's kind cannot change.",
                )

    def _units(self) -> None:
        self._duplicates("units", lambda e: e.get("code"), lambda code: f"Unit {code}")
        slugs: dict[str, str] = dict(self.catalogue.unit_slugs)
        for located in self.found["units"]:
            entry, location = located.entry, located.location
            self._owner(entry, location)
            scheme = self._framework_and_level(entry, location)
            self._code(entry, location, scheme, unit=True)
            outcomes = _listed(entry, "outcomes")
            self._numbers_once(outcomes, "number", _at(location, "outcomes"), "Outcome")
            for index, outcome in outcomes:
                criteria = _listed(outcome, "criteria")
                self._numbers_once(criteria, "number", _at(location, f"outcomes[{index}] > criteria"), "Criterion")
            if "code" in entry:
                slug = code_slug(entry["code"])
                if slugs.setdefault(slug, entry["code"]) != entry["code"]:
                    self.problem(
                        _at(location, "code"),
                        f"{entry['code']} and {slugs[slug]} would share the web address {slug}: "
                        "use a code that differs by more than case and slashes.",
                    )
                self._unit_against_catalogue(located)

    def _unit_against_catalogue(self, located: Located) -> None:
        entry = located.entry
        existing = self.catalogue.units.get(entry["code"])
        if existing is None or not located.clean:
            return
        fields = _differences(existing, _in_export_order(entry, UNIT))
        if not fields:
            return
        users = self.catalogue.unit_users.get(entry["code"], set())
        published = sorted({code for code, _, status in users if status != Status.DRAFT})
        if published:
            self.problem(
                located.location,
                f"Unit {entry['code']} is part of published qualification(s) {', '.join(published)}, so its content "
                f"cannot change (fields: {', '.join(fields)}): a changed unit needs a new unit code.",
            )
        file_keys = {
            _qualification_key(q.entry) for q in self.found["qualifications"] if _has(q.entry, "code", "version")
        }
        if "framework" in fields:
            others = sorted(f"{code} v{version}" for code, version, _ in users if (code, version) not in file_keys)
            if others:
                self.problem(
                    _at(located.location, "framework"),
                    f"{', '.join(others)} in the catalogue use(s) this unit, so it must stay in "
                    f"{existing['framework']}.",
                )

    def _qualifications(self) -> None:
        self._duplicates(
            "qualifications",
            lambda e: _qualification_key(e) if _has(e, "code", "version") else None,
            lambda key: f"{key[0]} v{key[1]}",  # type: ignore[index]
        )
        for located in self.found["qualifications"]:
            entry, location = located.entry, located.location
            self._owner(entry, location)
            scheme = self._framework_and_level(entry, location)
            self._code(entry, location, scheme, unit=False)
            self._rules(located)
            self._numbers_once(_listed(entry, "competencies"), "number", _at(location, "competencies"), "Competency")
            self._template(entry, location)
            self._structure(located)
        self._one_live_one_draft()
        for located in self.found["qualifications"]:
            self._qualification_against_catalogue(located)

    def _rules(self, located: Located) -> None:
        entry, location = located.entry, located.location
        first_place: dict[str, str] = {}
        names: dict[str, int] = {}
        # A complete published qualification gets this judgement from the structure check, in its words.
        judged_by_structure = located.clean and entry.get("status", Status.DRAFT) != Status.DRAFT
        for index, rule in _listed(entry, "rules"):
            where = _at(location, f"rules[{index}]")
            if "name" in rule:
                if rule["name"] in names:
                    self.problem(
                        _at(where, "name"),
                        f"“{rule['name']}” is also the name of rules[{names[rule['name']]}]: each group needs its own.",
                    )
                names.setdefault(rule["name"], index)
            minimums = [name for name in ("min_units", "min_credits") if rule.get(name) is not None]
            if rule.get("kind") == GroupKind.MANDATORY and minimums:
                self.problem(
                    where,
                    f"a mandatory group needs every unit, so it takes no minimum: remove {' and '.join(minimums)}.",
                )
            if rule.get("kind") == GroupKind.OPTIONAL and not (rule.get("min_units") or rule.get("min_credits")):
                self.problem(
                    where, "an optional group needs a minimum: set min_units or min_credits (above 0), or both."
                )
            units = rule.get("units", [])
            if not judged_by_structure and rule.get("min_units") and rule["min_units"] > len(units):
                self.problem(
                    _at(where, "min_units"),
                    f"asks for {rule['min_units']} units but the group has only {len(units)}: lower it, or add units.",
                )
            for position, code in enumerate(units):
                if code is None:
                    continue
                unit_where = _at(where, f"units[{position}]")
                if code in first_place:
                    self.problem(
                        unit_where, f"{code} is already in this qualification (at {first_place[code]}): list it once."
                    )
                    continue
                first_place[code] = unit_where
                self._rule_unit(code, entry, unit_where)

    def _rule_unit(self, code: str, entry: Entry, location: str) -> None:
        if code not in self.units:
            self.problem(
                location,
                f"there is no unit {code!r} in this file or the catalogue{_suggestion(code, self.units)}: "
                "add it under units, or correct the code.",
            )
            return
        unit = self.units[code]
        if unit is not None and "framework" in entry and unit["framework"] != entry["framework"]:
            self.problem(
                location,
                f"{code} is a {unit['framework']} unit and this qualification is in {entry['framework']}: "
                "a qualification's units come from its own framework.",
            )

    def _template(self, entry: Entry, location: str) -> None:
        template = entry.get("portfolio_template")
        if not template:
            return
        where = _at(location, "portfolio_template > sections")
        sections = _listed(template, "sections")
        self._numbers_once(sections, "position", where, "Position")
        for index, section in sections:
            low, high = section.get("min_words"), section.get("max_words")
            if low is not None and high is not None and low > high:
                self.problem(
                    f"{where}[{index}] > min_words",
                    f"is {low}, more than max_words ({high}): the suggested length must run from low to high.",
                )

    def _structure(self, located: Located) -> None:
        """A published qualification must be complete, as services.publish_qualification demands."""
        entry = located.entry
        if entry.get("status", Status.DRAFT) == Status.DRAFT or not located.clean:
            return
        groups = []
        for _, rule in _listed(entry, "rules"):
            units = [self.units.get(code) if code else None for code in rule["units"]]
            if any(unit is None for unit in units):
                return  # an unknown or broken unit is reported already; the rest cannot be judged
            groups.append(
                GroupOutline(
                    name=rule["name"],
                    min_units=rule["min_units"],
                    min_credits=rule["min_credits"],
                    units=tuple(UnitOutline(code=u["code"], credits=u["credits"]) for u in units if u),
                )
            )
        outline = StructureOutline(
            is_micro_credential=entry["kind"] == QualificationKind.MICRO_CREDENTIAL,
            has_competencies=bool(entry["competencies"]),
            credits=entry["credits"],
            groups=tuple(groups),
        )
        for message in outline_problems(outline):
            self.problem(located.location, f"{message} It is {entry['status']} in this file, so it must be complete.")

    def _one_live_one_draft(self) -> None:
        final: dict[str, dict[int, str]] = defaultdict(dict)
        for (code, version), existing in self.catalogue.qualifications.items():
            final[code][version] = existing["status"]
        first_location: dict[str, str] = {}
        for located in self.found["qualifications"]:
            if _has(located.entry, "code", "version", "status"):
                code, version = _qualification_key(located.entry)
                final[code][version] = located.entry["status"]
                first_location.setdefault(code, located.location)
        for code, location in first_location.items():
            for status in (Status.LIVE, Status.DRAFT):
                versions = [v for v, s in final[code].items() if s == status]
                if len(versions) > 1:
                    self.problem(
                        location,
                        f"{code} would have {len(versions)} {status} versions ({_versions(versions)}, counting the "
                        f"catalogue's): at most one version is {status} at a time.",
                    )

    def _qualification_against_catalogue(self, located: Located) -> None:
        entry = located.entry
        if not located.clean:
            return
        existing = self.catalogue.qualifications.get(_qualification_key(entry))
        if existing is None or existing["status"] == Status.DRAFT:
            return  # new, or a draft: a draft may be overwritten
        fields = _differences(existing, _in_export_order(entry, QUALIFICATION))
        if not fields or self._superseded_by_file(entry, existing, fields):
            return
        code, version, status = entry["code"], entry["version"], existing["status"]
        label = f"{code} v{version}"
        if fields == ["status"]:
            self.problem(
                _at(located.location, "status"),
                f"{label} is {status} in the catalogue and this file makes it {entry['status']}: an import cannot "
                "change a published version's status; withdraw or publish versions in the catalogue.",
            )
            return
        versions = [v for c, v in self.catalogue.qualifications if c == code]
        versions += [q.entry.get("version", 0) for q in self.found["qualifications"] if q.entry.get("code") == code]
        self.problem(
            located.location,
            f"{label} is {status} in the catalogue and differs from this file (fields: {', '.join(fields)}): "
            f"publish changes as a new version (v{max(versions) + 1}).",
        )

    def _superseded_by_file(self, entry: Entry, existing: Entry, fields: list[str]) -> bool:
        """A live version may become superseded when the file brings a newer live version, as publishing does."""
        if fields != ["status"] or existing["status"] != Status.LIVE or entry["status"] != Status.SUPERSEDED:
            return False
        return any(
            q.entry.get("code") == entry["code"]
            and q.entry.get("status") == Status.LIVE
            and q.entry.get("version", 0) > entry["version"]
            for q in self.found["qualifications"]
        )

    def _routes(self) -> None:
        self._duplicates(
            "progression_routes",
            lambda e: (e["from"], e["to"]) if _has(e, "from", "to") else None,
            lambda pair: f"The route {pair[0]} → {pair[1]}",  # type: ignore[index]
        )
        for located in self.found["progression_routes"]:
            entry = located.entry
            for end in ("from", "to"):
                code = entry.get(end)
                if code is not None and code not in self.qualification_codes:
                    self.problem(
                        _at(located.location, end),
                        f"there is no qualification {code!r} in this file or the catalogue"
                        f"{_suggestion(code, self.qualification_codes)}.",
                    )
            if _has(entry, "from", "to") and entry["from"] == entry["to"]:
                self.problem(located.location, "a qualification cannot lead to itself: correct from or to.")

    def _approvals(self) -> None:
        self._duplicates(
            "approvals",
            lambda e: (e["qualification"], e["centre"]) if _has(e, "qualification", "centre") else None,
            lambda pair: f"The approval of {pair[1]} for {pair[0]}",  # type: ignore[index]
        )
        for located in self.found["approvals"]:
            entry = located.entry
            code = entry.get("qualification")
            if code is not None and code not in self.qualification_codes:
                self.problem(
                    _at(located.location, "qualification"),
                    f"there is no qualification {code!r} in this file or the catalogue"
                    f"{_suggestion(code, self.qualification_codes)}.",
                )
            slug = entry.get("centre")
            if slug is None:
                continue
            if slug not in self.organisation_kinds:
                self.problem(
                    _at(located.location, "centre"),
                    f"there is no organisation {slug!r} in this file or the catalogue"
                    f"{_suggestion(slug, self.organisation_kinds)}: add it under organisations, or correct the slug.",
                )
            elif (kind := self.organisation_kinds[slug]) is not None and kind != OrganisationKind.PROVIDER:
                self.problem(
                    _at(located.location, "centre"),
                    f"{slug} is a {kind}: only a provider can be approved as a centre.",
                )


def _differences(existing: Entry, entry: Entry) -> list[str]:
    """The keys whose values differ, in format order."""
    return [name for name in entry if existing.get(name) != entry[name]]


# Planning and applying --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Change:
    """One entry of the file against its row in the catalogue."""

    entry: Entry
    is_new: bool
    fields: tuple[str, ...] = ()

    @property
    def outcome(self) -> str:
        if self.is_new:
            return "created"
        return "updated" if self.fields else "unchanged"


@dataclass
class _Inspection:
    problems: list[Problem]
    found: dict[str, list[Located]]
    catalogue: _Catalogue
    plan: dict[str, list[_Change]] = field(default_factory=dict)


def _inspect(document: Any) -> _Inspection:
    reader = _Reader()
    found = reader.read_document(document)
    catalogue = _Catalogue.load(found)
    problems = reader.problems + _Checker(found, catalogue).check()
    inspection = _Inspection(problems, found, catalogue)
    if not problems:
        inspection.plan = _plan(found, catalogue)
    return inspection


def _compare(entry: Entry, existing: Entry | None) -> _Change:
    if existing is None:
        return _Change(entry, is_new=True)
    return _Change(entry, is_new=False, fields=tuple(_differences(existing, entry)))


def _framework_change(entry: Entry, existing: Entry | None) -> _Change:
    if existing is None:
        return _Change(entry, is_new=True)
    # Levels are only ever added or renamed (a level may be in use), so levels the file leaves out are no change.
    names = {level["number"]: level["name"] for level in existing["levels"]}
    fields = [name for name in ("name", "country", "code_scheme") if entry[name] != existing[name]]
    if any(names.get(level["number"]) != level["name"] for level in entry["levels"]):
        fields.append("levels")
    return _Change(entry, is_new=False, fields=tuple(fields))


def _approval_owners(found: dict[str, list[Located]], catalogue: _Catalogue) -> dict[str, str]:
    """Each qualification code's owner, from its newest version (the file's over the catalogue's)."""
    newest: dict[str, tuple[int, int, str]] = {}
    for (code, version), existing in catalogue.qualifications.items():
        newest[code] = max(newest.get(code, (0, 0, "")), (0, version, existing["owner"]))
    for located in found["qualifications"]:
        entry = located.entry
        newest[entry["code"]] = max(newest.get(entry["code"], (0, 0, "")), (1, entry["version"], entry["owner"]))
    return {code: owner for code, (_, _, owner) in newest.items()}


def _in_export_order(entry: Entry, record: Record) -> Entry:
    """The entry with its keyed lists (outcomes by number, criteria 1.2 before 1.10…) sorted as an export sorts them.

    Done only once the file is known to be sound: problem locations keep the file's own order.
    """
    ordered = dict(entry)
    for key in record.keys:
        value = entry[key.name]
        if isinstance(key.type, Items):
            items = [_in_export_order(item, key.type.record) for item in value]
            ordered[key.name] = sorted(items, key=key.type.order) if key.type.order else items
        elif isinstance(key.type, Record) and value is not None:
            ordered[key.name] = _in_export_order(value, key.type)
    return ordered


def _plan(found: dict[str, list[Located]], catalogue: _Catalogue) -> dict[str, list[_Change]]:
    found = {
        kind: [Located(x.location, _in_export_order(x.entry, _record_of(kind)), x.clean) for x in found[kind]]
        for kind in ENTRY_KINDS
    }
    owners = _approval_owners(found, catalogue)
    approvals = []
    for located in found["approvals"]:
        entry = located.entry
        existing = catalogue.approvals.get((entry["qualification"], entry["centre"]))
        wanted = (entry["approved_on"], owners[entry["qualification"]])
        fields = (
            ()
            if existing is None
            else tuple(n for n, a, b in zip(("approved_on", "owner"), existing, wanted, strict=True) if a != b)
        )
        approvals.append(_Change({**entry, "owner": wanted[1]}, is_new=existing is None, fields=fields))
    return {
        "frameworks": [
            _framework_change(x.entry, catalogue.frameworks.get(x.entry["code"])) for x in found["frameworks"]
        ],
        "organisations": [
            _compare(x.entry, catalogue.organisations.get(x.entry["slug"])) for x in found["organisations"]
        ],
        "units": [_compare(x.entry, catalogue.units.get(x.entry["code"])) for x in found["units"]],
        "qualifications": [
            _compare(x.entry, catalogue.qualifications.get(_qualification_key(x.entry)))
            for x in found["qualifications"]
        ],
        "progression_routes": [
            _Change(x.entry, is_new=(x.entry["from"], x.entry["to"]) not in catalogue.routes)
            for x in found["progression_routes"]
        ],
        "approvals": approvals,
    }


def _record_of(kind: str) -> Record:
    items = SCHEMA.key(kind).type
    assert isinstance(items, Items)
    return items.record


def _report(plan: dict[str, list[_Change]], *, written: bool) -> ImportReport:
    def tally(kind: str) -> Tally:
        outcomes = Counter(change.outcome for change in plan[kind])
        return Tally(outcomes["created"], outcomes["updated"], outcomes["unchanged"])

    return ImportReport(
        frameworks=tally("frameworks"),
        organisations=tally("organisations"),
        units=tally("units"),
        qualifications=tally("qualifications"),
        progression_routes=tally("progression_routes"),
        approvals=tally("approvals"),
        written=written,
    )


UNIT_ROW_FIELDS = ("owner", "framework", "level", "title", "credits", "guided_learning_hours")
QUALIFICATION_ROW_FIELDS = (
    "owner",
    "framework",
    "level",
    "kind",
    "status",
    "title",
    "summary",
    "level_note",
    "guided_learning_hours",
    "total_qualification_time",
    "credits",
)


class _Writer:
    """Applies a checked plan, writing only what changed and auditing each change."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        # Looked up once the rows they name are written.
        self.frameworks: dict[str, Framework] = {}
        self.level_ids: dict[tuple[str, int], int] = {}
        self.organisations: dict[str, Organisation] = {}
        self.units: dict[str, Unit] = {}

    def audit(self, action: str, obj: models.Model, owner_id: int | None, change: _Change, **details: Any) -> None:
        details = {**details, "change": change.outcome}
        if not change.is_new:
            details["fields"] = list(change.fields)
        record_event(actor=self.actor, action=action, obj=obj, organisation_id=owner_id, details=details)

    def apply(self, plan: dict[str, list[_Change]]) -> None:
        for change in self._changed(plan["frameworks"]):
            self.framework(change)
        for change in self._changed(plan["organisations"]):
            self.organisation(change)
        self.frameworks = Framework.objects.in_bulk(field_name="code")
        self.level_ids = {
            (code, number): pk for code, number, pk in Level.objects.values_list("framework__code", "number", "pk")
        }
        self.organisations = Organisation.objects.in_bulk(
            {c.entry["owner"] for kind in ("units", "qualifications") for c in plan[kind]}
            | {c.entry["centre"] for c in plan["approvals"]}
            | {c.entry["owner"] for c in plan["approvals"]},
            field_name="slug",
        )
        for change in self._changed(plan["units"]):
            self.unit(change)
        self.units = Unit.objects.in_bulk(
            {code for c in plan["qualifications"] for rule in c.entry["rules"] for code in rule["units"]},
            field_name="code",
        )
        for change in sorted(self._changed(plan["qualifications"]), key=_slot_order):
            self.qualification(change)
        for change in self._changed(plan["progression_routes"]):
            self.route(change)
        for change in self._changed(plan["approvals"]):
            self.approval(change)

    @staticmethod
    def _changed(changes: list[_Change]) -> list[_Change]:
        return [change for change in changes if change.outcome != "unchanged"]

    def framework(self, change: _Change) -> None:
        entry = change.entry
        own = {name: entry[name] for name in ("name", "country", "code_scheme")}
        framework, created = Framework.objects.get_or_create(code=entry["code"], defaults=own)
        if not created and set(change.fields) & set(own):
            for name, value in own.items():
                setattr(framework, name, value)
            framework.save()
        levels = {level.number: level for level in framework.levels.all()}
        for wanted in entry["levels"]:
            level = levels.get(wanted["number"])
            if level is None:
                Level.objects.create(framework=framework, number=wanted["number"], name=wanted["name"])
            elif level.name != wanted["name"]:
                level.name = wanted["name"]
                level.save(update_fields=["name"])
        self.audit("catalogue.imported_framework", framework, None, change, code=framework.code)

    def organisation(self, change: _Change) -> None:
        entry = change.entry
        fields = {name: entry[name] for name in ("name", "kind", "country", "time_zone", "website")}
        organisation, _ = Organisation.objects.update_or_create(slug=entry["slug"], defaults=fields)
        self.audit("catalogue.imported_organisation", organisation, organisation.pk, change, slug=organisation.slug)

    def _row_values(self, entry: Entry, names: Sequence[str]) -> dict[str, Any]:
        values = {name: entry[name] for name in names if name not in ("owner", "framework", "level")}
        values["owner"] = self.organisations[entry["owner"]]
        values["framework"] = self.frameworks[entry["framework"]]
        values["level_id"] = self.level_ids[(entry["framework"], entry["level"])]
        return values

    def unit(self, change: _Change) -> None:
        entry = change.entry
        values = self._row_values(entry, UNIT_ROW_FIELDS)
        if change.is_new:
            unit = Unit.objects.create(code=entry["code"], **values)
        else:
            unit = Unit.objects.get(code=entry["code"])
            if set(change.fields) & set(UNIT_ROW_FIELDS):
                for name, value in values.items():
                    setattr(unit, name, value)
                unit.save()
        if change.is_new or "outcomes" in change.fields:
            write_outcomes(unit, [_outcome_spec(outcome) for outcome in entry["outcomes"]])
        self.audit("catalogue.imported_unit", unit, unit.owner_id, change, code=unit.code)

    def qualification(self, change: _Change) -> None:
        entry = change.entry
        values = self._row_values(entry, QUALIFICATION_ROW_FIELDS)
        if change.is_new:
            qualification = Qualification.objects.create(code=entry["code"], version=entry["version"], **values)
        else:
            qualification = Qualification.objects.get(code=entry["code"], version=entry["version"])
            if set(change.fields) & set(QUALIFICATION_ROW_FIELDS):
                for name, value in values.items():
                    setattr(qualification, name, value)
                qualification.save()
        # Only a new version or an overwritten draft gets here with changed parts (the checks saw to that).
        if change.is_new or "rules" in change.fields:
            self.rules(qualification, entry["rules"])
        if change.is_new or "competencies" in change.fields:
            self.competencies(qualification, entry["competencies"])
        if change.is_new or "portfolio_template" in change.fields:
            self.template(qualification, entry["portfolio_template"])
        self.audit(
            "catalogue.imported_qualification",
            qualification,
            qualification.owner_id,
            change,
            code=qualification.code,
            version=qualification.version,
            status=qualification.status,
        )

    def rules(self, qualification: Qualification, rules: list[Entry]) -> None:
        qualification.rule_groups.all().delete()
        for position, rule in enumerate(rules, start=1):
            group = RuleGroup.objects.create(
                qualification=qualification,
                position=position,
                name=rule["name"],
                kind=rule["kind"],
                min_units=rule["min_units"],
                min_credits=rule["min_credits"],
            )
            GroupUnit.objects.bulk_create(
                GroupUnit(group=group, unit=self.units[code], qualification=qualification, position=index)
                for index, code in enumerate(rule["units"], start=1)
            )

    def competencies(self, qualification: Qualification, competencies: list[Entry]) -> None:
        qualification.competencies.all().delete()
        Competency.objects.bulk_create(
            Competency(
                qualification=qualification,
                number=c["number"],
                title=c["title"],
                description=c["description"],
                is_sample=c["sample"],
            )
            for c in competencies
        )

    def template(self, qualification: Qualification, template: Entry | None) -> None:
        PortfolioTemplate.objects.filter(qualification=qualification).delete()
        if template is None:
            return
        portfolio = PortfolioTemplate.objects.create(qualification=qualification, introduction=template["introduction"])
        for section in template["sections"]:
            saved = TemplateSection.objects.create(
                template=portfolio,
                position=section["position"],
                title=section["title"],
                guidance=section["guidance"],
                min_words=section["min_words"],
                max_words=section["max_words"],
                is_sample=section["sample"],
            )
            EvidenceRequirement.objects.bulk_create(
                EvidenceRequirement(
                    section=saved,
                    position=index,
                    kind=r["kind"],
                    description=r["description"],
                    min_count=r["min_count"],
                    attestor_relationship=r["attestor_relationship"],
                )
                for index, r in enumerate(section["requirements"], start=1)
            )

    def route(self, change: _Change) -> None:
        entry = change.entry
        route = ProgressionRoute.objects.create(from_code=entry["from"], to_code=entry["to"])
        owner = Qualification.objects.filter(code=entry["from"]).order_by("-version").values_list("owner_id", flat=True)
        self.audit("catalogue.imported_progression_route", route, owner.first(), change, **entry)

    def approval(self, change: _Change) -> None:
        entry = change.entry
        owner = self.organisations[entry["owner"]]
        approval, _ = CentreApproval.objects.update_or_create(
            qualification_code=entry["qualification"],
            centre=self.organisations[entry["centre"]],
            defaults={"owner": owner, "approved_on": datetime.date.fromisoformat(entry["approved_on"])},
        )
        self.audit("catalogue.imported_approval", approval, owner.pk, change, **entry)


def _slot_order(change: _Change) -> tuple[int, str, int]:
    """Free a code's live and draft slots before filling them: the database allows one of each at any moment."""
    entry = change.entry
    if not change.is_new and entry["status"] in (Status.SUPERSEDED, Status.WITHDRAWN):
        step = 0
    elif not change.is_new and "status" in change.fields:
        step = 1
    else:
        step = 2
    return (step, entry["code"], entry["version"])


def _outcome_spec(outcome: Entry) -> OutcomeSpec:
    return OutcomeSpec(
        number=outcome["number"],
        text=outcome["text"],
        is_sample=outcome["sample"],
        criteria=tuple(
            CriterionSpec(number=c["number"], text=c["text"], is_sample=c["sample"]) for c in outcome["criteria"]
        ),
    )


# The public face --------------------------------------------------------------------------------


def check_document(document: dict[str, Any]) -> list[Problem]:
    """Every problem with the document, each with its location; empty when it would import."""
    return _inspect(document).problems


def preview_import(*, document: dict[str, Any]) -> ImportReport:
    """What `import_catalogue` would do, writing nothing (a dry run); ImportRefused as it would."""
    inspection = _inspect(document)
    if inspection.problems:
        raise ImportRefused(inspection.problems)
    return _report(inspection.plan, written=False)


def import_catalogue(*, actor: Any, document: dict[str, Any]) -> ImportReport:
    """Import the document all-or-nothing: ImportRefused with every problem, or everything in one transaction.

    Importing the same document again changes nothing and writes no audit events.
    """
    with transaction.atomic():
        # Checked inside the transaction, so the catalogue cannot move between the checks and the writes.
        inspection = _inspect(document)
        if inspection.problems:
            raise ImportRefused(inspection.problems)
        report = _report(inspection.plan, written=True)
        if report.changed:
            _Writer(actor).apply(inspection.plan)
            record_event(actor=actor, action="catalogue.import", details={"counts": report.counts()})
    return report
