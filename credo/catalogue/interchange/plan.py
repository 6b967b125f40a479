"""Planning an import: read, check, and decide what each entry of a sound file does.

`inspect_document` runs the stages in order: the reader, the catalogue's
existing rows, the cross-checks, and, only when they find no problem, the
plan: for every entry, whether it is created, updated (and which keys) or
unchanged, found by comparing it with its exported row. Nothing here writes:
`check_document` and `preview_import` (a dry run) stop at the plan, and
`apply.py` writes it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from credo.catalogue.interchange.checks import Checker
from credo.catalogue.interchange.existing import Catalogue, differences
from credo.catalogue.interchange.reader import Located, Reader
from credo.catalogue.interchange.report import ImportRefused, ImportReport, Problem, Tally
from credo.catalogue.interchange.schema import (
    ENTRY_KINDS,
    SCHEMA,
    Entry,
    Items,
    Record,
    in_export_order,
    qualification_key,
)


@dataclass(frozen=True)
class Change:
    """One entry of the file against its row in the catalogue."""

    entry: Entry
    is_new: bool
    fields: tuple[str, ...] = ()

    @property
    def outcome(self) -> str:
        if self.is_new:
            return "created"
        return "updated" if self.fields else "unchanged"


@dataclass(frozen=True)
class Inspection:
    """What inspecting a file found: every problem with it, or (only when there are none) the plan."""

    problems: list[Problem]
    plan: dict[str, list[Change]] = field(default_factory=dict)


def inspect_document(document: Any) -> Inspection:
    """Read the document, check it against itself and the catalogue, and plan it if it is sound."""
    reader = Reader()
    found = reader.read_document(document)
    catalogue = Catalogue.load(found)
    problems = reader.problems + Checker(found, catalogue).check()
    if problems:
        return Inspection(problems)
    return Inspection(problems, _plan(found, catalogue))


def _compare(entry: Entry, existing: Entry | None) -> Change:
    if existing is None:
        return Change(entry, is_new=True)
    return Change(entry, is_new=False, fields=tuple(differences(existing, entry)))


def _framework_change(entry: Entry, existing: Entry | None) -> Change:
    if existing is None:
        return Change(entry, is_new=True)
    # Levels are only ever added or renamed (a level may be in use), so levels the file leaves out are no change.
    names = {level["number"]: level["name"] for level in existing["levels"]}
    fields = [name for name in ("name", "country", "code_scheme") if entry[name] != existing[name]]
    if any(names.get(level["number"]) != level["name"] for level in entry["levels"]):
        fields.append("levels")
    return Change(entry, is_new=False, fields=tuple(fields))


def _approval_owners(found: dict[str, list[Located]], catalogue: Catalogue) -> dict[str, str]:
    """Each qualification code's owner, from its newest version (the file's over the catalogue's)."""
    newest: dict[str, tuple[int, int, str]] = {}
    for (code, version), existing in catalogue.qualifications.items():
        newest[code] = max(newest.get(code, (0, 0, "")), (0, version, existing["owner"]))
    for located in found["qualifications"]:
        entry = located.entry
        newest[entry["code"]] = max(newest.get(entry["code"], (0, 0, "")), (1, entry["version"], entry["owner"]))
    return {code: owner for code, (_, _, owner) in newest.items()}


def _plan(found: dict[str, list[Located]], catalogue: Catalogue) -> dict[str, list[Change]]:
    found = {
        kind: [Located(x.location, in_export_order(x.entry, _record_of(kind)), x.clean) for x in found[kind]]
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
        approvals.append(Change({**entry, "owner": wanted[1]}, is_new=existing is None, fields=fields))
    return {
        "frameworks": [
            _framework_change(x.entry, catalogue.frameworks.get(x.entry["code"])) for x in found["frameworks"]
        ],
        "organisations": [
            _compare(x.entry, catalogue.organisations.get(x.entry["slug"])) for x in found["organisations"]
        ],
        "units": [_compare(x.entry, catalogue.units.get(x.entry["code"])) for x in found["units"]],
        "qualifications": [
            _compare(x.entry, catalogue.qualifications.get(qualification_key(x.entry))) for x in found["qualifications"]
        ],
        "progression_routes": [
            Change(x.entry, is_new=(x.entry["from"], x.entry["to"]) not in catalogue.routes)
            for x in found["progression_routes"]
        ],
        "approvals": approvals,
    }


def _record_of(kind: str) -> Record:
    items = SCHEMA.key(kind).type
    assert isinstance(items, Items)
    return items.record


def plan_report(plan: dict[str, list[Change]], *, written: bool) -> ImportReport:
    """The counts of a plan, as the report of an import that did (or, not written, would do) it."""

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


def check_document(document: dict[str, Any]) -> list[Problem]:
    """Every problem with the document, each with its location; empty when it would import."""
    return inspect_document(document).problems


def preview_import(*, document: dict[str, Any]) -> ImportReport:
    """What `import_catalogue` would do, writing nothing (a dry run); ImportRefused as it would."""
    inspection = inspect_document(document)
    if inspection.problems:
        raise ImportRefused(inspection.problems)
    return plan_report(inspection.plan, written=False)
