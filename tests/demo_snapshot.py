"""The demo, loaded once per test process and copied back for each test that needs it.

`load_demo()` takes seconds; copying its rows back takes a fraction of one. The copy is taken
straight after the first load in a process, so every later test starts from exactly the rows
(and the stored files) a fresh load gave, whatever the test before it did.

- SQLite (the tests' database is a file per test process, see the root conftest): SQLite's backup
  API copies the whole database, schema and triggers included, into an in-memory database, and back.
- PostgreSQL: every table is copied into a schema of its own (outside the search path, so no
  test sees it); restoring empties every table, with the audit log's append-only triggers
  lifted for that moment, and copies the rows back.

The files the demo stores (evidence uploads in MEDIA_ROOT, the attestation link in VAR_DIR) are
copied too, as a test may delete one.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from credo.audit import triggers

SCHEMA = "credo_demo_snapshot"


class DemoSnapshot:
    """A copy of one database (and of the demo's files) to restore for each test."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.connection = connection
        self.vendor = connection.vendor
        self.tables: list[str] = []
        self.filled: list[str] = []
        self.sqlite: sqlite3.Connection | None = None
        self.files = Path(tempfile.mkdtemp(prefix="credo-demo-snapshot-"))
        self.folders = {name: Path(getattr(settings, name)) for name in ("MEDIA_ROOT", "VAR_DIR")}

    @classmethod
    def take(cls, connection: BaseDatabaseWrapper) -> DemoSnapshot:
        snapshot = cls(connection)
        if snapshot.vendor == "sqlite":
            snapshot._take_sqlite()
        elif snapshot.vendor == "postgresql":
            snapshot._take_postgresql()
        else:
            raise NotImplementedError(f"no demo snapshot for {snapshot.vendor}")
        for name, folder in snapshot.folders.items():
            if folder.is_dir():
                shutil.copytree(folder, snapshot.files / name)
        return snapshot

    def restore(self) -> None:
        """Put back the rows and the files as they were when the snapshot was taken."""
        for name, folder in self.folders.items():
            shutil.rmtree(folder, ignore_errors=True)
            if (self.files / name).is_dir():
                shutil.copytree(self.files / name, folder)
        if self.vendor == "sqlite":
            self._restore_sqlite()
        else:
            self._restore_postgresql()
        # Content types are cached by id in each process; the ids are the snapshot's again.
        ContentType.objects.clear_cache()

    # --- SQLite --------------------------------------------------------------------------------------------------

    def _raw(self) -> sqlite3.Connection:
        self.connection.ensure_connection()
        raw = self.connection.connection
        assert isinstance(raw, sqlite3.Connection), "the SQLite connection should be sqlite3's own"
        return raw

    def _take_sqlite(self) -> None:
        self.sqlite = sqlite3.connect(":memory:", check_same_thread=False)
        self._raw().backup(self.sqlite)

    def _restore_sqlite(self) -> None:
        assert self.sqlite is not None
        self.sqlite.backup(self._raw())

    # --- PostgreSQL ----------------------------------------------------------------------------------------------

    def _take_postgresql(self) -> None:
        quote = self.connection.ops.quote_name
        self.tables = sorted(self.connection.introspection.django_table_names(only_existing=True, include_views=False))
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote(SCHEMA)} CASCADE")
            cursor.execute(f"CREATE SCHEMA {quote(SCHEMA)}")
            for table in self.tables:
                cursor.execute(f"CREATE UNLOGGED TABLE {quote(SCHEMA)}.{quote(table)} AS TABLE {quote(table)}")
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(SCHEMA)}.{quote(table)})")  # noqa: S608 - our tables
                if cursor.fetchone()[0]:
                    self.filled.append(table)

    def _restore_postgresql(self) -> None:
        quote = self.connection.ops.quote_name
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            # Emptying the audit log is what its triggers are there to refuse: lifted for this moment only.
            triggers.remove(self.connection)
            # DELETE, not TRUNCATE: on tables this small it is a hundred times quicker (see the root conftest's
            # flush). Foreign keys are checked when the transaction commits, so the order does not matter.
            # Every name here is one of Django's own tables, quoted.
            cursor.execute(";".join(f"DELETE FROM {quote(table)}" for table in self.tables))  # noqa: S608
            cursor.execute(
                ";".join(
                    f"INSERT INTO {quote(table)} SELECT * FROM {quote(SCHEMA)}.{quote(table)}"  # noqa: S608
                    for table in self.filled
                )
            )
            triggers.install(self.connection)
            # The rows keep their ids: each sequence goes on from the highest, as after `loaddata`.
            resets = self.connection.ops.sequence_reset_sql(no_style(), _models_of(self.filled))
            if resets:
                cursor.execute("\n".join(resets))


def _models_of(tables: list[str]) -> list[Any]:
    from django.apps import apps

    wanted = set(tables)
    return [model for model in apps.get_models(include_auto_created=True) if model._meta.db_table in wanted]


def restorer(connection: BaseDatabaseWrapper, load: Callable[[], object]) -> Callable[[], None]:
    """A function that gives a test the loaded demo: loaded by `load` the first time, restored after that."""
    taken: list[DemoSnapshot] = []

    def demo() -> None:
        if taken:
            taken[0].restore()
        else:
            load()
            taken.append(DemoSnapshot.take(connection))

    return demo
