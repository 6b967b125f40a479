"""A cohort's roster through the API, for its provider's programme admins: import learners from a CSV file and
export the roster as CSV. Both are background jobs: the answer is 202 with the job, to poll at ``/api/v1/jobs/{id}``
(the export's file is then at the job's ``download_url``). The same loaders and services as the pages.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Schema
from ninja import Status as Reply
from ninja.decorators import decorate_view
from ninja.files import UploadedFile
from ninja.security import django_auth

from credo.core.api import JobOut
from credo.core.csvfiles import CsvError, decode
from credo.core.uploads import bounded_upload
from credo.programmes.access.common import cohort_for_staff
from credo.programmes.api.router import router
from credo.programmes.forms.staff import ROSTER_MAX_BYTES
from credo.programmes.services import roster


class Message(Schema):
    detail: str


class Problems(Schema):
    detail: str
    problems: list[str]


_STARTED = {202: JobOut, 401: Message, 403: Message, 404: Message, 422: Problems}


@router.post(
    "/cohorts/{public_id}/roster/import",
    auth=django_auth,
    response=_STARTED,
    url_name="programmes_roster_import",
    summary="Import learners from a roster CSV: checked whole first, then registered row by row in the background",
    description=(
        "Every row is checked first: any problem answers 422 listing each one by line and column, and nothing is "
        "done. A good file answers 202 with the job that registers the rows one by one; each row's outcome is "
        f"in the job's lines. Files up to {ROSTER_MAX_BYTES // 1024} KB, UTF-8."
    ),
)
@decorate_view(bounded_upload(ROSTER_MAX_BYTES, check_csrf=False))  # django_auth checks CSRF itself
def import_roster(request: HttpRequest, public_id: UUID, file: File[UploadedFile]) -> Reply[JobOut]:
    cohort = cohort_for_staff(request.user, str(public_id))
    if file.size is not None and file.size > ROSTER_MAX_BYTES:
        raise ValidationError(f"The file is larger than {ROSTER_MAX_BYTES // 1024} KB; split it up.")
    try:
        text = decode(file.read(ROSTER_MAX_BYTES + 1), max_bytes=ROSTER_MAX_BYTES)
    except CsvError as error:
        raise ValidationError(error.messages) from None
    job = roster.start_import(cohort, text, actor=request.user, file_name=str(file.name or ""))
    return Reply(202, JobOut.of(job))


@router.post(
    "/cohorts/{public_id}/roster/export",
    auth=django_auth,
    response={202: JobOut, 401: Message, 403: Message, 404: Message},
    url_name="programmes_roster_export",
    summary="Export the roster as CSV in the background; the file is at the job's download_url when done",
)
def export_roster(request: HttpRequest, public_id: UUID) -> Reply[JobOut]:
    cohort = cohort_for_staff(request.user, str(public_id))
    return Reply(202, JobOut.of(roster.start_export(cohort, actor=request.user)))
