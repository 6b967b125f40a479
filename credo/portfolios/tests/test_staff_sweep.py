"""The sweep of stored evidence files nothing names: left by an outer transaction's rollback after an upload."""

from __future__ import annotations

import datetime
import io
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from credo.accounts.models import User
from credo.portfolios.models import EvidenceItem, Portfolio, SubmittedFile
from credo.portfolios.services import evidence, sweep
from credo.portfolios.services.sweep import sweep_orphan_files

from .builders import PDF, PNG, upload
from .staff_builders import submitted

pytestmark = pytest.mark.django_db

GRACE = datetime.timedelta(days=1)


def _age(media: Path, name: str, age: datetime.timedelta) -> None:
    """Set a stored file's modification time to ``age`` before the tests' 'now'."""
    moment = (timezone.now() - age).timestamp()
    os.utime(media / name, (moment, moment))


def _stored(name: str, content: bytes = PDF) -> str:
    return default_storage.save(name, ContentFile(content))


def _rolled_back_upload(portfolio: Portfolio, learner: User, content: bytes = PDF) -> str:
    """An upload stored by add_file whose caller's own transaction then rolled back: the file stays, its row not."""
    section = portfolio.sections.get(position=1)
    stored: list[str] = []

    def upload_then_fail() -> None:
        with transaction.atomic():
            item = evidence.add_file(section=section, actor=learner, uploaded_file=upload(content, "lost.pdf"))
            stored.append(item.file.name)
            raise RuntimeError("the caller's next step failed")

    with pytest.raises(RuntimeError):
        upload_then_fail()
    [name] = stored
    assert default_storage.exists(name)
    assert not EvidenceItem.objects.filter(file=name).exists()
    return name


def test_a_file_left_by_a_rolled_back_upload_is_deleted_once_past_the_grace_period(
    cld_portfolio: Portfolio, aroha: User, media: Path
) -> None:
    lost = _rolled_back_upload(cld_portfolio, aroha)
    kept = evidence.add_file(
        section=cld_portfolio.sections.get(position=1), actor=aroha, uploaded_file=upload(PNG, "a.png")
    )
    for name in (lost, kept.file.name):
        _age(media, name, datetime.timedelta(days=3))
    found: list[tuple[str, int]] = []
    result = sweep_orphan_files(older_than=GRACE, on_orphan=lambda name, size: found.append((name, size)))
    assert found == [(lost, len(PDF))]
    assert (result.examined, result.orphans, result.orphan_bytes) == (2, 1, len(PDF))
    assert not default_storage.exists(lost)
    assert default_storage.exists(kept.file.name)
    again = sweep_orphan_files(older_than=GRACE)  # safe to run twice: nothing more to do
    assert (again.examined, again.orphans) == (1, 0)


def test_a_recent_file_is_left_for_now(cld_portfolio: Portfolio, aroha: User, media: Path) -> None:
    lost = _rolled_back_upload(cld_portfolio, aroha)
    _age(media, lost, datetime.timedelta(hours=2))  # may be an upload whose row is still being committed
    result = sweep_orphan_files(older_than=GRACE)
    assert (result.orphans, result.too_recent) == (0, 1)
    assert default_storage.exists(lost)


def test_a_file_a_submission_names_is_kept_after_its_item_is_gone(
    cld_portfolio: Portfolio, aroha: User, media: Path
) -> None:
    item = evidence.add_file(section=cld_portfolio.sections.get(position=1), actor=aroha, uploaded_file=upload(PDF))
    submission = submitted(cld_portfolio)
    SubmittedFile.objects.create(
        submission=submission,
        file=item.file.name,
        original_name="agenda.pdf",
        content_type="application/pdf",
        size=item.size or 0,
        sha256=item.sha256,
    )
    EvidenceItem.objects.filter(pk=item.pk).delete()
    _age(media, item.file.name, datetime.timedelta(days=30))
    assert sweep_orphan_files(older_than=GRACE).orphans == 0
    assert default_storage.exists(item.file.name)


def test_files_outside_the_upload_layout_are_never_touched(media: Path, db: None) -> None:
    others = [
        _stored("private/portfolios/exports/portfolio.zip"),
        _stored("private/portfolios/7/loose.pdf"),
        _stored("private/other/7/abc/file.pdf"),
    ]
    for name in others:
        _age(media, name, datetime.timedelta(days=30))
    assert sweep_orphan_files(older_than=GRACE).examined == 0
    assert all(default_storage.exists(name) for name in others)


def test_nothing_stored_yet_is_nothing_to_do(media: Path, db: None) -> None:
    assert sweep_orphan_files(older_than=GRACE) == sweep.SweepResult()


def test_names_are_checked_in_batches_two_queries_each(media: Path, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sweep, "BATCH", 2)
    for n in range(5):
        _age(media, _stored(f"private/portfolios/9/u{n}/f.pdf"), datetime.timedelta(days=2))
    with CaptureQueriesContext(connection) as captured:
        result = sweep_orphan_files(older_than=GRACE, dry_run=True)
    assert (result.examined, result.orphans, len(captured)) == (5, 5, 6)


def test_the_command_lists_with_dry_run_then_deletes(cld_portfolio: Portfolio, aroha: User, media: Path) -> None:
    lost = _rolled_back_upload(cld_portfolio, aroha)
    _age(media, lost, datetime.timedelta(days=2))
    out = io.StringIO()
    call_command("sweep_portfolio_files", "--dry-run", stdout=out)
    assert f"Would delete {lost}" in out.getvalue()
    assert "Would delete 1 file that nothing names" in out.getvalue()
    assert default_storage.exists(lost)
    out = io.StringIO()
    call_command("sweep_portfolio_files", stdout=out)
    assert f"Deleted {lost}" in out.getvalue()
    assert not default_storage.exists(lost)
    out = io.StringIO()
    call_command("sweep_portfolio_files", "--older-than-hours", "72", stdout=out)
    assert "Deleted 0 files" in out.getvalue()


def test_the_command_refuses_a_grace_period_under_an_hour(db: None) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        call_command("sweep_portfolio_files", "--older-than-hours", "0")
