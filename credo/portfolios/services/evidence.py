"""Evidence in a portfolio: written text (versioned, refused when stale), links and files. Only the learner writes."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from credo.portfolios.models import (
    EvidenceItem,
    EvidenceVersion,
    ItemKind,
    Portfolio,
    PortfolioSection,
    SubmittedFile,
)
from credo.portfolios.services import files
from credo.portfolios.services.common import (
    TITLE_MAX,
    EditConflictError,
    audit,
    clean_title,
    lock_item,
    lock_section,
    require_learner,
)
from credo.portfolios.services.sanitising import sanitise_html, word_count

URL_MAX = 2000  # EvidenceItem.url
TEXT_MAX = 500_000  # characters of HTML as typed: about 60,000 words, far past any section's suggested length


def _clean_text(html: str) -> str:
    if len(html) > TEXT_MAX:
        raise ValidationError(
            {"html": f"This text is longer than {TEXT_MAX:,} characters: split it into more than one piece of writing."}
        )
    return sanitise_html(html)


@transaction.atomic
def add_text(*, section: PortfolioSection, actor: Any, title: str, html: str) -> EvidenceItem:
    section = lock_section(section)
    require_learner(actor, section.portfolio)
    clean = _clean_text(html)
    item = EvidenceItem.objects.create(
        section=section,
        portfolio=section.portfolio,
        kind=ItemKind.TEXT,
        title=clean_title(title),
        html=clean,
        word_count=word_count(clean),
        created_by=actor,
    )
    EvidenceVersion.objects.create(item=item, number=1, html=item.html, word_count=item.word_count, saved_by=actor)
    audit(actor, "text_added", item, section.portfolio, section=section.position, title=item.title)
    return item


@transaction.atomic
def save_text(*, item: EvidenceItem, actor: Any, html: str, expected_version: int) -> EvidenceItem:
    """Save a new version of a text item, unless someone saved since the editor loaded ``expected_version``.

    Autosave calls this every few seconds, so it is not audited (each version is kept instead); an unchanged
    text makes no new version.
    """
    item = lock_item(item)
    require_learner(actor, item.portfolio)
    if item.kind != ItemKind.TEXT:
        raise ValidationError("Only written text can be edited; replace a file or link by adding a new one.")
    if item.version != expected_version:
        cohort_zone = item.portfolio.enrolment.cohort.time_zone
        at = timezone.localtime(item.updated_at, ZoneInfo(cohort_zone))
        raise EditConflictError(
            f"This was changed in another tab or window at {at:%H:%M}; copy your text, reload, and merge.",
            code="conflict",
        )
    clean = _clean_text(html)
    if clean == item.html:
        return item
    item.html = clean
    item.word_count = word_count(clean)
    item.version += 1
    item.save(update_fields=["html", "word_count", "version", "updated_at"])
    EvidenceVersion.objects.create(
        item=item, number=item.version, html=item.html, word_count=item.word_count, saved_by=actor
    )
    return item


def link_problem(url: str) -> str | None:
    if not url:
        return "Enter the link's address, starting with https://."
    if len(url) > URL_MAX:
        return f"The address is longer than {URL_MAX} characters: use a shorter link to the same page."
    if urlsplit(url).scheme.lower() not in {"http", "https"}:
        return "Enter a web address starting with https:// (or http://)."
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return "Enter a full web address, such as https://www.example.org/report."
    return None


@transaction.atomic
def add_link(*, section: PortfolioSection, actor: Any, title: str, url: str) -> EvidenceItem:
    section = lock_section(section)
    require_learner(actor, section.portfolio)
    url = url.strip()
    if problem := link_problem(url):
        raise ValidationError({"url": problem})
    item = EvidenceItem.objects.create(
        section=section,
        portfolio=section.portfolio,
        kind=ItemKind.LINK,
        title=clean_title(title),
        url=url,
        created_by=actor,
    )
    audit(actor, "link_added", item, section.portfolio, section=section.position, title=item.title, url=url)
    return item


def _duplicate_message(existing: EvidenceItem) -> str:
    return (
        f"This file is already in your portfolio, as “{existing.title}” in section {existing.section.position} "
        f"({existing.section.title}). There is no need to upload it again."
    )


def _same_file(portfolio: Portfolio, sha256: str) -> EvidenceItem | None:
    return (
        EvidenceItem.objects.select_related("section")
        .filter(portfolio=portfolio, kind=ItemKind.FILE, sha256=sha256)
        .first()
    )


def quota_used(portfolio: Portfolio) -> int:
    return int(portfolio.items.filter(kind=ItemKind.FILE).aggregate(total=Sum("size"))["total"] or 0)


@transaction.atomic
def add_file(*, section: PortfolioSection, actor: Any, uploaded_file: Any, title: str = "") -> EvidenceItem:
    """Check an upload (name, size, quota, duplicate, type by its bytes), store it privately, and record it.

    The file is measured and hashed chunk by chunk before anything is written, so a refused file leaves nothing
    behind; once stored, a failure to record it deletes it again. (Should a caller's own, outer transaction roll
    back after this returns, the stored file has no row. Django has no rollback hook, so the pages and API (a later
    slice) must call this outside any other transaction; a sweep of such files is left to a later slice too.)
    """
    section = lock_section(section)  # the portfolio's lock: two uploads cannot both fit the last of the quota
    portfolio = section.portfolio
    require_learner(actor, portfolio)
    name = str(getattr(uploaded_file, "name", "") or "")
    if problem := files.name_problem(name):
        raise ValidationError({"file": problem})
    title = clean_title(title or name[:TITLE_MAX])
    limit = files.max_file_bytes()
    measured = files.measure(uploaded_file, limit=limit)
    if measured.size == 0:
        raise ValidationError({"file": f"“{name}” is empty (0 bytes): check it opens, then upload it again."})
    if measured.size > limit:
        raise ValidationError(
            {
                "file": f"“{name}” is larger than {files.in_mb(limit)}, the most one file can be. Make it smaller "
                "(for a video, a shorter clip or a link to where it is published)."
            }
        )
    used, quota = quota_used(portfolio), files.quota_bytes()
    if used + measured.size > quota:
        raise ValidationError(
            {
                "file": f"“{name}” ({files.in_mb(measured.size)}) does not fit: your portfolio holds up to "
                f"{files.in_mb(quota)} of files and {files.in_mb(quota - used)} is left. Remove files you no longer "
                "need, or make this one smaller."
            }
        )
    if (existing := _same_file(portfolio, measured.sha256)) is not None:
        raise ValidationError({"file": _duplicate_message(existing)})
    kind = files.identify(uploaded_file, measured.head)
    stored = default_storage.save(
        f"private/portfolios/{portfolio.pk}/{secrets.token_urlsafe(16)}/{files.storage_name(name)}",
        File(uploaded_file, name=name),
    )
    try:
        with transaction.atomic():
            item = EvidenceItem.objects.create(
                section=section,
                portfolio=portfolio,
                kind=ItemKind.FILE,
                title=title,
                file=stored,
                original_name=name,
                size=measured.size,
                content_type=kind.content_type,
                sha256=measured.sha256,
                created_by=actor,
            )
            audit(
                actor,
                "file_added",
                item,
                portfolio,
                section=section.position,
                name=name,
                size=measured.size,
                sha256=measured.sha256,
                content_type=kind.content_type,
            )
    except IntegrityError:
        default_storage.delete(stored)
        raise ValidationError({"file": "This file is already in your portfolio: reload the page to see it."}) from None
    except BaseException:
        default_storage.delete(stored)
        raise
    return item


@transaction.atomic
def set_sharing(*, item: EvidenceItem, actor: Any, share: bool) -> EvidenceItem:
    """Whether the learner is willing to have this item published with their credential (off unless they say so)."""
    item = lock_item(item)
    require_learner(actor, item.portfolio)
    if item.share_in_credential != share:
        item.share_in_credential = share
        item.save(update_fields=["share_in_credential", "updated_at"])
        audit(actor, "sharing_changed", item, item.portfolio, share_in_credential=share)
    return item


@transaction.atomic
def remove_item(*, item: EvidenceItem, actor: Any) -> None:
    """Remove an item with its versions and mappings; a stored file goes once the removal has committed, unless a
    submission names it (then it is kept for as long as the submission exists)."""
    item = lock_item(item)
    portfolio = item.portfolio
    require_learner(actor, portfolio)
    stored = item.file.name if item.kind == ItemKind.FILE else ""
    audit(actor, "item_removed", item, portfolio, kind=item.kind, title=item.title, sha256=item.sha256)
    item.delete()
    # A submission names its files by their stored path: that file is part of a frozen snapshot and stays.
    if stored and not SubmittedFile.objects.filter(file=stored).exists():
        transaction.on_commit(lambda: default_storage.delete(stored))
