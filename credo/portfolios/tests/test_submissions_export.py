"""The ZIP exports: the portfolio as it is now and each submitted attempt, streamed, with an escaped index."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse

from credo.accounts.models import User
from credo.portfolios.models import EvidenceItem, Portfolio
from credo.portfolios.services import export, submissions
from credo.programmes.models import Enrolment, EnrolmentState
from credo.programmes.services import enrolments

from .submission_builders import make_ready

pytestmark = pytest.mark.django_db

SignIn = Callable[[User | None], Client]


def _archive(response: StreamingHttpResponse) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[arg-type]


@pytest.fixture
def ready(cld_portfolio: Portfolio, aroha: User) -> Portfolio:
    make_ready(cld_portfolio, aroha)
    # A title is plain text: whatever it holds must reach the index as text, never as markup.
    EvidenceItem.objects.filter(title="Reflection").update(title="<script>alert('x')</script> reflection")
    return cld_portfolio


def test_the_portfolio_downloads_as_a_streamed_zip_with_an_escaped_index_and_its_files(
    ready: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: SignIn
) -> None:
    response = client_for(aroha).get(reverse("portfolios:portfolio-export", args=[cld_enrolment.pk]))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    archive = _archive(response)
    assert archive.testzip() is None
    index = archive.read("index.html").decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; reflection" in index
    assert "<script" not in index
    assert "Your CLD case study" in index
    assert "Mere Participant" in index
    (pdf_path,) = [name for name in archive.namelist() if name.startswith("files/")]
    stored = EvidenceItem.objects.get(kind="file")
    assert hashlib.sha256(archive.read(pdf_path)).hexdigest() == stored.sha256
    assert f'href="{pdf_path}"' in index


def test_a_submission_downloads_with_its_manifest_whose_hash_is_the_receipts(
    ready: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: SignIn
) -> None:
    submission = submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    response = client_for(aroha).get(reverse("portfolios:submission-export", args=[cld_enrolment.pk, 1]))
    assert isinstance(response, StreamingHttpResponse)
    archive = _archive(response)
    assert hashlib.sha256(archive.read("manifest.json")).hexdigest() == submission.content_sha256
    index = archive.read("index.html").decode()
    assert submission.content_sha256 in index
    assert "<script" not in index


def test_the_zip_is_written_in_chunks_not_all_at_once(ready: Portfolio, aroha: User, media: object) -> None:
    big = EvidenceItem.objects.get(kind="file")
    with big.file.open("wb") as stream:  # a larger file in place of the PDF: the archive does not check hashes
        stream.write(b"%PDF" + b"\0" * (1024 * 1024))
    chunks = list(export.portfolio_zip(ready))
    assert len(chunks) > 10
    assert max(len(c) for c in chunks) < 200 * 1024


def test_a_withdrawn_learner_keeps_access_to_their_portfolio_export(
    ready: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: SignIn
) -> None:
    enrolments.withdraw(cld_enrolment, actor=aroha, reason="Moving overseas")
    assert Enrolment.objects.get(pk=cld_enrolment.pk).state == EnrolmentState.WITHDRAWN
    response = client_for(aroha).get(reverse("portfolios:portfolio-export", args=[cld_enrolment.pk]))
    assert response.status_code == 200
    assert "index.html" in _archive(response).namelist()


def test_file_names_in_the_archive_cannot_escape_its_folders(ready: Portfolio) -> None:
    EvidenceItem.objects.filter(kind="file").update(original_name="..\u2215..\u2215etc passwd.pdf")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(export.portfolio_zip(ready))))
    for name in archive.namelist():
        assert not name.startswith("/")
        assert ".." not in name.split("/")
