"""The attestation pages: the attestor's link (no account), and the learner's requests."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from credo.accounts.models import Organisation, Role, User
from credo.accounts.tests.factories import MembershipFactory, UserFactory
from credo.portfolios.models import Attestation, AttestationRequest, AttestationState, Portfolio
from credo.portfolios.services import attestations, evidence
from credo.programmes.models import Cohort, Enrolment
from credo.programmes.tests.support_builders import facilitator_of

from .attestation_support import answer, ask, emails_at_once, first_section, many_requests, token_sent_to
from .builders import studying

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("emails_at_once")]
__all__ = ["emails_at_once"]

PRIVATE = "The private words of my case study"


@pytest.fixture
def with_evidence(cld_portfolio: Portfolio, aroha: User) -> Portfolio:
    """A portfolio with writing in it, which no attestor page may ever show."""
    evidence.add_text(section=first_section(cld_portfolio), actor=aroha, title="Case study", html=f"<p>{PRIVATE}</p>")
    return cld_portfolio


@pytest.fixture
def token(with_evidence: Portfolio, aroha: User) -> str:
    ask(with_evidence, aroha, message="Kia ora Hemi <script>alert(1)</script>\nThe hui in May.")
    return token_sent_to("hemi@example.org")


def attest_url(token: str) -> str:
    return reverse("portfolios:attest", args=[token])


def _link_page_headers(response: Any) -> None:
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cache-Control"] == "no-store"


def _shows_nothing_of_the_portfolio(response: Any) -> None:
    body = response.content.decode()
    assert PRIVATE not in body
    assert "Case study" not in body
    assert "Traceback" not in body


# The attestor's page -------------------------------------------------------------------------------------------------


def test_the_attestor_sees_who_asks_and_what_for_but_not_the_portfolio(token: str) -> None:
    response = Client().get(attest_url(token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "An attestation for Aroha Te Whare" in body
    assert "An attestation from a participant" in body
    assert "Your CLD case study" in body  # the part of the portfolio, by its title only
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    assert 'value="Hemi Participant"' in body  # their name, to confirm
    _link_page_headers(response)
    _shows_nothing_of_the_portfolio(response)
    assert AttestationRequest.objects.get().state == AttestationState.OPENED


def test_the_attestor_writes_and_declares_it_true_once(token: str) -> None:
    form = {
        "attestor_name": "Hemi Participant",
        "attestor_role": "",
        "relationship": "I was at the hui.",
        "statement": "She ran it well.",
        "declared_true": "on",
        "copy_requested": "on",
    }
    response = Client().post(attest_url(token), form)
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    _link_page_headers(response)
    attestation = Attestation.objects.get()
    assert (attestation.statement, attestation.copy_requested) == ("She ran it well.", True)
    assert attestation.content_sha256 in response.content.decode()
    again = Client().get(attest_url(token))
    assert again.status_code == 410
    assert "already been answered" in again.content.decode()
    resubmitted = Client().post(attest_url(token), form)
    assert resubmitted.status_code == 410
    assert Attestation.objects.count() == 1


def test_an_attestation_not_declared_true_is_refused_with_the_error_pattern(token: str) -> None:
    form = {"attestor_name": "Hemi", "relationship": "I was there.", "statement": "Good work."}
    response = Client().post(attest_url(token), form)
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: " in body
    assert "Tick to declare that what you have written is true." in body
    assert 'href="#id_declared_true"' in body
    assert not Attestation.objects.exists()
    _shows_nothing_of_the_portfolio(response)


def test_declining_asks_for_confirmation_first(token: str) -> None:
    url = reverse("portfolios:attest-decline", args=[token])
    page = Client().get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "This cannot be undone" in body
    assert 'name="confirmed" value="yes"' in body
    assert 'class="danger"' in body
    _link_page_headers(page)
    _shows_nothing_of_the_portfolio(page)
    unconfirmed = Client().post(url, {"reason": "Not me"})
    assert unconfirmed.status_code == 200
    assert AttestationRequest.objects.get().state == AttestationState.OPENED
    declined = Client().post(url, {"reason": "I was not there.", "confirmed": "yes"})
    assert declined.status_code == 200
    assert "You have declined" in declined.content.decode()
    request = AttestationRequest.objects.get()
    assert (request.state, request.decline_reason) == (AttestationState.DECLINED, "I was not there.")
    assert Client().get(attest_url(token)).status_code == 410


def _cancelled(token: str) -> None:
    request = AttestationRequest.objects.get()
    attestations.cancel_request(request=request, actor=request.created_by)


def _expired(token: str) -> None:
    AttestationRequest.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))


def _expired_by_the_task(token: str) -> None:
    attestations.expire_overdue(now=AttestationRequest.objects.get().expires_at)


def _used(token: str) -> None:
    answer(token)


def _declined(token: str) -> None:
    attestations.decline_attestation(token=token, reason="")


@pytest.mark.parametrize(
    ("spoil", "status", "words"),
    [
        (_cancelled, 410, "This request was withdrawn"),
        (_expired, 410, "This link has expired"),
        (_expired_by_the_task, 410, "This link has expired"),
        (_used, 410, "already been answered"),
        (_declined, 410, "already been answered"),
    ],
)
def test_a_link_that_no_longer_works_gets_a_plain_explanation(
    token: str, spoil: Callable[[str], None], status: int, words: str
) -> None:
    spoil(token)
    for url in (attest_url(token), reverse("portfolios:attest-decline", args=[token])):
        for response in (Client().get(url), Client().post(url, {"confirmed": "yes", "declared_true": "on"})):
            assert response.status_code == status
            assert words in response.content.decode()
            assert "Aroha" not in response.content.decode()  # not even who asked
            _link_page_headers(response)
            _shows_nothing_of_the_portfolio(response)


@pytest.mark.parametrize("guess", ["A" * 43, "tampered", "x" * 200, "%00" * 5])
def test_a_guessed_or_tampered_link_is_not_found(token: str, guess: str) -> None:
    for candidate in (guess, token[:-2] + "zz" if not token.endswith("zz") else token[:-2] + "yy"):
        response = Client().get(f"/portfolios/attest/{candidate}/")
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
        _link_page_headers(response)
        _shows_nothing_of_the_portfolio(response)


# The learner's pages -------------------------------------------------------------------------------------------------


def new_url(portfolio: Portfolio) -> str:
    return reverse("portfolios:attestation-new", args=[portfolio.enrolment_id, first_section(portfolio).pk])


def test_the_learner_asks_someone_from_the_form(
    cld_portfolio: Portfolio, aroha: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(aroha)
    page = client.get(new_url(cld_portfolio))
    assert page.status_code == 200
    assert "An attestation from a participant" in page.content.decode()
    form = {
        "requirement": "0",
        "attestor_name": "Hemi",
        "attestor_email": "hemi@example.org",
        "relationship": "participant",
        "message": "Kia ora",
    }
    response = client.post(new_url(cld_portfolio), form, follow=True)
    request = AttestationRequest.objects.get()
    assert response.redirect_chain[-1][0] == reverse(
        "portfolios:attestation", args=[cld_portfolio.enrolment_id, request.pk]
    )
    assert "We have emailed Hemi a link" in response.content.decode()
    assert "Waiting for a reply" in response.content.decode()
    assert token_sent_to("hemi@example.org")


def test_a_bad_request_form_shows_what_to_fix(
    cld_portfolio: Portfolio, aroha: User, client_for: Callable[[User | None], Client]
) -> None:
    form = {"requirement": "0", "attestor_name": "Hemi", "attestor_email": "nope", "relationship": "manager"}
    response = client_for(aroha).post(new_url(cld_portfolio), form)
    assert response.status_code == 422
    body = response.content.decode()
    assert "<title>Error: " in body
    assert "Enter an email address like name@example.org." in body
    assert "Choose one of the relationships this attestation accepts." in body  # both problems at once
    assert 'value="manager"' not in body  # only the relationships this attestation accepts are offered
    assert not AttestationRequest.objects.exists()


def test_a_second_live_request_is_refused_on_the_page(
    cld_portfolio: Portfolio, aroha: User, client_for: Callable[[User | None], Client]
) -> None:
    ask(cld_portfolio, aroha)
    form = {
        "requirement": "0",
        "attestor_name": "Hemi",
        "attestor_email": "HEMI@example.org",
        "relationship": "participant",
    }
    response = client_for(aroha).post(new_url(cld_portfolio), form)
    assert response.status_code == 422
    assert "already asked Hemi at this address" in response.content.decode()


def test_a_section_that_asks_for_no_attestation_has_no_form(
    cld_portfolio: Portfolio, aroha: User, client_for: Callable[[User | None], Client]
) -> None:
    reflection = cld_portfolio.sections.get(position=2)
    url = reverse("portfolios:attestation-new", args=[cld_portfolio.enrolment_id, reflection.pk])
    response = client_for(aroha).get(url)
    assert response.status_code == 404
    assert "does not ask for an attestation" in response.content.decode()


def test_the_learner_reads_a_completed_attestation_locked_with_its_hash(
    cld_portfolio: Portfolio, aroha: User, client_for: Callable[[User | None], Client]
) -> None:
    request = ask(cld_portfolio, aroha)
    attestation = answer(token_sent_to("hemi@example.org"))
    response = client_for(aroha).get(reverse("portfolios:attestation", args=[cld_portfolio.enrolment_id, request.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Received" in body
    assert "kept the hui on track" in body
    assert attestation.content_sha256 in body
    assert "<textarea" not in body
    assert "Send again" not in body
    assert "Cancel the request" not in body


def test_cancelling_from_the_page_confirms_first(
    cld_portfolio: Portfolio, aroha: User, client_for: Callable[[User | None], Client]
) -> None:
    request = ask(cld_portfolio, aroha)
    client = client_for(aroha)
    url = reverse("portfolios:attestation-cancel", args=[cld_portfolio.enrolment_id, request.pk])
    confirm = client.post(url)
    assert confirm.status_code == 200
    assert 'name="confirmed" value="yes"' in confirm.content.decode()
    assert AttestationRequest.objects.get().state == AttestationState.SENT
    done = client.post(url, {"confirmed": "yes"}, follow=True)
    assert "Cancelled: the link you sent Hemi Participant no longer works." in done.content.decode()
    assert AttestationRequest.objects.get().state == AttestationState.CANCELLED
    again = client.post(url, {"confirmed": "yes"})
    assert again.status_code == 422
    assert "nothing to cancel" in again.content.decode()


def test_sending_again_from_the_page(
    cld_portfolio: Portfolio, aroha: User, client_for: Callable[[User | None], Client]
) -> None:
    request = ask(cld_portfolio, aroha)
    url = reverse("portfolios:attestation-resend", args=[cld_portfolio.enrolment_id, request.pk])
    client = client_for(aroha)
    assert "Send Hemi Participant a new link?" in client.post(url).content.decode()
    response = client.post(url, {"confirmed": "yes"})
    fresh = AttestationRequest.objects.exclude(pk=request.pk).get()
    assert response["Location"] == reverse("portfolios:attestation", args=[cld_portfolio.enrolment_id, fresh.pk])
    assert AttestationRequest.objects.get(pk=request.pk).state == AttestationState.CANCELLED


def test_the_list_of_requests_is_paginated_filtered_and_its_queries_do_not_grow(
    cld_portfolio: Portfolio, aroha: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(aroha)
    url = reverse("portfolios:attestations", args=[cld_portfolio.enrolment_id])
    many_requests(cld_portfolio, aroha, 2)
    client.get(url)  # the session and the portfolio, loaded once
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    AttestationRequest.objects.all().delete()
    many_requests(cld_portfolio, aroha, 45)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    body = response.content.decode()
    assert "Page 1 of 3" in body
    assert "Person 0<" in body
    assert "Person 20<" not in body
    filtered = client.get(url, {"state": "expired", "page": "2"}).content.decode()
    assert "Page 2 of 2" in filtered
    assert "Person 41<" in filtered
    assert "Person 40<" not in filtered
    assert "Waiting for a reply" not in filtered.split("<tbody>")[1]


def test_the_section_block_lists_the_requests_in_bounded_queries(cld_portfolio: Portfolio, aroha: User) -> None:
    section = first_section(cld_portfolio)
    template = Template('{% include "portfolios/attestations/_section.html" %}')

    def render() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            html = template.render(Context({"portfolio": cld_portfolio, "section": section}))
        return html, len(queries)

    empty, _ = render()
    assert "You have not asked anyone yet." in empty
    assert "Ask someone to attest" in empty
    many_requests(cld_portfolio, aroha, 2)
    few_html, few = render()
    assert "Person 1" in few_html
    assert "Expired" in few_html
    assert "0 of 1 received" in few_html
    AttestationRequest.objects.all().delete()
    many_requests(cld_portfolio, aroha, 40)
    many_html, many = render()
    assert many <= few + 1  # one more: the count of received, past the rows shown
    assert "All your attestation requests" in many_html


def test_a_section_that_asks_for_no_attestation_shows_no_block(cld_portfolio: Portfolio) -> None:
    reflection = cld_portfolio.sections.get(position=2)
    html = Template('{% include "portfolios/attestations/_section.html" %}').render(
        Context({"portfolio": cld_portfolio, "section": reflection})
    )
    assert "<section" not in html
    assert "Ask someone to attest" not in html


# Who may use the learner's pages ----------------------------------------------------------------------------------


def _member(organisation: Organisation, role: str, email: str) -> User:
    return MembershipFactory(user=UserFactory(email=email), organisation=organisation, role=role).user


@pytest.fixture
def learner_urls(cld_portfolio: Portfolio, aroha: User) -> list[tuple[str, str]]:
    request = ask(cld_portfolio, aroha)
    enrolment_id = cld_portfolio.enrolment_id
    return [
        ("get", new_url(cld_portfolio)),
        ("post", new_url(cld_portfolio)),
        ("get", reverse("portfolios:attestations", args=[enrolment_id])),
        ("get", reverse("portfolios:attestation", args=[enrolment_id, request.pk])),
        ("post", reverse("portfolios:attestation-cancel", args=[enrolment_id, request.pk])),
        ("post", reverse("portfolios:attestation-resend", args=[enrolment_id, request.pk])),
    ]


def test_signed_out_people_are_sent_to_sign_in(learner_urls: list[tuple[str, str]]) -> None:
    for method, url in learner_urls:
        response = getattr(Client(), method)(url, {"confirmed": "yes"} if method == "post" else None)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_nobody_but_the_learner_reaches_their_requests(
    learner_urls: list[tuple[str, str]],
    cld_cohort: Cohort,
    provider: Organisation,
    provider_admin: User,
    other_provider: Organisation,
    client_for: Callable[[User | None], Client],
) -> None:
    """Another learner, the provider's own staff (these are the learner's pages: staff read portfolios on theirs)
    and another provider's staff all get 404, and nothing changes."""
    people = [
        studying(cld_cohort, provider_admin, "tama@example.org", "Tama").learner,
        provider_admin,
        facilitator_of(cld_cohort, provider_admin, "facilitator@inspiring-test.example"),
        _member(provider, Role.ASSESSOR, "assessor@inspiring-test.example"),
        _member(other_provider, Role.PROGRAMME_ADMIN, "admin@another.example"),
    ]
    for person in people:
        client = client_for(person)
        for method, url in learner_urls:
            response = getattr(client, method)(url, {"confirmed": "yes"} if method == "post" else None)
            assert response.status_code == 404, (person.email, url)
    assert AttestationRequest.objects.get().state == AttestationState.SENT
    assert len([m for m in mail.outbox if m.to == ["hemi@example.org"]]) == 1


def test_another_learners_enrolment_with_this_section_is_not_found(
    cld_portfolio: Portfolio, cld_cohort: Cohort, provider_admin: User, client_for: Callable[[User | None], Client]
) -> None:
    other: Enrolment = studying(cld_cohort, provider_admin, "tama@example.org", "Tama")
    client = client_for(other.learner)
    client.get(reverse("portfolios:attestations", args=[other.pk]))  # Tama's own portfolio exists
    url = reverse("portfolios:attestation-new", args=[other.pk, first_section(cld_portfolio).pk])
    assert client.get(url).status_code == 404


def test_the_link_in_the_email_opens_the_attestors_page(with_evidence: Portfolio, aroha: User) -> None:
    ask(with_evidence, aroha)
    [email] = [m for m in mail.outbox if m.to == ["hemi@example.org"]]
    [link] = [line for line in email.body.splitlines() if "/portfolios/attest/" in line]
    response = Client().get(urlsplit(link.strip()).path)
    assert response.status_code == 200
    assert "An attestation for Aroha Te Whare" in response.content.decode()


def test_once_submitted_the_requests_are_shown_without_buttons_that_would_be_refused(
    cld_portfolio: Portfolio, aroha: User, client_for: Callable[[User | None], Client]
) -> None:
    request = ask(cld_portfolio, aroha)
    Portfolio.objects.filter(pk=cld_portfolio.pk).update(is_open=False)
    page = client_for(aroha).get(reverse("portfolios:attestation", args=[cld_portfolio.enrolment_id, request.pk]))
    body = page.content.decode()
    assert "Waiting for a reply" in body
    assert "Send again" not in body
    assert "Cancel the request" not in body
    refused = client_for(aroha).post(
        reverse("portfolios:attestation-cancel", args=[cld_portfolio.enrolment_id, request.pk]), {"confirmed": "yes"}
    )
    assert refused.status_code == 422
    assert "has been submitted" in refused.content.decode()


def test_the_attestor_without_an_account_passes_the_csrf_check(token: str) -> None:
    """The attestor has no session: the page itself gives the form its CSRF token, as a browser would use it."""
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(attest_url(token)).content.decode()
    csrf = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    form = {
        "csrfmiddlewaretoken": csrf,
        "attestor_name": "Hemi",
        "relationship": "I was there.",
        "statement": "Good work.",
        "declared_true": "on",
    }
    assert browser.post(attest_url(token), form).status_code == 200
    assert Attestation.objects.count() == 1
    assert Client(enforce_csrf_checks=True).post(attest_url(token), form).status_code == 403  # no cookie: refused
