"""Uploaded files: checked by name, size and content (their bytes, never their extension) before anything is stored."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

import puremagic
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.utils.text import get_valid_filename

CHUNK_BYTES = 64 * 1024
HEAD_BYTES = 64 * 1024  # enough for every signature on the allow list
MB = 1024 * 1024
NAME_MAX = 255  # EvidenceItem.original_name
STORED_STEM_MAX = 80  # well inside file systems' 255-byte names, however many bytes a character takes
STORED_EXTENSION_MAX = 10


@dataclass(frozen=True)
class AllowedType:
    content_type: str
    label: str


# What a learner may upload, by the extension puremagic names for the bytes it recognises.
ALLOWED_BY_MAGIC: dict[str, AllowedType] = {
    ".pdf": AllowedType("application/pdf", "PDF"),
    ".jpg": AllowedType("image/jpeg", "JPEG image"),
    ".jpeg": AllowedType("image/jpeg", "JPEG image"),
    ".jfif": AllowedType("image/jpeg", "JPEG image"),
    ".jpe": AllowedType("image/jpeg", "JPEG image"),
    ".png": AllowedType("image/png", "PNG image"),
    ".gif": AllowedType("image/gif", "GIF image"),
    ".webp": AllowedType("image/webp", "WebP image"),
    ".mp3": AllowedType("audio/mpeg", "MP3 audio"),
    ".m4a": AllowedType("audio/mp4", "M4A audio"),
    ".f4a": AllowedType("audio/mp4", "M4A audio"),
    ".wav": AllowedType("audio/wav", "WAV audio"),
    ".mp4": AllowedType("video/mp4", "MP4 video"),
    ".webm": AllowedType("video/webm", "WebM video"),
}

# Office and OpenDocument files are ZIP archives: the archive's own parts say which kind it is.
OOXML_PARTS = {
    "word/document.xml": AllowedType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document (.docx)"
    ),
    "xl/workbook.xml": AllowedType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel spreadsheet (.xlsx)"
    ),
    "ppt/presentation.xml": AllowedType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint presentation (.pptx)"
    ),
}
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": AllowedType(
        "application/vnd.oasis.opendocument.text", "OpenDocument text (.odt)"
    ),
    "application/vnd.oasis.opendocument.spreadsheet": AllowedType(
        "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet (.ods)"
    ),
    "application/vnd.oasis.opendocument.presentation": AllowedType(
        "application/vnd.oasis.opendocument.presentation", "OpenDocument presentation (.odp)"
    ),
}

ALLOWED_DESCRIPTION = (
    "PDF; Word, Excel or PowerPoint (.docx, .xlsx, .pptx); OpenDocument (.odt, .ods, .odp); "
    "JPEG, PNG, GIF or WebP images; MP3, M4A or WAV audio; MP4 or WebM video"
)


def max_file_bytes() -> int:
    return int(getattr(settings, "CREDO_PORTFOLIO_MAX_FILE_BYTES", 50 * MB))


def quota_bytes() -> int:
    return int(getattr(settings, "CREDO_PORTFOLIO_QUOTA_BYTES", 500 * MB))


def in_mb(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size >= MB // 10 else f"{size:,} bytes"


def name_problem(name: str) -> str | None:
    """Why a file's name cannot be kept as it is, or None. The name is shown to people, never used as a path."""
    if not name or not name.strip():
        return "The file has no name: rename it and upload it again."
    if "/" in name or "\\" in name:
        return "The file's name contains a slash (/ or \\): rename it without one and upload it again."
    if any(unicodedata.category(char) in {"Cc", "Cf"} for char in name):
        return "The file's name contains an invisible control character: rename it and upload it again."
    if name.strip(". ") == "":
        return "The file's name is only dots: rename it and upload it again."
    if len(name) > NAME_MAX:
        return f"The file's name is longer than {NAME_MAX} characters: shorten it and upload it again."
    return None


def storage_name(name: str) -> str:
    """A safe, short file name for storage (the learner's own name is kept in the database and shown to people)."""
    path = PurePosixPath(name)  # the name has no slashes: name_problem refused those
    stem, extension = path.stem, path.suffix
    try:
        stem = get_valid_filename(stem)[:STORED_STEM_MAX]
    except SuspiciousFileOperation:
        stem = ""
    extension = re.sub(r"[^A-Za-z0-9.]", "", extension)[:STORED_EXTENSION_MAX]
    return f"{stem or 'upload'}{extension}"


@dataclass(frozen=True)
class Measured:
    size: int
    sha256: str
    head: bytes


def measure(stream: IO[bytes], *, limit: int) -> Measured:
    """Size, SHA-256 and first bytes, read chunk by chunk (a large file is never held in memory).

    Stops as soon as the file is over ``limit``: the size then reported is ``limit + 1`` (at least).
    """
    stream.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    while chunk := stream.read(CHUNK_BYTES):
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
        if size > limit:
            break
    stream.seek(0)
    return Measured(size=size, sha256=digest.hexdigest(), head=head)


def _zip_kind(stream: IO[bytes]) -> tuple[AllowedType | None, str]:
    """An Office or OpenDocument file identified by the parts of its archive; reads only the archive's index."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as mimetype_part:  # a bounded read: the part could be a zip bomb
                    declared = mimetype_part.read(100).decode("ascii", "replace").strip()
                if declared in ODF_MIMETYPES:
                    return ODF_MIMETYPES[declared], ""
                return None, f"an OpenDocument file of another kind ({declared})"
            if "[Content_Types].xml" in names:
                if any(name.lower().endswith("vbaproject.bin") for name in names):
                    return None, "an Office file with macros"
                for part, kind in OOXML_PARTS.items():
                    if part in names:
                        return kind, ""
                return None, "an Office file of another kind"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError, EOFError):
        return None, "a damaged ZIP archive"
    finally:
        stream.seek(0)
    return None, "a ZIP archive"


def identify(stream: IO[bytes], head: bytes) -> AllowedType:
    """The file's type from its bytes, if it is on the allow list; otherwise say what it is and what is allowed."""
    detected = "a kind of file credo does not recognise"
    if head.startswith(b"PK\x03\x04"):
        kind, detected = _zip_kind(stream)
        if kind is not None:
            return kind
    else:
        try:
            matches: list[Any] = puremagic.magic_string(head)
        except puremagic.PureError:
            matches = []
        for match in matches:
            if match.extension.lower() in ALLOWED_BY_MAGIC:
                return ALLOWED_BY_MAGIC[match.extension.lower()]
        if matches:
            best = matches[0]
            detected = f"{best.name} ({best.extension or best.mime_type})" if best.name else best.extension
    raise ValidationError(
        {"file": f"This file looks like {detected}, which cannot be uploaded. You can upload: {ALLOWED_DESCRIPTION}."}
    )
