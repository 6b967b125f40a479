"""Documents for machines: DID documents, status list credentials, credentials as issued."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from credo.credentials import access
from credo.credentials.models import DidMethod
from credo.credentials.services.issuers import did_document
from credo.credentials.services.status import status_list_json

JSON_LD = "application/ld+json"


def _document(body: str, content_type: str, max_age: int) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"  # verifiers run in other sites' pages too
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def issuer_did(request: HttpRequest, slug: str) -> HttpResponse:
    issuer = access.public_issuer(slug)
    if issuer.did_method != DidMethod.WEB:
        return HttpResponse("This issuer uses did:key, which needs no document.", status=404, content_type="text/plain")
    return _document(json.dumps(did_document(issuer), indent=2), "application/did+json", 300)


@require_GET
def status_list(request: HttpRequest, slug: str, purpose: str, number: int) -> HttpResponse:
    # Short-lived cache: a revocation should reach verifiers within minutes, not days.
    return _document(status_list_json(access.public_status_list(slug, purpose, number)), "application/vc+ld+json", 300)


@require_GET
def credential_json(request: HttpRequest, public_id: str) -> HttpResponse:
    """The exact JSON that was issued, byte for byte."""
    credential = access.viewable_credential(request.user, public_id)
    response = _document(credential.issued_json, JSON_LD, 60)
    if not credential.is_public:
        # Seen only by the learner or the issuer's staff: no shared cache may keep it.
        response["Cache-Control"] = "private, max-age=0"
    response["Content-Disposition"] = f'inline; filename="credential-{credential.public_id}.json"'
    return response
