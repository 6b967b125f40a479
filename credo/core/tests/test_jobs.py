"""Background jobs: started on commit, resumed after a crash without doing a line twice, watched by their owner only."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from credo.accounts.models import User
from credo.core import jobs
from credo.core.models import Job, JobLineOutcome, JobState

pytestmark = pytest.mark.django_db

#: What the test handler did, line by line, across runs: a line done twice would show up here twice.
did: list[int] = []
#: Make the test handler die after this many lines of a run (a worker killed), or never (None).
crash_after: list[int | None] = [None]


class WorkerKilled(BaseException):
    """Not an Exception: like SIGKILL, nothing in the job catches it and nothing records the stop."""


def _count_to(run: jobs.JobRun) -> str:
    lines = [(number, f"item {number}") for number in range(1, run.params["n"] + 1)]
    run.set_total(len(lines))
    for done_this_run, (line, label) in enumerate(run.pending(lines)):
        if crash_after[0] is not None and done_this_run == crash_after[0]:
            raise WorkerKilled
        with transaction.atomic():
            did.append(line)
            if line % 5 == 0:
                run.record(line, JobLineOutcome.FAILED, "Five is not allowed.", label=label)
            else:
                run.record(line, JobLineOutcome.DONE, label=label)
    return f"Counted to {run.params['n']}."


def _refuse(run: jobs.JobRun) -> str:
    raise jobs.JobRefusedError("The file has changed since you checked it: upload it again.")


def _export(run: jobs.JobRun) -> str:
    run.save_output("numbers.csv", ContentFile(b"n\n1\n2\n"), content_type="text/csv")
    return "Exported."


@pytest.fixture(autouse=True)
def _handlers() -> Iterator[None]:
    jobs.register("test.count", _count_to)
    jobs.register("test.refuse", _refuse)
    jobs.register("test.export", _export)
    did.clear()
    crash_after[0] = None
    yield
    crash_after[0] = None


def _start(user: User, kind: str = "test.count", n: int = 12) -> Job:
    return jobs.start_job(kind=kind, title=f"Counting to {n}", started_by=user, params={"n": n})


def test_a_job_runs_once_its_transaction_commits_and_says_what_happened_line_by_line(
    learner: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = _start(learner)
        assert job.state == JobState.QUEUED  # nothing runs before the commit
    job.refresh_from_db()
    assert (job.state, job.total, job.processed, job.failed) == (JobState.DONE, 12, 12, 2)
    assert job.summary == "Counted to 12."
    assert list(job.lines.filter(outcome=JobLineOutcome.FAILED).values_list("line", flat=True)) == [5, 10]


def test_a_killed_run_resumes_where_it_stopped_and_no_line_is_done_twice(learner: User) -> None:
    job = _start(learner)
    crash_after[0] = 7
    with pytest.raises(WorkerKilled):
        jobs.run_job.call(job_id=str(job.public_id))
    job.refresh_from_db()
    assert (job.state, job.processed) == (JobState.RUNNING, 7)

    crash_after[0] = None
    jobs.run_job.call(job_id=str(job.public_id))  # the worker that picks the task up again
    job.refresh_from_db()
    assert did == list(range(1, 13))
    assert (job.state, job.processed, job.runs) == (JobState.DONE, 12, 2)


def test_running_a_finished_job_again_does_nothing(learner: User) -> None:
    job = _start(learner, n=3)
    jobs.run_job.call(job_id=str(job.public_id))
    jobs.run_job.call(job_id=str(job.public_id))
    assert did == [1, 2, 3]


def test_a_refused_job_stops_with_words_for_its_owner_and_can_be_tried_again(learner: User) -> None:
    job = _start(learner, kind="test.refuse")
    jobs.run_job.call(job_id=str(job.public_id))
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.problem == "The file has changed since you checked it: upload it again."
    jobs.retry_job(job)
    assert job.state == JobState.QUEUED
    assert job.problem == ""


def test_an_unknown_kind_cannot_be_started(learner: User) -> None:
    with pytest.raises(LookupError):
        jobs.start_job(kind="test.nothing", title="Nothing", started_by=learner)


def test_the_owner_follows_the_job_and_downloads_its_file(
    learner: User, client_for: Callable[[User | None], Client]
) -> None:
    job = _start(learner, kind="test.export")
    jobs.run_job.call(job_id=str(job.public_id))
    client = client_for(learner)

    page = client.get(f"/jobs/{job.public_id}/")
    assert page.status_code == 200
    assert "Exported." in page.content.decode()
    download = client.get(f"/jobs/{job.public_id}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"n\n1\n2\n"
    assert "numbers.csv" in download["Content-Disposition"]
    assert client.get("/jobs/").status_code == 200


def test_the_progress_block_polls_until_the_job_finishes_then_reloads_the_page(
    learner: User, client_for: Callable[[User | None], Client]
) -> None:
    job = _start(learner, n=3)
    client = client_for(learner)
    waiting = client.get(f"/jobs/{job.public_id}/progress", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in waiting.content.decode()
    assert "Waiting to start" in waiting.content.decode()
    jobs.run_job.call(job_id=str(job.public_id))
    finished = client.get(f"/jobs/{job.public_id}/progress", headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"


def test_the_lines_can_be_filtered_by_outcome(learner: User, client_for: Callable[[User | None], Client]) -> None:
    job = _start(learner, n=12)
    jobs.run_job.call(job_id=str(job.public_id))
    page = client_for(learner).get(f"/jobs/{job.public_id}/", {"outcome": "failed"}).content.decode()
    assert "Five is not allowed." in page
    assert "item 4" not in page
    assert "item 10" in page


@pytest.mark.parametrize("path", ["", "progress", "download", "retry"])
def test_nobody_else_sees_a_job(
    path: str, learner: User, outsider: User, facilitator: User, client_for: Callable[[User | None], Client]
) -> None:
    job = _start(learner, kind="test.export")
    jobs.run_job.call(job_id=str(job.public_id))
    url = f"/jobs/{job.public_id}/{path}"
    method = "post" if path == "retry" else "get"
    for someone in (outsider, facilitator):
        assert getattr(client_for(someone), method)(url).status_code == 404
    anonymous = getattr(client_for(None), method)(url)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]


def test_the_api_gives_progress_and_lines_to_the_owner_only(
    learner: User, outsider: User, client_for: Callable[[User | None], Client]
) -> None:
    job = _start(learner, n=6)
    jobs.run_job.call(job_id=str(job.public_id))
    mine = client_for(learner).get(f"/api/v1/jobs/{job.public_id}").json()
    assert (mine["state"], mine["state_label"], mine["processed"], mine["failed"]) == ("done", "Finished", 6, 1)
    lines = client_for(learner).get(f"/api/v1/jobs/{job.public_id}/lines", {"outcome": "failed"}).json()
    assert [line["line"] for line in lines] == [5]
    assert client_for(outsider).get(f"/api/v1/jobs/{job.public_id}").status_code == 404
    assert client_for(None).get(f"/api/v1/jobs/{job.public_id}").status_code == 401


def test_export_files_are_deleted_when_their_time_is_up(learner: User) -> None:
    job = _start(learner, kind="test.export")
    jobs.run_job.call(job_id=str(job.public_id))
    job.refresh_from_db()
    stored = job.output.name
    storage = job.output.storage
    assert storage.exists(stored)

    assert jobs.sweep_job_outputs.call() == 0  # not yet
    Job.objects.filter(pk=job.pk).update(output_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert jobs.sweep_job_outputs.call() == 1
    job.refresh_from_db()
    assert not job.output
    assert not storage.exists(stored)


def test_the_dashboard_shows_work_in_progress_and_links_to_the_list(
    learner: User, client_for: Callable[[User | None], Client]
) -> None:
    _start(learner, n=3)
    dashboard = client_for(learner).get("/dashboard/").content.decode()
    assert "Your background work" in dashboard
    assert "Counting to 3" in dashboard
    assert "waiting to start" in dashboard
