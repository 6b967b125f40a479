"""`python -m bench` (what `make bench` runs): requests/s and queries/request per endpoint.

Sets up a throwaway installation with the demo data, serves it with gunicorn, loads
each endpoint from a few client threads, and prints a table with each endpoint's rate
as a ratio to a bare Django view. Exit 0 on success, 1 with a message on any failure.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import django

from bench.endpoints import BASELINE, ENDPOINTS
from bench.harness import BenchError, Measurement, bench_environment, count_queries, gunicorn, prepare, run_load

ROUNDS = 3
TIMES = "\N{MULTIPLICATION SIGN}"  # the suffix on each ratio
WARMUP_SECONDS = 0.5


def _positive_float(text: str) -> float:
    value = float(text)
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 600")
    return value


def _bounded_int(limit: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"must be between 1 and {limit}")
        return value

    return parse


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--seconds", type=_positive_float, default=5.0, help="measured seconds per endpoint (default 5)"
    )
    parser.add_argument("--threads", type=_bounded_int(64), default=4, help="concurrent client threads (default 4)")
    parser.add_argument("--workers", type=_bounded_int(32), default=2, help="gunicorn sync workers (default 2)")
    return parser.parse_args(argv)


def header(args: argparse.Namespace) -> str:
    """The machine facts a reader needs before comparing two runs."""
    return (
        f"credo bench: {os.cpu_count()} cores, Python {platform.python_version()}, Django {django.get_version()}; "
        f"{args.seconds:g} s per endpoint in {ROUNDS} interleaved rounds, "
        f"{args.threads} client threads, {args.workers} gunicorn sync workers"
    )


def table(results: dict[str, Measurement], queries: dict[str, int]) -> str:
    """Endpoint, requests/s, ratio to the bare view, queries/request."""
    base = results[BASELINE].rate
    width = max(len("endpoint"), *(len(name) for name, _ in ENDPOINTS))
    rows = [f"{'endpoint':<{width}}  {'requests/s':>10}  {'vs bare':>7}  {'queries/request':>15}"]
    for name, _ in ENDPOINTS:
        rate = results[name].rate
        ratio = f"{rate / base:.2f}{TIMES}" if base else "n/a"
        rows.append(f"{name:<{width}}  {rate:>10.1f}  {ratio:>7}  {queries[name]:>15}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="credo-bench-") as tmp:
        var_dir = Path(tmp)
        env = bench_environment(var_dir)
        try:
            print("bench: setting up a throwaway installation (migrate, collectstatic, load_demo)…", file=sys.stderr)
            prepare(env)
            queries = count_queries(env)
            print(f"bench: serving with gunicorn, {args.workers} workers; measuring…", file=sys.stderr)
            with gunicorn(env, args.workers, var_dir / "gunicorn.log") as port:
                results = run_load(port, ENDPOINTS, args.seconds, args.threads, ROUNDS, WARMUP_SECONDS)
        except BenchError as error:
            print(f"bench: FAILED: {error}", file=sys.stderr)
            return 1
    print(header(args))
    print(table(results, queries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
