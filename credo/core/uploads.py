"""Uploads refused by size before anything is stored: the one way a view takes a file of bounded size.

Django stores an upload before the view runs: in memory up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``, and beyond that
in a temporary file on disk, however large the body is. A view that takes a file of at most ``max_bytes`` wraps
itself in ``bounded_upload(max_bytes)``: each file of the request then keeps at most ``max_bytes + 1`` bytes in
memory, the rest is read and dropped, nothing is written to disk, and the file's ``size`` still counts every byte
sent, so the view (or its form) refuses it as too large with words for the person::

    @bounded_upload(awards.MAX_BYTES)
    @login_required
    def bulk_award(request, slug): ...

Django lets a view choose its upload handlers only before anything reads ``request.POST``, and the CSRF
middleware reads it. So the decorator exempts the view from the middleware and checks the CSRF token itself,
after choosing the handler (as Django's documentation on upload handlers advises). The JSON API checks CSRF in
its session authentication, after the view's decorators run: there, ``bounded_upload(n, check_csrf=False)``.
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

View = Callable[..., HttpResponse]


class BoundedUploadHandler(FileUploadHandler):
    """Keeps at most ``max_bytes + 1`` bytes of each uploaded file in memory and drops the rest.

    One byte more than the limit, so "exactly at the limit" and "over it" can be told apart; the file's reported
    ``size`` is every byte that was sent.
    """

    def __init__(self, request: HttpRequest | None = None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.kept = BytesIO()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.kept = BytesIO()
        raise StopFutureHandlers  # this handler alone stores the file: no temporary file on disk

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = self.max_bytes + 1 - self.kept.tell()
        if room > 0:
            self.kept.write(raw_data[:room])

    def file_complete(self, file_size: int) -> UploadedFile:
        self.kept.seek(0)
        return InMemoryUploadedFile(
            file=self.kept,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def bounded_upload(max_bytes: int, *, check_csrf: bool = True) -> Callable[[View], View]:
    """Decorate a view so its uploads are kept in memory up to ``max_bytes + 1`` bytes each, never on disk.

    Put it outermost (above ``login_required``): nothing may read ``request.POST`` before it. With
    ``check_csrf`` (pages) the CSRF token is checked after the handler is chosen; without it (the JSON API,
    whose session authentication checks it), the view must be exempt from the CSRF middleware already.
    """

    def decorate(view: View) -> View:
        checked = csrf_protect(view) if check_csrf else view

        @wraps(view)
        def bounded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            request.upload_handlers = [BoundedUploadHandler(request, max_bytes=max_bytes)]
            return checked(request, *args, **kwargs)

        return csrf_exempt(bounded) if check_csrf else bounded

    return decorate
