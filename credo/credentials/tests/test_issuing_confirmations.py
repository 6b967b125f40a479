"""Irreversible staff actions (revoke, re-issue, key rotation, award one) ask first: no change until confirmed."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials import services
from credo.credentials.models import Achievement, Attainment, Credential, CredentialState, Issuer, SigningKey

SLUG = "test-awards"
PAST = datetime.date(2024, 10, 31)


@pytest.fixture
def achievement(issuer: Issuer, catalogue: SmallCatalogue) -> Achievement:
    return services.achievement_for_unit(catalogue.shared_units[0])


@pytest.fixture
def credential(achievement: Achievement, learner: User, catalogue_admin: User) -> Credential:
    attainment = services.record_attainment(
        learner=learner, achievement=achievement, route="direct_award", attained_on=PAST, decided_by=catalogue_admin
    )
    return services.issue_credential(attainment)


def award_form(achievement: Achievement, **extra: str) -> dict[str, Any]:
    return {
        "achievement": achievement.pk,
        "email": "hine@example.org",
        "full_name": "Hine Walker",
        "attained_on": "2024-10-31",
        "route": "prior_learning",
        **extra,
    }


class TestRevokingAndReissuing:
    @pytest.mark.parametrize("action", ["revoke", "reissue"])
    def test_a_post_without_the_confirmation_changes_nothing_and_says_what_would_happen(
        self,
        action: str,
        credential: Credential,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
        django_capture_on_commit_callbacks: Any,
        mailoutbox: list[Any],
    ) -> None:
        events_before = AuditEvent.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(catalogue_admin).post(
                f"/issuing/{SLUG}/credentials/{credential.public_id}", {"action": action, "reason": "Wrong name"}
            )
        page = response.content.decode()
        assert response.status_code == 200
        assert "What will happen" in page
        assert "This cannot be undone" in page
        assert re.search(r'<button type="submit" class="danger">', page), "the confirming button looks different"
        assert 'name="confirmed" value="yes"' in page
        assert "Wrong name" in page, "the reason given is carried to the confirmation"
        credential.refresh_from_db()
        assert credential.state == CredentialState.ACTIVE
        assert Credential.objects.count() == 1
        assert AuditEvent.objects.count() == events_before
        assert mailoutbox == []

    def test_the_confirmation_revokes(
        self, credential: Credential, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        response = client_for(catalogue_admin).post(
            f"/issuing/{SLUG}/credentials/{credential.public_id}",
            {"action": "revoke", "reason": "Wrong name", "confirmed": "yes"},
        )
        assert response.status_code == 302
        credential.refresh_from_db()
        assert credential.state == CredentialState.REVOKED

    def test_suspending_is_reversible_so_it_needs_no_confirmation(
        self, credential: Credential, ratifier: User, client_for: Callable[[User | None], Client]
    ) -> None:
        response = client_for(ratifier).post(
            f"/issuing/{SLUG}/credentials/{credential.public_id}", {"action": "suspend", "reason": "Under review"}
        )
        assert response.status_code == 302
        credential.refresh_from_db()
        assert credential.state == CredentialState.SUSPENDED

    def test_the_credentials_page_marks_revoke_as_a_step_with_the_warning_style(
        self, credential: Credential, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        page = client_for(catalogue_admin).get(f"/issuing/{SLUG}/credentials/{credential.public_id}").content.decode()
        assert '<button type="submit" name="action" value="revoke" class="danger">Revoke…</button>' in page
        assert "Awarded directly" in page, "the route in words, not direct_award"
        assert "direct_award" not in page


class TestRotatingTheKey:
    def test_the_page_says_what_will_happen_and_changes_nothing(
        self, issuer: Issuer, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        client = client_for(catalogue_admin)
        home = client.get(f"/issuing/{SLUG}/").content.decode()
        assert f'href="/issuing/{SLUG}/keys/rotate">Rotate the signing key…</a>' in home
        for response in (client.get(f"/issuing/{SLUG}/keys/rotate"), client.post(f"/issuing/{SLUG}/keys/rotate")):
            page = response.content.decode()
            assert response.status_code == 200
            assert "retired for good" in page
            assert "still verify" in page
        assert SigningKey.objects.filter(issuer=issuer).count() == 1

    def test_the_confirmation_rotates(
        self, issuer: Issuer, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        response = client_for(catalogue_admin).post(f"/issuing/{SLUG}/keys/rotate", {"confirmed": "yes"})
        assert response.status_code == 302
        assert SigningKey.objects.filter(issuer=issuer).count() == 2

    @pytest.mark.parametrize(("who", "status"), [("outsider", 403), ("learner", 403), ("external_qa", 403)])
    def test_others_are_refused_even_the_confirmation_page(
        self,
        who: str,
        status: int,
        issuer: Issuer,
        client_for: Callable[[User | None], Client],
        request: pytest.FixtureRequest,
    ) -> None:
        client = client_for(request.getfixturevalue(who))
        assert client.get(f"/issuing/{SLUG}/keys/rotate").status_code == status
        assert client.post(f"/issuing/{SLUG}/keys/rotate", {"confirmed": "yes"}).status_code == status
        assert SigningKey.objects.filter(issuer=issuer).count() == 1


class TestAwardingOne:
    def test_the_form_leads_to_a_preview_that_awards_nothing_and_sends_nothing(
        self,
        achievement: Achievement,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
        django_capture_on_commit_callbacks: Any,
        mailoutbox: list[Any],
    ) -> None:
        events_before = AuditEvent.objects.count()
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(catalogue_admin).post(f"/issuing/{SLUG}/award", award_form(achievement))
        page = response.content.decode()
        assert response.status_code == 200
        assert "Check the award before it is made" in page
        assert "Hine Walker" in page
        assert achievement.name in page
        assert "Recognition of prior learning" in page
        assert "prior_learning" not in page.replace('value="prior_learning"', "")
        assert "has no account yet" in page
        assert "emailed to hine@example.org" in page
        assert "Award and email the credential" in page
        assert not Attainment.objects.filter(learner__email="hine@example.org").exists()
        assert not User.objects.filter(email="hine@example.org").exists()
        assert AuditEvent.objects.count() == events_before
        assert mailoutbox == []

    def test_changing_the_details_returns_to_the_filled_in_form(
        self, achievement: Achievement, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        response = client_for(catalogue_admin).post(f"/issuing/{SLUG}/award", award_form(achievement, change="yes"))
        page = response.content.decode()
        assert "Check the award</button>" in page
        assert 'value="hine@example.org"' in page
        assert not Attainment.objects.filter(learner__email="hine@example.org").exists()

    def test_a_refused_award_shows_what_to_fix_before_any_preview(
        self, achievement: Achievement, catalogue_admin: User, client_for: Callable[[User | None], Client]
    ) -> None:
        form = award_form(achievement, full_name="")
        response = client_for(catalogue_admin).post(f"/issuing/{SLUG}/award", form)
        page = response.content.decode()
        assert "has no account yet: give their full name" in page
        assert "Check the award before it is made" not in page

    def test_the_confirmation_awards_and_the_list_shows_what_was_issued_at_once(
        self,
        achievement: Achievement,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
        django_capture_on_commit_callbacks: Any,
        mailoutbox: list[Any],
    ) -> None:
        client = client_for(catalogue_admin)
        with django_capture_on_commit_callbacks(execute=False):  # no background worker: the page issues itself
            response = client.post(f"/issuing/{SLUG}/award", award_form(achievement, confirmed="yes"))
        attainment = Attainment.objects.get(learner__email="hine@example.org")
        assert response.status_code == 302
        assert response["Location"] == (f"/issuing/{SLUG}/credentials?q=hine%40example.org&awarded={attainment.pk}")
        page = client.get(response["Location"]).content.decode()
        outcome = page[page.index('class="result-panel"') : page.index("</section>")]
        assert 'tabindex="-1" autofocus data-result-first' in outcome
        assert f"Awarded {achievement.name} to Hine Walker" in outcome
        assert f"A credential for {achievement.name}" in outcome
        assert "A transcript bundling their credentials from Test Awarding Body" in outcome
        assert "Still being signed" not in outcome
        credential = Credential.objects.get(attainment=attainment)
        assert f"/issuing/{SLUG}/credentials/{credential.public_id}" in page, "listed without a refresh"

    def test_a_second_award_says_the_transcript_was_updated(
        self,
        achievement: Achievement,
        catalogue: SmallCatalogue,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        client = client_for(catalogue_admin)
        second = services.achievement_for_unit(catalogue.shared_units[1])
        client.post(f"/issuing/{SLUG}/award", award_form(achievement, confirmed="yes"))
        response = client.post(f"/issuing/{SLUG}/award", award_form(second, confirmed="yes"), follow=True)
        page = response.content.decode()
        assert f"A credential for {second.name}" in page
        assert "An updated transcript, now bundling it too" in page
        assert page.count(">Transcript</a>") == 1, "one transcript row, with the learner's two credentials"

    def test_a_unit_that_completes_a_qualification_says_so(
        self,
        issuer: Issuer,
        learner: User,
        catalogue: SmallCatalogue,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        *earlier, last = [services.achievement_for_unit(unit) for unit in catalogue.shared_units]
        for unit in earlier:
            services.record_attainment(
                learner=learner, achievement=unit, route="direct_award", attained_on=PAST, decided_by=catalogue_admin
            )
        form = award_form(last, email=learner.email, full_name=learner.full_name, confirmed="yes")
        page = client_for(catalogue_admin).post(f"/issuing/{SLUG}/award", form, follow=True).content.decode()
        qualification = services.achievement_for_qualification(catalogue.award)
        assert f"A credential for {qualification.name} (the units now complete it)" in page

    def test_another_issuers_award_is_not_described_here(
        self,
        achievement: Achievement,
        learner: User,
        outsider: User,
        other_awarding_body: Any,
        catalogue_admin: User,
        client_for: Callable[[User | None], Client],
    ) -> None:
        services.create_issuer(other_awarding_body, actor=outsider, email="x@other.example", did_method="key")
        attainment = services.record_attainment(
            learner=learner, achievement=achievement, route="direct_award", attained_on=PAST, decided_by=catalogue_admin
        )
        response = client_for(outsider).get(f"/issuing/other-awards/credentials?awarded={attainment.pk}")
        assert response.status_code == 404
        assert client_for(outsider).get(f"/issuing/{SLUG}/credentials?awarded={attainment.pk}").status_code == 403


@pytest.mark.parametrize("who", ["outsider", "centre_admin", "learner", "external_qa"])
def test_nobody_else_reaches_a_preview_or_confirmation(
    who: str,
    credential: Credential,
    achievement: Achievement,
    client_for: Callable[[User | None], Client],
    request: pytest.FixtureRequest,
) -> None:
    client = client_for(request.getfixturevalue(who))
    for url, data in [
        (f"/issuing/{SLUG}/award", award_form(achievement)),
        (f"/issuing/{SLUG}/credentials/{credential.public_id}", {"action": "revoke", "reason": "No"}),
        (f"/issuing/{SLUG}/credentials/{credential.public_id}", {"action": "reissue", "reason": "No"}),
        (f"/issuing/{SLUG}/keys/rotate", {}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 403, url
        assert "What will happen" not in response.content.decode()
    assert not Attainment.objects.filter(learner__email="hine@example.org").exists()
