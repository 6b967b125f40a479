"""Uploads refused by their size before they are stored (a roster, a bulk award, a credential to verify).

Django's own upload handlers keep a small upload in memory and write a large one to a temporary file, whatever
its size, before the view can look at it: a 2 GB "roster" would fill the disk first and be refused after.
``BoundedUploadHandler`` keeps at most ``max_bytes`` + 1 bytes of each file in memory and drops the rest, while
the file's reported ``size`` still counts every byte sent; so the form refuses an oversized file by its size (or
by reading more than ``max_bytes``), and nothing of it ever reaches the disk.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from io import BytesIO
from typing import Any

from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class BoundedUploadHandler(FileUploadHandler):
    """Keeps at most ``max_bytes`` + 1 bytes of an upload in memory (one more, so "too large" can be told)."""

    def __init__(self, request: HttpRequest | None = None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.kept = BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.kept = BytesIO()
        raise StopFutureHandlers  # this handler alone stores the file: no temporary file is ever opened

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = self.max_bytes + 1 - self.kept.tell()
        if room > 0:
            self.kept.write(raw_data[:room])
        return None  # the bytes stop here

    def file_complete(self, file_size: int) -> UploadedFile:
        self.kept.seek(0)
        return InMemoryUploadedFile(
            file=self.kept,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,  # every byte sent, kept or not
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def bounded_uploads(
    max_bytes: int, *, csrf: bool = True
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Store the view's uploads with ``BoundedUploadHandler(max_bytes)``.

    The handlers must be set before anything reads ``request.POST``, and the CSRF middleware reads it before the
    view runs: so the view is exempted from the middleware and checked by ``csrf_protect`` once the handlers are
    in place (Django's documented way). ``csrf=False`` for views that check CSRF themselves (django-ninja's
    ``django_auth``) or take no cookie at all.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        inner = csrf_protect(view) if csrf else view

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            request.upload_handlers = [BoundedUploadHandler(request, max_bytes=max_bytes)]
            return inner(request, *args, **kwargs)

        return csrf_exempt(wrapped) if csrf else wrapped

    return decorate
