"""The pipeline's pages: every cohort of the viewer's providers, and one cohort's chart with its table, for the
provider's programme admins, internal quality assurers and assessors only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import Role, User
from credo.catalogue.models import Qualification
from credo.programmes.models import Cohort

from .builders import submitted
from .pipeline_builders import at_every_stage, second_cohort

pytestmark = pytest.mark.django_db

Sign = Callable[[User | None], Client]
LIST = reverse("assessment:pipeline")


def cohort_url(cohort: Cohort) -> str:
    return reverse("assessment:cohort_pipeline", args=[cohort.public_id])


# Who may read ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["centre_admin", "internal_qa", "assessor"])
def test_the_provider_s_admins_moderators_and_assessors_read_it(
    who: str, request: pytest.FixtureRequest, cld_cohort: Cohort, client_for: Sign
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 200
    assert client.get(cohort_url(cld_cohort)).status_code == 200


def test_a_facilitator_at_the_provider_is_refused_with_a_reason(
    facilitator: User, cld_cohort: Cohort, client_for: Sign
) -> None:
    client = client_for(facilitator)
    listed = client.get(LIST)
    assert listed.status_code == 403
    response = client.get(cohort_url(cld_cohort))
    assert response.status_code == 403
    assert "internal quality assurers and assessors" in response.content.decode()


@pytest.mark.parametrize("who", ["learner", "outsider", "other_centre_admin", "ratifier", "external_qa"])
def test_anyone_else_learns_nothing_of_the_cohort(
    who: str, request: pytest.FixtureRequest, cld_cohort: Cohort, client_for: Sign
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get(cohort_url(cld_cohort)).status_code == 404
    assert client.get(reverse("api:assessment_cohort_pipeline", args=[cld_cohort.public_id])).status_code == 404
    if who != "other_centre_admin":  # who has a pipeline of their own (test_another_centre_s_admin_sees_only…)
        assert client.get(LIST).status_code == 403


def test_someone_signed_out_is_sent_to_sign_in(cld_cohort: Cohort, client: Client) -> None:
    for url in (LIST, cohort_url(cld_cohort)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_another_centre_s_admin_sees_only_their_own_cohorts(
    cld_cohort: Cohort, other_centre_admin: User, client_for: Sign
) -> None:
    response = client_for(other_centre_admin).get(LIST)
    assert response.status_code == 200
    assert "There are no cohorts yet." in response.content.decode()
    assert str(cld_cohort.public_id) not in response.content.decode()


def test_the_pages_only_read(cld_cohort: Cohort, centre_admin: User, client_for: Sign) -> None:
    client = client_for(centre_admin)
    assert client.post(LIST).status_code == 405
    assert client.post(cohort_url(cld_cohort)).status_code == 405


# What they show ------------------------------------------------------------------------------------------------------


def test_a_cohort_s_page_draws_the_chart_and_the_same_numbers_in_a_table(
    cld_cohort: Cohort, assessor: User, centre_admin: User, client_for: Sign
) -> None:
    at_every_stage(cld_cohort, assessor, centre_admin)

    page = client_for(centre_admin).get(cohort_url(cld_cohort)).content.decode()

    assert '<svg role="img" aria-labelledby="pipeline-title"' in page
    assert "Submitted, waiting for an assessor: 2; Being assessed: 3; Assessed, waiting for moderation: 1" in page
    assert "Competent, waiting for ratification: 1; Awarded: 1" in page
    assert "<caption>Learners at each stage, and who acts next</caption>" in page
    assert "The internal quality assurer draws a sample and moderates it." in page
    assert "11 learners counted" in page
    assert "style=" not in page
    assert "<script>" not in page


def test_each_count_links_to_its_learners_where_the_viewer_may_open_the_list(
    cld_cohort: Cohort, assessor: User, internal_qa: User, centre_admin: User, client_for: Sign
) -> None:
    at_every_stage(cld_cohort, assessor, centre_admin)
    key = [cld_cohort.public_id]
    assignments = reverse("assessment:cohort-assessors", args=key)
    progress = reverse("portfolios:cohort_progress", args=key) + "?stage=submitted"
    moderation = reverse("assessment:cohort-moderation", args=key)
    ratification = reverse("assessment:ratification_cohort", args=key)
    awarded = reverse("programmes:staff_enrolments", args=key) + "?state=awarded"

    as_admin = client_for(centre_admin).get(cohort_url(cld_cohort)).content.decode()
    as_moderator = client_for(internal_qa).get(cohort_url(cld_cohort)).content.decode()
    as_assessor = client_for(assessor).get(cohort_url(cld_cohort)).content.decode()

    for url in (assignments, moderation, ratification, awarded):
        assert f'href="{url}"' in as_admin
    assert f'href="{moderation}"' in as_moderator
    assert f'href="{assignments}"' not in as_moderator
    assert f'href="{progress}"' in as_assessor
    for url in (assignments, moderation, ratification, awarded):
        assert f'href="{url}"' not in as_assessor  # pages of the admins and moderators
    for client, url in ((client_for(centre_admin), assignments), (client_for(internal_qa), moderation)):
        assert client.get(url).status_code == 200
    assert client_for(assessor).get(progress).status_code == 200


def test_an_awarding_body_s_cohort_links_its_competent_learners_to_the_centre_s_claims(
    seg: Qualification, assessor: User, centre_admin: User, client_for: Sign
) -> None:
    from credo.assessment.models import AssessmentState, Outcome

    from .pipeline_builders import assessed

    seg_cohort = second_cohort(centre_admin, seg)
    competent = submitted(seg_cohort, "jordan@example.org")
    assessed(competent, assessor, AssessmentState.COMPLETED, outcome=Outcome.COMPETENT, released=True)
    claims = reverse("assessment:centre_claims", args=[seg_cohort.programme.provider.slug])

    page = client_for(centre_admin).get(cohort_url(seg_cohort)).content.decode()

    assert f'href="{claims}"' in page
    assert "ratification/" not in page


def test_the_stage_before_the_award_of_an_awarding_body_s_cohort_is_certification(
    seg: Qualification, centre_admin: User, client_for: Sign
) -> None:
    seg_cohort = second_cohort(centre_admin, seg)
    page = client_for(centre_admin).get(cohort_url(seg_cohort)).content.decode()
    assert "Competent, waiting for certification" in page
    assert "external quality assurer" in page


def test_the_list_shows_each_cohort_with_its_counts(
    cld_cohort: Cohort, seg: Qualification, assessor: User, centre_admin: User, client_for: Sign
) -> None:
    at_every_stage(cld_cohort, assessor, centre_admin)
    seg_cohort = second_cohort(centre_admin, seg)
    submitted(seg_cohort, "jordan@example.org")

    page = client_for(centre_admin).get(LIST).content.decode()

    assert "Every cohort: 2" in page
    assert cohort_url(cld_cohort) in page
    assert cohort_url(seg_cohort) in page
    assert '<td data-label="Being assessed">3</td>' in page


def test_the_list_filters_by_programme_and_by_name(
    cld_cohort: Cohort, seg: Qualification, centre_admin: User, client_for: Sign
) -> None:
    seg_cohort = second_cohort(centre_admin, seg)
    client = client_for(centre_admin)

    by_programme = client.get(LIST, {"programme": seg_cohort.programme_id}).content.decode()
    by_name = client.get(LIST, {"q": "CLD"}).content.decode()
    nothing = client.get(LIST, {"q": "no such cohort"}).content.decode()

    assert cohort_url(seg_cohort) in by_programme
    assert cohort_url(cld_cohort) not in by_programme
    assert "Cohorts matching the filters: 1" in by_programme
    assert cohort_url(cld_cohort) in by_name
    assert cohort_url(seg_cohort) not in by_name
    assert "No cohort matches these filters." in nothing


def test_a_programme_of_another_provider_is_a_problem_shown_on_the_form(
    cld_cohort: Cohort, centre_admin: User, other_centre_admin: User, client_for: Sign, seg: Qualification
) -> None:
    theirs = second_cohort(other_centre_admin, seg)
    response = client_for(centre_admin).get(LIST, {"programme": theirs.programme_id})
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    assert cohort_url(theirs) not in page
    assert cohort_url(cld_cohort) in page  # a bad filter is ignored, not applied


def test_the_list_comes_a_page_at_a_time_in_the_same_queries(
    cld_cohort: Cohort, seg: Qualification, assessor: User, centre_admin: User, client_for: Sign, settings: object
) -> None:
    client = client_for(centre_admin)
    client.get(LIST)  # warm: the session, the templates
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    at_every_stage(cld_cohort, assessor, centre_admin)
    submitted(second_cohort(centre_admin, seg), "jordan@example.org")
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).status_code == 200
    with CaptureQueriesContext(connection) as cohort_page:
        assert client.get(cohort_url(cld_cohort)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(cohort_page.captured_queries) <= len(few.captured_queries) + 2


def test_the_list_pages_past_twenty_cohorts(centre_admin: User, client_for: Sign, cld_cohort: Cohort) -> None:
    from credo.programmes.tests.builders import cohort_2024

    for n in range(20):
        cohort_2024(centre_admin, cld_cohort.programme, name=f"Extra {n}", slug=f"extra-{n}")
    client = client_for(centre_admin)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in second


# The dashboard --------------------------------------------------------------------------------------------------------


def test_the_dashboard_summarises_the_provider_s_pipeline_for_its_programme_admin(
    cld_cohort: Cohort, assessor: User, centre_admin: User, client_for: Sign
) -> None:
    at_every_stage(cld_cohort, assessor, centre_admin)
    page = client_for(centre_admin).get(reverse("dashboard")).content.decode()
    assert f'href="{LIST}"' in page
    assert "<dt>Assessed, waiting for moderation</dt><dd>1 learner</dd>" in page
    assert "<dt>Being assessed</dt><dd>3 learners</dd>" in page


def test_one_person_with_two_roles_sees_the_summary_once(
    cld_cohort: Cohort, centre_admin: User, member: Callable[..., User], client_for: Sign
) -> None:
    from credo.accounts.tests.factories import MembershipFactory

    MembershipFactory(user=centre_admin, organisation=cld_cohort.programme.provider, role=Role.ASSESSOR)
    page = client_for(centre_admin).get(reverse("dashboard")).content.decode()
    assert page.count("<dt>Being assessed</dt>") == 1
    assert page.count(f'href="{LIST}"') == 2


@pytest.mark.parametrize("who", ["facilitator", "learner", "outsider"])
def test_the_dashboard_of_anyone_else_has_no_pipeline(
    who: str, request: pytest.FixtureRequest, cld_cohort: Cohort, client_for: Sign
) -> None:
    page = client_for(request.getfixturevalue(who)).get(reverse("dashboard")).content.decode()
    assert f'href="{LIST}"' not in page
