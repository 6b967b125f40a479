"""The database triggers that refuse UPDATE, DELETE and TRUNCATE on audit events.

Installed by migration 0002. Tampering then needs someone to drop them first,
and the hash chain shows what they did (`manage.py verify_audit`). Test
fixtures that must empty the whole database lift them for that moment only.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditevent"
MESSAGE = "the audit log is append-only"

INSTALL = {
    "sqlite": [
        f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
        f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;",
    ],
    "postgresql": [
        f"""CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;""",
        f"""CREATE OR REPLACE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE}
            FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();""",
        f"""CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE}
            FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();""",
    ],
}

REMOVE = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_delete;"],
    "postgresql": [
        f"DROP TRIGGER IF EXISTS audit_no_update_delete ON {TABLE};",
        f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE};",
        "DROP FUNCTION IF EXISTS audit_refuse_change();",
    ],
}


def _execute(connection: Any, statements: dict[str, list[str]]) -> None:
    with connection.cursor() as cursor:
        for statement in statements.get(connection.vendor, []):
            cursor.execute(statement)


def install(connection: Any) -> None:
    _execute(connection, INSTALL)


def remove(connection: Any) -> None:
    _execute(connection, REMOVE)
