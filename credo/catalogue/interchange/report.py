"""What an import tells its caller: every problem that refused it, or what it did.

A `Problem` says where in the file something is wrong (`units[3] (Y/615/8308) >
outcomes[0] > text`) and what to do about it. The checks collect problems rather
than stopping at the first, and `ImportRefused` carries all of them, because
one problem refuses the whole file. `ImportReport` counts what an import
created, updated and left unchanged for each kind of entry, and says so in one
line for the command and the demo loader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from credo.catalogue.interchange.schema import ENTRY_KINDS


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
