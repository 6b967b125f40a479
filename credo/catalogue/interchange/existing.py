"""The catalogue as it stands: the rows a file touches, loaded once, in exported form.

The checks judge a file against these rows (a published qualification, a
frozen unit, an organisation's kind), and the plan compares each entry with
its row to decide what is created, updated or unchanged. Holding the rows in
their exported form lets both compare an entry with `differences` and nothing
else, so "changed" means exactly "the export would differ". Only what the file
names is loaded, in a handful of queries, however large the catalogue.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from credo.accounts.models import Organisation
from credo.catalogue.codes import code_slug
from credo.catalogue.interchange.export import (
    framework_entries,
    organisation_entry,
    qualification_entries,
    unit_entries,
)
from credo.catalogue.interchange.reader import Located, listed
from credo.catalogue.interchange.schema import Entry, qualification_key
from credo.catalogue.models import (
    CentreApproval,
    Framework,
    GroupUnit,
    ProgressionRoute,
    Qualification,
    Unit,
)


@dataclass
class Catalogue:
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
    def load(cls, found: dict[str, list[Located]]) -> Catalogue:
        def values(kind: str, *names: str) -> set[Any]:
            result: set[Any] = set()
            for located in found[kind]:
                result.update(located.entry[n] for n in names if isinstance(located.entry.get(n), str))
            return result

        rule_units = {
            code
            for located in found["qualifications"]
            for _, rule in listed(located.entry, "rules")
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
            frameworks={e["code"]: e for e in framework_entries(Framework.objects.all())},
            frameworks_in_use=in_use,
            organisations={
                o.slug: organisation_entry(o) for o in Organisation.objects.filter(slug__in=slugs).order_by("slug")
            },
            units={e["code"]: e for e in unit_entries(Unit.objects.filter(code__in=unit_codes))},
            unit_slugs=dict(Unit.objects.filter(slug__in=file_slugs).values_list("slug", "code")),
            unit_users=dict(users),
            qualifications={
                qualification_key(e): e
                for e in qualification_entries(Qualification.objects.filter(code__in=qualification_codes))
            },
            routes=set(
                ProgressionRoute.objects.filter(from_code__in=qualification_codes).values_list("from_code", "to_code")
            ),
            approvals={
                (a.qualification_code, a.centre.slug): (a.approved_on.isoformat(), a.owner.slug) for a in approvals
            },
        )


def differences(existing: Entry, entry: Entry) -> list[str]:
    """The keys whose values differ, in format order."""
    return [name for name in entry if existing.get(name) != entry[name]]
