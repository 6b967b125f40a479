"""``manage.py export_credentials DIR``: every issued credential and status list credential, exactly as issued.

For an operator's archive or a move to another installation: one JSON file per
document, byte for byte what was signed (the signature covers the meaning of
those bytes, so nothing is re-serialised), under stable names::

    DIR/<issuer-slug>/credentials/<public-id>.json      every credential, superseded and revoked ones too
    DIR/<issuer-slug>/status/<purpose>-<number>.json    every status list credential, as served

Credentials are streamed from the database in chunks, so memory does not grow
with their number.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from credo.credentials.kek import KeyEncryptionError
from credo.credentials.models import Credential, CredentialState, Issuer, StatusList
from credo.credentials.services.status import status_list_json

CHUNK = 500


class Command(BaseCommand):
    help = (
        "Write every issued credential (superseded and revoked ones too) and every status list credential, "
        "exactly as issued, one JSON file each, into DIR/<issuer>/credentials/ and DIR/<issuer>/status/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", metavar="DIR", help="Where to write; made if missing, and must be empty.")
        parser.add_argument("--issuer", metavar="SLUG", help="Only this issuer's documents (its organisation's slug).")
        parser.add_argument(
            "--force", action="store_true", help="Write into DIR even if it is not empty, replacing same-named files."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        issuers = _issuers(options["issuer"])
        root = Path(options["directory"])
        _prepare(root, force=options["force"])
        tally = _export_credentials(root, issuers)
        lists, signed_now = _export_status_lists(root, issuers)
        self.stdout.write(
            f"Exported {tally.credentials} credentials ({tally.states[CredentialState.REVOKED]} revoked, "
            f"{tally.states[CredentialState.SUSPENDED]} suspended, {tally.superseded} replaced by a re-issue) "
            f"and {lists} status list credentials of {issuers.count()} issuer(s) to {root}."
        )
        if signed_now:
            self.stdout.write(
                f"{signed_now} status list(s) had never been fetched, so were signed now, as serving does."
            )


@dataclass
class Tally:
    credentials: int = 0
    superseded: int = 0
    states: Counter[str] = field(default_factory=Counter)


def _export_credentials(root: Path, issuers: QuerySet[Issuer]) -> Tally:
    tally = Tally()
    rows = (
        Credential.objects.filter(issuer__in=issuers)
        .order_by("pk")
        .values_list("issuer__organisation__slug", "public_id", "issued_json", "state", "superseded_at")
        .iterator(chunk_size=CHUNK)
    )
    for slug, public_id, issued_json, state, superseded_at in rows:
        _write(root / slug / "credentials" / f"{public_id}.json", issued_json)
        tally.credentials += 1
        tally.superseded += superseded_at is not None
        tally.states[state] += 1
    return tally


def _export_status_lists(root: Path, issuers: QuerySet[Issuer]) -> tuple[int, int]:
    # Few rows (one pair per 131,072 credentials), but each holds a list and its signed copy: load one at a time.
    ids = list(
        StatusList.objects.filter(issuer__in=issuers)
        .order_by("issuer_id", "purpose", "number")
        .values_list("pk", flat=True)
    )
    signed_now = 0
    for pk in ids:
        status_list = StatusList.objects.select_related("issuer__organisation").get(pk=pk)
        signed_now += not status_list.signed_json
        try:
            text = status_list_json(status_list)  # what the status URL serves, signing it first if never served
        except (ValidationError, KeyEncryptionError) as error:
            why = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(f"Cannot sign {status_list}, which has never been served: {why}") from error
        slug = status_list.issuer.organisation.slug
        _write(root / slug / "status" / f"{status_list.purpose}-{status_list.number}.json", text)
    return len(ids), signed_now


def _issuers(slug: str | None) -> QuerySet[Issuer]:
    issuers = Issuer.objects.all()
    if slug is None:
        return issuers
    chosen = issuers.filter(organisation__slug=slug)
    if not chosen.exists():
        known = ", ".join(issuers.order_by("organisation__slug").values_list("organisation__slug", flat=True))
        raise CommandError(f"No issuer {slug!r}. Issuers: {known or 'none yet'}.")
    return chosen


def _prepare(root: Path, *, force: bool) -> None:
    if root.exists() and not root.is_dir():
        raise CommandError(f"{root} is a file; give a directory to export into.")
    if root.is_dir() and any(root.iterdir()) and not force:
        raise CommandError(
            f"{root} is not empty. Choose a new or empty directory, or add --force to write into it "
            "(files with the same names are replaced)."
        )
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"Cannot make {root}: {error.strerror or error}.") from error


def _write(path: Path, text: str) -> None:
    """The document's exact characters as UTF-8, with no newline added or translated."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    except OSError as error:
        raise CommandError(f"Cannot write {path}: {error.strerror or error}.") from error
