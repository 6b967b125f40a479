"""The staff pages: a cohort's progress and one learner's portfolio, read-only, for the people who support them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import User
from credo.catalogue.models import Qualification
from credo.portfolios.models import EvidenceItem, Portfolio, SectionComment
from credo.portfolios.services import evidence
from credo.portfolios.services.mapping import criteria_of, map_evidence
from credo.portfolios.services.portfolios import portfolio_for
from credo.programmes.models import Cohort, Enrolment

from .builders import PDF, studying, upload
from .staff_builders import attestation_request, completed_attestation, submitted, text

pytest_plugins = ["credo.portfolios.tests.staff_fixtures"]
pytestmark = pytest.mark.django_db

Sign = Callable[[User | None], Client]


def cohort_url(cohort: Cohort) -> str:
    return reverse("portfolios:cohort_progress", args=[cohort.public_id])


def portfolio_url(enrolment: Enrolment) -> str:
    return reverse("portfolios:staff_portfolio", args=[enrolment.pk])


# Who may read ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def pages(cld_portfolio: Portfolio, aroha: User) -> list[tuple[str, str]]:
    """Every staff page, as (method, url), for one learner's portfolio with a file and a comment on it."""
    section = cld_portfolio.sections.get(position=1)
    item = evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PDF))
    comment = SectionComment.objects.create(section=section, author=aroha, body="Not a real comment")
    enrolment = cld_portfolio.enrolment
    return [
        ("get", cohort_url(enrolment.cohort)),
        ("get", portfolio_url(enrolment)),
        ("get", reverse("portfolios:staff_download", args=[enrolment.pk, item.pk])),
        ("post", reverse("portfolios:staff_comment", args=[enrolment.pk, section.pk])),
        ("get", reverse("portfolios:staff_remove_comment", args=[enrolment.pk, comment.pk])),
        ("post", reverse("portfolios:staff_remove_comment", args=[enrolment.pk, comment.pk])),
    ]


def _status(client: Client, method: str, url: str) -> int:
    response = client.post(url, {"body": "Hello", "confirmed": "yes"}) if method == "post" else client.get(url)
    return response.status_code


def test_someone_signed_out_is_sent_to_sign_in_everywhere(pages: list[tuple[str, str]], client_for: Sign) -> None:
    for method, url in pages:
        response = client_for(None).post(url) if method == "post" else client_for(None).get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"], url


def test_the_learner_themself_another_learner_another_provider_and_outsiders_learn_nothing(
    pages: list[tuple[str, str]],
    aroha: User,
    cld_cohort: Cohort,
    provider_admin: User,
    other_providers_admin: User,
    outsider: User,
    client_for: Sign,
) -> None:
    classmate = studying(cld_cohort, provider_admin, "tama@example.org", "Tama").learner
    for person in (aroha, classmate, other_providers_admin, outsider):
        for method, url in pages:
            assert _status(client_for(person), method, url) == 404, (person, url)
    assert SectionComment.objects.count() == 1


def test_a_facilitator_of_another_cohort_at_the_provider_is_refused(
    pages: list[tuple[str, str]], other_cohorts_facilitator: User, client_for: Sign
) -> None:
    for method, url in pages:
        assert _status(client_for(other_cohorts_facilitator), method, url) == 403, url
    assert SectionComment.objects.count() == 1


def test_the_cohorts_facilitator_the_providers_admin_and_assessors_read(
    pages: list[tuple[str, str]],
    cohort_facilitator: User,
    provider_admin: User,
    provider_assessor: User,
    client_for: Sign,
) -> None:
    readable = [url for method, url in pages[:3]]
    for person in (cohort_facilitator, provider_admin, provider_assessor):
        for url in readable:
            assert client_for(person).get(url).status_code == 200, (person, url)


def test_an_assessor_reads_but_cannot_comment(
    cld_portfolio: Portfolio, provider_assessor: User, client_for: Sign
) -> None:
    section = cld_portfolio.sections.get(position=1)
    page = client_for(provider_assessor).get(portfolio_url(cld_portfolio.enrolment)).content.decode()
    assert "Leave this comment" not in page
    response = client_for(provider_assessor).post(
        reverse("portfolios:staff_comment", args=[cld_portfolio.enrolment_id, section.pk]), {"body": "Well done"}
    )
    assert response.status_code == 403
    assert not SectionComment.objects.exists()


def test_only_the_author_may_remove_a_comment(
    cld_portfolio: Portfolio, cohort_facilitator: User, provider_admin: User, client_for: Sign
) -> None:
    section = cld_portfolio.sections.get(position=1)
    comment = SectionComment.objects.create(section=section, author=cohort_facilitator, body="Try a timeline.")
    url = reverse("portfolios:staff_remove_comment", args=[cld_portfolio.enrolment_id, comment.pk])
    assert client_for(provider_admin).get(url).status_code == 403
    assert client_for(provider_admin).post(url, {"confirmed": "yes"}).status_code == 403
    assert SectionComment.objects.filter(pk=comment.pk).exists()


# The cohort's progress ------------------------------------------------------------------------------------------------


def test_the_cohort_page_lists_each_learner_with_their_progress(
    cld_portfolio: Portfolio, cld_cohort: Cohort, provider_admin: User, cohort_facilitator: User, client_for: Sign
) -> None:
    idle = studying(cld_cohort, provider_admin, "idle@example.org", "Idle Learner")
    text(cld_portfolio, "Case study", "<p>one two three</p>")
    completed_attestation(cld_portfolio.sections.get(position=1))
    page = client_for(cohort_facilitator).get(cohort_url(cld_cohort)).content.decode()
    assert "Aroha Te Whare" in page
    assert "Idle Learner" in page
    assert "In progress" in page
    assert "Not started" in page
    assert "1 of 2" in page
    assert "1 received" in page
    assert f'href="{portfolio_url(idle)}"' in page
    assert not Portfolio.objects.filter(enrolment=idle).exists()  # listing makes no portfolio


def test_the_cohort_page_filters_by_progress_and_name(
    cld_portfolio: Portfolio, cld_cohort: Cohort, provider_admin: User, client_for: Sign
) -> None:
    studying(cld_cohort, provider_admin, "idle@example.org", "Idle Learner")
    text(cld_portfolio)
    client = client_for(provider_admin)
    in_progress = client.get(cohort_url(cld_cohort), {"stage": "in_progress"}).content.decode()
    assert "Aroha Te Whare" in in_progress
    assert "Idle Learner" not in in_progress
    by_name = client.get(cohort_url(cld_cohort), {"q": "idle"}).content.decode()
    assert "Idle Learner" in by_name
    assert "Aroha Te Whare" not in by_name
    nobody = client.get(cohort_url(cld_cohort), {"stage": "submitted"}).content.decode()
    assert "No learner matches these filters." in nobody


def test_a_filter_that_is_not_offered_is_explained(cld_cohort: Cohort, provider_admin: User, client_for: Sign) -> None:
    response = client_for(provider_admin).get(cohort_url(cld_cohort), {"stage": "graded", "q": "x" * 101})
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Select a valid choice" in page


def _learners(cohort: Cohort, admin: User, start: int, count: int) -> None:
    for n in range(start, start + count):
        portfolio = portfolio_for(enrolment=studying(cohort, admin, f"l{n}@example.org", f"Learner {n:02d}"))
        text(portfolio, f"Text {n}")
        attestation_request(portfolio.sections.get(position=1))


def _queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_cohort_page_costs_the_same_for_two_learners_or_twenty(
    cld_cohort: Cohort, provider_admin: User, cohort_facilitator: User, client_for: Sign
) -> None:
    _learners(cld_cohort, provider_admin, 0, 2)
    clients = (client_for(provider_admin), client_for(cohort_facilitator))
    filtered = f"{cohort_url(cld_cohort)}?stage=in_progress&q=learner"
    few = [_queries(client, cohort_url(cld_cohort)) for client in clients]
    few_filtered = _queries(clients[0], filtered)
    _learners(cld_cohort, provider_admin, 2, 18)
    assert [_queries(client, cohort_url(cld_cohort)) for client in clients] == few
    assert _queries(clients[0], filtered) == few_filtered


def test_the_cohort_page_is_paginated(cld_cohort: Cohort, provider_admin: User, client_for: Sign) -> None:
    _learners(cld_cohort, provider_admin, 0, 27)
    client = client_for(provider_admin)
    first = client.get(cohort_url(cld_cohort)).content.decode()
    assert "Page 1 of 2" in first
    assert "Learner 24" in first
    assert "Learner 25" not in first
    second = client.get(cohort_url(cld_cohort), {"page": 2}).content.decode()
    assert "Learner 25" in second
    assert "Learner 26" in second


# One learner's portfolio ----------------------------------------------------------------------------------------------


def test_the_portfolio_page_shows_evidence_attestations_and_submission_without_edit_controls(
    cld_portfolio: Portfolio, aroha: User, cohort_facilitator: User, client_for: Sign
) -> None:
    first = cld_portfolio.sections.get(position=1)
    text(cld_portfolio, "Case study", "<h2>The hui</h2><p>We met at the <strong>marae</strong>.</p><h3>After</h3>")
    item = evidence.add_file(section=first, actor=aroha, uploaded_file=upload(PDF, "agenda.pdf"))
    evidence.add_link(section=first, actor=aroha, title="Newsletter", url="https://example.org/news")
    completed_attestation(first, "She listened to everyone.")
    attestation_request(first, name="Hemi Peer")
    page = client_for(cohort_facilitator).get(portfolio_url(cld_portfolio.enrolment)).content.decode()
    # The learner's headings sit beneath the item's own h4, so the page's outline stays in order.
    assert "<h5>The hui</h5><p>We met at the <strong>marae</strong>.</p><h6>After</h6>" in page
    assert reverse("portfolios:staff_download", args=[cld_portfolio.enrolment_id, item.pk]) in page
    assert "https://example.org/news" in page
    assert "She listened to everyone." in page
    assert "Received" in page
    assert "Hemi Peer" in page
    assert "Waiting for a reply" in page
    assert "Being built: not submitted yet" in page
    assert "only the learner can change their evidence" in page
    assert "Give more time" not in page, "only the provider's programme admins extend deadlines"
    for control in ("Edit", "Remove evidence", "Upload", 'name="html"'):
        assert control not in page


def test_a_submitted_attempt_is_shown_and_comments_close(
    cld_portfolio: Portfolio, cohort_facilitator: User, client_for: Sign
) -> None:
    submitted(cld_portfolio)
    page = client_for(cohort_facilitator).get(portfolio_url(cld_portfolio.enrolment)).content.decode()
    assert "Submitted on" in page
    assert "1" * 64 in page
    assert "Leave this comment" not in page


def test_a_script_in_a_learners_text_never_reaches_the_staff_page(
    cld_portfolio: Portfolio, cohort_facilitator: User, client_for: Sign
) -> None:
    through_the_service = text(cld_portfolio, "Sneaky", '<p>Hi<script>alert("one")</script></p>')
    assert "<script" not in through_the_service.html
    written_directly = text(cld_portfolio, "Sneakier")
    # As if HTML reached the database another way (a data migration, the operator's admin): drawn, it is cleaned again.
    EvidenceItem.objects.filter(pk=written_directly.pk).update(
        html='<p>Hello<script>alert("two")</script><img src=x onerror="alert(3)">'
        '<a href="javascript:alert(4)">x</a></p>'
    )
    page = client_for(cohort_facilitator).get(portfolio_url(cld_portfolio.enrolment)).content.decode()
    for attack in ("alert(", "<img", "onerror", "javascript:"):
        assert attack not in page
    assert "<p>Hello" in page


def test_a_link_that_is_not_a_web_address_is_shown_as_text_never_as_a_link(
    cld_portfolio: Portfolio, aroha: User, cohort_facilitator: User, client_for: Sign
) -> None:
    section = cld_portfolio.sections.get(position=1)
    link = evidence.add_link(section=section, actor=aroha, title="Report", url="https://example.org/report")
    EvidenceItem.objects.filter(pk=link.pk).update(url="javascript:alert(5)")  # written around the service
    page = client_for(cohort_facilitator).get(portfolio_url(cld_portfolio.enrolment)).content.decode()
    assert "<p>javascript:alert(5)</p>" in page
    assert 'href="javascript:' not in page


def test_a_staff_download_is_an_attachment_that_cannot_run(
    cld_portfolio: Portfolio, aroha: User, provider_assessor: User, client_for: Sign
) -> None:
    section = cld_portfolio.sections.get(position=1)
    item = evidence.add_file(section=section, actor=aroha, uploaded_file=upload(PDF, "minutes.pdf"))
    response = client_for(provider_assessor).get(
        reverse("portfolios:staff_download", args=[cld_portfolio.enrolment_id, item.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_a_download_of_another_portfolios_item_or_a_text_is_not_found(
    cld_portfolio: Portfolio, cld_cohort: Cohort, provider_admin: User, client_for: Sign
) -> None:
    classmate = portfolio_for(enrolment=studying(cld_cohort, provider_admin, "tama@example.org", "Tama"))
    theirs = evidence.add_file(
        section=classmate.sections.get(position=1), actor=classmate.enrolment.learner, uploaded_file=upload(PDF)
    )
    written = text(cld_portfolio)
    for item in (theirs, written):
        url = reverse("portfolios:staff_download", args=[cld_portfolio.enrolment_id, item.pk])
        assert client_for(provider_admin).get(url).status_code == 404


def test_the_gap_matrix_shows_what_is_covered(
    seg_portfolio: Portfolio, sam: User, seg: Qualification, provider_admin: User, client_for: Sign
) -> None:
    criteria = list(criteria_of(seg.pk))
    item = text(seg_portfolio, "Minutes of the meeting")
    map_evidence(item=item, actor=sam, criteria=criteria[:1])
    page = client_for(provider_admin).get(portfolio_url(seg_portfolio.enrolment)).content.decode()
    assert "1 of 4 criteria have evidence mapped to them." in page
    assert "No evidence yet" in page


def _evidence(portfolio: Portfolio, learner: User, count: int) -> None:
    section = portfolio.sections.get(position=1)
    for n in range(count):
        text(portfolio, f"Text {n}")
        evidence.add_link(section=section, actor=learner, title=f"Link {n}", url=f"https://example.org/{n}")
        completed_attestation(section, f"Statement {n}")
        SectionComment.objects.create(section=section, author=learner, body=f"Comment {n}")


def test_the_portfolio_page_costs_the_same_with_few_or_many_items(
    cld_portfolio: Portfolio, aroha: User, provider_admin: User, client_for: Sign
) -> None:
    client = client_for(provider_admin)
    url = portfolio_url(cld_portfolio.enrolment)
    _evidence(cld_portfolio, aroha, 1)
    few = _queries(client, url)
    _evidence(cld_portfolio, aroha, 15)
    assert _queries(client, url) == few


def test_the_programme_admin_sees_the_deadline_and_may_give_more_time(
    cld_portfolio: Portfolio, provider_admin: User, client_for: Sign
) -> None:
    page = client_for(provider_admin).get(portfolio_url(cld_portfolio.enrolment)).content.decode()
    assert "Deadline" in page
    assert reverse("portfolios:deadline-extension", args=[cld_portfolio.enrolment_id]) in page
