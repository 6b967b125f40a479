"""`python -m bench` (what `make bench` runs): web endpoints, then credentials.

Web: sets up a throwaway installation with the demo data, serves it with gunicorn,
loads each endpoint from a few client threads, and prints a table with each
endpoint's rate as a ratio to a bare Django view.

Credentials: credentials signed and verified per second by credo's Python and by
the DCC JavaScript libraries, side by side on one core, with their ratio; then bulk
issuance of many credentials (wall time, peak memory). See bench/credentials.py.

`--only web|credentials|signing|bulk|portfolios|bulk-award|ratification|pipeline` runs one part. Exit 0 on
success, 1 with a message on any failure.
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

from bench import bulk_award, credentials, pipeline, portfolios, ratification
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
    parser.add_argument(
        "--only",
        choices=PARTS,
        help=(
            "run one part: web, credentials (signing and bulk), signing, bulk, portfolios, bulk-award, "
            "ratification or pipeline (default: all)"
        ),
    )
    parser.add_argument(
        "--sign-seconds",
        type=_positive_float,
        default=4.0,
        help="measured seconds per side, document and operation when signing (default 4)",
    )
    parser.add_argument(
        "--bulk",
        type=_bounded_int(100_000),
        default=10_000,
        help="credentials issued in the bulk run; a quarter as many are issued too (default 10000)",
    )
    parser.add_argument(
        "--bulk-award",
        type=_bounded_int(100_000),
        default=2_000,
        help="rows of the CSV applied through the bulk-award job (default 2000)",
    )
    parser.add_argument(
        "--ratification",
        type=_bounded_int(100_000),
        default=1_000,
        help="competent outcomes ratified end to end to issued credentials (default 1000)",
    )
    return parser.parse_args(argv)


PARTS = ("web", "credentials", "signing", "bulk", "portfolios", "bulk-award", "ratification", "pipeline")


def _runs(args: argparse.Namespace, part: str) -> bool:
    if args.only is None or args.only == part:
        return True
    return args.only == "credentials" and part in {"signing", "bulk"}


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


def web(args: argparse.Namespace) -> str:
    with tempfile.TemporaryDirectory(prefix="credo-bench-") as tmp:
        var_dir = Path(tmp)
        env = bench_environment(var_dir)
        print("bench: setting up a throwaway installation (migrate, collectstatic, load_demo)…", file=sys.stderr)
        prepare(env)
        queries = count_queries(env)
        print(f"bench: serving with gunicorn, {args.workers} workers; measuring…", file=sys.stderr)
        with gunicorn(env, args.workers, var_dir / "gunicorn.log") as port:
            results = run_load(port, ENDPOINTS, args.seconds, args.threads, ROUNDS, WARMUP_SECONDS)
    return f"{header(args)}\n{table(results, queries)}"


def signing(args: argparse.Namespace) -> str:
    print("bench: signing and verifying, Python and JavaScript on one core…", file=sys.stderr)
    result = credentials.measure_signing(args.sign_seconds, ROUNDS, WARMUP_SECONDS * 2)
    return credentials.signing_table(result, args.sign_seconds, ROUNDS)


def bulk(args: argparse.Namespace) -> str:
    results = []
    for count in (args.bulk, max(1, args.bulk // 4)):
        print(f"bench: bulk issuance of {count:,} credentials in a throwaway installation…", file=sys.stderr)
        results.append(credentials.measure_bulk(count))
    return credentials.bulk_table(results)


def portfolio_figures(args: argparse.Namespace) -> str:
    print("bench: portfolios (10 and 500 items; a 100 MB snapshot) in a throwaway installation…", file=sys.stderr)
    return portfolios.table(portfolios.measure())


def bulk_award_figures(args: argparse.Namespace) -> str:
    print(
        f"bench: a bulk award of {args.bulk_award:,} rows through its job in a throwaway installation…", file=sys.stderr
    )
    return bulk_award.table(bulk_award.measure(args.bulk_award))


def ratification_figures(args: argparse.Namespace) -> str:
    print(f"bench: ratifying {args.ratification:,} outcomes end to end in a throwaway installation…", file=sys.stderr)
    return ratification.table(ratification.measure(args.ratification))


def pipeline_figures(args: argparse.Namespace) -> str:
    print("bench: the pipeline and the assessor's queue (50 and 5,000 submissions)…", file=sys.stderr)
    return pipeline.table(pipeline.measure())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sections = []
    try:
        parts: tuple[tuple[str, Callable[[argparse.Namespace], str]], ...] = (
            ("web", web),
            ("signing", signing),
            ("bulk", bulk),
            ("portfolios", portfolio_figures),
            ("bulk-award", bulk_award_figures),
            ("ratification", ratification_figures),
            ("pipeline", pipeline_figures),
        )
        for part, run in parts:
            if _runs(args, part):
                sections.append(run(args))
    except BenchError as error:
        print(f"bench: FAILED: {error}", file=sys.stderr)
        return 1
    print("\n\n".join(sections))
    return 0


if __name__ == "__main__":
    sys.exit(main())
