"""Uploads: identified by their bytes, measured and hashed in chunks, refused clearly, never left half-written."""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.portfolios.models import EvidenceItem, Portfolio, PortfolioSection
from credo.portfolios.services import evidence, files

from .builders import PDF, PNG, upload

pytestmark = pytest.mark.django_db


def _zip(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
XLSX = _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"})
PPTX = _zip({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<presentation/>"})
DOCM = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>", "word/vbaProject.bin": "macro"})
ODT = _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})
ODS = _zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<office/>"})
EPUB = _zip({"mimetype": "application/epub+zip", "content.opf": "<package/>"})
PLAIN_ZIP = _zip({"notes.txt": "hello"})
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00" + b"\x00" * 32
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00M4A mp42isom" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32
WEBM = b"\x1aE\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08B\x82\x84webm" + b"\x00" * 32
EXE = b"MZ\x90\x00" + b"\x00" * 60
HTML = b"<html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def section(cld_portfolio: Portfolio) -> PortfolioSection:
    return cld_portfolio.sections.get(position=1)


def _stored_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (PDF, "agenda.pdf", "application/pdf"),
        (PDF, "photo.png", "application/pdf"),  # the bytes decide, not the name
        (PNG, "report.pdf", "image/png"),
        (JPEG, "photo.jpg", "image/jpeg"),
        (GIF, "a.gif", "image/gif"),
        (WEBP, "a.webp", "image/webp"),
        (MP3, "talk.mp3", "audio/mpeg"),
        (M4A, "talk.m4a", "audio/mp4"),
        (WAV, "talk.wav", "audio/wav"),
        (MP4, "hui.mp4", "video/mp4"),
        (WEBM, "hui.webm", "video/webm"),
        (DOCX, "minutes.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (XLSX, "budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (PPTX, "slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        (ODT, "plan.odt", "application/vnd.oasis.opendocument.text"),
        (ODS, "plan.ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ],
)
def test_allowed_files_are_stored_privately_with_their_hash(
    section: PortfolioSection, aroha: User, media: Path, content: bytes, name: str, content_type: str
) -> None:
    item = evidence.add_file(section=section, actor=aroha, uploaded_file=upload(content, name))
    assert item.content_type == content_type
    assert (item.original_name, item.title, item.size) == (name, name, len(content))
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    prefix, portfolio_id, random, stored_name = item.file.name.split("/")[1:]
    assert (item.file.name.split("/")[0], prefix, portfolio_id) == ("private", "portfolios", str(section.portfolio_id))
    assert len(random) >= 16
    assert stored_name == name
    assert default_storage.open(item.file.name).read() == content
    event = AuditEvent.objects.get(action="portfolios.file_added")
    assert event.details["sha256"] == item.sha256


BAD_UPLOADS: list[tuple[str, bytes, str]] = [
    ("empty.pdf", b"", "“empty.pdf” is empty \\(0 bytes\\)"),
    ("big.pdf", PDF + b"x" * 1000, "larger than 1,000 bytes, the most one file can be"),
    ("run.pdf", EXE, "looks like Windows Executable \\(\\.exe\\), which cannot be uploaded. You can upload: PDF;"),
    ("page.html", HTML, "looks like .*html.*cannot be uploaded"),
    ("macros.docx", DOCM, "looks like an Office file with macros"),
    ("book.epub", EPUB, "looks like an OpenDocument file of another kind \\(application/epub\\+zip\\)"),
    ("notes.zip", PLAIN_ZIP, "looks like a ZIP archive, which cannot be uploaded"),
    ("unknown.bin", b"\x00\x01\x02 nothing recognisable", "looks like a kind of file credo does not recognise"),
    ("../../etc/passwd", PDF, "contains a slash"),
    ("folder\\agenda.pdf", PDF, "contains a slash"),
    ("agenda\x00.pdf", PDF, "invisible control character"),
    ("agenda\n.pdf", PDF, "invisible control character"),
    ("agenda\u202e.fdp", PDF, "invisible control character"),  # right-to-left override hides the real extension
    ("..", PDF, "only dots"),
    ("", PDF, "has no name"),
    ("a" * 252 + ".pdf", PDF, "longer than 255 characters"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_UPLOADS, ids=[case[0][:20] for case in BAD_UPLOADS])
def test_bad_uploads_are_refused_saying_what_to_do_and_leave_nothing_behind(
    section: PortfolioSection, aroha: User, media: Path, settings: Any, name: str, content: bytes, message: str
) -> None:
    settings.CREDO_PORTFOLIO_MAX_FILE_BYTES = 1000
    uploaded = upload(content, "placeholder")
    uploaded._name = name  # type: ignore[attr-defined]  # as an API client may send it: not cleaned by Django
    with pytest.raises(ValidationError) as refused:
        evidence.add_file(section=section, actor=aroha, uploaded_file=uploaded)
    assert "file" in refused.value.message_dict
    assert re.search(message, refused.value.message_dict["file"][0]), refused.value.message_dict["file"][0]
    assert not EvidenceItem.objects.exists()
    assert _stored_files(media) == []


def test_a_second_upload_of_the_same_file_names_the_first(section: PortfolioSection, aroha: User, media: Path) -> None:
    first = evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PDF, "agenda.pdf"), title="Agenda")
    other_section = section.portfolio.sections.get(position=2)
    with pytest.raises(ValidationError) as refused:
        evidence.add_file(section=other_section, actor=aroha, uploaded_file=upload(PDF, "agenda-copy.pdf"))
    assert refused.value.message_dict["file"] == [
        "This file is already in your portfolio, as “Agenda” in section 1 (Your CLD case study). "
        "There is no need to upload it again."
    ]
    assert list(EvidenceItem.objects.all()) == [first]
    assert len(_stored_files(media)) == 1


def test_the_database_refuses_one_file_twice_in_a_portfolio(
    section: PortfolioSection, aroha: User, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the service's own check be passed (as it is here), the constraint still holds, and nothing is left."""
    evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PDF, "agenda.pdf"))

    monkeypatch.setattr(evidence, "_same_file", lambda portfolio, sha256: None)
    with pytest.raises(ValidationError, match="already in your portfolio: reload the page to see it"):
        evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PDF, "again.pdf"))
    assert EvidenceItem.objects.count() == 1
    assert len(_stored_files(media)) == 1


def test_the_quota_counts_every_file_in_the_portfolio(
    section: PortfolioSection, aroha: User, media: Path, settings: Any
) -> None:
    settings.CREDO_PORTFOLIO_QUOTA_BYTES = len(PDF) + len(PNG) + 10
    evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PDF, "agenda.pdf"))
    evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PNG, "photo.png"))
    with pytest.raises(ValidationError) as refused:
        evidence.add_file(section=section, actor=aroha, uploaded_file=upload(JPEG, "more.jpg"))
    assert refused.value.message_dict["file"] == [
        f"“more.jpg” ({len(JPEG)} bytes) does not fit: your portfolio holds up to {len(PDF) + len(PNG) + 10} bytes "
        "of files and 10 bytes is left. Remove files you no longer need, or make this one smaller."
    ]
    assert len(_stored_files(media)) == 2


class ChunkOnlyStream(io.BytesIO):
    """A stream that fails the test if anyone reads it whole."""

    def __init__(self, content: bytes) -> None:
        super().__init__(content)
        self.largest_read = 0

    def read(self, size: int | None = -1) -> bytes:
        assert size is not None, "the whole file was read at once"
        assert size > 0, "the whole file was read at once"
        self.largest_read = max(self.largest_read, size)
        return super().read(size)


def test_a_file_larger_than_a_chunk_is_measured_and_hashed_in_chunks() -> None:
    content = PDF + os.urandom(files.CHUNK_BYTES * 3 + 123)
    stream = ChunkOnlyStream(content)
    measured = files.measure(stream, limit=10 * files.MB)
    assert measured.size == len(content)
    assert measured.sha256 == hashlib.sha256(content).hexdigest()
    assert measured.head == content[: files.HEAD_BYTES]
    assert stream.largest_read == files.CHUNK_BYTES
    assert stream.tell() == 0  # ready to be stored


def test_an_oversized_file_stops_being_read_at_the_limit() -> None:
    stream = ChunkOnlyStream(b"x" * (files.CHUNK_BYTES * 10))
    measured = files.measure(stream, limit=files.CHUNK_BYTES)
    assert files.CHUNK_BYTES < measured.size <= 2 * files.CHUNK_BYTES


def test_a_large_upload_from_a_temporary_file_is_stored_whole(
    section: PortfolioSection, aroha: User, media: Path
) -> None:
    content = PDF + os.urandom(files.CHUNK_BYTES * 4 + 7)
    uploaded = TemporaryUploadedFile("report.pdf", "application/pdf", len(content), None)
    uploaded.write(content)
    uploaded.seek(0)
    item = evidence.add_file(section=section, actor=aroha, uploaded_file=uploaded)
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    assert item.size == len(content)
    with default_storage.open(item.file.name) as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == item.sha256


def test_a_file_stored_but_not_recorded_is_deleted(
    section: PortfolioSection, aroha: User, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def audit_fails(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(evidence, "audit", audit_fails)
    with pytest.raises(RuntimeError):
        evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PDF, "agenda.pdf"))
    assert not EvidenceItem.objects.exists()
    assert _stored_files(media) == []


def test_removing_a_file_deletes_it_once_the_removal_commits(
    section: PortfolioSection,
    aroha: User,
    media: Path,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    item = evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PDF, "agenda.pdf"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence.remove_item(item=item, actor=aroha)
    assert len(_stored_files(media)) == 1  # not yet: a rollback would still need it
    for callback in callbacks:
        callback()
    assert _stored_files(media) == []
    assert not EvidenceItem.objects.exists()


def test_a_removed_file_may_be_uploaded_again(section: PortfolioSection, aroha: User, media: Path) -> None:
    item = evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PDF, "agenda.pdf"))
    evidence.remove_item(item=item, actor=aroha)
    again = evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PDF, "agenda.pdf"))
    assert again.sha256 == item.sha256


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("Hui minutes (final).pdf", "Hui_minutes_final.pdf"),
        ("$$$.pdf", "upload.pdf"),
        ("Ngā mihi.docx", "Ngā_mihi.docx"),
        ("x" * 200 + ".pdf", "x" * files.STORED_STEM_MAX + ".pdf"),
        ("report.p<d>f", "report.pdf"),
    ],
)
def test_the_stored_name_is_safe_and_short_and_the_learners_name_is_kept(
    section: PortfolioSection, aroha: User, media: Path, name: str, stored: str
) -> None:
    item = evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PDF, name))
    assert item.original_name == name
    assert item.file.name.rsplit("/", 1)[1] == stored


def test_a_zip_bomb_in_the_mimetype_part_is_not_expanded() -> None:
    huge = "application/vnd.oasis.opendocument.text" + " " * (50 * files.MB)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", huge)
    content = buffer.getvalue()
    assert len(content) < files.MB  # compressed, it is small
    stream = io.BytesIO(content)
    assert files.identify(stream, content[:64]).content_type == "application/vnd.oasis.opendocument.text"


def test_the_limits_default_to_50_mb_a_file_and_500_mb_a_portfolio() -> None:
    assert files.max_file_bytes() == 50 * files.MB
    assert files.quota_bytes() == 500 * files.MB
