"""The moderation pages: the sampling plan, the cohort's moderation, the moderator's review, the records, the
learner's outcome with its appeal form, the appeal review, and the dashboard panels."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory
from credo.assessment.models import (
    Appeal,
    AppealState,
    Assessment,
    ModerationSample,
    ModerationState,
    Outcome,
    SampleEntry,
)
from credo.assessment.services import appeals, moderation
from credo.assessment.services.moderation_records import record_csv, record_pdf
from credo.core.models import Job, JobState
from credo.programmes.models import Cohort

from .builders import resubmitted, submitted
from .moderation_builders import completed, moderated

pytestmark = pytest.mark.django_db
Sign = Callable[[User | None], Client]


def _plan(cohort: Cohort, iqa: User, percent: int = 100) -> None:
    moderation.set_sampling_plan(
        provider=cohort.programme.provider, cohort=cohort, actor=iqa, percent=percent, new_assessor_decisions=0
    )


@pytest.fixture
def sampled(cld_cohort: Cohort, assessor: User, internal_qa: User) -> SampleEntry:
    _plan(cld_cohort, internal_qa)
    completed(submitted(cld_cohort, "aroha@example.org", "Aroha"), assessor, outcome=Outcome.NOT_YET_COMPETENT)
    return moderation.draw_sample(cohort=cld_cohort, actor=internal_qa, seed="page").entries.get()


# The sampling plan ------------------------------------------------------------------------------------------------


def test_the_iqa_sets_the_cohorts_plan(client_for: Sign, cld_cohort: Cohort, internal_qa: User) -> None:
    url = reverse("assessment:sampling-plan", args=[cld_cohort.public_id])
    page = client_for(internal_qa).get(url)
    assert page.status_code == 200
    assert b"the default" in page.content
    response = client_for(internal_qa).post(url, {"percent": "40", "new_assessor_decisions": "3"})
    assert response.status_code == 302
    assert moderation.plan_for(cld_cohort).percent == 40


def test_a_plan_out_of_range_is_shown_beside_its_field(
    client_for: Sign, cld_cohort: Cohort, centre_admin: User
) -> None:
    url = reverse("assessment:sampling-plan", args=[cld_cohort.public_id])
    response = client_for(centre_admin).post(url, {"percent": "140", "new_assessor_decisions": "3"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("assessor", 403),
        ("facilitator", 403),
        ("learner", 404),
        ("outsider", 404),
        ("other_centre_admin", 404),
        (None, 302),
    ],
)
def test_the_moderation_pages_refuse_everyone_else(
    who: str | None,
    status: int,
    request: pytest.FixtureRequest,
    client_for: Sign,
    cld_cohort: Cohort,
    sampled: SampleEntry,
) -> None:
    client = client_for(request.getfixturevalue(who) if who else None)
    for url in (
        reverse("assessment:sampling-plan", args=[cld_cohort.public_id]),
        reverse("assessment:cohort-moderation", args=[cld_cohort.public_id]),
        reverse("assessment:moderation-review", args=[sampled.pk]),
    ):
        assert client.get(url).status_code == status, url
    export = reverse("assessment:moderation-record", args=[cld_cohort.public_id, "sampling", "csv"])
    assert client.post(export).status_code == status


# The cohort's moderation: preview, confirm, draw -------------------------------------------------------------------


def test_preview_then_confirm_then_draw(
    client_for: Sign, cld_cohort: Cohort, assessor: User, internal_qa: User
) -> None:
    completed(submitted(cld_cohort, "aroha@example.org", "Aroha"), assessor, outcome=Outcome.NOT_YET_COMPETENT)
    client = client_for(internal_qa)
    url = reverse("assessment:cohort-moderation", args=[cld_cohort.public_id])
    waiting = client.get(url)
    assert b"Aroha" in waiting.content
    assert b"Preview the sample" in waiting.content
    preview = client.get(url, {"seed": "chosen-seed"})
    assert b"chosen-seed" in preview.content
    assert b"not yet competent" in preview.content
    assert b'name="confirmed" value="yes"' in preview.content
    assert b'class="danger"' in preview.content
    assert not ModerationSample.objects.exists()
    unconfirmed = client.post(url, {"seed": "chosen-seed"})
    assert unconfirmed.status_code == 200
    assert not ModerationSample.objects.exists()
    drawn = client.post(url, {"seed": "chosen-seed", "confirmed": "yes"})
    assert drawn.status_code == 302
    sample = ModerationSample.objects.get()
    assert sample.seed == "chosen-seed"
    after = client.get(url)
    assert b"Sample 1" in after.content
    assert b"chosen-seed" in after.content
    assert b"not yet competent" in after.content
    assert b"Waiting for the moderator" in after.content


def test_drawing_with_nothing_waiting_says_so(client_for: Sign, cld_cohort: Cohort, internal_qa: User) -> None:
    url = reverse("assessment:cohort-moderation", args=[cld_cohort.public_id])
    response = client_for(internal_qa).post(url, {"seed": "x", "confirmed": "yes"})
    assert response.status_code == 422
    assert b"No completed assessments" in response.content


# The moderator's review -------------------------------------------------------------------------------------------


def test_the_moderator_reads_the_assessment_and_agrees(
    client_for: Sign, sampled: SampleEntry, internal_qa: User
) -> None:
    url = reverse("assessment:moderation-review", args=[sampled.pk])
    page = client_for(internal_qa).get(url)
    assert page.status_code == 200
    assert b"Describe your own part in the process." in page.content  # a judgement's comment
    assert b"Say more about it." in page.content  # the feedback
    assert b"as frozen" in page.content
    response = client_for(internal_qa).post(url, {"agreed": "yes", "rationale": ""})
    assert response.status_code == 302
    sampled.refresh_from_db()
    assert sampled.state == ModerationState.AGREED


def test_a_referral_without_a_rationale_is_refused_on_the_page(
    client_for: Sign, sampled: SampleEntry, internal_qa: User
) -> None:
    url = reverse("assessment:moderation-review", args=[sampled.pk])
    response = client_for(internal_qa).post(url, {"agreed": "no", "rationale": ""})
    assert response.status_code == 422
    assert b"Say why you are referring it back" in response.content


def test_a_programme_admin_reads_but_cannot_moderate(
    client_for: Sign, sampled: SampleEntry, centre_admin: User
) -> None:
    url = reverse("assessment:moderation-review", args=[sampled.pk])
    assert client_for(centre_admin).get(url).status_code == 200
    response = client_for(centre_admin).post(url, {"agreed": "yes", "rationale": ""})
    assert response.status_code == 422
    assert b"internal quality assurers" in response.content


def test_the_iqa_who_assessed_it_is_told_the_conflict_of_interest(
    client_for: Sign, cld_cohort: Cohort, centre: Organisation, internal_qa: User
) -> None:
    MembershipFactory(user=internal_qa, organisation=centre, role=Role.ASSESSOR)
    _plan(cld_cohort, internal_qa)
    completed(submitted(cld_cohort, "own@example.org"), internal_qa)
    entry = moderation.draw_sample(cohort=cld_cohort, actor=internal_qa).entries.get()
    response = client_for(internal_qa).post(
        reverse("assessment:moderation-review", args=[entry.pk]), {"agreed": "yes", "rationale": ""}
    )
    assert response.status_code == 422
    assert b"Conflict of interest" in response.content


# Records ----------------------------------------------------------------------------------------------------------


def test_the_records_are_built_as_jobs(
    client_for: Sign,
    cld_cohort: Cohort,
    sampled: SampleEntry,
    internal_qa: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    moderation.moderate(entry=sampled, actor=internal_qa, agreed=False, rationale="Thin evidence, section 1.")
    for record in ("sampling", "moderation"):
        for fmt in ("csv", "pdf"):
            url = reverse("assessment:moderation-record", args=[cld_cohort.public_id, record, fmt])
            with django_capture_on_commit_callbacks(execute=True):
                response = client_for(internal_qa).post(url)
            assert response.status_code == 302
    jobs = Job.objects.filter(kind="assessment.moderation_record")
    assert jobs.count() == 4
    assert all(job.state == JobState.DONE for job in jobs)
    sampling = record_csv(cld_cohort, "sampling")
    assert "page" in sampling
    assert "not yet competent" in sampling
    assert "Aroha" in sampling
    assert "Thin evidence, section 1." in record_csv(cld_cohort, "moderation")
    assert record_pdf(cld_cohort, "moderation").startswith(b"%PDF")


# The learner's outcome ----------------------------------------------------------------------------------------------


def test_the_learner_sees_nothing_until_released_then_the_feedback_and_deadline(
    client_for: Sign, sampled: SampleEntry, internal_qa: User
) -> None:
    assessment = sampled.assessment
    learner = assessment.learner
    url = reverse("assessment:outcome", args=[assessment.pk])
    assert client_for(learner).get(url).status_code == 404
    assert b"No outcome yet" in client_for(learner).get(reverse("assessment:outcomes")).content
    moderation.moderate(entry=sampled, actor=internal_qa, agreed=False, rationale="Check it.")
    assert client_for(learner).get(url).status_code == 404
    assert b"Your assessment outcomes" not in client_for(learner).get(reverse("dashboard")).content
    from .moderation_builders import complete_again

    complete_again(assessment)
    moderation.moderate(entry=sampled, actor=internal_qa, agreed=True, rationale="")
    page = client_for(learner).get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Not yet competent" in content
    assert "Say more about it." in content
    assert "Describe your own part in the process." in content
    assert "Resubmission deadline" in content
    assert "17 September 2024" in content
    assert "Appeal this outcome" not in content
    # The portfolio shows the comment beside its section on attempt 2, and links attempt 1.
    portfolio = (
        client_for(learner)
        .get(reverse("portfolios:learner-portfolio", args=[assessment.submission.portfolio.enrolment_id]))
        .content.decode()
    )
    assert "feedback on your last attempt" in portfolio
    assert "Describe your own part in the process." in portfolio
    assert "Attempt 1</a>" in portfolio
    dashboard = client_for(learner).get(reverse("dashboard")).content.decode()
    assert "Your assessment outcomes" in dashboard
    assert "Resubmit by" in dashboard


def test_another_learner_cannot_read_an_outcome(
    client_for: Sign, cld_cohort: Cohort, assessor: User, internal_qa: User, learner: User
) -> None:
    assessment = moderated(completed(submitted(cld_cohort, "a@example.org"), assessor), internal_qa)
    assert client_for(learner).get(reverse("assessment:outcome", args=[assessment.pk])).status_code == 404
    assert client_for(internal_qa).get(reverse("assessment:outcome", args=[assessment.pk])).status_code == 404


@pytest.fixture
def final(cld_cohort: Cohort, assessor: User, internal_qa: User) -> Assessment:
    first = moderated(
        completed(submitted(cld_cohort, "mere@example.org", "Mere"), assessor, outcome=Outcome.NOT_YET_COMPETENT),
        internal_qa,
    )
    return moderated(completed(resubmitted(first.submission), assessor, outcome=Outcome.NOT_YET_COMPETENT), internal_qa)


def test_the_learner_appeals_a_final_outcome_from_its_page(client_for: Sign, final: Assessment) -> None:
    url = reverse("assessment:outcome", args=[final.pk])
    page = client_for(final.learner).get(url).content.decode()
    assert "Appeal this outcome" in page
    assert "9 September 2024" in page
    assert client_for(final.learner).post(url, {"grounds": ""}).status_code == 422
    assert client_for(final.learner).post(url, {"grounds": "Misread."}).status_code == 302
    after = client_for(final.learner).get(url).content.decode()
    assert "Waiting for review" in after
    assert "Appeal this outcome" not in after


# The appeal review -----------------------------------------------------------------------------------------------


def test_an_independent_reviewer_decides_the_appeal(
    client_for: Sign,
    final: Assessment,
    centre_admin: User,
    internal_qa: User,
    member: Callable[..., User],
    centre: Organisation,
) -> None:
    appeal = appeals.lodge_appeal(assessment=final, actor=final.learner, grounds="Misread.")
    url = reverse("assessment:appeal", args=[appeal.pk])
    listed = client_for(centre_admin).get(reverse("assessment:cohort-moderation", args=[final.cohort.public_id]))
    assert url.encode() in listed.content
    refused = client_for(internal_qa).post(url, {"upheld": "no", "decision": "Stands."})
    assert refused.status_code == 422
    assert b"Conflict of interest" in refused.content
    page = client_for(centre_admin).get(url)
    assert page.status_code == 200
    assert b"Misread." in page.content
    response = client_for(centre_admin).post(url, {"upheld": "no", "decision": "The judgement holds."})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == AppealState.DISMISSED


@pytest.mark.parametrize(("who", "status"), [("assessor", 403), ("learner", 404), ("outsider", 404)])
def test_the_appeal_page_refuses_everyone_else(
    who: str, status: int, request: pytest.FixtureRequest, client_for: Sign, final: Assessment
) -> None:
    appeal = appeals.lodge_appeal(assessment=final, actor=final.learner, grounds="Misread.")
    assert (
        client_for(request.getfixturevalue(who)).get(reverse("assessment:appeal", args=[appeal.pk])).status_code
        == status
    )
    assert Appeal.objects.get().state == AppealState.LODGED


# The dashboard ----------------------------------------------------------------------------------------------------


def test_the_iqas_dashboard_counts_the_moderation_work(
    client_for: Sign,
    cld_cohort: Cohort,
    sampled: SampleEntry,
    assessor: User,
    internal_qa: User,
    django_assert_max_num_queries: Any,
) -> None:
    completed(submitted(cld_cohort, "waiting@example.org"), assessor)
    page = client_for(internal_qa).get(reverse("dashboard")).content.decode()
    assert "Moderation of" in page
    assert "1 waiting to be sampled · 1 waiting for review · 0 referred back" in page
    assert "Moderation of" not in client_for(assessor).get(reverse("dashboard")).content.decode()
