"""The Python side of the credential benchmark: signs and verifies on request, one JSON line in, one out.

    python -m bench.credential_worker KEYFILE

``interop/sign.mjs --serve`` answers the same requests for the JavaScript
libraries, so ``bench.credentials`` drives both sides the same way:

* ``{"op": "load", "name", "unsigned"}``: keep a document to sign.
* ``{"op": "sign", "name", "created"}``: sign it once, with that proof date; answers ``{"signed"}``.
* ``{"op": "use_signed", "name", "signed"}``: the signed document to time verifications with.
* ``{"op": "verify", "document"}``: verify once; answers ``{"verified", "errors"}``.
* ``{"op": "time", "what": "sign" | "verify", "name", "seconds"}``: repeat for at least that long;
  answers ``{"count", "seconds"}``. Every signature is made from scratch: nothing about a
  document is kept between two operations.
* ``{"op": "quit"}``.

Only ``credo.credentials.ob3`` is imported: no Django, as in a signing worker.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from credo.credentials.ob3.dates import parse_datetime
from credo.credentials.ob3.keys import SigningKey, public_key_from_did_key
from credo.credentials.ob3.proofs import sign, verify


def repeat(operation: Callable[[], object], seconds: float) -> dict[str, float]:
    """Run ``operation`` back to back until ``seconds`` have passed; how many and how long it really took."""
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        operation()
        count += 1
        now = time.perf_counter()
        if now >= deadline:
            return {"count": count, "seconds": now - started}


class Worker:
    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self.unsigned: dict[str, dict[str, Any]] = {}
        self.signed: dict[str, dict[str, Any]] = {}

    def _sign_now(self, name: str) -> None:
        sign(self.unsigned[name], self.key, datetime.now(UTC))

    def _verify(self, name: str) -> None:
        check = verify(self.signed[name], public_key_from_did_key)
        if not check.valid:
            raise RuntimeError(f"{name} did not verify: {check.problem}")

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "load":
            self.unsigned[request["name"]] = request["unsigned"]
            return {}
        if op == "sign":
            created = parse_datetime(request["created"])
            return {"signed": sign(self.unsigned[request["name"]], self.key, created)}
        if op == "use_signed":
            self.signed[request["name"]] = request["signed"]
            return {}
        if op == "verify":
            check = verify(request["document"], public_key_from_did_key)
            return {"verified": check.valid, "errors": [check.problem] if check.problem else []}
        if op == "time":
            name = request["name"]
            if request["what"] == "sign":
                return repeat(lambda: self._sign_now(name), float(request["seconds"]))
            return repeat(lambda: self._verify(name), float(request["seconds"]))
        raise ValueError(f"unknown op {op!r}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m bench.credential_worker KEYFILE", file=sys.stderr)
        return 2
    secret = json.loads(Path(argv[0]).read_text(encoding="utf-8"))["secretKeyMultibase"]
    worker = Worker(SigningKey.from_secret_multibase(secret))
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "quit":
            break
        try:
            reply = worker.answer(request)
        except Exception as error:  # the driver reports it and stops the run
            reply = {"error": f"{error.__class__.__name__}: {error}", "trace": traceback.format_exc()}
        sys.stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
