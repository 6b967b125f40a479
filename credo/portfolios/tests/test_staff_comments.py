"""Formative comments on a section: from the cohort's facilitators and the provider's admins, plain text, audited,
removed only by their author, and read by the learner as help, not as an assessment decision."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.portfolios.models import Portfolio, PortfolioSection, SectionComment
from credo.portfolios.services.comments import COMMENT_MAX, comment_on_section, remove_comment

from .staff_builders import submitted

pytest_plugins = ["credo.portfolios.tests.staff_fixtures"]
pytestmark = pytest.mark.django_db

Sign = Callable[[User | None], Client]


@pytest.fixture
def section(cld_portfolio: Portfolio) -> PortfolioSection:
    return cld_portfolio.sections.get(position=1)


def test_the_cohorts_facilitator_comments_and_the_learner_is_emailed(
    section: PortfolioSection, cohort_facilitator: User, aroha: User, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_on_section(section=section, actor=cohort_facilitator, body="  Try a timeline of the hui.\r\n")
    assert comment.body == "Try a timeline of the hui."
    event = AuditEvent.objects.get(action="portfolios.comment_added")
    assert (event.actor, event.details["body"], event.details["section"]) == (cohort_facilitator, comment.body, 1)
    [sent] = mail.outbox
    assert sent.to == [aroha.email]
    assert "Try a timeline of the hui." in sent.body
    assert "not an assessment decision" in sent.body
    section_page = reverse("portfolios:learner-section", args=[section.portfolio.enrolment_id, section.position])
    assert section_page in sent.body, "the email leads to the section the comment is on"


def test_the_providers_programme_admin_comments_too(section: PortfolioSection, provider_admin: User) -> None:
    assert comment_on_section(section=section, actor=provider_admin, body="Good start").author == provider_admin


@pytest.mark.parametrize("who", ["aroha", "provider_assessor", "other_cohorts_facilitator", "other_providers_admin"])
def test_nobody_else_comments(section: PortfolioSection, who: str, request: pytest.FixtureRequest) -> None:
    with pytest.raises(PermissionDenied):
        comment_on_section(section=section, actor=request.getfixturevalue(who), body="Hello")
    assert not SectionComment.objects.exists()
    assert not AuditEvent.objects.filter(action="portfolios.comment_added").exists()


@pytest.mark.parametrize(
    ("body", "problem"),
    [("", "Write your comment."), (" \n\t\x00 ", "Write your comment."), ("x" * (COMMENT_MAX + 1), "Shorten")],
)
def test_an_empty_or_overlong_comment_is_refused(
    section: PortfolioSection, cohort_facilitator: User, body: str, problem: str
) -> None:
    with pytest.raises(ValidationError, match=problem):
        comment_on_section(section=section, actor=cohort_facilitator, body=body)
    assert not SectionComment.objects.exists()


def test_control_characters_are_taken_out_and_line_breaks_kept(
    section: PortfolioSection, cohort_facilitator: User
) -> None:
    comment = comment_on_section(section=section, actor=cohort_facilitator, body="One\x00\x07\n\nTwo")
    assert comment.body == "One\n\nTwo"


def test_a_submitted_portfolio_takes_no_comments(
    cld_portfolio: Portfolio, section: PortfolioSection, cohort_facilitator: User
) -> None:
    submitted(cld_portfolio)
    with pytest.raises(ValidationError, match="submitted"):
        comment_on_section(section=section, actor=cohort_facilitator, body="Too late")


def test_only_its_author_removes_a_comment_and_the_removal_is_audited(
    section: PortfolioSection, cohort_facilitator: User, provider_admin: User, aroha: User
) -> None:
    comment = comment_on_section(section=section, actor=cohort_facilitator, body="Try a timeline.")
    for someone_else in (provider_admin, aroha):
        with pytest.raises(PermissionDenied):
            remove_comment(comment=comment, actor=someone_else)
    remove_comment(comment=comment, actor=cohort_facilitator)
    assert not SectionComment.objects.exists()
    event = AuditEvent.objects.get(action="portfolios.comment_removed")
    assert (event.actor, event.details["body"]) == (cohort_facilitator, "Try a timeline.")
    with pytest.raises(ValidationError, match="already been removed"):
        remove_comment(comment=comment, actor=cohort_facilitator)


# Through the pages ----------------------------------------------------------------------------------------------------


def _comment_url(section: PortfolioSection) -> str:
    return reverse("portfolios:staff_comment", args=[section.portfolio.enrolment_id, section.pk])


def test_a_comment_left_on_the_page_shows_as_help_not_a_decision(
    section: PortfolioSection, cohort_facilitator: User, client_for: Sign
) -> None:
    client = client_for(cohort_facilitator)
    response = client.post(_comment_url(section), {"body": "Say <b>who</b> came."}, follow=True)
    page = response.content.decode()
    assert "Your comment on “Your CLD case study” is saved" in page
    assert "Say &lt;b&gt;who&lt;/b&gt; came." in page  # plain text: escaped, never markup
    assert "Comment to help, not an assessment decision" in page


def test_a_refused_comment_is_explained_beside_its_box_and_kept(
    section: PortfolioSection, cohort_facilitator: User, client_for: Sign
) -> None:
    response = client_for(cohort_facilitator).post(_comment_url(section), {"body": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert "<title>Error:" in page
    assert "There is a problem" in page
    assert f'id="comment_{section.pk}_body_error"' in page


def test_a_comment_sent_just_as_the_portfolio_was_submitted_is_refused_with_the_reason(
    cld_portfolio: Portfolio, section: PortfolioSection, cohort_facilitator: User, client_for: Sign
) -> None:
    submitted(cld_portfolio)
    response = client_for(cohort_facilitator).post(_comment_url(section), {"body": "Almost there"})
    assert response.status_code == 422
    assert "This portfolio has been submitted" in response.content.decode()
    assert not SectionComment.objects.exists()


def test_the_author_removes_a_comment_only_from_its_confirmation_page(
    section: PortfolioSection, cohort_facilitator: User, client_for: Sign
) -> None:
    comment = comment_on_section(section=section, actor=cohort_facilitator, body="Try a timeline.")
    url = reverse("portfolios:staff_remove_comment", args=[section.portfolio.enrolment_id, comment.pk])
    client = client_for(cohort_facilitator)
    confirmation = client.get(url).content.decode()
    assert 'name="confirmed" value="yes"' in confirmation
    assert 'class="danger"' in confirmation
    assert client.post(url).status_code == 200  # without the confirmation: the page again, nothing removed
    assert SectionComment.objects.filter(pk=comment.pk).exists()
    response = client.post(url, {"confirmed": "yes"}, follow=True)
    assert "has been removed" in response.content.decode()
    assert not SectionComment.objects.filter(pk=comment.pk).exists()


def test_the_learner_reads_the_comments_beside_their_section(
    section: PortfolioSection, cohort_facilitator: User
) -> None:
    comment_on_section(section=section, actor=cohort_facilitator, body="Try a <i>timeline</i>.")
    shown = render_to_string("portfolios/staff/_comments_for_learner.html", {"section": section})
    assert "Comments from your facilitators" in shown
    assert "They are not an assessment decision" in shown
    assert "Try a &lt;i&gt;timeline&lt;/i&gt;." in shown
    other = section.portfolio.sections.get(position=2)
    assert render_to_string("portfolios/staff/_comments_for_learner.html", {"section": other}).strip() == ""


def test_the_learners_own_section_page_shows_the_comments(
    section: PortfolioSection, cohort_facilitator: User, aroha: User, client_for: Sign
) -> None:
    comment_on_section(section=section, actor=cohort_facilitator, body="Try a timeline of the hui.")
    url = reverse("portfolios:learner-section", args=[section.portfolio.enrolment_id, section.position])
    page = client_for(aroha).get(url).content.decode()
    assert "Comments from your facilitators" in page
    assert "Try a timeline of the hui." in page
