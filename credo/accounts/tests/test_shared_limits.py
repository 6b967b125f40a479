"""Rate limits hold across web processes: two real servers, one database, one cache (the database cache).

Production runs several web processes. With the cache in each process's memory, four
processes allowed twenty wrong passwords instead of five. Here two `manage.py runserver`
processes serve the same database (on PostgreSQL the test database itself; on SQLite,
whose test database lives in this process's memory, a file copy of it made after the
test wrote its data), each with the settings an installation gets from its environment.
The test plays the reverse proxy at 127.0.0.1 (``CREDO_TRUSTED_PROXIES``) and names each
client's address in ``X-Forwarded-For``.
"""

from __future__ import annotations

import http.client
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.db import connection
from django.urls import reverse

from credo.accounts.models import User
from credo.accounts.tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[3]
HOST = "127.0.0.1"
LOCKED = "Too many failed login attempts. Try again later."
STRANGER, OWNER = "203.0.113.9", "198.51.100.7"
#: Seconds allowed for a server to start answering, and for any one request; bounds, never measurements.
START_TIMEOUT, REQUEST_TIMEOUT = 60.0, 30.0

StartServers = Callable[..., tuple[int, int]]


class Visitor:
    """A browser of sorts: keeps its cookies, sends the CSRF token, and says (through the proxy) who it is."""

    def __init__(self, address: str | None, source: str = HOST) -> None:
        self.address, self.source = address, source
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Host": f"{HOST}:{port}"}
        if self.address is not None:
            headers["X-Forwarded-For"] = self.address
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT, source_address=(self.source, 0))
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                self.cookies.update({name: morsel.value for name, morsel in SimpleCookie(header).items()})
            return response.status, response.read().decode()
        finally:
            conn.close()

    def sign_in(self, port: int, email: str, password: str) -> tuple[int, str]:
        if "csrftoken" not in self.cookies:
            self.request(port, "GET", reverse("account_login"))
        return self.request(port, "POST", reverse("account_login"), {"login": email, "password": password})

    def is_locked_out(self, port: int, email: str, password: str) -> bool:
        status, page = self.sign_in(port, email, password)
        assert status == 200, f"expected the sign-in page back, got {status}"
        assert "The email address and/or password you specified are not correct." in page or LOCKED in page
        return LOCKED in page

    def verify_something(self, port: int) -> int:
        """Ask the public verify page to check some text: refused as no credential, or throttled (429)."""
        return self.request(port, "POST", "/verify", {"way": "paste", "credential": "not a credential"})[0]


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _database_url(tmp_path: Path) -> str:
    """Where the servers find this test's data (call it after writing the data)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        copy = tmp_path / "shared.sqlite3"
        connection.ensure_connection()
        with closing(sqlite3.connect(copy)) as target:
            connection.connection.backup(target)
        return f"sqlite:///{copy}"
    user, password = quote(settings["USER"] or ""), quote(settings["PASSWORD"] or "")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    return f"postgres://{credentials}{settings['HOST'] or HOST}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _wait_until_answering(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped while starting:\n{log.read_text(errors='replace')}")
        with suppress(OSError):
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            finally:
                conn.close()
        time.sleep(0.05)
    raise AssertionError(f"the server did not answer within {START_TIMEOUT:.0f} s:\n{log.read_text(errors='replace')}")


@pytest.fixture
def start_servers(committed_db: None, tmp_path: Path) -> Iterator[StartServers]:
    """Start two web servers on this test's database, with the environment variables given; both are stopped after."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(**environment: str) -> tuple[int, int]:
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CREDO_", "DATABASE_", "CACHE_"))}
        env = {
            **clean,
            "DJANGO_SETTINGS_MODULE": "credo.accounts.tests.server_settings",
            "DATABASE_URL": _database_url(tmp_path),
            "DATABASE_CONN_MAX_AGE": "0",
            "CREDO_VAR_DIR": str(tmp_path / "var"),
            "LOG_LEVEL": "WARNING",
            **environment,
        }
        ports = []
        for n in range(2):
            port, log = _free_port(), tmp_path / f"server-{n}.log"
            with log.open("wb") as output:
                command = [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"{HOST}:{port}"]
                server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603 - our manage.py
                processes.append(server)
            ports.append(port)
        for process, port, n in zip(processes[-2:], ports, range(2), strict=True):
            _wait_until_answering(process, port, tmp_path / f"server-{n}.log")
        return ports[0], ports[1]

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=REQUEST_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def owner(committed_db: None) -> User:
    return UserFactory(email="owner@credo.example")


def test_wrong_passwords_split_across_two_servers_lock_out_after_five(start_servers: StartServers, owner: User) -> None:
    first, second = start_servers(CREDO_TRUSTED_PROXIES=HOST)
    stranger = Visitor(STRANGER)
    locked = [stranger.is_locked_out((first, second)[n % 2], owner.email, f"guess {n}") for n in range(6)]
    assert locked == [False] * 5 + [True]
    assert stranger.is_locked_out(first, owner.email, PASSWORD), "the right password waits too, from that address"
    assert stranger.is_locked_out(second, owner.email, PASSWORD)
    # The owner, from another address, is not locked out by the stranger, on either server.
    status, _ = Visitor(OWNER).sign_in(first, owner.email, PASSWORD)
    assert status == 302
    assert Visitor(OWNER).sign_in(second, owner.email, PASSWORD)[0] == 302


def test_the_verify_throttle_is_shared_by_the_servers_and_a_spoofed_address_is_ignored(
    start_servers: StartServers,
) -> None:
    first, second = start_servers(CREDO_TRUSTED_PROXIES=HOST)
    # 127.0.0.2 is not a trusted proxy: the address it claims in X-Forwarded-For, new each time, is ignored.
    statuses = [Visitor(f"192.0.2.{n}", source="127.0.0.2").verify_something((first, second)[n % 2]) for n in range(31)]
    assert statuses == [200] * 30 + [429]
    assert Visitor(OWNER).verify_something(second) == 200, "another client has its own allowance"


def test_credo_rate_limits_0_turns_the_limits_off(start_servers: StartServers, owner: User) -> None:
    """allauth reads ACCOUNT_RATE_LIMITS = False; the setting CREDO_RATE_LIMITS used to set was read by nobody."""
    first, second = start_servers(CREDO_RATE_LIMITS="0")
    visitor = Visitor(None)
    assert not any(visitor.is_locked_out(first, owner.email, f"guess {n}") for n in range(8))
    assert visitor.sign_in(second, owner.email, PASSWORD)[0] == 302
    assert all(visitor.verify_something(first) == 200 for _ in range(31))
