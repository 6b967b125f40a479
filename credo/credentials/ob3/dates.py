"""Dates as Verifiable Credentials write them: UTC, the T separator, a Z (pitfall 7)."""

import re
from datetime import UTC, datetime

from credo.credentials.ob3.errors import CredentialError

_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)\Z")


def format_datetime(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise CredentialError("a credential date needs a time zone; got a naive datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(value: object, what: str = "the date") -> datetime:
    if not isinstance(value, str) or not _DATETIME.match(value):
        raise CredentialError(f"{what} must look like 2024-03-27T00:00:00Z (with a time zone), not {value!r}")
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
