"""The public addresses credo gives issuers, achievements, credentials and status lists.

They are built from ``SITE_URL`` because they end up inside signed credentials:
they must be the installation's public address, not whatever host a request used.
"""

from django.conf import settings

from credo.credentials.ob3.did import did_web


def site() -> str:
    return str(settings.SITE_URL).rstrip("/")


def issuer_did_web(slug: str) -> str:
    return did_web(site(), "issuers", slug)


def issuer_page(slug: str) -> str:
    return f"{site()}/issuers/{slug}"


def achievement_url(public_id: object) -> str:
    return f"{site()}/achievements/{public_id}"


def credential_page(public_id: object) -> str:
    return f"{site()}/credentials/{public_id}"


def credential_json(public_id: object) -> str:
    return f"{site()}/credentials/{public_id}.json"


def status_list_url(slug: str, purpose: str, number: int) -> str:
    return f"{site()}/status/{slug}/{purpose}/{number}"
