"""Ratifying a batch of outcomes end to end: from "send for ratification" to issued credentials.

    python -m bench --only ratification [--ratification 1000]   (what ``make bench`` runs, with the rest)
    python -m bench.ratification run COUNT                        (the measuring process, in a throwaway installation)

In a throwaway SQLite installation (``migrate``), the measuring process sets up a centre delivering a CLD
micro-credential issued by an institution (did:key issuer), has one learner submit through the portfolios' own
services (a case study, an attestation, a file; every item shared in the credential), and copies that learner's
enrolment, portfolio and submission to COUNT learners, each assessed competent, released and passed by a finished
moderation sample (``bulk_create``: setting up is not what is measured). It then times, as the pages do them:

- **send**: ``ratification.send_for_ratification`` (the provider's request);
- **ratify**: ``ratification.ratify`` (the ratifier's request: lock, state, start the job);
- **job**: ``run_job`` for that job in this process, as a task worker runs it: per chunk, each learner's attainment
  with its evidence, the credentials signed, enrolments marked awarded, emails queued, the job lines.

Outside the timing it checks one attainment and one credential per learner and that the last credential verifies.
**peak RSS** is the process's ``ru_maxrss``; **RSS before** is taken just before sending, so peak minus before is
what the ratification itself needed (it should not grow with the number of outcomes: the job works chunk by chunk).
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import django

from bench.harness import BenchError, bench_environment, run_python

RUN_TIMEOUT = 3600.0


@dataclass(frozen=True)
class RatificationResult:
    outcomes: int
    send_seconds: float
    ratify_seconds: float
    job_seconds: float
    rss_before_mb: float
    peak_rss_mb: float


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _freeze_now() -> None:
    """20 August 2024 in Auckland, as the assessment tests' clock starts: the builders' cohort is 2024's, before its
    submission deadline."""
    import datetime

    from django.utils import timezone

    from credo.programmes.tests.builders import nz

    moment = nz(2024, 8, 20, 9).astimezone(datetime.UTC)
    timezone.now = lambda: moment


def _world(count: int) -> tuple[object, object, object]:
    """The cohort with COUNT ready outcomes, its programme admin, and the institution's ratifier."""
    _freeze_now()
    from django.utils import timezone

    from credo.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from credo.assessment.models import (
        Assessment,
        AssessmentState,
        ModerationSample,
        ModerationState,
        Outcome,
        SampleEntry,
    )
    from credo.assessment.tests.builders import submitted
    from credo.credentials.services import create_issuer
    from credo.portfolios.models import EvidenceItem, Portfolio, Submission
    from credo.portfolios.tests.builders import cld_with_template, cohort_of
    from credo.programmes.models import Enrolment

    def _member(email: str, organisation: Organisation, role: str) -> User:
        user = User.objects.create_user(email=email, full_name=email.split("@")[0].title())
        Membership.objects.create(user=user, organisation=organisation, role=role)
        return user

    institution = Organisation.objects.create(
        name="Otago Polytechnic", slug="otago-polytechnic", kind=OrganisationKind.ISSUING_INSTITUTION, country="NZ"
    )
    centre = Organisation.objects.create(
        name="Inspiring Communities", slug="ic", kind=OrganisationKind.PROVIDER, country="NZ"
    )
    admin = _member("admin@ic.example", centre, Role.PROGRAMME_ADMIN)
    registry = _member("registry@op.example", institution, Role.PROGRAMME_ADMIN)
    ratifier = _member("ratifier@op.example", institution, Role.RATIFIER)
    assessor = _member("assessor@ic.example", centre, Role.ASSESSOR)
    create_issuer(institution, actor=registry, email="badges@op.example", did_method="key")
    cohort = cohort_of(admin, centre, cld_with_template(registry, institution), "cld-facilitation")
    model = submitted(cohort, "model@example.org", "Model Learner")
    ids = [item["item"] for section in model.manifest["sections"] for item in section["items"]]
    EvidenceItem.objects.filter(pk__in=ids).update(share_in_credential=True)
    enrolment = model.portfolio.enrolment
    portfolio = model.portfolio

    learners = User.objects.bulk_create(
        [User(email=f"learner{n:05d}@example.org", full_name=f"Learner {n:05d}") for n in range(count - 1)]
    )
    Membership.objects.bulk_create([Membership(user=u, organisation=centre, role=Role.LEARNER) for u in learners])
    enrolments = []
    for learner in learners:
        copy = Enrolment.objects.get(pk=enrolment.pk)
        copy.pk = None
        copy.learner = learner
        enrolments.append(copy)
    enrolments = Enrolment.objects.bulk_create(enrolments)
    portfolios = []
    for each in enrolments:
        copy_p = Portfolio.objects.get(pk=portfolio.pk)
        copy_p.pk = None
        copy_p.enrolment = each
        portfolios.append(copy_p)
    portfolios = Portfolio.objects.bulk_create(portfolios)
    submissions = []
    for each_p, learner in zip(portfolios, learners, strict=True):
        copy_s = Submission.objects.get(pk=model.pk)
        copy_s.pk = None
        copy_s.portfolio = each_p
        copy_s.submitted_by = learner
        submissions.append(copy_s)
    submissions = [model, *Submission.objects.bulk_create(submissions)]
    now = timezone.now()
    assessments = Assessment.objects.bulk_create(
        [
            Assessment(
                submission=s,
                cohort=cohort,
                learner_id=s.submitted_by_id,
                attempt=1,
                assessor=assessor,
                assigned_by=admin,
                assigned_at=now,
                due_on=cohort.assessment_ends,
                state=AssessmentState.COMPLETED,
                outcome=Outcome.COMPETENT,
                completed_at=now,
                released_at=now,
            )
            for s in submissions
        ]
    )
    sample = ModerationSample.objects.create(
        cohort=cohort,
        number=1,
        seed="bench",
        plan={"percent": 0, "new_assessor_decisions": 0},
        population=[a.pk for a in assessments],
        drawn_by=admin,
        drawn_at=now,
        completed_at=now,
    )
    SampleEntry.objects.bulk_create(
        [SampleEntry(sample=sample, assessment=a, state=ModerationState.NOT_SAMPLED) for a in assessments]
    )
    return cohort, admin, ratifier


def run(count: int) -> dict[str, float]:
    from credo.assessment.services import ratification
    from credo.core import jobs
    from credo.core.models import JobState
    from credo.credentials.models import Attainment, Credential
    from credo.credentials.verification import verify_credential

    cohort, admin, ratifier = _world(count)
    rss_before = _rss_mb()
    started = time.perf_counter()
    batch = ratification.send_for_ratification(cohort=cohort, actor=admin)  # type: ignore[arg-type]
    send_seconds = time.perf_counter() - started
    started = time.perf_counter()
    job = ratification.ratify(batch=batch, actor=ratifier)
    ratify_seconds = time.perf_counter() - started
    started = time.perf_counter()
    jobs.run_job.call(job_id=str(job.public_id))
    job_seconds = time.perf_counter() - started
    peak = _rss_mb()

    job.refresh_from_db()
    if job.state != JobState.DONE or job.processed != count or job.failed:
        raise SystemExit(f"the job ended {job.state} with {job.processed} of {count} outcomes, {job.failed} not done")
    if Attainment.objects.count() != count or Credential.objects.count() != count:
        raise SystemExit("not every outcome has exactly one attainment and one credential")
    last = Credential.objects.order_by("-pk").first()
    if last is None or not verify_credential(json.loads(last.issued_json)).verified:
        raise SystemExit("the last credential issued does not verify")
    return {
        "outcomes": count,
        "send": send_seconds,
        "ratify": ratify_seconds,
        "job": job_seconds,
        "rss_before": rss_before,
        "peak_rss": peak,
    }


def measure(count: int) -> RatificationResult:
    with tempfile.TemporaryDirectory(prefix="credo-bench-ratify-") as tmp:
        env = bench_environment(Path(tmp))
        run_python(env, ["manage.py", "migrate", "--no-input", "--verbosity", "0"], "manage.py migrate")
        output = run_python(
            env, ["-m", "bench.ratification", "run", str(count)], f"ratifying {count} outcomes", RUN_TIMEOUT
        )
    try:
        figures = json.loads(output.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise BenchError(f"bench.ratification printed no result:\n{output}") from None
    return RatificationResult(
        int(figures["outcomes"]),
        float(figures["send"]),
        float(figures["ratify"]),
        float(figures["job"]),
        float(figures["rss_before"]),
        float(figures["peak_rss"]),
    )


def table(result: RatificationResult) -> str:
    return "\n".join(
        [
            "ratification: a batch of competent outcomes to issued credentials, throwaway SQLite installation",
            f"{'outcomes':>8}  {'send':>7}  {'ratify':>7}  {'job':>8}  {'per s (job)':>11}  {'RSS before':>10}  "
            f"{'peak RSS':>9}",
            f"{result.outcomes:>8,}  {result.send_seconds:>6.2f}s  {result.ratify_seconds:>6.2f}s  "
            f"{result.job_seconds:>7.1f}s  {result.outcomes / result.job_seconds:>11.1f}  "
            f"{result.rss_before_mb:>7.0f} MB  {result.peak_rss_mb:>6.0f} MB",
        ]
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "run":
        print("usage: python -m bench.ratification run COUNT", file=sys.stderr)
        return 2
    django.setup()
    print(json.dumps(run(int(argv[1]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
