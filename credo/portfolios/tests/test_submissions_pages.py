"""The submission pages: check and submit (with its confirmation), the receipt, a submitted attempt and its files,
the status panel on the portfolio page, and the staff page that extends a deadline; and who each refuses."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.audit.models import AuditEvent
from credo.core.models import Job
from credo.portfolios.models import DeadlineExtension, EvidenceItem, Portfolio, Submission
from credo.portfolios.services import evidence, submissions
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.tests.builders import nz
from credo.programmes.tests.support_builders import facilitator_of

from .builders import studying
from .submission_builders import make_ready

pytestmark = pytest.mark.django_db

SignIn = Callable[[User | None], Client]


@pytest.fixture
def ready(cld_portfolio: Portfolio, aroha: User) -> Portfolio:
    return make_ready(cld_portfolio, aroha)


@pytest.fixture
def submitted(ready: Portfolio, aroha: User) -> Submission:
    return submissions.submit(portfolio=ready, actor=aroha, declaration_accepted=True)


def _other_learner(cohort: Cohort, admin: User) -> User:
    return studying(cohort, admin, "tama@example.org", "Tama").learner


# Check and submit -----------------------------------------------------------------------------------------------


def test_the_check_page_lists_whats_missing_and_offers_no_declaration_until_ready(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: SignIn
) -> None:
    page = client_for(aroha).get(reverse("portfolios:submit", args=[cld_enrolment.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "An attestation from a participant: 0 attestations received of the 1 needed." in html
    assert "There is no evidence in the portfolio yet." in html
    assert 'name="declaration_accepted"' not in html


def test_the_check_page_of_a_ready_portfolio_shows_the_declaration_and_advice(
    ready: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: SignIn
) -> None:
    html = client_for(aroha).get(reverse("portfolios:submit", args=[cld_enrolment.pk])).content.decode()
    assert submissions.DECLARATION in html
    assert 'name="declaration_accepted"' in html
    assert "Advice:</strong> No evidence is mapped to 1 competency" in html  # advice, not a refusal


def test_submitting_without_the_declaration_shows_the_error_pattern(
    ready: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: SignIn
) -> None:
    page = client_for(aroha).post(reverse("portfolios:submit", args=[cld_enrolment.pk]), {})
    assert page.status_code == 422
    html = page.content.decode()
    assert "<title>Error:" in html
    assert "There is a problem" in html
    assert "Tick the box to confirm the declaration" in html
    assert not Submission.objects.exists()


def test_the_declaration_leads_to_a_confirmation_then_the_receipt(
    ready: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: SignIn
) -> None:
    client = client_for(aroha)
    url = reverse("portfolios:submit", args=[cld_enrolment.pk])
    confirm = client.post(url, {"declaration_accepted": "on"})
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert 'name="confirmed" value="yes"' in html
    assert 'class="danger"' in html
    assert not Submission.objects.exists()  # nothing happens before the confirmation
    done = client.post(url, {"declaration_accepted": "on", "confirmed": "yes"}, follow=True)
    submission = Submission.objects.get()
    assert done.redirect_chain[-1][0] == reverse("portfolios:submission-receipt", args=[cld_enrolment.pk, 1])
    receipt = done.content.decode()
    assert submission.content_sha256[:8] in receipt
    assert "Your portfolio is submitted" in receipt


def test_a_refused_submission_says_why_on_the_check_page(
    ready: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 9, 2, 9))
    page = client_for(aroha).post(
        reverse("portfolios:submit", args=[cld_enrolment.pk]), {"declaration_accepted": "on", "confirmed": "yes"}
    )
    assert page.status_code == 422
    assert "can no longer be submitted" in page.content.decode()
    assert not Submission.objects.exists()


# A submitted attempt --------------------------------------------------------------------------------------------


def test_the_submitted_attempt_is_drawn_from_its_manifest_escaped(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: SignIn
) -> None:
    make_ready(cld_portfolio, aroha)
    EvidenceItem.objects.filter(title="Reflection").update(title="<script>alert(1)</script>")
    submissions.submit(portfolio=cld_portfolio, actor=aroha, declaration_accepted=True)
    EvidenceItem.objects.filter(title__startswith="<script>").update(title="Changed after submitting")
    page = client_for(aroha).get(reverse("portfolios:submission", args=[cld_enrolment.pk, 1]))
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html
    assert "Changed after submitting" not in html


def test_a_submitted_file_downloads_as_an_attachment(
    submitted: Submission, cld_enrolment: Enrolment, aroha: User, client_for: SignIn
) -> None:
    stored = submitted.files.get()
    response = client_for(aroha).get(reverse("portfolios:submission-file", args=[cld_enrolment.pk, 1, stored.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_withdrawn_learner_still_reads_their_submission(
    submitted: Submission, cld_enrolment: Enrolment, aroha: User, client_for: SignIn
) -> None:
    Enrolment.objects.filter(pk=cld_enrolment.pk).update(state="withdrawn")
    client = client_for(aroha)
    assert client.get(reverse("portfolios:submission", args=[cld_enrolment.pk, 1])).status_code == 200
    assert client.post(reverse("portfolios:submission-export", args=[cld_enrolment.pk, 1])).status_code == 302


# The status panel -----------------------------------------------------------------------------------------------


def test_the_status_panel_shows_the_attempt_and_deadline_in_the_cohorts_zone(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment
) -> None:
    html = render_to_string("portfolios/submissions/_status.html", {"portfolio": cld_portfolio})
    assert "1 of 2" in html
    assert "Saturday 31 August 2024, 11:59 PM" in html
    assert "Auckland, New Zealand" in html
    assert reverse("portfolios:submit", args=[cld_enrolment.pk]) in html


def test_the_status_panel_after_submission_links_to_the_attempt(submitted: Submission, ready: Portfolio) -> None:
    ready.refresh_from_db()
    html = render_to_string("portfolios/submissions/_status.html", {"portfolio": ready})
    assert "Submitted: it cannot be changed now" in html
    assert reverse("portfolios:submission", args=[ready.enrolment_id, 1]) in html
    assert reverse("portfolios:submit", args=[ready.enrolment_id]) not in html


def test_the_status_panel_says_when_the_deadline_was_extended(cld_portfolio: Portfolio, provider_admin: User) -> None:
    submissions.grant_extension(portfolio=cld_portfolio, actor=provider_admin, deadline=nz(2024, 9, 14, 17), reason="x")
    html = render_to_string("portfolios/submissions/_status.html", {"portfolio": cld_portfolio})
    assert "Saturday 14 September 2024, 5:00 PM" in html
    assert "extended" in html


# Deadline extensions --------------------------------------------------------------------------------------------


def test_a_programme_admin_extends_a_deadline_in_the_cohorts_calendar(
    cld_portfolio: Portfolio, cld_enrolment: Enrolment, provider_admin: User, client_for: SignIn
) -> None:
    url = reverse("portfolios:deadline-extension", args=[cld_enrolment.pk])
    client = client_for(provider_admin)
    assert client.get(url).status_code == 200
    done = client.post(url, {"new_deadline": "2024-09-14", "reason": "Family illness"}, follow=True)
    extension = DeadlineExtension.objects.get()
    assert extension.deadline == nz(2024, 9, 14, 23, 59, 59)
    assert "now has until Saturday 14 September 2024, 11:59 PM (Auckland, New Zealand time)" in done.content.decode()
    assert AuditEvent.objects.filter(action="portfolios.deadline_extended").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"new_deadline": "", "reason": "x"}, "This field is required"),
        ({"new_deadline": "2024-09-14", "reason": ""}, "Say why the learner is given more time"),
        ({"new_deadline": "2024-08-01", "reason": "x"}, "must be after the current one"),
        ({"new_deadline": "not a date", "reason": "x"}, "Enter a date"),
    ],
)
def test_a_bad_extension_shows_the_error_pattern(
    cld_portfolio: Portfolio,
    cld_enrolment: Enrolment,
    provider_admin: User,
    client_for: SignIn,
    data: dict[str, str],
    message: str,
) -> None:
    page = client_for(provider_admin).post(reverse("portfolios:deadline-extension", args=[cld_enrolment.pk]), data)
    assert page.status_code == 422
    html = page.content.decode()
    assert "<title>Error:" in html
    assert message in html
    assert not DeadlineExtension.objects.exists()


# Refusals -------------------------------------------------------------------------------------------------------


LEARNER_PAGES = [
    ("portfolios:submit", 0, "get"),
    ("portfolios:portfolio-export", 0, "post"),
    ("portfolios:submission", 1, "get"),
    ("portfolios:submission-receipt", 1, "get"),
    ("portfolios:submission-export", 1, "post"),
]


@pytest.mark.parametrize(("name", "attempt", "method"), LEARNER_PAGES)
def test_learner_pages_are_not_found_for_anyone_but_the_learner(
    submitted: Submission,
    cld_enrolment: Enrolment,
    cld_cohort: Cohort,
    provider_admin: User,
    other_provider: Organisation,
    client_for: SignIn,
    name: str,
    attempt: int,
    method: str,
) -> None:
    args = [cld_enrolment.pk, attempt] if attempt else [cld_enrolment.pk]
    url = reverse(name, args=args)
    other_admin = MembershipFactory(
        user=UserFactory(email="admin@another.example"), organisation=other_provider, role=Role.PROGRAMME_ADMIN
    ).user
    for person in (_other_learner(cld_cohort, provider_admin), other_admin, provider_admin):
        assert getattr(client_for(person), method)(url).status_code == 404, person
    signed_out = getattr(client_for(None), method)(url)
    assert signed_out.status_code == 302
    assert "login" in signed_out["Location"]
    assert not Job.objects.exists()  # an export nobody may read is never started


def test_a_submitted_file_is_not_found_for_another_learner_or_another_attempt(
    submitted: Submission,
    cld_enrolment: Enrolment,
    cld_cohort: Cohort,
    provider_admin: User,
    aroha: User,
    client_for: SignIn,
) -> None:
    stored = submitted.files.get()
    other = _other_learner(cld_cohort, provider_admin)
    assert (
        client_for(other).get(reverse("portfolios:submission-file", args=[cld_enrolment.pk, 1, stored.pk])).status_code
        == 404
    )
    assert (
        client_for(aroha).get(reverse("portfolios:submission-file", args=[cld_enrolment.pk, 2, stored.pk])).status_code
        == 404
    )
    assert (
        client_for(None).get(reverse("portfolios:submission-file", args=[cld_enrolment.pk, 1, stored.pk])).status_code
        == 302
    )


def test_the_extension_page_refuses_everyone_but_the_providers_programme_admins(
    cld_portfolio: Portfolio,
    cld_enrolment: Enrolment,
    cld_cohort: Cohort,
    provider_admin: User,
    provider: Organisation,
    other_provider: Organisation,
    aroha: User,
    client_for: SignIn,
) -> None:
    url = reverse("portfolios:deadline-extension", args=[cld_enrolment.pk])
    facilitator = facilitator_of(cld_cohort, provider_admin, "facilitator@inspiring-test.example")
    assessor = MembershipFactory(
        user=UserFactory(email="assessor@inspiring-test.example"), organisation=provider, role=Role.ASSESSOR
    ).user
    other_admin = MembershipFactory(
        user=UserFactory(email="admin@another.example"), organisation=other_provider, role=Role.PROGRAMME_ADMIN
    ).user
    data = {"new_deadline": "2024-09-14", "reason": "x"}
    for person in (facilitator, assessor):
        assert client_for(person).get(url).status_code == 403
        assert client_for(person).post(url, data).status_code == 403
    for person in (other_admin, aroha):
        assert client_for(person).post(url, data).status_code == 404
    assert client_for(None).post(url, data).status_code == 302
    assert not DeadlineExtension.objects.exists()


def test_a_learner_who_has_not_started_has_no_submission_page(cld_cohort: Cohort, client_for: SignIn) -> None:
    from credo.programmes.tests.support_builders import enrol

    applied = enrol(cld_cohort, "early@example.org", "Early")
    assert client_for(applied.learner).get(reverse("portfolios:submit", args=[applied.pk])).status_code == 404


def test_removing_evidence_is_refused_once_submitted(submitted: Submission, aroha: User) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="has been submitted"):
        evidence.remove_item(item=EvidenceItem.objects.first(), actor=aroha)  # type: ignore[arg-type]


def test_the_check_page_after_the_deadline_says_so_and_offers_no_submit(
    ready: Portfolio, cld_enrolment: Enrolment, aroha: User, client_for: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("django.utils.timezone.now", lambda: nz(2024, 9, 2, 9))
    html = client_for(aroha).get(reverse("portfolios:submit", args=[cld_enrolment.pk])).content.decode()
    assert "The deadline for this attempt has passed" in html
    assert 'name="declaration_accepted"' not in html


def test_the_extension_page_lists_extensions_a_page_at_a_time_in_the_same_queries(
    cld_portfolio: Portfolio,
    cld_enrolment: Enrolment,
    provider_admin: User,
    client_for: SignIn,
    django_assert_max_num_queries: Any,
) -> None:
    def extend(times: int) -> None:
        latest = submissions.effective_deadline(cld_portfolio)
        for n in range(times):
            DeadlineExtension.objects.create(
                portfolio=cld_portfolio,
                attempt=1,
                deadline=latest + datetime.timedelta(days=n + 1),
                reason=f"r{n}",
                granted_by=provider_admin,
            )

    client = client_for(provider_admin)
    url = reverse("portfolios:deadline-extension", args=[cld_enrolment.pk])
    extend(2)
    client.get(url)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    extend(30)
    with django_assert_max_num_queries(len(two.captured_queries)):
        page = client.get(url)
    html = page.content.decode()
    assert html.count("Attempt 1: to") == 20
    assert "Next page" in html
