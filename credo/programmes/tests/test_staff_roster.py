"""CSV import of learners (every row checked first, a report by line and column; then registered row by row by a
background job that resumes after a crash) and CSV export (a job writing a file its owner downloads)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from credo.accounts.models import Membership, User
from credo.accounts.tests.factories import UserFactory
from credo.audit.models import AuditEvent
from credo.core import jobs
from credo.core.models import Job, JobState
from credo.programmes.models import Cohort, Enrolment, EnrolmentState, RosterImport
from credo.programmes.services import enrolments, roster

from .builders import cohort_2024, nz
from .staff_helpers import PAID_ON, REFUSED, audit_count, refused_user, register

HEADER = "email,full_name,organisation_name,organisation_type,invoice_to_organisation\n"
GOOD = (
    HEADER
    + "hemi@example.org,Hemi Walker,Porirua City Council,local_government,no\n"
    + "mere@example.org,Mere Tane,Ōtautahi Community Trust,Community organisation,yes\n"
)
#: After registration closed (20 March 2024): staff may still add people.
AFTER_CLOSING = nz(2024, 4, 1, 9)


def problems(cohort: Cohort, text: str) -> list[tuple[int, str, str]]:
    return [(p.line, p.column, p.message) for p in roster.check_roster(cohort, text).problems]


class TestChecking:
    def test_a_good_file_has_no_problems_and_says_who_will_be_invited(self, cohort: Cohort, applicant: User) -> None:
        check = roster.check_roster(cohort, GOOD + "Aroha@Example.org,,Wellington City Council,central_government,\n")
        assert check.ok
        assert [(row.line, row.email, row.organisation_type, row.has_account) for row in check.rows] == [
            (2, "hemi@example.org", "local_government", False),
            (3, "mere@example.org", "community", False),
            (4, "aroha@example.org", "central_government", True),
        ]
        assert [row.invoice_to_organisation for row in check.rows] == [False, True, False]

    @pytest.mark.parametrize(
        ("row", "column", "message"),
        [
            ("not-an-email,A B,Org,community,no", "email", "'not-an-email' is not an email address."),
            (",A B,Org,community,no", "email", "An email address is required."),
            ("new@example.org,,Org,community,no", "full_name", "This person has no account yet: give their full name."),
            ("new@example.org,A B,,community,no", "organisation_name", "Give the organisation they work with."),
            ("new@example.org,A B,Org,company,no", "organisation_type", "Use one of: local_government,"),
            ("new@example.org,A B,Org,community,maybe", "invoice_to_organisation", "Write yes or no"),
            ("hemi@example.org,Hemi Again,Org,community,no", "email", "hemi@example.org is already on line 2."),
        ],
    )
    def test_each_bad_row_is_reported_by_line_and_column(
        self, cohort: Cohort, row: str, column: str, message: str
    ) -> None:
        ((line, got_column, got_message),) = problems(cohort, GOOD + row + "\n")
        assert (line, got_column) == (4, column)
        assert got_message.startswith(message)

    def test_every_problem_in_a_row_is_reported_not_just_the_first(self, cohort: Cohort) -> None:
        found = problems(cohort, HEADER + "nope,,,,perhaps\n")
        assert [column for _line, column, _message in found] == [
            "email",
            "full_name",
            "organisation_name",
            "organisation_type",
            "invoice_to_organisation",
        ]

    def test_someone_already_in_the_cohort_is_reported(self, cohort: Cohort, applicant: User) -> None:
        register(cohort, applicant)
        text = HEADER + "aroha@example.org,Aroha Te Whare,Org,community,no\n"
        assert problems(cohort, text) == [(2, "email", "aroha@example.org is already registered for this cohort.")]

    def test_a_type_with_no_fee_tier_in_the_cohort_is_reported(self, cohort: Cohort) -> None:
        tier = cohort.fee_tiers.get(code="community")
        tier.organisation_types = ["community"]
        tier.save()
        text = HEADER + "new@example.org,A B,Org,volunteer_group,no\n"
        assert problems(cohort, text) == [(2, "organisation_type", "This cohort has no fee tier for this type.")]

    @pytest.mark.parametrize(
        ("text", "column", "message"),
        [
            ("email,full_name\nx@example.org,X\n", "organisation_name, organisation_type", "The header row is missing"),
            (HEADER.strip() + ",notes\n", "notes", "Unknown columns"),
            (HEADER, "", "The file has a header but no learners."),
            ("", "file", "The file is empty: its first line names the columns."),
            ("\n\n", "file", "The file is empty: its first line names the columns."),
        ],
    )
    def test_a_file_of_the_wrong_shape_is_reported_on_line_1(
        self, cohort: Cohort, text: str, column: str, message: str
    ) -> None:
        ((line, got_column, got_message),) = problems(cohort, text)
        assert (line, got_column) == (1, column)
        assert got_message.startswith(message)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            'email,full_name,organisation_name,organisation_type\n"a@example.org,' + "x" * 140_000 + "\n",
            "not valid CSV",
        ),
        ("email,full_name,organisation_name,organisation_type\na@example.org,A\x00,B,community\n", "NUL"),
    ],
    ids=["unclosed-quote", "nul"],
)
def test_a_broken_file_is_reported_not_a_crash(cohort: Cohort, text: str, says: str) -> None:
    check = roster.check_roster(cohort, text)
    assert not check.rows
    assert says in " ".join(p.message for p in check.problems)


def import_now(cohort: Cohort, text: str, actor: User, capture: Any) -> Job:
    """Confirm a roster and run its job to the end, as the worker does once the confirmation commits."""
    with capture(execute=True):
        job = roster.start_import(cohort, text, actor=actor, file_name="roster.csv")
    job.refresh_from_db()
    return job


def outcomes(job: Job) -> list[tuple[int, str, str, str]]:
    return [(line.line, line.label, line.outcome, line.message) for line in job.lines.order_by("line")]


class TestImporting:
    def test_it_invites_new_people_and_registers_everyone_after_registration_closed(
        self, cohort: Cohort, provider_admin: User, applicant: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        text = GOOD + "aroha@example.org,,Wellington City Council,central_government,\n"
        job = import_now(cohort, text, provider_admin, django_capture_on_commit_callbacks)
        assert (job.state, job.total, job.processed, job.failed) == (JobState.DONE, 3, 3, 0)
        assert outcomes(job) == [
            (2, "hemi@example.org", "done", "Invited and registered"),
            (3, "mere@example.org", "done", "Invited and registered"),
            (4, "aroha@example.org", "done", "Registered"),
        ]
        registered = list(Enrolment.objects.filter(cohort=cohort).order_by("pk"))
        assert [e.learner.email for e in registered] == ["hemi@example.org", "mere@example.org", "aroha@example.org"]
        assert all(e.state == EnrolmentState.APPLIED and e.invoices.count() == 1 for e in registered)
        assert User.objects.get(email="hemi@example.org").full_name == "Hemi Walker"
        assert registered[1].invoices.get().addressed_to == "Ōtautahi Community Trust"
        subjects = sorted(message.subject for message in mail.outbox)
        assert subjects.count(f"You are registered for {cohort}") == 3
        assert len(subjects) == 5  # two invitations too
        registrations = AuditEvent.objects.filter(action="programmes.registered")
        assert set(registrations.values_list("actor", flat=True)) == {provider_admin.pk}
        imported = AuditEvent.objects.get(action="programmes.roster_imported")
        assert (imported.details["learners"], imported.details["not_done"]) == (3, 0)
        assert job.summary == "Registered 3 learners; each has an invoice and an email."
        assert job.back_url == f"/programmes/staff/{cohort.public_id}/enrolments/"
        assert RosterImport.objects.get(job=job).csv_text == text  # the file the job read, as confirmed

    def test_one_bad_row_means_nothing_is_started(self, cohort: Cohort, provider_admin: User) -> None:
        before = audit_count()
        with pytest.raises(ValidationError) as raised:
            roster.start_import(cohort, GOOD + "bad,,,,\n", actor=provider_admin)
        assert "Line 4, email: 'bad' is not an email address." in raised.value.messages
        assert not Enrolment.objects.exists()
        assert not Job.objects.exists()
        assert not RosterImport.objects.exists()
        assert not User.objects.filter(email__in=["hemi@example.org", "mere@example.org"]).exists()
        assert audit_count() == before

    def test_a_row_refused_at_its_turn_is_not_done_with_its_reason_and_the_others_are_registered(
        self,
        cohort: Cohort,
        provider_admin: User,
        monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        real = enrolments.register

        def refuse_mere(**kwargs: Any) -> Enrolment:
            if kwargs["learner"].email == "mere@example.org":
                raise ValidationError("A place was just taken.")
            return real(**kwargs)

        monkeypatch.setattr(enrolments, "register", refuse_mere)
        job = import_now(cohort, GOOD, provider_admin, django_capture_on_commit_callbacks)
        assert outcomes(job) == [
            (2, "hemi@example.org", "done", "Invited and registered"),
            (3, "mere@example.org", "failed", "Not done: A place was just taken."),
        ]
        assert [e.learner.email for e in Enrolment.objects.all()] == ["hemi@example.org"]
        # The refused row's work is undone with it: no account was left behind for Mere.
        assert not User.objects.filter(email="mere@example.org").exists()
        assert (job.state, job.failed) == (JobState.DONE, 1)
        assert "1 row could not be registered" in job.summary

    def test_someone_registered_between_the_confirmation_and_their_row_is_not_done(
        self, cohort: Cohort, provider_admin: User, applicant: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        text = HEADER + "aroha@example.org,,Wellington City Council,central_government,\n" + GOOD.split("\n", 1)[1]
        job = roster.start_import(cohort, text, actor=provider_admin)  # checked: all good
        register(cohort, applicant)  # then Aroha registers herself before the worker gets to her row
        jobs.run_job.call(job_id=str(job.public_id))
        job.refresh_from_db()
        assert outcomes(job)[0] == (
            2,
            "aroha@example.org",
            "failed",
            "Not done: aroha@example.org is already registered for this cohort.",
        )
        assert Enrolment.objects.filter(cohort=cohort).count() == 3

    def test_a_worker_killed_part_way_resumes_and_registers_nobody_twice(
        self, cohort: Cohort, provider_admin: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        text = GOOD + "aroha@example.org,Aroha Te Whare,Wellington City Council,central_government,\n"
        job = roster.start_import(cohort, text, actor=provider_admin)
        real = enrolments.register
        calls: list[str] = []

        class WorkerKilled(BaseException):
            """Like SIGKILL: nothing in the job catches it or records the stop."""

        def die_at_the_second_row(**kwargs: Any) -> Enrolment:
            calls.append(kwargs["learner"].email)
            if len(calls) == 2:
                raise WorkerKilled
            return real(**kwargs)

        monkeypatch.setattr(enrolments, "register", die_at_the_second_row)
        with pytest.raises(WorkerKilled):
            jobs.run_job.call(job_id=str(job.public_id))
        job.refresh_from_db()
        assert (job.state, job.processed) == (JobState.RUNNING, 1)
        assert Enrolment.objects.count() == 1  # the second row's transaction never committed

        monkeypatch.setattr(enrolments, "register", real)
        jobs.run_job.call(job_id=str(job.public_id))  # the task picked up again after the crash
        job.refresh_from_db()
        assert (job.state, job.processed, job.failed, job.runs) == (JobState.DONE, 3, 0, 2)
        assert sorted(Enrolment.objects.values_list("learner__email", flat=True)) == [
            "aroha@example.org",
            "hemi@example.org",
            "mere@example.org",
        ]
        assert AuditEvent.objects.filter(action="programmes.registered").count() == 3

    @pytest.mark.parametrize("who", ["outsider", "facilitator", "centre_admin", "learner"])
    def test_only_the_providers_programme_admins_may_import(
        self, cohort: Cohort, who: str, request: pytest.FixtureRequest
    ) -> None:
        with pytest.raises(PermissionDenied):
            roster.start_import(cohort, GOOD, actor=request.getfixturevalue(who))
        assert not Enrolment.objects.exists()
        assert not Job.objects.exists()

    def test_an_admin_whose_role_is_taken_away_before_the_job_runs_registers_nobody(
        self, cohort: Cohort, provider_admin: User
    ) -> None:
        job = roster.start_import(cohort, GOOD, actor=provider_admin)
        Membership.objects.filter(user=provider_admin).delete()
        jobs.run_job.call(job_id=str(job.public_id))
        job.refresh_from_db()
        assert job.state == JobState.FAILED
        assert job.problem.startswith("Nobody more was registered: Only")
        assert not Enrolment.objects.exists()

    def test_staff_registration_outside_the_window_still_checks_everything_else(
        self, cohort: Cohort, provider_admin: User, applicant: User
    ) -> None:
        with pytest.raises(ValidationError) as raised:
            enrolments.register(
                cohort=cohort,
                learner=applicant,
                organisation_name=" ",
                organisation_type="community",
                terms_accepted=True,
                now=AFTER_CLOSING,
                registered_by=provider_admin,
            )
        assert "organisation_name" in raised.value.message_dict

    def test_a_learner_cannot_pass_themselves_off_as_staff_to_skip_the_window(
        self, cohort: Cohort, applicant: User
    ) -> None:
        with pytest.raises(PermissionDenied):
            enrolments.register(
                cohort=cohort,
                learner=applicant,
                organisation_name="Org",
                organisation_type="community",
                terms_accepted=True,
                now=AFTER_CLOSING,
                registered_by=applicant,
            )


class TestExporting:
    def test_it_lists_every_enrolment_with_its_state_and_money(
        self, cohort: Cohort, provider_admin: User, applicant: User
    ) -> None:
        enrolment = register(cohort, applicant)
        enrolments.record_payment(enrolment.invoices.get(), actor=provider_admin, paid_on=PAID_ON)
        register(cohort, UserFactory(email="eq@example.org", full_name="=HYPERLINK(1)"), organisation_type="community")
        rows = list(csv.DictReader(io.StringIO(roster.export_roster(cohort))))
        assert list(rows[0]) == list(roster.EXPORT_COLUMNS)
        by_email = {row["email"]: row for row in rows}
        assert by_email["aroha@example.org"]["status"] == "Place confirmed, not yet studying"
        assert by_email["aroha@example.org"]["organisation_type"] == "Local government"
        assert by_email["aroha@example.org"]["fee_tier"] == cohort.fee_tiers.get(code="government").name
        assert by_email["eq@example.org"]["status"] == "Registered, not yet paid"
        assert (by_email["aroha@example.org"]["invoiced_total"], by_email["aroha@example.org"]["paid_total"]) == (
            "746.35",
            "746.35",
        )
        assert by_email["eq@example.org"]["full_name"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
        assert by_email["eq@example.org"]["paid_total"] == "0.00"

    def test_an_export_can_be_imported_into_another_cohort(
        self, cohort: Cohort, applicant: User, provider_admin: User
    ) -> None:
        register(cohort, applicant)
        second = cohort_2024(provider_admin, cohort.programme, name="2024 second intake", slug="2024-b")
        check = roster.check_roster(second, roster.export_roster(cohort))
        assert check.ok, check.problems
        assert [row.email for row in check.rows] == ["aroha@example.org"]

    def test_a_column_neither_imported_nor_exported_is_still_refused(self, cohort: Cohort) -> None:
        text = "email,full_name,organisation_name,organisation_type,shoe_size\na@example.org,A,Trust,community,9\n"
        (problem,) = roster.check_roster(cohort, text).problems
        assert (problem.line, problem.column) == (1, "shoe_size")


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("roster.csv", text.encode(), content_type="text/csv")


class TestThePages:
    def test_upload_preview_then_confirm_then_follow_the_job(
        self,
        cohort: Cohort,
        provider_admin: User,
        client_for: Callable[[User | None], Client],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        client = client_for(provider_admin)
        base = f"/programmes/staff/{cohort.public_id}/roster"
        response = client.post(f"{base}/import", {"file": upload(GOOD)})
        assert response.status_code == 200
        assert "Ready to register 2 learners" in response.content.decode()
        assert "Porirua City Council (Local government)" in response.content.decode()  # words, not the file's code
        assert not Enrolment.objects.exists()  # a preview changes nothing
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{base}/import/confirm")
        job = Job.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/jobs/{job.public_id}/"
        assert Enrolment.objects.filter(cohort=cohort).count() == 2
        page = client.get(response["Location"]).content.decode()
        assert "Registered 2 learners" in page
        assert "Invited and registered" in page
        assert f'href="/programmes/staff/{cohort.public_id}/enrolments/"' in page  # back to the cohort
        assert RosterImport.objects.get().file_name == "roster.csv"
        assert client.post(f"{base}/import/confirm").status_code == 302  # nothing waiting now: no second import
        assert Enrolment.objects.count() == 2
        assert Job.objects.count() == 1

    def test_a_file_that_went_bad_since_its_preview_is_refused_whole_at_confirmation(
        self, cohort: Cohort, provider_admin: User, applicant: User, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(provider_admin)
        base = f"/programmes/staff/{cohort.public_id}/roster"
        text = GOOD + "aroha@example.org,,Wellington City Council,central_government,\n"
        assert client.post(f"{base}/import", {"file": upload(text)}).status_code == 200
        register(cohort, applicant)  # Aroha registers herself meanwhile
        response = client.post(f"{base}/import/confirm", follow=True)
        assert "Nothing was imported: Line 4, email: aroha@example.org is already registered" in (
            response.content.decode()
        )
        assert not Job.objects.exists()
        assert Enrolment.objects.count() == 1

    def test_a_bad_file_shows_the_report_and_cannot_be_confirmed(
        self, cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(provider_admin)
        base = f"/programmes/staff/{cohort.public_id}/roster"
        response = client.post(f"{base}/import", {"file": upload(GOOD + "bad,,,,\n")})
        assert response.status_code == 422
        page = response.content.decode()
        assert "Nothing was imported" in page
        assert "<title>Error: Import learners" in page
        assert '<td data-label="Line">4</td><td data-label="Column">email</td>' in page
        client.post(f"{base}/import/confirm")
        assert not Enrolment.objects.exists()

    def test_a_file_that_is_not_utf8_is_refused(
        self, cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        data = SimpleUploadedFile("r.csv", GOOD.encode("utf-16"), content_type="text/csv")
        response = client_for(provider_admin).post(
            f"/programmes/staff/{cohort.public_id}/roster/import", {"file": data}
        )
        assert response.status_code == 422
        assert "as &#x27;CSV UTF-8&#x27;" in response.content.decode()

    def test_the_export_is_a_job_whose_page_offers_the_csv(
        self,
        cohort: Cohort,
        provider_admin: User,
        applicant: User,
        client_for: Callable[[User | None], Client],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        register(cohort, applicant)
        client = client_for(provider_admin)
        assert client.get(f"/programmes/staff/{cohort.public_id}/roster/export").status_code == 405  # POST starts it
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/programmes/staff/{cohort.public_id}/roster/export")
        job = Job.objects.get()
        assert response["Location"] == f"/jobs/{job.public_id}/"
        job.refresh_from_db()
        assert (job.state, job.total, job.processed) == (JobState.DONE, 1, 1)
        assert "Download cld-facilitation-2024-roster.csv" in client.get(response["Location"]).content.decode()
        download = client.get(f"/jobs/{job.public_id}/download")
        assert download["Content-Type"] == "text/csv; charset=utf-8"
        assert 'filename="cld-facilitation-2024-roster.csv"' in download["Content-Disposition"]
        text = b"".join(download.streaming_content).decode()
        assert text == roster.export_roster(cohort)
        assert "aroha@example.org" in text

    def test_the_export_is_written_row_by_row_with_progress(
        self, cohort: Cohort, provider_admin: User, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for number in range(5):
            register(cohort, UserFactory(email=f"learner{number}@example.org"), organisation_type="community")
        monkeypatch.setattr(roster, "EXPORT_CHUNK", 2)
        seen: list[int] = []
        out = io.StringIO()
        assert roster.write_roster(cohort, out, progress=seen.append) == 5
        assert seen == [2, 4]
        assert len(list(csv.reader(io.StringIO(out.getvalue())))) == 6

    def test_the_export_job_refuses_someone_who_lost_their_role(self, cohort: Cohort, provider_admin: User) -> None:
        job = roster.start_export(cohort, actor=provider_admin)
        Membership.objects.filter(user=provider_admin).delete()
        jobs.run_job.call(job_id=str(job.public_id))
        job.refresh_from_db()
        assert job.state == JobState.FAILED
        assert not job.output

    @pytest.mark.parametrize(("who", "status"), REFUSED)
    def test_everyone_else_is_refused_and_nothing_is_imported(
        self,
        who: str,
        status: int,
        cohort: Cohort,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(refused_user(who, cohort, request))
        base = f"/programmes/staff/{cohort.public_id}/roster"
        enrolled = Enrolment.objects.count()
        before = audit_count()
        assert client.post(f"{base}/export").status_code == status
        assert client.get(f"{base}/import").status_code == status
        assert client.post(f"{base}/import", {"file": upload(GOOD)}).status_code == status
        assert client.post(f"{base}/import/confirm").status_code == status
        assert Enrolment.objects.count() == enrolled
        assert not Job.objects.exists()
        assert audit_count() == before

    def test_anonymous_visitors_are_sent_to_sign_in(
        self, cohort: Cohort, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(None)
        base = f"/programmes/staff/{cohort.public_id}/roster"
        for response in (
            client.post(f"{base}/export"),
            client.get(f"{base}/import"),
            client.post(f"{base}/import", {"file": upload(GOOD)}),
            client.post(f"{base}/import/confirm"),
        ):
            assert response.status_code == 302
            assert "/accounts/login/" in response["Location"]
        assert not Enrolment.objects.exists()
