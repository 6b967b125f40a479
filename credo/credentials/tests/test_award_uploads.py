"""Reading a bulk-award upload: any line ending, a broken quote named by its line, and nothing stored past the
size limit. Through the page and the API: a file credo cannot read is a problem to fix, never a server error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client

from credo.accounts.models import User
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials import services
from credo.credentials.models import Achievement, AwardBatch, Issuer
from credo.credentials.services.awards import MAX_BYTES, plan_awards

SLUG = "test-awards"
PAGE = f"/issuing/{SLUG}/award/bulk"
API = f"/api/v1/credentials/issuers/{SLUG}/award-batches"


@pytest.fixture
def unit(issuer: Issuer, catalogue: SmallCatalogue) -> Achievement:
    return services.achievement_for_unit(catalogue.shared_units[0])


def _rows(unit: Achievement, newline: str) -> str:
    return newline.join(
        [
            "email,full_name,achievement,attained_on",
            f"a@example.org,A,{unit.code},2024-10-31",
            f'b@example.org,"B, with a comma",{unit.code},2024-10-31',
            "",
        ]
    )


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"], ids=["CR only (old Mac)", "CRLF (Windows)", "LF"])
def test_every_line_ending_reads_the_same(unit: Achievement, newline: str) -> None:
    plan = plan_awards(unit.issuer, _rows(unit, newline))
    assert plan.ok, plan.problems
    assert [(line.line, line.full_name) for line in plan.lines] == [(2, "A"), (3, "B, with a comma")]


def test_a_broken_quote_is_a_problem_naming_its_line(unit: Achievement) -> None:
    text = f'email,full_name,achievement,attained_on\na@example.org,A,{unit.code},2024-10-31\nb@example.org,"B,x,y\n'
    plan = plan_awards(unit.issuer, text)
    assert not plan.ok
    (problem,) = plan.problems
    assert (problem.line, problem.field) == (3, "file")
    assert "Line 3 is not valid CSV" in problem.message


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_the_page_takes_a_file_with_any_line_ending(
    unit: Achievement, catalogue_admin: User, client_for: Callable[[User | None], Client], newline: str
) -> None:
    upload = SimpleUploadedFile("grads.csv", _rows(unit, newline).encode(), content_type="text/csv")
    response = client_for(catalogue_admin).post(PAGE, {"file": upload})
    assert response.status_code == 302
    assert "Award all 2" in client_for(catalogue_admin).get(response["Location"]).content.decode()


def test_the_page_and_the_api_report_a_broken_quote_as_a_problem(
    unit: Achievement, catalogue_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(catalogue_admin)
    broken = b'email,full_name,achievement,attained_on\n"a@example.org,A\n'
    page = client.post(PAGE, {"file": SimpleUploadedFile("broken.csv", broken)}, follow=True)
    assert page.status_code == 200
    assert "Line 2 is not valid CSV" in page.content.decode()
    api = client.post(API, {"file": SimpleUploadedFile("broken.csv", broken)})
    assert api.status_code == 422
    assert "Line 2 is not valid CSV" in " ".join(api.json()["problems"])


def test_the_api_takes_a_cr_only_file(
    unit: Achievement, catalogue_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    upload = SimpleUploadedFile("grads.csv", _rows(unit, "\r").encode())
    response = client_for(catalogue_admin).post(API, {"file": upload})
    assert response.status_code == 201, response.content
    assert response.json()["awards"] == 2


class TestOversizedUploads:
    """Over the limit, the body is read and dropped: no temporary file, and a message saying what to do."""

    @pytest.fixture
    def to_disk(self) -> Any:
        # Django's default handlers hand a body over FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) to this one.
        with mock.patch.object(TemporaryFileUploadHandler, "new_file") as spy:
            yield spy

    def _oversized(self) -> SimpleUploadedFile:
        return SimpleUploadedFile("huge.csv", b"email,full_name,achievement,attained_on\n" + b"x" * MAX_BYTES)

    def test_the_page_refuses_it_without_storing_it(
        self, issuer: Issuer, catalogue_admin: User, client_for: Callable[[User | None], Client], to_disk: Any
    ) -> None:
        response = client_for(catalogue_admin).post(PAGE, {"file": self._oversized()})
        assert response.status_code == 200
        assert "The file is larger than 4 MB" in response.content.decode()
        to_disk.assert_not_called()
        assert not AwardBatch.objects.exists()

    def test_the_api_refuses_it_without_storing_it(
        self, issuer: Issuer, catalogue_admin: User, client_for: Callable[[User | None], Client], to_disk: Any
    ) -> None:
        response = client_for(catalogue_admin).post(API, {"file": self._oversized()})
        assert response.status_code == 422
        assert "The file is larger than 4 MB" in response.json()["detail"]
        to_disk.assert_not_called()
        assert not AwardBatch.objects.exists()

    def test_the_page_still_checks_the_csrf_token(
        self, issuer: Issuer, catalogue_admin: User, unit: Achievement
    ) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(catalogue_admin)
        upload = SimpleUploadedFile("grads.csv", _rows(unit, "\n").encode())
        assert client.post(PAGE, {"file": upload}).status_code == 403
        assert not AwardBatch.objects.exists()
