"""Cross-checks: everything about a file that needs more than one value to judge.

The reader has judged each value on its own; `Checker` judges them together:
duplicates within the file, references between entries (owners, frameworks and
levels, a qualification's units), the rules the editor enforces on a
qualification, and the file against the catalogue. The catalogue's own rules
hold on import just as in the editor: a published qualification's structure
never changes (publish a new version instead), and a unit used by one is
frozen. Like the reader, it collects every problem with its location.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from credo.accounts.models import OrganisationKind
from credo.catalogue.codes import code_slug
from credo.catalogue.interchange.existing import Catalogue, differences
from credo.catalogue.interchange.reader import Located, did_you_mean, listed, within
from credo.catalogue.interchange.report import Problem
from credo.catalogue.interchange.schema import QUALIFICATION, UNIT, Entry, in_export_order, qualification_key
from credo.catalogue.models import Framework, GroupKind, QualificationKind, Status
from credo.catalogue.services import (
    CATALOGUE_OWNER_KINDS,
    GroupOutline,
    StructureOutline,
    UnitOutline,
    outline_problems,
)


def _has(entry: Entry | None, *names: str) -> bool:
    return entry is not None and all(name in entry for name in names)


def _versions(versions: Iterable[int]) -> str:
    return ", ".join(f"v{v}" for v in sorted(versions))


class Checker:
    """Everything that needs more than one value to judge: duplicates, references, rules, and the catalogue."""

    def __init__(self, found: dict[str, list[Located]], catalogue: Catalogue) -> None:
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
                numbers = {level["number"] for _, level in listed(located.entry, "levels") if "number" in level}
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
                within(location, "owner"),
                f"there is no organisation {slug!r} in this file or the catalogue"
                f"{did_you_mean(slug, self.organisation_kinds)}: add it under organisations, or correct the slug.",
            )
        elif (kind := self.organisation_kinds[slug]) is not None and kind not in CATALOGUE_OWNER_KINDS:
            self.problem(
                within(location, "owner"),
                f"{slug} is a {kind}: only an awarding_body or issuing_institution owns units and qualifications.",
            )

    def _framework_and_level(self, entry: Entry, location: str) -> str | None:
        """Check the framework and level references; the framework's code scheme when both are known."""
        code = entry.get("framework")
        if code is None:
            return None
        if code not in self.schemes:
            self.problem(
                within(location, "framework"),
                f"there is no framework {code!r} in this file or the catalogue{did_you_mean(code, self.schemes)}: "
                "add it under frameworks, or correct the code.",
            )
            return None
        levels = self.levels.get(code, set())
        if "level" in entry and entry["level"] not in levels:
            known = ", ".join(map(str, sorted(levels))) or "none yet"
            self.problem(
                within(location, "level"),
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
            self.problem(within(location, "code"), problem)

    # -- per kind

    def _frameworks(self) -> None:
        self._duplicates("frameworks", lambda e: e.get("code"), lambda code: f"Framework {code}")
        for located in self.found["frameworks"]:
            entry, location = located.entry, located.location
            self._numbers_once(listed(entry, "levels"), "number", within(location, "levels"), "Level")
            existing = self.catalogue.frameworks.get(entry.get("code", ""))
            if (
                existing
                and "code_scheme" in entry
                and entry["code_scheme"] != existing["code_scheme"]
                and entry["code"] in self.catalogue.frameworks_in_use
            ):
                self.problem(
                    within(location, "code_scheme"),
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
                    within(located.location, "kind"),
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
            outcomes = listed(entry, "outcomes")
            self._numbers_once(outcomes, "number", within(location, "outcomes"), "Outcome")
            for index, outcome in outcomes:
                criteria = listed(outcome, "criteria")
                self._numbers_once(criteria, "number", within(location, f"outcomes[{index}] > criteria"), "Criterion")
            if "code" in entry:
                slug = code_slug(entry["code"])
                if slugs.setdefault(slug, entry["code"]) != entry["code"]:
                    self.problem(
                        within(location, "code"),
                        f"{entry['code']} and {slugs[slug]} would share the web address {slug}: "
                        "use a code that differs by more than case and slashes.",
                    )
                self._unit_against_catalogue(located)

    def _unit_against_catalogue(self, located: Located) -> None:
        entry = located.entry
        existing = self.catalogue.units.get(entry["code"])
        if existing is None or not located.clean:
            return
        fields = differences(existing, in_export_order(entry, UNIT))
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
            qualification_key(q.entry) for q in self.found["qualifications"] if _has(q.entry, "code", "version")
        }
        if "framework" in fields:
            others = sorted(f"{code} v{version}" for code, version, _ in users if (code, version) not in file_keys)
            if others:
                self.problem(
                    within(located.location, "framework"),
                    f"{', '.join(others)} in the catalogue use(s) this unit, so it must stay in "
                    f"{existing['framework']}.",
                )

    def _qualifications(self) -> None:
        self._duplicates(
            "qualifications",
            lambda e: qualification_key(e) if _has(e, "code", "version") else None,
            lambda key: f"{key[0]} v{key[1]}",  # type: ignore[index]
        )
        for located in self.found["qualifications"]:
            entry, location = located.entry, located.location
            self._owner(entry, location)
            scheme = self._framework_and_level(entry, location)
            self._code(entry, location, scheme, unit=False)
            self._rules(located)
            self._numbers_once(listed(entry, "competencies"), "number", within(location, "competencies"), "Competency")
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
        for index, rule in listed(entry, "rules"):
            where = within(location, f"rules[{index}]")
            if "name" in rule:
                if rule["name"] in names:
                    self.problem(
                        within(where, "name"),
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
                    within(where, "min_units"),
                    f"asks for {rule['min_units']} units but the group has only {len(units)}: lower it, or add units.",
                )
            for position, code in enumerate(units):
                if code is None:
                    continue
                unit_where = within(where, f"units[{position}]")
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
                f"there is no unit {code!r} in this file or the catalogue{did_you_mean(code, self.units)}: "
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
        where = within(location, "portfolio_template > sections")
        sections = listed(template, "sections")
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
        for _, rule in listed(entry, "rules"):
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
                code, version = qualification_key(located.entry)
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
        existing = self.catalogue.qualifications.get(qualification_key(entry))
        if existing is None or existing["status"] == Status.DRAFT:
            return  # new, or a draft: a draft may be overwritten
        fields = differences(existing, in_export_order(entry, QUALIFICATION))
        if not fields or self._superseded_by_file(entry, existing, fields):
            return
        code, version, status = entry["code"], entry["version"], existing["status"]
        label = f"{code} v{version}"
        if fields == ["status"]:
            self.problem(
                within(located.location, "status"),
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
                        within(located.location, end),
                        f"there is no qualification {code!r} in this file or the catalogue"
                        f"{did_you_mean(code, self.qualification_codes)}.",
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
                    within(located.location, "qualification"),
                    f"there is no qualification {code!r} in this file or the catalogue"
                    f"{did_you_mean(code, self.qualification_codes)}.",
                )
            slug = entry.get("centre")
            if slug is None:
                continue
            if slug not in self.organisation_kinds:
                self.problem(
                    within(located.location, "centre"),
                    f"there is no organisation {slug!r} in this file or the catalogue"
                    f"{did_you_mean(slug, self.organisation_kinds)}: add it under organisations, or correct the slug.",
                )
            elif (kind := self.organisation_kinds[slug]) is not None and kind != OrganisationKind.PROVIDER:
                self.problem(
                    within(located.location, "centre"),
                    f"{slug} is a {kind}: only a provider can be approved as a centre.",
                )
