"""Credentials signed and verified per second, Python against JavaScript; bulk issuance time and memory.

Signing and verifying: credo's Python (``bench.credential_worker``) and the
Digital Credentials Consortium's JavaScript libraries (``interop/sign.mjs
--serve``) run as two worker processes pinned to the same core and take turns:
each round times every (document, operation) on both sides for the same short
window, alternating which side goes first, so background load falls on both
alike. Before any timing, each side's output is checked against the other's:
both sign the same document with the same key and proof date, and must produce
the same signature (Ed25519 is deterministic, so that only happens if both
canonicalized identically); each side verifies the other's credential; the
JavaScript side verifies every credential embedded in the transcript.

Bulk issuance: ``issue_pending`` for N fresh attainments in a throwaway SQLite
installation (``bench.bulk``), for N and N/4, with wall time and peak memory.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.credential_documents import micro_credential, transcript
from bench.harness import PYTHON, ROOT, BenchError, Measurement, bench_environment, run_python
from credo.credentials.ob3.canonical import canonicalize
from credo.credentials.ob3.contexts import CONTEXT_DIR
from credo.credentials.ob3.keys import SigningKey

INTEROP = ROOT / "interop"
TIMES = "\N{MULTIPLICATION SIGN}"
OPERATIONS = ("sign", "verify")
PROOF_DATE = "2025-10-15T02:31:00Z"
REPLY_TIMEOUT = 120.0  # seconds for one request; a timing window is a few seconds
BULK_TIMEOUT = 900.0  # seconds for one bulk issuance subprocess


def bench_core() -> int:
    """The core both signing workers are pinned to: the last one this process may use."""
    return max(os.sched_getaffinity(0))


def pin_to(core: int) -> str:
    """util-linux's taskset, which runs a command pinned to ``core``."""
    taskset = shutil.which("taskset")
    if taskset is None:
        raise BenchError(f"taskset (util-linux) is needed to pin the signing workers to core {core}")
    return taskset


class Side:
    """One worker process speaking the JSON-lines protocol of bench.credential_worker and sign.mjs --serve."""

    def __init__(self, name: str, args: list[str], core: int, env: dict[str, str], log: Path) -> None:
        self.name = name
        self._log_path = log
        self._log = log.open("w", encoding="utf-8")
        self._replies: queue.Queue[str | None] = queue.Queue()
        self._process = subprocess.Popen(
            # Pinned before it starts (taskset, then exec), so every thread of the worker runs on that core.
            [pin_to(core), "-c", str(core), *args],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            encoding="utf-8",
        )
        threading.Thread(target=self._read, name=f"bench-{name}", daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._replies.put(line)
        self._replies.put(None)

    def ask(self, request: dict[str, Any], timeout: float = REPLY_TIMEOUT) -> dict[str, Any]:
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            self._process.stdin.flush()
            line = self._replies.get(timeout=timeout)
        except (OSError, queue.Empty) as error:
            raise BenchError(
                f"the {self.name} worker did not answer {request['op']!r}: {error!r}\n{self._tail()}"
            ) from error
        if line is None:
            raise BenchError(f"the {self.name} worker stopped during {request['op']!r}:\n{self._tail()}")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise BenchError(f"the {self.name} worker failed {request['op']!r}: {reply['error']}\n{self._tail()}")
        return reply

    def _tail(self) -> str:
        self._log.flush()
        return "\n".join(self._log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])

    def close(self) -> None:
        try:
            if self._process.poll() is None and self._process.stdin is not None:
                self._process.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self._process.stdin.close()
            self._process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait(timeout=10)
        finally:
            self._log.close()


@contextmanager
def workers(tmp: Path, key_file: Path, core: int) -> Iterator[tuple[Side, Side]]:
    """The Python and the JavaScript worker, both pinned to ``core``; always stopped on the way out."""
    node = shutil.which("node")
    if node is None or not (INTEROP / "node_modules").is_dir():
        raise BenchError("the DCC JavaScript libraries are not installed: run `make interop` first")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with ExitStack() as stack:
        python = Side("Python", [PYTHON, "-m", "bench.credential_worker", str(key_file)], core, env, tmp / "py.log")
        stack.callback(python.close)
        javascript = Side(
            "JavaScript",
            [node, str(INTEROP / "sign.mjs"), "--contexts", str(CONTEXT_DIR), "--key", str(key_file), "--serve"],
            core,
            env,
            tmp / "js.log",
        )
        stack.callback(javascript.close)
        yield python, javascript


@dataclass
class SigningResult:
    """Per (document, operation): each side's measurement; and what was checked before timing."""

    core: int
    statements: dict[str, int]
    rates: dict[tuple[str, str, str], Measurement] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)


def _proof_value(signed: dict[str, Any]) -> str:
    proof = signed["proof"]
    return str((proof[0] if isinstance(proof, list) else proof)["proofValue"])


def _check_both_ways(name: str, unsigned: dict[str, Any], python: Side, javascript: Side) -> tuple[dict[str, Any], str]:
    """Both sides sign alike and accept each other's credential; returns the credential to verify in the timing."""
    by_python = python.ask({"op": "sign", "name": name, "created": PROOF_DATE})["signed"]
    by_javascript = javascript.ask({"op": "sign", "name": name, "created": PROOF_DATE})["signed"]
    if _proof_value(by_python) != _proof_value(by_javascript):
        raise BenchError(f"{name}: Python and JavaScript signed the same document differently")
    for verifier, document, signer in ((javascript, by_python, python), (python, by_javascript, javascript)):
        verdict = verifier.ask({"op": "verify", "document": document})
        if not verdict["verified"]:
            raise BenchError(f"{name}: {verifier.name} rejects what {signer.name} signed: {verdict['errors']}")
    embedded = unsigned.get("credentialSubject", {}).get("verifiableCredential", [])
    for credential in embedded:
        verdict = javascript.ask({"op": "verify", "document": credential})
        if not verdict["verified"]:
            raise BenchError(f"{name}: JavaScript rejects an embedded credential: {verdict['errors']}")
    extra = f"; its {len(embedded)} embedded credentials verify in JavaScript" if embedded else ""
    return by_python, f"{name}: same signature from both sides, each verifies the other's{extra}"


def measure_signing(seconds: float, rounds: int, warmup: float) -> SigningResult:
    """Sign and verify rates of both sides, interleaved, after checking they agree."""
    key = SigningKey.generate()
    documents = {"micro-credential": micro_credential(key.controller), "CLR transcript": transcript(key)}
    core = bench_core()
    result = SigningResult(core, {name: canonicalize(doc).count("\n") for name, doc in documents.items()})
    with tempfile.TemporaryDirectory(prefix="credo-bench-sign-") as tmp:
        key_file = Path(tmp) / "key.json"
        key_file.write_text(
            json.dumps({"publicKeyMultibase": key.public_key_multibase, "secretKeyMultibase": key.secret_multibase()})
        )
        with workers(Path(tmp), key_file, core) as sides:
            for side in sides:
                for name, document in documents.items():
                    side.ask({"op": "load", "name": name, "unsigned": document})
            python, javascript = sides
            for name, document in documents.items():
                signed, check = _check_both_ways(name, document, python, javascript)
                result.checks.append(check)
                for side in sides:
                    side.ask({"op": "use_signed", "name": name, "signed": signed})
            for side in sides:
                for name in documents:
                    for operation in OPERATIONS:
                        side.ask({"op": "time", "what": operation, "name": name, "seconds": warmup})
            for turn in range(rounds):
                for name in documents:
                    for operation in OPERATIONS:
                        for side in sides if turn % 2 == 0 else sides[::-1]:
                            window = side.ask(
                                {"op": "time", "what": operation, "name": name, "seconds": seconds / rounds}
                            )
                            total = result.rates.setdefault((name, operation, side.name), Measurement())
                            total.requests += int(window["count"])
                            total.seconds += float(window["seconds"])
    return result


def signing_table(result: SigningResult, seconds: float, rounds: int) -> str:
    width = max(len(f"{name} ({count} statements)") for name, count in result.statements.items())
    lines = [
        f"credentials: both sides pinned to core {result.core}, {rounds} interleaved rounds, "
        f"{seconds:g} s per side and operation",
        f"{'document':<{width}}  {'operation':<9}  {'Python/s':>9}  {'JavaScript/s':>12}  {'Python/JS':>9}",
    ]
    for name, count in result.statements.items():
        label = f"{name} ({count} statements)"
        for operation in OPERATIONS:
            python = result.rates[(name, operation, "Python")].rate
            javascript = result.rates[(name, operation, "JavaScript")].rate
            ratio = f"{python / javascript:.2f}{TIMES}" if javascript else "n/a"
            lines.append(f"{label:<{width}}  {operation:<9}  {python:>9.1f}  {javascript:>12.1f}  {ratio:>9}")
            label = ""
    lines.extend(f"checked before timing: {check}" for check in result.checks)
    return "\n".join(lines)


@dataclass(frozen=True)
class BulkResult:
    count: int
    seconds: float
    peak_kib: int
    before_kib: int


def measure_bulk(count: int) -> BulkResult:
    """issue_pending for ``count`` attainments in a throwaway installation, in a process of its own."""
    with tempfile.TemporaryDirectory(prefix="credo-bench-bulk-") as tmp:
        env = bench_environment(Path(tmp))
        run_python(env, ["manage.py", "migrate", "--no-input", "--verbosity", "0"], "manage.py migrate")
        run_python(env, ["-m", "bench.bulk", "setup", str(count)], f"setting up {count} attainments")
        output = run_python(env, ["-m", "bench.bulk", "issue"], f"issuing {count} credentials", BULK_TIMEOUT)
    try:
        figures = json.loads(output.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise BenchError(f"bench.bulk printed no result:\n{output}") from None
    return BulkResult(int(figures["issued"]), float(figures["seconds"]), figures["peak_kib"], figures["before_kib"])


def bulk_table(results: list[BulkResult]) -> str:
    lines = [
        "bulk issuance: issue_pending in one process, throwaway SQLite installation",
        f"{'credentials':>11}  {'wall time':>9}  {'per second':>10}  {'peak RSS':>9}  {'RSS before':>10}",
    ]
    for result in results:
        lines.append(
            f"{result.count:>11,}  {result.seconds:>8.1f}s  {result.count / result.seconds:>10.0f}  "
            f"{result.peak_kib / 1024:>6.0f} MB  {result.before_kib / 1024:>7.0f} MB"
        )
    return "\n".join(lines)
