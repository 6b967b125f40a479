"""Bounded uploads: an oversized file is refused by its size without being written to disk; CSRF still holds."""

from __future__ import annotations

from typing import Any
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings

from credo.core.uploads import bounded_upload

LIMIT = 1000


@bounded_upload(LIMIT)
def _take_file(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    assert isinstance(upload, UploadedFile)
    kept = upload.read()
    return HttpResponse(f"{upload.size} {len(kept)}")


def _post(content: bytes, *, csrf_checked: bool = False) -> Any:
    request = RequestFactory().post("/", {"file": SimpleUploadedFile("a.csv", content)})
    setattr(request, "_dont_enforce_csrf_checks", not csrf_checked)  # as the test client does  # noqa: B010
    return request


@override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=10)  # without the bound, anything bigger goes to a temporary file
def test_an_oversized_file_keeps_one_byte_over_the_limit_in_memory_and_reports_its_whole_size() -> None:
    with mock.patch.object(TemporaryFileUploadHandler, "new_file") as to_disk:
        response = _take_file(_post(b"x" * 5000))
    assert response.content == f"5000 {LIMIT + 1}".encode()
    to_disk.assert_not_called()


def test_a_file_within_the_limit_is_kept_whole() -> None:
    assert _take_file(_post(b"y" * LIMIT)).content == f"{LIMIT} {LIMIT}".encode()


def test_the_csrf_token_is_still_checked() -> None:
    assert _take_file(_post(b"z", csrf_checked=True)).status_code == 403
