"""Finding and deleting stored evidence files that no row names: what ``add_file`` cannot clean up itself.

``add_file`` stores the file, then records it; should the caller's own, outer transaction roll back after it returns,
the row is gone and the file is not (Django has no rollback hook: see its docstring). Such files are found here by
walking the storage, a directory at a time (so memory stays flat however many files there are), and checking their
names against ``EvidenceItem.file`` and ``SubmittedFile.file`` in batches. Only files in the layout ``add_file``
writes (``private/portfolios/<portfolio id>/<random>/<name>``) are considered, so nothing else another part of credo
keeps under the prefix is touched; and only files older than a grace period, so an upload whose row is still being
committed is never taken. Running it twice deletes nothing the second time.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from credo.portfolios.models import EvidenceItem, SubmittedFile

PREFIX = "private/portfolios"
BATCH = 500


@dataclass
class SweepResult:
    examined: int = 0
    orphans: int = 0
    orphan_bytes: int = 0
    too_recent: int = 0


def _listdir(storage: Storage, path: str) -> tuple[list[str], list[str]]:
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:  # the local disk: nothing stored yet (object storage lists an empty prefix instead)
        return [], []
    return sorted(directories), sorted(files)


def stored_evidence_files(storage: Storage) -> Iterator[str]:
    """Every file in the layout ``add_file`` writes, one directory listing at a time."""
    portfolios, _ = _listdir(storage, PREFIX)
    for portfolio in portfolios:
        if not portfolio.isdigit():
            continue
        uploads, _ = _listdir(storage, f"{PREFIX}/{portfolio}")
        for upload in uploads:
            _, names = _listdir(storage, f"{PREFIX}/{portfolio}/{upload}")
            for name in names:
                yield f"{PREFIX}/{portfolio}/{upload}/{name}"


def _batches(names: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for name in names:
        batch.append(name)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _named(batch: list[str]) -> set[str]:
    """The names in ``batch`` that an evidence item or a submission's file still uses (two queries)."""
    return set(EvidenceItem.objects.filter(file__in=batch).values_list("file", flat=True)) | set(
        SubmittedFile.objects.filter(file__in=batch).values_list("file", flat=True)
    )


def sweep_orphan_files(
    *,
    older_than: datetime.timedelta,
    dry_run: bool = False,
    storage: Storage | None = None,
    on_orphan: Callable[[str, int], Any] | None = None,
) -> SweepResult:
    """Delete (or, with ``dry_run``, only find) stored evidence files no row names, last changed before the grace
    period ``older_than``. ``on_orphan(name, size)`` hears of each one, as it is found."""
    storage = storage or default_storage
    cutoff = timezone.now() - older_than
    result = SweepResult()
    for batch in _batches(stored_evidence_files(storage), BATCH):
        result.examined += len(batch)
        named = _named(batch)
        for name in batch:
            if name in named:
                continue
            if storage.get_modified_time(name) > cutoff:
                result.too_recent += 1
                continue
            size = storage.size(name)
            if not dry_run:
                storage.delete(name)
            result.orphans += 1
            result.orphan_bytes += size
            if on_orphan is not None:
                on_orphan(name, size)
    return result
