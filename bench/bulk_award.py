"""Bulk award through its background job: how fast a checked CSV is awarded, row by row.

    python -m bench --only bulk-award [--bulk-award 2000]   (what ``make bench`` runs, with the rest)
    python -m bench.bulk_award run COUNT                      (the measuring process, in a throwaway installation)

In a throwaway SQLite installation (``migrate``), the measuring process imports the demo catalogue, sets up
Otago Polytechnic as an issuer with one programme admin, and makes a CSV of COUNT rows awarding its CLD
facilitation micro-credential to COUNT people without an account (each is invited: the slowest kind of row). It
then times, as the page and the API do them:

- **upload**: ``awards.upload_awards`` (decode, read, check every row, keep the batch for preview);
- **confirm**: ``bulk.apply_awards`` (every row checked again, the job started): what the web request waits for;
- **job**: ``run_job`` for that job in this process, as a task worker runs it: each row awarded in its own
  transaction with its outcome. Issuance is queued, not run (``bench.bulk`` measures issuing).

Outside the timing it checks that every row has one attainment and one job line. It prints one JSON object as
the last line of stdout; ``table`` turns it into rows per second. The request must stay well under gunicorn's
30 s timeout at the page's limit of 10,000 rows; the job may take minutes, in the background.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import django

from bench.harness import BenchError, bench_environment, run_python

ISSUER_SLUG = "otago-polytechnic"
MICRO_CREDENTIAL = "CLD-FACILITATION"
ACTOR = "bench:bulk-award"
RUN_TIMEOUT = 1800.0


@dataclass(frozen=True)
class BulkAwardResult:
    rows: int
    upload_seconds: float
    confirm_seconds: float
    job_seconds: float


def run(count: int) -> dict[str, object]:
    from django.urls import reverse

    from credo.accounts.models import Membership, Organisation, Role, User
    from credo.catalogue.interchange import import_catalogue, parse_document
    from credo.catalogue.models import Qualification
    from credo.core import jobs
    from credo.core.models import JobLine, JobState
    from credo.credentials import services
    from credo.credentials.models import Attainment
    from credo.credentials.services import awards, bulk
    from credo.front.demo import CATALOGUE_FILE

    import_catalogue(actor=ACTOR, document=parse_document(CATALOGUE_FILE.read_text(encoding="utf-8")))
    organisation = Organisation.objects.get(slug=ISSUER_SLUG)
    issuer = services.create_issuer(organisation, actor=ACTOR, email="credentials@op.ac.nz")
    achievement = services.achievement_for_qualification(Qualification.objects.get(code=MICRO_CREDENTIAL))
    admin = User.objects.create_user(email="registry@op.ac.nz", full_name="Registry", password=None)
    Membership.objects.create(user=admin, organisation=organisation, role=Role.PROGRAMME_ADMIN)
    rows = [f"graduate{n:05d}@example.org.nz,Graduate {n:05d},{achievement.public_id},2024-10-01" for n in range(count)]
    data = ("email,full_name,achievement,attained_on\n" + "\n".join(rows) + "\n").encode()
    reverse("issuing:bulk", kwargs={"slug": ISSUER_SLUG})  # a web process has its URLs loaded: not timed

    started = time.perf_counter()
    batch, plan = awards.upload_awards(actor=admin, issuer=issuer, file_name="graduates.csv", data=data)
    upload_seconds = time.perf_counter() - started
    if not plan.ok:
        raise SystemExit(f"the bench's file has problems: {plan.problems[:3]}")
    started = time.perf_counter()
    job = bulk.apply_awards(batch, actor=admin)
    confirm_seconds = time.perf_counter() - started
    started = time.perf_counter()
    jobs.run_job.call(job_id=str(job.public_id))
    job_seconds = time.perf_counter() - started

    job.refresh_from_db()
    if job.state != JobState.DONE or job.processed != count or job.failed:
        raise SystemExit(f"the job ended {job.state} with {job.processed} of {count} rows, {job.failed} not done")
    if Attainment.objects.filter(achievement=achievement).count() != count:
        raise SystemExit("not every row has exactly one attainment")
    if JobLine.objects.filter(job=job).count() != count:
        raise SystemExit("not every row has exactly one job line")
    return {"rows": count, "upload": upload_seconds, "confirm": confirm_seconds, "job": job_seconds}


def measure(count: int) -> BulkAwardResult:
    """Upload, confirm and the job for ``count`` rows, in a throwaway installation and a process of its own."""
    with tempfile.TemporaryDirectory(prefix="credo-bench-award-") as tmp:
        env = bench_environment(Path(tmp))
        run_python(env, ["manage.py", "migrate", "--no-input", "--verbosity", "0"], "manage.py migrate")
        output = run_python(env, ["-m", "bench.bulk_award", "run", str(count)], f"awarding {count} rows", RUN_TIMEOUT)
    try:
        figures = json.loads(output.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise BenchError(f"bench.bulk_award printed no result:\n{output}") from None
    return BulkAwardResult(
        int(figures["rows"]), float(figures["upload"]), float(figures["confirm"]), float(figures["job"])
    )


def table(result: BulkAwardResult) -> str:
    return "\n".join(
        [
            "bulk award: a CSV of newcomers (each invited), throwaway SQLite installation",
            f"{'rows':>6}  {'upload':>8}  {'confirm':>8}  {'job':>8}  {'rows/s (job)':>12}",
            f"{result.rows:>6,}  {result.upload_seconds:>7.1f}s  {result.confirm_seconds:>7.1f}s  "
            f"{result.job_seconds:>7.1f}s  {result.rows / result.job_seconds:>12.0f}",
        ]
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "run":
        print("usage: python -m bench.bulk_award run COUNT", file=sys.stderr)
        return 2
    django.setup()
    print(json.dumps(run(int(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
