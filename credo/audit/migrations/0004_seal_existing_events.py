"""Seal the events written before the audit key with it (see credo.audit.legacy and decision 0001).

Refuses, changing nothing, if the existing chain is already broken. Cannot be undone: the unkeyed
hashes are gone, and unkeyed hashes are what an insider could forge.
"""

from typing import Any

from django.db import migrations

from credo.audit import legacy, triggers


def seal_existing_events(apps: Any, schema_editor: Any) -> None:
    # Lifted for the re-seal only. Installed again either way: on SQLite, 0003 rebuilt the table and its triggers
    # went with the old one.
    triggers.remove(schema_editor.connection)
    legacy.seal_unkeyed_events(apps.get_model("audit", "AuditEvent"), apps.get_model("audit", "ChainHead"))
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_auditevent_key_id")]

    operations = [migrations.RunPython(seal_existing_events)]
