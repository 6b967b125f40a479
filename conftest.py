"""Personas shared by every test: one per role, and an outsider who must be refused everywhere.

The awarding body (SEG-like) owns the catalogue; the centre delivers it. Each
persona is a fixture that returns a `User`; `client_for(user)` signs one in.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client, override_settings

from credo.accounts.models import Organisation, OrganisationKind, Role, User
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.audit import triggers

#: Files the tests store (uploads, the demo's evidence) and the demo's var/ notes: one scratch folder per test
#: process, never the checkout's var/.
_SCRATCH = tempfile.mkdtemp(prefix="credo-tests-")


def _test_settings_values() -> dict[str, Any]:
    """Tasks run at once, so their effects can be checked straight after; static files need no build step;
    passwords hash quickly (the real hasher's slowness is its point, and would dominate the suite); files go to a
    scratch folder; the cache (rate limits) is this process's memory, which is right for one test process (one
    server) and needs no database in tests that have none. Sharing limits between processes through the
    database cache has its own tests (credo/accounts/tests/test_shared_limits.py)."""
    return {
        "MEDIA_ROOT": f"{_SCRATCH}/media",
        "VAR_DIR": f"{_SCRATCH}/var",
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    for name, value in _test_settings_values().items():
        setattr(settings, name, value)


@pytest.fixture(scope="class")
def demo_for_the_class(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, loaded once for a whole test class and rolled back after its last test.

    As Django's `setUpTestData` does: the load runs in a transaction held open around the
    class's tests, and each test (marked `django_db`) runs in a savepoint inside it, so what
    one test changes is undone before the next. Loading the demo takes seconds; loaded for
    every test, it made the demo's test classes the slowest part of the suite.
    """
    from credo.front.demo import load_demo

    with django_db_blocker.unblock():
        around_the_class = transaction.atomic()
        around_the_class.__enter__()
        try:
            with override_settings(**_test_settings_values()):
                load_demo()
        except BaseException:
            around_the_class.__exit__(*sys.exc_info())
            raise
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            around_the_class.__exit__(None, None, None)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """No persistent connections in tests: the live server's request threads would leave theirs
    open, and PostgreSQL then refuses to drop the test database.

    On SQLite the test database is a file rather than memory, so that a task worker run as a process of its own
    (credentials/tests/test_issuance_after_a_crash.py) reads and writes the same database as the test."""
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"{_SCRATCH}/test.sqlite3"


@pytest.fixture(scope="session", autouse=True)
def _flush_by_delete_on_postgresql() -> Iterator[None]:
    """A transactional test (the browser tests, the concurrency tests) ends with Django emptying every
    table. On PostgreSQL Django does that with one TRUNCATE of all of them, which makes new files for each
    table and index and took seconds for every such test; DELETE of the same tables leaves them as empty in
    a few milliseconds. Sequences are left alone either way (`reset_sequences` still truncates), and the
    foreign keys, deferred, are checked when the flush's transaction commits, so the order does not matter.
    """
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncating = DatabaseOperations.sql_flush

    def deleting(
        self: DatabaseOperations, style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if reset_sequences or allow_cascade:
            return truncating(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    DatabaseOperations.sql_flush = deleting  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = truncating  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _fresh_cache(_test_settings: None) -> Iterator[None]:
    """Rate limits live in the cache: one test's failed sign-ins must not lock out the next test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def awarding_body(db: None) -> Organisation:
    return OrganisationFactory(
        name="Test Awarding Body", slug="test-awards", kind=OrganisationKind.AWARDING_BODY, country="GB"
    )


@pytest.fixture
def centre(db: None) -> Organisation:
    return OrganisationFactory(name="Test Centre", slug="test-centre", kind=OrganisationKind.PROVIDER, country="GB")


@pytest.fixture
def other_awarding_body(db: None) -> Organisation:
    return OrganisationFactory(
        name="Another Awarding Body", slug="other-awards", kind=OrganisationKind.AWARDING_BODY, country="GB"
    )


def _member(organisation: Organisation, role: str, email: str) -> User:
    return MembershipFactory(user=UserFactory(email=email), organisation=organisation, role=role).user


@pytest.fixture
def catalogue_admin(awarding_body: Organisation) -> User:
    """A programme admin of the awarding body: edits its catalogue."""
    return _member(awarding_body, Role.PROGRAMME_ADMIN, "catalogue-admin@credo.example")


@pytest.fixture
def external_qa(awarding_body: Organisation) -> User:
    return _member(awarding_body, Role.EXTERNAL_QA, "eqa@credo.example")


@pytest.fixture
def ratifier(awarding_body: Organisation) -> User:
    return _member(awarding_body, Role.RATIFIER, "ratifier@credo.example")


@pytest.fixture
def centre_admin(centre: Organisation) -> User:
    return _member(centre, Role.PROGRAMME_ADMIN, "centre-admin@credo.example")


@pytest.fixture
def facilitator(centre: Organisation) -> User:
    return _member(centre, Role.FACILITATOR, "facilitator@credo.example")


@pytest.fixture
def assessor(centre: Organisation) -> User:
    return _member(centre, Role.ASSESSOR, "assessor@credo.example")


@pytest.fixture
def internal_qa(centre: Organisation) -> User:
    return _member(centre, Role.INTERNAL_QA, "iqa@credo.example")


@pytest.fixture
def learner(centre: Organisation) -> User:
    return _member(centre, Role.LEARNER, "learner@credo.example")


@pytest.fixture
def outsider(other_awarding_body: Organisation) -> User:
    """A programme admin, but of another organisation: must be refused everything of ours."""
    return _member(other_awarding_body, Role.PROGRAMME_ADMIN, "outsider@credo.example")


@pytest.fixture
def client_for() -> Iterator[Callable[[User | None], Client]]:
    def sign_in(user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def _audit_triggers_back_after_flush(django_db_blocker: Any) -> Iterator[None]:
    """Set up before the transactional database, so torn down after its flush: put the triggers back."""
    yield
    with django_db_blocker.unblock():
        triggers.install(connection)
        connection.close()  # opened after the test's own was closed; PostgreSQL could not drop the database


@pytest.fixture
def committed_db(_audit_triggers_back_after_flush: None, transactional_db: None) -> Iterator[None]:
    """What the test writes is committed, so other connections, threads and processes see it.

    A transactional test ends by emptying every table, which the audit log's append-only triggers rightly
    refuse: they are lifted for that flush, and put back after it.
    """
    yield
    triggers.remove(connection)
