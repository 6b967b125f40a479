"""The bench's machinery: a throwaway installation, a gunicorn server, and the load loop.

Everything here is bounded: subprocesses have timeouts, the server is always stopped,
the load loop stops at a deadline or a request cap, and every address is loopback.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
HOST = "127.0.0.1"

#: Settings the bench pins, whatever the caller's shell has exported.
#: CREDO_PRODUCTION is deliberately absent: it would redirect every request to HTTPS.
_UNSET = (
    "CREDO_PRODUCTION",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "FILE_STORAGE",
    "SECURE_SSL_REDIRECT",
    "BEHIND_TLS_PROXY",
    "EMAIL_HOST",
    "TASKS_BACKEND",
    "DATABASE_CONN_MAX_AGE",
)
SETUP_TIMEOUT = 300.0  # seconds for each manage.py step
READY_TIMEOUT = 30.0  # seconds for gunicorn to answer /healthz
REQUEST_TIMEOUT = 10.0  # seconds for any single request
STOP_TIMEOUT = 10.0  # seconds for gunicorn to stop after SIGTERM
MAX_REQUESTS_PER_WINDOW = 1_000_000  # a cap, so a misbehaving fast path cannot loop forever


class BenchError(Exception):
    """Setup or a request failed; the message says which and why."""


def bench_environment(var_dir: Path) -> dict[str, str]:
    """The environment for every subprocess: a throwaway SQLite installation in `var_dir`, DEBUG off."""
    env = {k: v for k, v in os.environ.items() if k not in _UNSET}
    env.update(
        {
            "CREDO_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'credo.sqlite3'}",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(48),  # 64 characters
            "ALLOWED_HOSTS": HOST,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "CREDO_RATE_LIMITS": "0",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def run_python(env: dict[str, str], args: Sequence[str], what: str, timeout: float = SETUP_TIMEOUT) -> str:
    """Run one Python subprocess (setup or a measurement); on failure raise with its output, the reason."""
    try:
        done = subprocess.run(
            [PYTHON, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what} took longer than {timeout:.0f} s") from None
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()
        raise BenchError(f"{what} failed (exit {done.returncode}):\n{output}")
    return done.stdout


def prepare(env: dict[str, str]) -> None:
    """Migrate, collect static files (DEBUG=0 serves them from the manifest) and load the demo."""
    run_python(env, ["manage.py", "migrate", "--no-input", "--verbosity", "0"], "manage.py migrate")
    run_python(env, ["manage.py", "collectstatic", "--no-input", "--verbosity", "0"], "manage.py collectstatic")
    run_python(env, ["manage.py", "load_demo"], "manage.py load_demo")


def count_queries(env: dict[str, str]) -> dict[str, int]:
    """Queries per request for each endpoint, from `bench.queries` in its own process."""
    output = run_python(env, ["-m", "bench.queries"], "counting queries (python -m bench.queries)")
    lines = output.strip().splitlines()
    try:
        counts = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise BenchError(f"bench.queries printed no result:\n{output}") from None
    return {str(name): int(n) for name, n in counts.items()}


def free_port() -> int:
    """A loopback port nobody is listening on now (gunicorn failing to bind is caught by the readiness wait)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def get(port: int, path: str) -> tuple[int, bytes]:
    """One GET on a fresh connection: gunicorn's sync workers close the connection after each response."""
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _log_tail(log_path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _wait_until_ready(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    """Poll /healthz until it answers 200, the server dies, or READY_TIMEOUT passes."""
    deadline = time.monotonic() + READY_TIMEOUT
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode} while starting:\n{_log_tail(log_path)}")
        try:
            status, body = get(port, "/healthz")
        except OSError as error:
            last = f"{error.__class__.__name__}: {error}"
        else:
            if status == 200:
                return
            last = f"HTTP {status}: {body[:200]!r}"
        time.sleep(0.1)
    raise BenchError(f"gunicorn did not answer /healthz within {READY_TIMEOUT:.0f} s ({last}):\n{_log_tail(log_path)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM for a graceful stop; if that hangs, SIGKILL the process group we created for it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only gunicorn and its workers
        process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log_path: Path) -> Iterator[int]:
    """Serve bench.wsgi on a free loopback port with sync workers; yield the port once /healthz answers.

    The server is stopped on every way out, including errors and Ctrl-C. It runs in
    its own session so a Ctrl-C reaches only us, and we stop it in order.
    """
    port = free_port()
    args = [
        GUNICORN,
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        "bench.wsgi:application",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_until_ready(process, port, log_path)
            yield port
        finally:
            _stop(process)


@dataclass
class Measurement:
    """Successful requests and the wall-clock seconds they took, summed over rounds."""

    requests: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def hammer(port: int, name: str, path: str, seconds: float, threads: int) -> Measurement:
    """`threads` clients GET `path` back to back until `seconds` pass; any non-200 stops all and raises.

    Returns the count of 200s and the elapsed time from start to the last client finishing,
    so a request in flight at the deadline is counted against the time it really took.
    """
    stop = threading.Event()
    errors: list[str] = []
    counts = [0] * threads
    cap = max(1, MAX_REQUESTS_PER_WINDOW // threads)

    def client(index: int, deadline: float) -> None:
        try:
            while not stop.is_set() and counts[index] < cap and time.monotonic() < deadline:
                status, body = get(port, path)
                if status != 200:
                    errors.append(f"{name} ({path}) answered HTTP {status}: {body[:300]!r}")
                    stop.set()
                    return
                counts[index] += 1
        except Exception as error:  # any failure fails the bench, with its reason
            errors.append(f"{name} ({path}) failed: {error.__class__.__name__}: {error}")
            stop.set()

    started = time.monotonic()
    workers = [
        threading.Thread(target=client, args=(i, started + seconds), name=f"bench-{i}", daemon=True)
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + REQUEST_TIMEOUT + 5)
    elapsed = time.monotonic() - started
    if any(worker.is_alive() for worker in workers):
        raise BenchError(f"{name} ({path}): client threads did not finish in time")
    if errors:
        raise BenchError(errors[0])
    return Measurement(sum(counts), elapsed)


def run_load(
    port: int, endpoints: Sequence[tuple[str, str]], seconds: float, threads: int, rounds: int, warmup: float
) -> dict[str, Measurement]:
    """Warm every endpoint, then measure them in interleaved rounds.

    Each round gives every endpoint seconds/rounds, so a burst of background load
    (another process, CPU throttling) falls on all endpoints alike instead of
    skewing whichever one happened to be running; the ratios stay comparable.
    """
    for name, path in endpoints:
        hammer(port, name, path, warmup, threads)
    results = {name: Measurement() for name, _ in endpoints}
    for _ in range(rounds):
        for name, path in endpoints:
            window = hammer(port, name, path, seconds / rounds, threads)
            results[name].requests += window.requests
            results[name].seconds += window.seconds
    return results
