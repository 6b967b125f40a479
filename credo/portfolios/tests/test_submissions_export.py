"""The ZIP exports: the portfolio as it is now and each submitted attempt, built by a background job (the streamed
archive written to a file, progress file by file) that its owner downloads, with an escaped index."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import User
from credo.core import jobs
from credo.core.models import Job, JobState
from credo.portfolios import access
from credo.portfolios.models import EvidenceItem, Portfolio
from credo.portfolios.services import export, export_jobs, submissions
from credo.programmes.models import Cohort, Enrolment, EnrolmentState
from credo.programmes.services import enrolments

from .builders import studying
from .submission_builders import make_ready

pytestmark = pytest.mark.django_db
pytest_plugins = ["credo.portfolios.tests.staff_fixtures"]

SignIn = Callable[[User | None], Client]


def _built(client: Client, url: str, capture: Any) -> tuple[Job, zipfile.ZipFile]:
    """Ask for the export (POST), let its job run as the worker does after the commit, download it from its page."""
    with capture(execute=True):
        started = client.post(url)
    job = Job.objects.latest("pk")
    assert started.status_code == 302
    assert started["Location"] == f"/jobs/{job.public_id}/"
    page = client.get(started["Location"]).content.decode()
    assert "Download portfolio-" in page
    download = client.get(f"/jobs/{job.public_id}/download")
    assert download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith("attachment;")
    job.refresh_from_db()
    return job, zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))


@pytest.fixture
def ready(cld_portfolio: Portfolio, aroha: User) -> Portfolio:
    make_ready(cld_portfolio, aroha)
    # A title is plain text: whatever it holds must reach the index as text, never as markup.
    EvidenceItem.objects.filter(title="Reflection").update(title="<script>alert('x')</script> reflection")
    return cld_portfolio


def test_the_portfolio_is_built_by_a_job_as_a_zip_with_an_escaped_index_and_its_files(
    ready: Portfolio,
    cld_enrolment: Enrolment,
    aroha: User,
    client_for: SignIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = reverse("portfolios:portfolio-export", args=[cld_enrolment.pk])
    assert client_for(aroha).get(url).status_code == 405  # asking for it starts work: a POST
    job, archive = _built(client_for(aroha), url, django_capture_on_commit_callbacks)
    assert (job.state, job.total, job.processed, job.failed) == (JobState.DONE, 1, 1, 0)
    assert job.summary == "The archive holds an index and 1 file."
    assert job.back_url == reverse("portfolios:learner-portfolio", args=[cld_enrolment.pk])
    assert job.output_name == export.zip_name(ready)
    assert archive.testzip() is None
    index = archive.read("index.html").decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; reflection" in index
    assert "<script" not in index
    assert "Your CLD case study" in index
    assert "Mere Participant" in index
    (pdf_path,) = [name for name in archive.namelist() if name.startswith("files/")]
    stored = EvidenceItem.objects.get(kind="file")
    assert hashlib.sha256(archive.read(pdf_path)).hexdigest() == stored.sha256
    assert f'href="{pdf_path}"' in index


def test_a_submission_is_built_with_its_manifest_whose_hash_is_the_receipts(
    ready: Portfolio,
    cld_enrolment: Enrolment,
    aroha: User,
    client_for: SignIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    submission = submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)
    url = reverse("portfolios:submission-export", args=[cld_enrolment.pk, 1])
    job, archive = _built(client_for(aroha), url, django_capture_on_commit_callbacks)
    assert job.output_name.endswith("-attempt-1.zip")
    assert hashlib.sha256(archive.read("manifest.json")).hexdigest() == submission.content_sha256
    index = archive.read("index.html").decode()
    assert submission.content_sha256 in index
    assert "<script" not in index


def test_the_zip_is_written_in_chunks_not_all_at_once(ready: Portfolio, aroha: User, media: object) -> None:
    big = EvidenceItem.objects.get(kind="file")
    with big.file.open("wb") as stream:  # a larger file in place of the PDF: the archive does not check hashes
        stream.write(b"%PDF" + b"\0" * (1024 * 1024))
    chunks = list(export.portfolio_zip(ready))
    assert len(chunks) > 10
    assert max(len(c) for c in chunks) < 200 * 1024


def test_a_withdrawn_learner_keeps_access_to_their_portfolio_export(
    ready: Portfolio,
    cld_enrolment: Enrolment,
    aroha: User,
    client_for: SignIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    enrolments.withdraw(cld_enrolment, actor=aroha, reason="Moving overseas")
    assert Enrolment.objects.get(pk=cld_enrolment.pk).state == EnrolmentState.WITHDRAWN
    url = reverse("portfolios:portfolio-export", args=[cld_enrolment.pk])
    _job, archive = _built(client_for(aroha), url, django_capture_on_commit_callbacks)
    assert "index.html" in archive.namelist()


def test_file_names_in_the_archive_cannot_escape_its_folders(ready: Portfolio) -> None:
    EvidenceItem.objects.filter(kind="file").update(original_name="..\u2215..\u2215etc passwd.pdf")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(export.portfolio_zip(ready))))
    for name in archive.namelist():
        assert not name.startswith("/")
        assert ".." not in name.split("/")


def test_a_file_missing_from_storage_is_a_line_not_done_and_the_rest_is_built(
    ready: Portfolio, aroha: User, media: object
) -> None:
    EvidenceItem.objects.get(kind="file").file.delete(save=False)
    job = export_jobs.start_portfolio_export(ready, actor=aroha)
    jobs.run_job.call(job_id=str(job.public_id))
    job.refresh_from_db()
    assert (job.state, job.processed, job.failed) == (JobState.DONE, 1, 1)
    (line,) = job.lines.all()
    assert line.label.startswith("files/")
    assert line.message == export_jobs.MISSING
    assert "1 could not be read from storage" in job.summary
    with job.output.open("rb") as stored:
        names = zipfile.ZipFile(io.BytesIO(stored.read())).namelist()
    assert any(name.endswith(".missing.txt") for name in names)


def test_a_rerun_after_a_crash_builds_the_whole_archive_again_and_counts_each_file_once(
    ready: Portfolio, aroha: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = export_jobs.start_portfolio_export(ready, actor=aroha)

    class WorkerKilled(BaseException):
        """Like SIGKILL: nothing catches it."""

    real_save = jobs.JobRun.save_output

    def die_before_saving(self: jobs.JobRun, *args: Any, **kwargs: Any) -> None:
        raise WorkerKilled

    monkeypatch.setattr(jobs.JobRun, "save_output", die_before_saving)
    with pytest.raises(WorkerKilled):
        jobs.run_job.call(job_id=str(job.public_id))
    job.refresh_from_db()
    assert (job.state, job.processed, job.output.name) == (JobState.RUNNING, 1, "")

    monkeypatch.setattr(jobs.JobRun, "save_output", real_save)
    jobs.run_job.call(job_id=str(job.public_id))
    job.refresh_from_db()
    assert (job.state, job.processed, job.runs) == (JobState.DONE, 1, 2)
    with job.output.open("rb") as stored:
        assert zipfile.ZipFile(io.BytesIO(stored.read())).testzip() is None


def test_staff_who_may_read_the_portfolio_export_it_and_only_they_download_it(
    ready: Portfolio,
    cld_enrolment: Enrolment,
    cohort_facilitator: User,
    aroha: User,
    client_for: SignIn,
    django_capture_on_commit_callbacks: Any,
) -> None:
    url = reverse("portfolios:staff_export", args=[cld_enrolment.pk])
    job, archive = _built(client_for(cohort_facilitator), url, django_capture_on_commit_callbacks)
    assert "index.html" in archive.namelist()
    assert job.back_url == reverse("portfolios:staff_portfolio", args=[cld_enrolment.pk])
    assert job.title == "Portfolio of Aroha Te Whare, as a ZIP"
    # The learner whose portfolio it is does not see the staff member's job (nor its copy).
    assert client_for(aroha).get(f"/jobs/{job.public_id}/download").status_code == 404


def test_a_staff_export_stops_if_the_role_is_gone_when_it_runs(
    ready: Portfolio, cld_enrolment: Enrolment, cohort_facilitator: User
) -> None:
    portfolio = access.portfolio_for_staff(cohort_facilitator, cld_enrolment.pk)
    job = export_jobs.start_portfolio_export(portfolio, actor=cohort_facilitator, as_staff=True)
    cld_enrolment.cohort.facilitators.remove(cohort_facilitator)  # taken off the cohort before the job ran
    jobs.run_job.call(job_id=str(job.public_id))
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.problem == "You may no longer read this portfolio, so it was not exported."
    assert not job.output


@pytest.mark.parametrize("who", ["other_cohorts_facilitator", "other_providers_admin", "other_learner", "anonymous"])
def test_the_staff_export_is_refused_to_everyone_else_and_nothing_starts(
    ready: Portfolio,
    cld_enrolment: Enrolment,
    cld_cohort: Cohort,
    provider_admin: User,
    client_for: SignIn,
    request: pytest.FixtureRequest,
    who: str,
) -> None:
    if who == "anonymous":
        person = None
    elif who == "other_learner":
        person = studying(cld_cohort, provider_admin, "tama@example.org", "Tama").learner
    else:
        person = request.getfixturevalue(who)
    response = client_for(person).post(reverse("portfolios:staff_export", args=[cld_enrolment.pk]))
    expected = {"other_cohorts_facilitator": 403, "anonymous": 302}.get(who, 404)
    assert response.status_code == expected
    assert not Job.objects.exists()
