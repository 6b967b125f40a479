"""Portfolios: query counts that must not grow with the evidence, and a snapshot of 100 MB that must stream.

    python -m bench --only portfolios       (what ``make bench`` runs, with the rest)
    python -m bench.portfolios run          (the measuring process, in a throwaway installation)

In a throwaway SQLite installation (``migrate``, ``collectstatic``), the measuring process builds, through the
test builders and the services where it matters, a unit-based award's learner with N evidence items each mapped
to a criterion, for N = 10 and N = 500 (items and mappings are written with ``bulk_create``: the set-up is not what
is measured), and reports for each N the queries and the median time of:

- the learner's portfolio page (``portfolios:learner-portfolio``);
- the gap matrix (``services.mapping.gap_matrix``);
- the readiness check (``services.readiness.readiness_of``).

Then a portfolio of 50 files of 2 MB (100 MB of random bytes in storage) is submitted with
``services.submissions.submit`` (every file re-hashed from storage, the manifest built and hashed) and exported as
a ZIP (``services.export.submission_zip``, every chunk read and thrown away), each timed, then repeated under
tracemalloc for the peak of Python allocations. Each run is rolled back, so the same portfolio serves every run.
Streaming means the peak stays near the 64 KB chunk size, far below the 100 MB the files hold.

"Now" is fixed in the 2024 cohort's study period, as the test suite fixes it, so the deadline rules apply as they
would to a learner then.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bench.harness import BenchError, bench_environment, run_python

ITEM_COUNTS = (10, 500)
FILES = 50
FILE_BYTES = 2 * 1024 * 1024  # 50 x 2 MB = 100 MB
REPEATS = 5
TIMES = "\N{MULTIPLICATION SIGN}"
RUN_TIMEOUT = 900.0


class _RollbackError(Exception):
    """Raised to undo a measured run: every submit and export measures the same, unsubmitted portfolio."""


def _test_module(name: str) -> Any:
    """One of the test suite's builders, which make organisations, a catalogue and studying learners through the
    services. Imported by name: the type checker leaves tests/ out, and would otherwise follow the import into it."""
    return importlib.import_module(name)


def _median_ms(run: Callable[[], object], repeats: int = REPEATS) -> float:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _queries(run: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)


def _freeze_now() -> None:
    """The 2024 cohort's study period, as the tests' fixture has it (the builders' cohorts are 2024's)."""
    import datetime

    from django.utils import timezone

    nz = _test_module("credo.programmes.tests.builders").nz
    moment = nz(2024, 3, 1, 9).astimezone(datetime.UTC)
    timezone.now = lambda: moment


def _people() -> tuple[Any, Any, Any]:
    from credo.accounts.models import OrganisationKind, Role

    factories = _test_module("credo.accounts.tests.factories")
    MembershipFactory, OrganisationFactory, UserFactory = (  # noqa: N806 - the factories' own names
        factories.MembershipFactory,
        factories.OrganisationFactory,
        factories.UserFactory,
    )

    awarding = OrganisationFactory(name="Bench awarding body", slug="bench-awards", kind=OrganisationKind.AWARDING_BODY)
    provider = OrganisationFactory(name="Bench provider", slug="bench-provider", kind=OrganisationKind.PROVIDER)
    catalogue_admin = MembershipFactory(
        user=UserFactory(email="catalogue@bench.example"), organisation=awarding, role=Role.PROGRAMME_ADMIN
    ).user
    admin = MembershipFactory(
        user=UserFactory(email="admin@bench.example"), organisation=provider, role=Role.PROGRAMME_ADMIN
    ).user
    return catalogue_admin, awarding, (admin, provider)


def _with_items(cohort: Any, admin: Any, count: int) -> Any:
    """A studying learner's portfolio with ``count`` text items spread over its sections, each mapped to a criterion."""
    from credo.portfolios.models import CriterionMapping, EvidenceItem, ItemKind
    from credo.portfolios.services import mapping
    from credo.portfolios.services.portfolios import portfolio_for

    studying = _test_module("credo.portfolios.tests.builders").studying

    enrolment = studying(cohort, admin, f"learner{count}@bench.example", f"Learner with {count} items")
    portfolio = portfolio_for(enrolment=enrolment)
    sections = list(portfolio.sections.order_by("position"))
    criteria = list(mapping.criteria_of(cohort.programme.qualification_id))
    items = EvidenceItem.objects.bulk_create(
        EvidenceItem(
            section=sections[n % len(sections)],
            portfolio=portfolio,
            kind=ItemKind.TEXT,
            title=f"Evidence {n}",
            html=f"<p>What I did, part {n}.</p>",
            word_count=5,
            created_by=enrolment.learner,
        )
        for n in range(count)
    )
    CriterionMapping.objects.bulk_create(
        CriterionMapping(item=item, criterion=criteria[n % len(criteria)]) for n, item in enumerate(items)
    )
    return portfolio


def _page(portfolio: Any) -> tuple[int, float]:
    """Queries and median milliseconds of the learner's portfolio page."""
    from django.test import Client
    from django.urls import reverse

    url = reverse("portfolios:learner-portfolio", args=[portfolio.enrolment_id])
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(portfolio.enrolment.learner)
    warm = client.get(url)
    if warm.status_code != 200:
        raise SystemExit(f"the portfolio page ({url}) answered {warm.status_code}")
    return _queries(lambda: client.get(url)), _median_ms(lambda: client.get(url))


def items(cohort: Any, admin: Any) -> dict[str, dict[str, Any]]:
    from credo.portfolios.services.mapping import gap_matrix
    from credo.portfolios.services.readiness import readiness_of

    results: dict[str, dict[str, Any]] = {}
    for count in ITEM_COUNTS:
        portfolio = _with_items(cohort, admin, count)
        page = _page(portfolio)
        matrix = partial(gap_matrix, portfolio=portfolio)
        readiness = partial(readiness_of, [portfolio])
        results[str(count)] = {
            "page_queries": page[0],
            "page_ms": page[1],
            "gap_queries": _queries(matrix),
            "gap_ms": _median_ms(matrix),
            "readiness_queries": _queries(readiness),
            "readiness_ms": _median_ms(readiness),
        }
    return results


def _with_files(cohort: Any, admin: Any) -> Any:
    """A portfolio with FILES files of FILE_BYTES random bytes each, written to storage chunk by chunk."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from credo.portfolios.models import EvidenceItem, ItemKind
    from credo.portfolios.services.portfolios import portfolio_for

    studying = _test_module("credo.portfolios.tests.builders").studying

    enrolment = studying(cohort, admin, "files@bench.example", "Learner with 100 MB of files")
    portfolio = portfolio_for(enrolment=enrolment)
    section = portfolio.sections.order_by("position").first()
    rows = []
    for n in range(FILES):
        data = os.urandom(FILE_BYTES)
        name = default_storage.save(f"private/portfolios/{portfolio.pk}/bench/file-{n:02d}.pdf", ContentFile(data))
        rows.append(
            EvidenceItem(
                section=section,
                portfolio=portfolio,
                kind=ItemKind.FILE,
                title=f"Report {n}",
                file=name,
                original_name=f"report-{n:02d}.pdf",
                size=FILE_BYTES,
                content_type="application/pdf",
                sha256=hashlib.sha256(data).hexdigest(),
                created_by=enrolment.learner,
            )
        )
        del data
    EvidenceItem.objects.bulk_create(rows)
    return portfolio


def _rolled_back(run: Callable[[], object]) -> None:
    from django.db import transaction

    try:
        with transaction.atomic():
            run()
            raise _RollbackError
    except _RollbackError:
        pass


def _timed_and_peak(run: Callable[[], object]) -> tuple[float, int]:
    """Seconds of one run, then the tracemalloc peak (bytes) of another (tracemalloc slows Python code down)."""
    started = time.perf_counter()
    _rolled_back(run)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        _rolled_back(run)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return seconds, peak


def snapshot(cohort: Any, admin: Any) -> dict[str, Any]:
    from credo.portfolios.services import export, submissions

    portfolio = _with_files(cohort, admin)
    learner = portfolio.enrolment.learner

    def submit() -> None:
        made = submissions.submit(portfolio=portfolio, actor=learner, declaration_accepted=True)
        if made.total_bytes != FILES * FILE_BYTES:
            raise SystemExit(f"the submission holds {made.total_bytes} bytes, not {FILES * FILE_BYTES}")

    export_times: list[float] = []

    def export_zip() -> None:
        made = submissions.submit(portfolio=portfolio, actor=learner, declaration_accepted=True)
        if tracemalloc.is_tracing():
            tracemalloc.reset_peak()  # the export's own peak, not the submission's before it
        started = time.perf_counter()
        written = sum(len(chunk) for chunk in export.submission_zip(made))
        export_times.append(time.perf_counter() - started)
        if written < FILES * FILE_BYTES:
            raise SystemExit(f"the ZIP is {written} bytes, less than the files it holds")

    submit_seconds, submit_peak = _timed_and_peak(submit)
    _, export_peak = _timed_and_peak(export_zip)
    return {
        "files": FILES,
        "bytes": FILES * FILE_BYTES,
        "submit_seconds": submit_seconds,
        "submit_peak": submit_peak,
        "export_seconds": export_times[0],  # the run without tracemalloc
        "export_peak": export_peak,
    }


def run() -> dict[str, Any]:
    import django

    django.setup()
    _freeze_now()
    builders = _test_module("credo.portfolios.tests.builders")
    cohort_of, seg_award = builders.cohort_of, builders.seg_award

    catalogue_admin, awarding, (admin, provider) = _people()
    qualification = seg_award(catalogue_admin, awarding)
    cohort = cohort_of(admin, provider, qualification, "organising")
    return {"items": items(cohort, admin), "snapshot": snapshot(cohort, admin)}


# The orchestrating side (in ``python -m bench``) ---------------------------------------------------------------


@dataclass
class PortfolioResult:
    items: dict[str, dict[str, Any]]
    snapshot: dict[str, Any]


def measure() -> PortfolioResult:
    with tempfile.TemporaryDirectory(prefix="credo-bench-portfolios-") as tmp:
        env = bench_environment(Path(tmp))
        run_python(env, ["manage.py", "migrate", "--no-input", "--verbosity", "0"], "manage.py migrate")
        run_python(env, ["manage.py", "collectstatic", "--no-input", "--verbosity", "0"], "manage.py collectstatic")
        output = run_python(env, ["-m", "bench.portfolios", "run"], "measuring portfolios", RUN_TIMEOUT)
    try:
        figures = json.loads(output.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise BenchError(f"bench.portfolios printed no result:\n{output}") from None
    return PortfolioResult(items=figures["items"], snapshot=figures["snapshot"])


def _ratio(few: float | None, many: float | None) -> str:
    if few is None or many is None:
        return "n/a"
    return f"{many / few:.2f}{TIMES}" if few else "n/a"


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f} {unit}" if unit else f"{value:.0f}"


def table(result: PortfolioResult) -> str:
    few, many = (result.items[str(n)] for n in ITEM_COUNTS)
    rows = [
        f"portfolios: {ITEM_COUNTS[0]} and {ITEM_COUNTS[1]} evidence items, throwaway SQLite installation",
        f"{'measure':<24}  {f'{ITEM_COUNTS[0]} items':>10}  {f'{ITEM_COUNTS[1]} items':>10}  {'ratio':>8}",
    ]
    for label, key, unit in (
        ("portfolio page queries", "page_queries", ""),
        ("portfolio page time", "page_ms", "ms"),
        ("gap matrix queries", "gap_queries", ""),
        ("gap matrix time", "gap_ms", "ms"),
        ("readiness queries", "readiness_queries", ""),
        ("readiness time", "readiness_ms", "ms"),
    ):
        rows.append(
            f"{label:<24}  {_figure(few[key], unit):>10}  {_figure(many[key], unit):>10}  "
            f"{_ratio(few[key], many[key]):>8}"
        )
    snap = result.snapshot
    mb = snap["bytes"] / (1024 * 1024)
    rows += [
        "",
        f"snapshot of {snap['files']} files / {mb:.0f} MB: peak is tracemalloc's (Python allocations); "
        "streaming keeps it near the chunk size",
        f"{'operation':<24}  {'time':>10}  {'peak':>10}  {'peak/data':>9}",
    ]
    for label, seconds, peak in (
        ("submit (re-hash, hash)", snap["submit_seconds"], snap["submit_peak"]),
        ("export ZIP", snap["export_seconds"], snap["export_peak"]),
    ):
        rows.append(
            f"{label:<24}  {seconds:>9.2f}s  {peak / (1024 * 1024):>7.2f} MB  {peak / snap['bytes']:>8.3f}{TIMES}"
        )
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    if argv != ["run"]:
        print("usage: python -m bench.portfolios run", file=sys.stderr)
        return 2
    print(json.dumps(run()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
