"""The assessing pages through HTTP: the queue, a cohort's assessors and settings, and the assessment page."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import User
from credo.assessment.models import Assessment, AssessmentState, CohortAssessor
from credo.assessment.services import assessing
from credo.audit.models import AuditEvent
from credo.programmes.models import Cohort
from credo.programmes.tests.builders import nz

from .assessing_support import all_met, assigned, named, tamper
from .builders import Clock, submitted

pytestmark = pytest.mark.django_db
Sign = Callable[[User | None], Client]


@pytest.fixture
def assessment(cld_cohort: Cohort, centre_admin: User, assessor: User) -> Assessment:
    return assigned(submitted(cld_cohort, "leilani@example.org", "Leilani Tui"), assessor, centre_admin)


def _url(assessment: Assessment) -> str:
    return reverse("assessment:assessment", args=[assessment.pk])


# The queue -------------------------------------------------------------------------------------------------------


def test_the_queue_lists_the_assessors_work_and_what_they_can_take(
    client_for: Sign, cld_cohort: Cohort, centre_admin: User, assessor: User, clock: Clock
) -> None:
    mine = assigned(submitted(cld_cohort, "leilani@example.org", "Leilani Tui"), assessor, centre_admin)
    submitted(cld_cohort, "mere@example.org", "Mere Waiting")
    clock.move(nz(2024, 11, 2, 9))  # past the end of the assessment window
    page = client_for(assessor).get(reverse("assessment:queue"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Leilani Tui" in text
    assert "Late" in text
    assert reverse("assessment:take", args=[mine.submission.pk + 1]) in text  # Mere's, to take


def test_the_queue_filters_by_state(client_for: Sign, assessment: Assessment, assessor: User) -> None:
    page = client_for(assessor).get(reverse("assessment:queue"), {"state": "completed"})
    assert "Leilani Tui" not in page.content.decode()
    page = client_for(assessor).get(reverse("assessment:queue"), {"state": "assigned"})
    assert "Leilani Tui" in page.content.decode()


def test_the_queue_is_drawn_in_a_fixed_number_of_queries(
    client_for: Sign, cld_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    client = client_for(assessor)

    def counted() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("assessment:queue")).status_code == 200
        return len(queries)

    assigned(submitted(cld_cohort, "learner0@example.org"), assessor, centre_admin)
    submitted(cld_cohort, "waiting0@example.org")
    few = counted()
    for n in (1, 2):
        assigned(submitted(cld_cohort, f"learner{n}@example.org"), assessor, centre_admin)
        submitted(cld_cohort, f"waiting{n}@example.org")
    assert counted() == few <= 20


@pytest.mark.parametrize("who", ["facilitator", "learner", "outsider"])
def test_the_queue_is_refused_to_other_roles(client_for: Sign, who: str, request: pytest.FixtureRequest) -> None:
    assert client_for(request.getfixturevalue(who)).get(reverse("assessment:queue")).status_code == 403


def test_an_assessor_takes_a_submission_from_the_queue(
    client_for: Sign, cld_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    named(cld_cohort, centre_admin, assessor)
    submission = submitted(cld_cohort, "leilani@example.org")
    answer = client_for(assessor).post(reverse("assessment:take", args=[submission.pk]))
    made = Assessment.objects.get(submission=submission)
    assert answer.status_code == 302
    assert answer["Location"] == _url(made)
    again = client_for(assessor).post(reverse("assessment:take", args=[submission.pk]), follow=True)
    assert "already has an assessor" in again.content.decode()


def test_an_outsider_cannot_take_a_submission(client_for: Sign, cld_cohort: Cohort, outsider: User) -> None:
    submission = submitted(cld_cohort, "leilani@example.org")
    assert client_for(outsider).post(reverse("assessment:take", args=[submission.pk])).status_code == 404


# A cohort's assessors and settings ----------------------------------------------------------------------------------


def test_a_programme_admin_names_assessors_and_assigns_a_submission(
    client_for: Sign, cld_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    client = client_for(centre_admin)
    url = reverse("assessment:cohort-assessors", args=[cld_cohort.public_id])
    assert client.post(url, {"assessors": [assessor.pk]}).status_code == 302
    assert CohortAssessor.objects.filter(cohort=cld_cohort, assessor=assessor).exists()
    submission = submitted(cld_cohort, "leilani@example.org", "Leilani Tui")
    page = client.get(url)
    assert "Leilani Tui" in page.content.decode()
    assign = reverse("assessment:assign-submission", args=[cld_cohort.public_id, submission.pk])
    assert client.post(assign, {"assessor": assessor.pk}).status_code == 302
    assert Assessment.objects.get(submission=submission).assessor == assessor


def test_assigning_without_choosing_an_assessor_says_so_beside_the_field(
    client_for: Sign, cld_cohort: Cohort, centre_admin: User, assessor: User
) -> None:
    named(cld_cohort, centre_admin, assessor)
    submission = submitted(cld_cohort, "leilani@example.org")
    assign = reverse("assessment:assign-submission", args=[cld_cohort.public_id, submission.pk])
    answer = client_for(centre_admin).post(assign, {"assessor": ""})
    assert answer.status_code == 422
    assert f'id="assign_{submission.pk}_assessor_error"' in answer.content.decode()


@pytest.mark.parametrize(("who", "status"), [("assessor", 403), ("internal_qa", 403), ("outsider", 404)])
def test_only_programme_admins_manage_a_cohorts_assessment(
    client_for: Sign, cld_cohort: Cohort, who: str, status: int, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(who))
    for name in ("cohort-assessors", "cohort-settings"):
        assert client.get(reverse(f"assessment:{name}", args=[cld_cohort.public_id])).status_code == status


def test_the_settings_page_saves_and_refuses_out_of_range(
    client_for: Sign, cld_cohort: Cohort, centre_admin: User
) -> None:
    client = client_for(centre_admin)
    url = reverse("assessment:cohort-settings", args=[cld_cohort.public_id])
    refused = client.post(url, {"resubmission_days": "0", "appeal_days": "20"})
    assert refused.status_code == 422
    assert 'id="id_resubmission_days_error"' in refused.content.decode()
    saved = client.post(url, {"facilitators_may_assess_own_learners": "on", "resubmission_days": 14, "appeal_days": 10})
    assert saved.status_code == 302
    assert cld_cohort.assessment_settings.resubmission_days == 14


# The assessment page ---------------------------------------------------------------------------------------------


def _form(assessment: Assessment, **changes: str) -> dict[str, str]:
    data = {"version": str(assessment.version), "outcome": "competent", "feedback": "Well done."}
    for row in assessment.judgements.all():
        data[f"met_{row.position}"] = "met"
        data[f"comment_{row.position}"] = "Shown."
    data.update(changes)
    return data


def test_the_assessor_reads_the_frozen_submission_beside_the_judgements(
    client_for: Sign, assessment: Assessment, assessor: User
) -> None:
    page = client_for(assessor).get(_url(assessment))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Your CLD case study" in text
    assert "Matches what was submitted" in text
    assert 'name="met_1"' in text
    assert "Save as draft" in text
    assert "Complete assessment" in text
    stored = assessment.submission.files.get()
    download = client_for(assessor).get(reverse("assessment:assessment-file", args=[assessment.pk, stored.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_a_changed_file_is_shown_as_a_warning(client_for: Sign, assessment: Assessment, assessor: User) -> None:
    tamper(assessment.submission)
    text = client_for(assessor).get(_url(assessment)).content.decode()
    assert "Warning: this file is no longer the file that was submitted" in text


def test_save_as_draft_then_complete_after_confirming(client_for: Sign, assessment: Assessment, assessor: User) -> None:
    client = client_for(assessor)
    assert client.post(_url(assessment), {**_form(assessment), "action": "draft"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.DRAFT
    confirm = client.post(_url(assessment), {**_form(assessment), "declaration_accepted": "on", "action": "complete"})
    assert confirm.status_code == 200
    assert "Complete the assessment?" in confirm.content.decode()
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.DRAFT  # nothing final until confirmed
    done = client.post(
        _url(assessment), {"confirmed": "yes", "version": str(assessment.version), "declaration_accepted": "on"}
    )
    assert done.status_code == 302
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.COMPLETED
    assert assessment.files_verified
    assert AuditEvent.objects.filter(action="assessment.completed").count() == 1
    read_only = client.get(_url(assessment)).content.decode()
    assert "Save as draft" not in read_only
    assert "Competent" in read_only


def test_completing_without_the_declaration_or_a_judgement_says_what_to_fix(
    client_for: Sign, assessment: Assessment, assessor: User
) -> None:
    answer = client_for(assessor).post(_url(assessment), {**_form(assessment, met_1=""), "action": "complete"})
    text = answer.content.decode()
    assert answer.status_code == 422
    assert "Confirm the assessor" in text
    assert "Not judged yet: Section 1" in text
    assert 'id="id_declaration_accepted_error"' in text


def test_a_stale_page_is_refused_with_409(client_for: Sign, assessment: Assessment, assessor: User) -> None:
    assessing.save_draft(
        assessment=assessment, actor=assessor, judgements=all_met(assessment), outcome="", feedback="", version=1
    )
    answer = client_for(assessor).post(_url(assessment), {**_form(assessment, version="1"), "action": "draft"})
    assert answer.status_code == 409
    assert "saved again" in answer.content.decode()


@pytest.mark.parametrize("who", ["centre_admin", "internal_qa"])
def test_admins_and_internal_qa_read_but_do_not_judge(
    client_for: Sign, assessment: Assessment, who: str, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(who))
    page = client.get(_url(assessment))
    assert page.status_code == 200
    assert "Save as draft" not in page.content.decode()
    assert client.post(_url(assessment), {**_form(assessment), "action": "draft"}).status_code == 403


@pytest.mark.parametrize(
    ("who", "status"), [("second_assessor", 403), ("facilitator", 403), ("outsider", 404), ("other_centre_admin", 404)]
)
def test_others_cannot_open_the_assessment(
    client_for: Sign, assessment: Assessment, who: str, status: int, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(_url(assessment)).status_code == status
    stored = assessment.submission.files.get()
    assert client.get(reverse("assessment:assessment-file", args=[assessment.pk, stored.pk])).status_code == status


def test_the_learner_cannot_open_their_assessment_here(client_for: Sign, assessment: Assessment) -> None:
    assert client_for(assessment.learner).get(_url(assessment)).status_code == 404


def test_the_due_date_is_the_end_of_the_assessment_window(assessment: Assessment) -> None:
    assert assessment.due_on == datetime.date(2024, 10, 31)
