"""How a roster file is read (credo.core.csvfiles: any line ending, byte-order mark, cells over several lines,
problems on the line a spreadsheet shows), an oversized upload refused before it is stored, and the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files import uploadhandler
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from credo.accounts.models import Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.core import jobs
from credo.core.models import Job, JobState
from credo.programmes.forms.staff import ROSTER_MAX_BYTES
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.services import roster

from .staff_helpers import REFUSED, refused_user, register

ROWS = [
    "email,full_name,organisation_name,organisation_type,invoice_to_organisation",
    "hemi@example.org,Hemi Walker,Porirua City Council,local_government,no",
    "mere@example.org,Mere Tane,Ōtautahi Community Trust,community,yes",
]


def problems(cohort: Cohort, text: str) -> list[tuple[int, str, str]]:
    return [(p.line, p.column, p.message) for p in roster.check_roster(cohort, text).problems]


class TestReading:
    @pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"], ids=["cr-only", "crlf", "lf"])
    def test_every_line_ending_reads_the_same(self, cohort: Cohort, ending: str) -> None:
        check = roster.check_roster(cohort, ending.join(ROWS) + ending)
        assert check.ok, check.problems
        assert [(row.line, row.email) for row in check.rows] == [(2, "hemi@example.org"), (3, "mere@example.org")]

    def test_a_byte_order_mark_is_not_part_of_the_first_column(
        self, cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        data = "\ufeff".encode() + "\r\n".join(ROWS).encode()
        response = client_for(provider_admin).post(
            f"/programmes/staff/{cohort.public_id}/roster/import", {"file": _upload(data)}
        )
        assert response.status_code == 200
        assert "Ready to register 2 learners" in response.content.decode()

    def test_a_cell_over_several_lines_keeps_the_rows_after_it_on_their_own_line_numbers(self, cohort: Cohort) -> None:
        text = "\n".join(
            [
                ROWS[0],
                'hemi@example.org,Hemi Walker,"Porirua City Council\nCommunity team",local_government,no',
                "",  # a blank line, as spreadsheets leave them
                "bad,Bad Row,Trust,community,no",
            ]
        )
        assert problems(cohort, text) == [(5, "email", "'bad' is not an email address.")]

    def test_a_quote_never_closed_is_reported_on_the_line_where_its_row_starts(self, cohort: Cohort) -> None:
        text = "\n".join([*ROWS, 'aroha@example.org,"Aroha,Trust,community,no', "x@example.org,X,Trust,community,no"])
        ((line, column, message),) = problems(cohort, text)
        assert (line, column) == (4, "file")
        assert message.startswith("Line 4 is not valid CSV")
        assert "check its quotes" in message

    def test_a_row_with_more_cells_than_columns_is_reported_not_read_past(self, cohort: Cohort) -> None:
        text = "\n".join([*ROWS, "x@example.org,Smith, Jo,Trust,community,no"])
        check = roster.check_roster(cohort, text)
        assert [(p.line, p.message) for p in check.problems] == [
            (4, "This row has 1 more cell than the header has columns."),
        ]
        assert not check.ok

    def test_column_names_are_read_as_a_spreadsheet_person_writes_them(self, cohort: Cohort) -> None:
        text = "\n".join(["Email,Full name,Organisation name,Organisation type", ROWS[1].rsplit(",", 1)[0]])
        assert roster.check_roster(cohort, text).ok


def _upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("roster.csv", data, content_type="text/csv")


class TestOversizedUploads:
    @pytest.fixture
    def temporary_files(self, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        """Every temporary file Django's upload handlers open (the disk the bounded handler must spare)."""
        made: list[str] = []
        real = uploadhandler.TemporaryUploadedFile

        def record(*args: Any, **kwargs: Any) -> Any:
            made.append(args[0] if args else kwargs.get("name", ""))
            return real(*args, **kwargs)

        monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", record)
        return made

    def test_an_oversized_roster_is_refused_with_a_clear_message_and_never_written_to_disk(
        self,
        cohort: Cohort,
        provider_admin: User,
        client_for: Callable[[User | None], Client],
        temporary_files: list[str],
        settings: Any,
    ) -> None:
        # Larger than what Django keeps in memory, so without the bounded handler it would go to a temporary file.
        size = settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1024
        data = ("\n".join(ROWS) + "\n" + "x" * size).encode()
        response = client_for(provider_admin).post(
            f"/programmes/staff/{cohort.public_id}/roster/import", {"file": _upload(data)}
        )
        assert response.status_code == 422
        assert f"The file is larger than {ROSTER_MAX_BYTES // 1024} KB" in response.content.decode()
        assert temporary_files == []

    def test_a_roster_just_under_the_limit_is_read_whole(
        self, cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        body = "\n".join(ROWS) + "\n"
        padding = "\n" * (ROSTER_MAX_BYTES - len(body.encode()))  # blank lines are read past
        response = client_for(provider_admin).post(
            f"/programmes/staff/{cohort.public_id}/roster/import", {"file": _upload((body + padding).encode())}
        )
        assert response.status_code == 200
        assert "Ready to register 2 learners" in response.content.decode()

    def test_the_page_still_refuses_a_post_without_its_csrf_token(self, cohort: Cohort, provider_admin: User) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(provider_admin)
        response = client.post(
            f"/programmes/staff/{cohort.public_id}/roster/import", {"file": _upload("\n".join(ROWS).encode())}
        )
        assert response.status_code == 403

    def test_the_api_refuses_an_oversized_roster_before_storing_it(
        self,
        cohort: Cohort,
        provider_admin: User,
        client_for: Callable[[User | None], Client],
        temporary_files: list[str],
        settings: Any,
    ) -> None:
        data = b"x" * (settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1024)
        response = client_for(provider_admin).post(
            f"/api/v1/programmes/cohorts/{cohort.public_id}/roster/import", {"file": _upload(data)}
        )
        assert response.status_code == 422
        assert response.json()["detail"] == f"The file is larger than {ROSTER_MAX_BYTES // 1024} KB; split it up."
        assert temporary_files == []
        assert not Job.objects.exists()


class TestTheApi:
    def test_a_good_roster_answers_202_with_the_job_that_registers_it(
        self,
        cohort: Cohort,
        provider_admin: User,
        client_for: Callable[[User | None], Client],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        client = client_for(provider_admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/api/v1/programmes/cohorts/{cohort.public_id}/roster/import",
                {"file": _upload("\r".join(ROWS).encode())},
            )
        assert response.status_code == 202
        job = Job.objects.get()
        assert response.json()["id"] == str(job.public_id)
        polled = client.get(f"/api/v1/jobs/{job.public_id}").json()
        assert (polled["state"], polled["processed"], polled["failed"]) == ("done", 2, 0)
        lines = client.get(f"/api/v1/jobs/{job.public_id}/lines").json()
        assert [(line["line"], line["message"]) for line in lines] == [
            (2, "Invited and registered"),
            (3, "Invited and registered"),
        ]
        assert Enrolment.objects.filter(cohort=cohort).count() == 2

    def test_a_roster_with_problems_answers_422_listing_each_and_starts_nothing(
        self, cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        text = "\n".join([*ROWS, "bad,,,,"])
        response = client_for(provider_admin).post(
            f"/api/v1/programmes/cohorts/{cohort.public_id}/roster/import", {"file": _upload(text.encode())}
        )
        assert response.status_code == 422
        assert "Line 4, email: 'bad' is not an email address." in response.json()["problems"]
        assert not Job.objects.exists()

    def test_the_export_answers_202_and_its_job_offers_the_file(
        self,
        cohort: Cohort,
        provider_admin: User,
        applicant: User,
        client_for: Callable[[User | None], Client],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        register(cohort, applicant)
        client = client_for(provider_admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/v1/programmes/cohorts/{cohort.public_id}/roster/export")
        assert response.status_code == 202
        polled = client.get(f"/api/v1/jobs/{response.json()['id']}").json()
        assert polled["state"] == JobState.DONE
        download = client.get(polled["download_url"])
        assert "aroha@example.org" in b"".join(download.streaming_content).decode()

    @pytest.mark.parametrize(("who", "status"), REFUSED)
    def test_everyone_else_is_refused_and_nothing_is_started(
        self,
        who: str,
        status: int,
        cohort: Cohort,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(refused_user(who, cohort, request))
        base = f"/api/v1/programmes/cohorts/{cohort.public_id}/roster"
        enrolled = Enrolment.objects.count()
        assert client.post(f"{base}/import", {"file": _upload("\n".join(ROWS).encode())}).status_code == status
        assert client.post(f"{base}/export").status_code == status
        assert Enrolment.objects.count() == enrolled
        assert not Job.objects.exists()

    def test_anonymous_callers_are_refused(self, cohort: Cohort, client_for: Callable[[User | None], Client]) -> None:
        base = f"/api/v1/programmes/cohorts/{cohort.public_id}/roster"
        client = client_for(None)
        assert client.post(f"{base}/import", {"file": _upload("\n".join(ROWS).encode())}).status_code == 401
        assert client.post(f"{base}/export").status_code == 401

    def test_another_admin_of_the_provider_cannot_see_the_job(
        self,
        cohort: Cohort,
        provider_admin: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        job = roster.start_export(cohort, actor=provider_admin)
        jobs.run_job.call(job_id=str(job.public_id))
        colleague = _second_admin(cohort)
        assert client_for(colleague).get(f"/api/v1/jobs/{job.public_id}").status_code == 404
        assert client_for(colleague).get(f"/jobs/{job.public_id}/download").status_code == 404


def _second_admin(cohort: Cohort) -> User:
    return MembershipFactory(
        user=UserFactory(email="colleague@inspiring-test.example"),
        organisation=cohort.programme.provider,
        role=Role.PROGRAMME_ADMIN,
    ).user
