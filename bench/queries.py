"""Count the database queries each endpoint makes, in-process, against the bench database.

Run by the harness as `python -m bench.queries` with the same environment as the
server, so it reads the same throwaway database with the same settings. It is a
separate process so that Django's global state (settings, connections) never mixes
with the load generator. Prints one JSON object, {endpoint name: queries}, as the
last line of stdout; exits non-zero if any endpoint does not answer 200.
"""

from __future__ import annotations

import json
import sys

import django


def count_queries() -> dict[str, int]:
    """One warm-up request per endpoint (fills caches, compiles templates), then one counted request."""
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.endpoints import ENDPOINTS

    # The test client's default host, "testserver", is not in ALLOWED_HOSTS here: use the server's.
    client = Client(SERVER_NAME="127.0.0.1")
    counts: dict[str, int] = {}
    for name, path in ENDPOINTS:
        warm = client.get(path)
        if warm.status_code != 200:
            raise SystemExit(f"bench: {name} ({path}) answered {warm.status_code} to the warm-up request")
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"bench: {name} ({path}) answered {response.status_code}")
        counts[name] = len(captured.captured_queries)
    return counts


def main() -> None:
    sys.stdout.write(json.dumps(count_queries()) + "\n")


if __name__ == "__main__":
    main()
