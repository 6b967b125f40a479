"""Sending a stored portfolio file to someone already allowed to read it: always as a download, never run in a page.

Evidence is uploaded by learners and could be anything a browser would render (an SVG with a script, an HTML
file renamed). Every file goes out as an attachment, with the type identified from its bytes when it was
uploaded, ``nosniff`` and a sandboxing Content-Security-Policy, and is never cached by a shared cache.
Callers check permission first (``portfolios.access``); this module only sends.
"""

from __future__ import annotations

from django.http import FileResponse

from credo.portfolios.models import EvidenceItem, SubmittedFile


def file_response(stored: EvidenceItem | SubmittedFile) -> FileResponse:
    """The file of an evidence item (or of a submission), streamed from storage as an attachment."""
    response = FileResponse(
        stored.file.open("rb"),
        as_attachment=True,
        filename=stored.original_name or "evidence",
        content_type=stored.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
