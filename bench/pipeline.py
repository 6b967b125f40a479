"""Assessment: the provider's pipeline and the assessor's queue, with 50 and with 5,000 submissions.

    python -m bench --only pipeline         (what ``make bench`` runs, with the rest)
    python -m bench.pipeline run            (the measuring process, in a throwaway installation)

In a throwaway SQLite installation (``migrate``, ``collectstatic``), the measuring process makes a provider with a
CLD cohort through the test builders and the services (a programme admin, one assessor named for the cohort), then
writes N learners who have submitted, with ``bulk_create`` (enrolments, portfolios, submissions and assessments: the
set-up is not what is measured), spread over the stages: a fifth waiting for an assessor, a fifth being assessed, a
fifth waiting for moderation, a fifth released not yet competent, a fifth released competent. For N = 50 and
N = 5,000 it reports the queries and the median time of:

- the pipeline service (``services.pipeline.pipeline``, one cohort);
- the provider's pipeline list (``assessment:pipeline``) and the cohort's pipeline page
  (``assessment:cohort_pipeline``), as its programme admin;
- the assessor's queue (``assessment:queue``, a page of their assessments and the unassigned submissions), as the
  assessor.

The **ratio** of queries must be 1.00 (the table prints it with a multiplication sign): a count that grows with the
submissions is an N+1. Times are medians of a few runs in one process, so their ratio compares like with like on
the same machine.
"""

from __future__ import annotations

import datetime
import importlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import BenchError, bench_environment, run_python

COUNTS = (50, 5_000)
REPEATS = 5
TIMES = "\N{MULTIPLICATION SIGN}"
RUN_TIMEOUT = 900.0


def _test_module(name: str) -> Any:
    """One of the test suite's builders (imported by name: the type checker leaves tests/ out)."""
    return importlib.import_module(name)


def _median_ms(run: Callable[[], object]) -> float:
    timings = []
    for _ in range(REPEATS):
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
    """The 2024 cohort's assessment window (the builders' cohorts are 2024's)."""
    from django.utils import timezone

    nz = _test_module("credo.programmes.tests.builders").nz
    moment = nz(2024, 9, 10, 9).astimezone(datetime.UTC)
    timezone.now = lambda: moment


def _setting_up() -> tuple[Any, Any, Any]:
    """A provider's CLD cohort with its programme admin and one assessor named for it."""
    from credo.accounts.models import OrganisationKind, Role
    from credo.assessment.models import CohortAssessor

    factories = _test_module("credo.accounts.tests.factories")
    builders = _test_module("credo.portfolios.tests.builders")
    institution = factories.OrganisationFactory(
        name="Bench polytechnic", slug="bench-poly", kind=OrganisationKind.ISSUING_INSTITUTION
    )
    provider = factories.OrganisationFactory(
        name="Bench provider", slug="bench-provider", kind=OrganisationKind.PROVIDER
    )
    owner = factories.MembershipFactory(
        user=factories.UserFactory(email="owner@bench.example"), organisation=institution, role=Role.PROGRAMME_ADMIN
    ).user
    admin = factories.MembershipFactory(
        user=factories.UserFactory(email="admin@bench.example"), organisation=provider, role=Role.PROGRAMME_ADMIN
    ).user
    assessor = factories.MembershipFactory(
        user=factories.UserFactory(email="assessor@bench.example"), organisation=provider, role=Role.ASSESSOR
    ).user
    cohort = builders.cohort_of(admin, provider, builders.cld_with_template(owner, institution), "cld-facilitation")
    CohortAssessor.objects.create(cohort=cohort, assessor=assessor, assigned_by=admin)
    return cohort, admin, assessor


def _submissions(cohort: Any, assessor: Any, start: int, count: int) -> None:
    """``count`` learners who have submitted attempt 1, a fifth at each stage, written in bulk."""
    from django.utils import timezone

    from credo.accounts.models import User
    from credo.assessment.models import Assessment, AssessmentState, Outcome
    from credo.portfolios.models import Portfolio, Submission
    from credo.programmes.models import Enrolment, EnrolmentState, OrganisationType

    now = timezone.now()
    tier = cohort.fee_tiers.first()
    learners = User.objects.bulk_create(
        User(email=f"learner{n}@bench.example", full_name=f"Learner {n}") for n in range(start, start + count)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            cohort=cohort,
            learner=learner,
            state=EnrolmentState.ACTIVE,
            organisation_name="A community group",
            organisation_type=OrganisationType.COMMUNITY,
            fee_tier=tier,
            eligibility_declared=True,
            terms_accepted_at=now,
            state_changed_at=now,
        )
        for learner in learners
    )
    portfolios = Portfolio.objects.bulk_create(Portfolio(enrolment=e, is_open=False) for e in enrolments)
    submissions = Submission.objects.bulk_create(
        Submission(
            portfolio=portfolio,
            attempt=1,
            submitted_at=now,
            submitted_by=portfolio.enrolment.learner,
            declaration="This is my own work.",
            deadline=cohort.submission_deadline,
            manifest={"sections": []},
            content_sha256="0" * 64,
        )
        for portfolio in portfolios
    )
    kinds: list[dict[str, Any]] = [
        {"state": AssessmentState.DRAFT},
        {"state": AssessmentState.COMPLETED, "outcome": Outcome.COMPETENT, "completed_at": now},
        {"state": AssessmentState.COMPLETED, "outcome": Outcome.NOT_YET_COMPETENT, "completed_at": now},
        {"state": AssessmentState.COMPLETED, "outcome": Outcome.COMPETENT, "completed_at": now},
    ]
    rows = []
    for n, submission in enumerate(submissions):
        if n % 5 == 0:
            continue  # waiting for an assessor
        kind = dict(kinds[n % 5 - 1])
        if n % 5 >= 3:
            kind["released_at"] = now
        rows.append(
            Assessment(
                submission=submission,
                cohort=cohort,
                learner=submission.submitted_by,
                attempt=1,
                assessor=assessor,
                assigned_by=assessor,
                assigned_at=now,
                due_on=cohort.assessment_ends,
                **kind,
            )
        )
    Assessment.objects.bulk_create(rows)


def _page(client: Any, url: str) -> tuple[int, float]:
    warm = client.get(url)
    if warm.status_code != 200:
        raise SystemExit(f"{url} answered {warm.status_code}")
    return _queries(lambda: client.get(url)), _median_ms(lambda: client.get(url))


def _queue_url() -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("assessment:queue")
    except NoReverseMatch:  # the assessor's queue is not built in this installation
        return None


def run() -> dict[str, dict[str, Any]]:
    import django

    django.setup()
    _freeze_now()
    from django.test import Client
    from django.urls import reverse

    from credo.assessment.services.pipeline import pipeline

    cohort, admin, assessor = _setting_up()
    as_admin, as_assessor = Client(SERVER_NAME="127.0.0.1"), Client(SERVER_NAME="127.0.0.1")
    as_admin.force_login(admin)
    as_assessor.force_login(assessor)
    queue = _queue_url()
    results: dict[str, dict[str, Any]] = {}
    made = 0
    for count in COUNTS:
        _submissions(cohort, assessor, made, count - made)
        made = count
        counted = pipeline(cohort).total
        if counted != count:
            raise SystemExit(f"the pipeline counts {counted} learners, not {count}")
        figures: dict[str, Any] = {
            "service_queries": _queries(lambda: pipeline(cohort)),
            "service_ms": _median_ms(lambda: pipeline(cohort)),
        }
        figures["list_queries"], figures["list_ms"] = _page(as_admin, reverse("assessment:pipeline"))
        figures["cohort_queries"], figures["cohort_ms"] = _page(
            as_admin, reverse("assessment:cohort_pipeline", args=[cohort.public_id])
        )
        if queue is None:
            figures["queue_queries"] = figures["queue_ms"] = None
        else:
            figures["queue_queries"], figures["queue_ms"] = _page(as_assessor, queue)
        results[str(count)] = figures
    return results


# The orchestrating side (in ``python -m bench``) ---------------------------------------------------------------


@dataclass
class PipelineResult:
    figures: dict[str, dict[str, Any]]


def measure() -> PipelineResult:
    with tempfile.TemporaryDirectory(prefix="credo-bench-pipeline-") as tmp:
        env = bench_environment(Path(tmp))
        run_python(env, ["manage.py", "migrate", "--no-input", "--verbosity", "0"], "manage.py migrate")
        run_python(env, ["manage.py", "collectstatic", "--no-input", "--verbosity", "0"], "manage.py collectstatic")
        output = run_python(env, ["-m", "bench.pipeline", "run"], "measuring the pipeline and the queue", RUN_TIMEOUT)
    try:
        figures = json.loads(output.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise BenchError(f"bench.pipeline printed no result:\n{output}") from None
    return PipelineResult(figures=figures)


def _ratio(few: float | None, many: float | None) -> str:
    if few is None or many is None or not few:
        return "n/a"
    return f"{many / few:.2f}{TIMES}"


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f} {unit}" if unit else f"{value:.0f}"


def table(result: PipelineResult) -> str:
    few, many = (result.figures[str(n)] for n in COUNTS)
    head = f"{COUNTS[0]:,} subm."
    tail = f"{COUNTS[1]:,} subm."
    rows = [
        f"assessment: the pipeline and the assessor's queue with {COUNTS[0]:,} and {COUNTS[1]:,} submissions, "
        "throwaway SQLite installation",
        f"{'measure':<24}  {head:>12}  {tail:>12}  {'ratio':>8}",
    ]
    for label, key, unit in (
        ("pipeline service queries", "service_queries", ""),
        ("pipeline service time", "service_ms", "ms"),
        ("pipeline list queries", "list_queries", ""),
        ("pipeline list time", "list_ms", "ms"),
        ("cohort pipeline queries", "cohort_queries", ""),
        ("cohort pipeline time", "cohort_ms", "ms"),
        ("assessor's queue queries", "queue_queries", ""),
        ("assessor's queue time", "queue_ms", "ms"),
    ):
        rows.append(
            f"{label:<24}  {_figure(few[key], unit):>12}  {_figure(many[key], unit):>12}  "
            f"{_ratio(few[key], many[key]):>8}"
        )
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    if argv != ["run"]:
        print("usage: python -m bench.pipeline run", file=sys.stderr)
        return 2
    print(json.dumps(run()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
