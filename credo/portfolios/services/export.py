"""A portfolio (as it is now) or a submitted attempt, as a ZIP the learner keeps: an index.html and every file.

Streamed: the archive is written into a small buffer that is handed on and emptied after every chunk, and each file
is copied from storage chunk by chunk, so memory stays flat however large the portfolio is. A background job
(``services.export_jobs``) writes that stream into a temporary file and keeps it for its owner to download, with
progress file by file (see docs/decisions/0018-exports-are-built-by-jobs.md for why it is not built in the request).
The index is one self-contained HTML page (no scripts, styles or links to credo), drawn from the same manifest a
submission hashes, with everything the learner wrote escaped.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags

from credo.portfolios.models import EvidenceItem, ItemKind, Portfolio, Submission, SubmittedFile
from credo.portfolios.services.files import CHUNK_BYTES, storage_name
from credo.portfolios.services.manifest import build_manifest, canonical_json

INDEX_TEMPLATE = "portfolios/submissions/export_index.html"
#: Files are already compressed (PDF, Office, images, audio, video): storing them saves the CPU for nothing lost.
FILE_COMPRESSION = zipfile.ZIP_STORED


class _Pipe:
    """A write-only stream whose bytes are collected and taken away by the generator feeding a response.

    It has no ``seek``, so ``zipfile`` writes it as an unseekable stream: sizes and checksums go in a data
    descriptor after each entry, and nothing already written is ever gone back to.
    """

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._offset = 0

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


@dataclass(frozen=True)
class ExportFile:
    """One stored file to put in the archive, at ``path`` inside it."""

    path: str
    stored: EvidenceItem | SubmittedFile
    size: int


def _archive_path(section: int, index: int, name: str) -> str:
    # The learner's own name, made safe: no folders, no control characters, and unique by its number.
    return f"files/{section:02d}/{index:03d}-{storage_name(name)}"


def _place_files(manifest: dict[str, Any]) -> dict[str, str]:
    """Where each file (by SHA-256) goes in the archive; the index links to the same paths."""
    paths: dict[str, str] = {}
    for section in manifest["sections"]:
        for index, item in enumerate(section["items"], start=1):
            if item["kind"] == ItemKind.FILE:
                paths[item["sha256"]] = _archive_path(section["position"], index, item["name"])
    return paths


#: Told after each file is in the archive: its position (from 1), the file, and whether storage could read it.
FileDone = Callable[[int, ExportFile, bool], None]


def zip_stream(
    *,
    manifest: dict[str, Any],
    files: list[ExportFile],
    index_html: str,
    manifest_json: bytes | None,
    file_done: FileDone | None = None,
) -> Iterator[bytes]:
    """The archive, chunk by chunk: the index (and manifest) first, then each file as it is read from storage."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", index_html.encode("utf-8"))
        if manifest_json is not None:
            archive.writestr("manifest.json", manifest_json)
        yield pipe.take()
        for position, entry in enumerate(files, start=1):
            info = zipfile.ZipInfo(entry.path, date_time=timezone.localtime().timetuple()[:6])
            info.compress_type = FILE_COMPRESSION
            info.file_size = entry.size
            try:
                stream = entry.stored.file.open("rb")
            except OSError:
                archive.writestr(f"{entry.path}.missing.txt", "This file could not be read from storage.\n")
                yield pipe.take()
                if file_done is not None:
                    file_done(position, entry, False)
                continue
            with stream, archive.open(info, mode="w", force_zip64=entry.size >= zipfile.ZIP64_LIMIT) as target:
                while chunk := stream.read(CHUNK_BYTES):
                    target.write(chunk)
                    yield pipe.take()
            if file_done is not None:
                file_done(position, entry, True)
    yield pipe.take()


_BREAKS = re.compile(r"<br\s*/?>|</(p|li|h[1-6]|blockquote|pre|ul|ol)>", re.IGNORECASE)
_BULLETS = re.compile(r"<li[^>]*>", re.IGNORECASE)


def plain_text(html: str) -> str:
    """Sanitised HTML as readable plain text (paragraphs, list items), for a page that escapes it again."""
    text = _BULLETS.sub("\N{BULLET} ", _BREAKS.sub("\n\n", html))
    return unescape(strip_tags(text)).strip()


def _index_sections(manifest: dict[str, Any], paths: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            **section,
            "items": [
                {**item, "text": plain_text(item.get("html", "")), "path": paths.get(item.get("sha256", ""), "")}
                for item in section["items"]
            ],
        }
        for section in manifest["sections"]
    ]


def _index(manifest: dict[str, Any], *, paths: dict[str, str], submission: Submission | None, title: str) -> str:
    context = {
        "manifest": manifest,
        "sections": _index_sections(manifest, paths),
        "submission": submission,
        "title": title,
    }
    return render_to_string(INDEX_TEMPLATE, context)


@dataclass(frozen=True)
class Archive:
    """What goes in one export: its file name, the index (and a submission's manifest), and the stored files."""

    name: str
    manifest: dict[str, Any]
    files: list[ExportFile]
    index_html: str
    manifest_json: bytes | None

    def chunks(self, file_done: FileDone | None = None) -> Iterator[bytes]:
        return zip_stream(
            manifest=self.manifest,
            files=self.files,
            index_html=self.index_html,
            manifest_json=self.manifest_json,
            file_done=file_done,
        )


def portfolio_archive(portfolio: Portfolio) -> Archive:
    """The portfolio as it is now (evidence, attestations received, mapping)."""
    manifest = build_manifest(portfolio)
    paths = _place_files(manifest)
    items = {i.sha256: i for i in EvidenceItem.objects.filter(portfolio=portfolio, kind=ItemKind.FILE)}
    files = [ExportFile(path, items[sha], items[sha].size or 0) for sha, path in paths.items() if sha in items]
    index = _index(manifest, paths=paths, submission=None, title="Portfolio, as it is now")
    return Archive(zip_name(portfolio), manifest, files, index, None)


def submission_archive(submission: Submission) -> Archive:
    """A submitted attempt exactly as frozen: its manifest (whose SHA-256 is the submission's), index and files."""
    manifest = submission.manifest
    paths = _place_files(manifest)
    stored = {f.sha256: f for f in submission.files.all()}
    files = [ExportFile(path, stored[sha], stored[sha].size) for sha, path in paths.items() if sha in stored]
    index = _index(manifest, paths=paths, submission=submission, title=f"Submission, attempt {submission.attempt}")
    name = zip_name(submission.portfolio, submission)
    return Archive(name, manifest, files, index, canonical_json(manifest))


def portfolio_zip(portfolio: Portfolio) -> Iterator[bytes]:
    """The portfolio as it is now, as a ZIP, chunk by chunk."""
    return portfolio_archive(portfolio).chunks()


def submission_zip(submission: Submission) -> Iterator[bytes]:
    """A submitted attempt as a ZIP, chunk by chunk."""
    return submission_archive(submission).chunks()


def zip_name(portfolio: Portfolio, submission: Submission | None = None) -> str:
    cohort = portfolio.enrolment.cohort
    stem = f"portfolio-{cohort.programme.slug}-{cohort.slug}"
    return f"{stem}-attempt-{submission.attempt}.zip" if submission else f"{stem}.zip"
