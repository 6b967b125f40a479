"""The public verify page: a credential by its address, as an uploaded file, or pasted; each check in plain words.

The page is public and changes nothing, so it takes no CSRF token: anonymous
pages stay free of the CSRF cookie (see base.html), and a forged request could
only show someone a verification result they cannot be made to act on.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from credo.core.http import ClientRateThrottle, HtmxHttpRequest
from credo.core.uploads import bounded_upload
from credo.credentials import links, verification
from credo.credentials.ob3.errors import CredentialError

VERIFY_PER_MINUTE = 30
VERIFY_RATE = f"{VERIFY_PER_MINUTE}/min"
TITLE = "Verify a credential"
FIELD_IDS = {"url": "verify-url", "file": "verify-file", "paste": "verify-paste"}


class VerifyRateLimit(ClientRateThrottle):
    """Checking a credential costs real CPU (canonicalization), so each client may ask ``VERIFY_RATE`` times a minute.

    Shared by the page and the API. Per signed-in user, else per client address
    (``credo.core.http.client_address``); counted in the shared cache, so every web process
    draws on the same allowance; off when ``CREDO_RATE_LIMITS`` turns rate limits off.
    """

    scope = "verify"

    def __init__(self) -> None:
        super().__init__(VERIFY_RATE)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user = request.user
        ident = f"user-{user.pk}" if user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


# The page is public and CSRF-exempt (see the module docstring), so no CSRF check follows the handler.
bounded_uploads = bounded_upload(verification.MAX_UPLOAD_BYTES, check_csrf=False)


def credential_from_file(upload: UploadedFile) -> dict[str, Any]:
    """The credential in an uploaded file, read no further than the size limit."""
    data = upload.read(verification.MAX_UPLOAD_BYTES + 1)
    return verification.credential_from_upload(data, size=max(upload.size or 0, len(data)))


def _way_in(request: HttpRequest) -> str | None:
    """Which of the three ways the credential came: url, file or paste (None: nothing given yet)."""
    if request.method == "GET":
        return "url" if request.GET.get("url", "").strip() else None
    try:
        way = request.POST.get("way") or ("file" if "file" in request.FILES else "paste")
    except RequestDataTooBig:
        raise CredentialError(verification.too_large()) from None
    return way if way in FIELD_IDS else "paste"


def _credential(request: HttpRequest, way: str) -> dict[str, Any]:
    if way == "url":
        return verification.credential_from_address(request.user, request.GET["url"])
    if way == "file":
        upload = request.FILES.get("file")
        if upload is None:
            raise CredentialError("Choose a file to upload: the credential's JSON, or a badge image (PNG or SVG).")
        return credential_from_file(upload)
    pasted = request.POST.get("credential", "")
    if not pasted.strip():
        raise CredentialError("Paste the credential's JSON into the box.")
    return verification.parse(pasted)


@csrf_exempt  # public and side-effect free: see the module docstring
@never_cache  # a verdict holds for now: a credential can be revoked a minute later
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
@bounded_uploads
def verify(request: HtmxHttpRequest) -> HttpResponse:
    """The form, and the report when a credential was given (``?url=`` verifies straight from a link)."""
    context: dict[str, Any] = {
        "address": request.GET.get("url", "").strip(),
        "example": links.credential_page("…"),
        "max_json": verification.size_in_words(verification.MAX_BYTES),
        "max_upload": verification.size_in_words(verification.MAX_UPLOAD_BYTES),
        "field_ids": FIELD_IDS,
    }
    status = 200
    try:
        way = _way_in(request)
        context["way"] = way
        if way is not None:
            throttle = VerifyRateLimit()
            if not throttle.allow_request(request):
                context["problem"] = (
                    "You have checked many credentials in the last minute: wait a minute and try again."
                )
                status = 429
            else:
                context["report"] = verification.verify_credential(_credential(request, way))
    except CredentialError as error:
        context["problem"] = str(error)
    # "Error:" first when the input was refused (GOV.UK's pattern); an htmx swap carries the title too.
    context["title"] = ("Error: " if "problem" in context else "Result: " if "report" in context else "") + TITLE
    if context.get("way") == "paste":  # kept in the box, to correct it without pasting again
        context["pasted"] = request.POST.get("credential", "")[: verification.MAX_BYTES]
    template = "credentials/verify_result.html" if request.htmx else "credentials/verify.html"
    # htmx swaps only successful responses; the refusal is in the page either way.
    return render(request, template, context, status=200 if request.htmx else status)
