"""Settings come from the environment; production mode passes Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[3]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CREDO_", "DATABASE_URL"))}
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_mode_passes_the_deployment_checks(tmp_path: Path) -> None:
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        CREDO_PRODUCTION="1", SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-1234567890",
        ALLOWED_HOSTS="credo.example.org", CREDO_VAR_DIR=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _manage("check", CREDO_PRODUCTION="1", ALLOWED_HOSTS="credo.example.org", CREDO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_an_unknown_storage_backend_is_named(tmp_path: Path) -> None:
    result = _manage("check", FILE_STORAGE="ftp", CREDO_VAR_DIR=str(tmp_path))
    assert "FILE_STORAGE must be 'local' or 's3'; got 'ftp'." in result.stderr


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("yes", True), ("off", False), ("", False)])
def test_booleans_read_the_usual_spellings(monkeypatch: pytest.MonkeyPatch, raw: str, value: bool) -> None:
    monkeypatch.setenv("CREDO_FLAG", raw)
    assert env_bool("CREDO_FLAG") is value


def test_a_mistyped_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDO_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="CREDO_FLAG must be one of"):
        env_bool("CREDO_FLAG")


def test_a_mistyped_number_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_PORT", "five-eight-seven")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be a whole number"):
        env_int("EMAIL_PORT", 587)


def test_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example, b.example,,")
    assert env_list("ALLOWED_HOSTS") == ["a.example", "b.example"]


def _setting(expression: str, **env: str) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = _manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_without_an_smtp_host_mail_goes_to_the_outbox_under_var(tmp_path: Path) -> None:
    assert _setting("settings.EMAIL_BACKEND", CREDO_VAR_DIR=str(tmp_path)) == "credo.core.outbox.OutboxEmailBackend"
    assert _setting("settings.EMAIL_OUTBOX_DIR", CREDO_VAR_DIR=str(tmp_path)) == str(tmp_path / "outbox")
    smtp = _setting("settings.EMAIL_BACKEND", CREDO_VAR_DIR=str(tmp_path), EMAIL_HOST="smtp.example.org")
    assert smtp == "django.core.mail.backends.smtp.EmailBackend"


def test_the_outbox_pages_are_off_by_default_and_never_on_in_production(tmp_path: Path) -> None:
    assert _setting("settings.DEV_OUTBOX", CREDO_VAR_DIR=str(tmp_path)) == "False"
    assert _setting("settings.DEV_OUTBOX", CREDO_VAR_DIR=str(tmp_path), CREDO_DEV_OUTBOX="1") == "True"
    assert _setting("settings.DEV_OUTBOX", CREDO_VAR_DIR=str(tmp_path), DEBUG="1") == "True"
    production = _setting(
        "settings.DEV_OUTBOX", CREDO_VAR_DIR=str(tmp_path), CREDO_DEV_OUTBOX="1", DEBUG="1", CREDO_PRODUCTION="1",
        SECRET_KEY="x" * 50, ALLOWED_HOSTS="credo.example.org",
    )  # fmt: skip
    assert production == "False"


@pytest.mark.django_db
def test_migrate_makes_the_database_caches_table() -> None:
    """The default cache (rate limits shared by every web process) needs its table from the first `migrate`."""
    from django.conf import settings
    from django.db import connection

    assert settings.CACHE_TABLE in connection.introspection.table_names()


@pytest.mark.parametrize(
    ("url", "backend", "location"),
    [
        ("db://", "django.core.cache.backends.db.DatabaseCache", "credo_cache"),
        (
            "redis://cache.internal:6379/0",
            "django.core.cache.backends.redis.RedisCache",
            "redis://cache.internal:6379/0",
        ),
        (
            "rediss://cache.internal:6380/1",
            "django.core.cache.backends.redis.RedisCache",
            "rediss://cache.internal:6380/1",
        ),
        (
            "memcached://m1:11211,m2:11211",
            "django.core.cache.backends.memcached.PyMemcacheCache",
            ["m1:11211", "m2:11211"],
        ),
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache", None),
    ],
)
def test_cache_url_chooses_the_shared_cache(url: str, backend: str, location: object) -> None:
    from config.settings import _cache

    cache = _cache(url)
    assert cache["BACKEND"] == backend
    assert cache.get("LOCATION") == location


def test_a_mistyped_cache_url_names_the_variable() -> None:
    from config.settings import _cache

    with pytest.raises(ImproperlyConfigured, match="CACHE_URL must be db://"):
        _cache("memcache://m1:11211")


def test_production_refuses_a_cache_in_one_process_s_memory(tmp_path: Path) -> None:
    result = _manage(
        "check", CREDO_PRODUCTION="1", SECRET_KEY="x" * 50, ALLOWED_HOSTS="credo.example.org",
        CREDO_VAR_DIR=str(tmp_path), CACHE_URL="locmem://",
    )  # fmt: skip
    assert result.returncode != 0
    assert "CACHE_URL must be db://" in result.stderr


def test_operators_need_a_second_factor_by_default_in_production_only(tmp_path: Path) -> None:
    assert _setting("settings.CREDO_OPERATOR_MFA", CREDO_VAR_DIR=str(tmp_path)) == "False"
    production = _setting(
        "settings.CREDO_OPERATOR_MFA", CREDO_VAR_DIR=str(tmp_path), CREDO_PRODUCTION="1",
        SECRET_KEY="x" * 50, ALLOWED_HOSTS="credo.example.org",
    )  # fmt: skip
    assert production == "True"
