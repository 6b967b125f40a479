"""`python -m credo.core.dbcheck URL`: exit 0 if a PostgreSQL server answers at URL, else 1.

The Makefile uses it to decide whether the PostgreSQL run of the suite can happen.
"""

from __future__ import annotations

import sys

import psycopg


def reachable(url: str) -> bool:
    try:
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


if __name__ == "__main__":
    sys.exit(0 if reachable(sys.argv[1]) else 1)
