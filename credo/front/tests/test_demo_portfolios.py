"""The demo's portfolios: the 2024 CLD learners at every stage, an SEG learner mapping evidence, one live link."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.catalogue.models import AssessmentCriterion
from credo.front.demo import load_demo
from credo.front.demo.portfolios import JORDAN_UNIT, live_attestation_link
from credo.portfolios.models import (
    AttestationRequest,
    AttestationState,
    CompetencyMapping,
    CriterionMapping,
    Portfolio,
    Submission,
)
from credo.portfolios.services.readiness import check_readiness
from credo.portfolios.services.submissions import effective_deadline, verify_submission
from credo.programmes.services import cohorts

AUCKLAND = cohorts.zone("Pacific/Auckland")


def _portfolio(email: str) -> Portfolio:
    return Portfolio.objects.select_related("enrolment__cohort").get(enrolment__learner__email=email)


@pytest.mark.usefixtures("demo_for_the_class")
@pytest.mark.django_db
class TestDemoPortfolios:
    def test_leilani_submitted_her_whole_portfolio_before_the_deadline(self) -> None:
        portfolio = _portfolio("learner@inspiring.example")
        submission = Submission.objects.get(portfolio=portfolio)
        assert submission.attempt == 1
        assert not portfolio.is_open
        assert timezone.localdate(submission.submitted_at, AUCKLAND) == datetime.date(2024, 8, 28)
        assert submission.submitted_at < submission.deadline
        assert verify_submission(submission, files=True), "the snapshot and its file still hash as submitted"
        sections = {section["title"]: section for section in submission.manifest["sections"]}
        assert len(sections["Attestations"]["attestations"]) == 2
        assert [f.original_name for f in submission.files.all()] == ["hui-agenda.pdf"]

    def test_sina_has_both_attestations_and_more_time_so_she_is_ready_to_submit(self) -> None:
        portfolio = _portfolio("sina.tuilagi@inspiring.example")
        assert check_readiness(portfolio).ready
        assert portfolio.is_open
        assert not portfolio.submissions.exists()
        assert effective_deadline(portfolio) > timezone.now()
        completed = AttestationRequest.objects.filter(portfolio=portfolio, state=AttestationState.COMPLETED)
        assert sorted(completed.values_list("relationship", flat=True)) == ["mentor", "participant"]
        assert CompetencyMapping.objects.filter(item__portfolio=portfolio).exists()

    def test_mei_is_half_way_with_one_attestation_waiting(self) -> None:
        portfolio = _portfolio("mei.zhao@inspiring.example")
        readiness = check_readiness(portfolio)
        assert not readiness.ready
        assert any("attestation" in block for block in readiness.all_blocks())
        assert sorted(portfolio.items.values_list("title", flat=True)) == ["My background", "The community garden hui"]
        [waiting] = AttestationRequest.objects.filter(portfolio=portfolio)
        assert waiting.state == AttestationState.SENT
        assert waiting.expires_at > timezone.now()

    def test_rangi_has_opened_an_empty_portfolio(self) -> None:
        portfolio = _portfolio("rangi.hohaia@inspiring.example")
        assert not portfolio.items.exists()
        assert portfolio.sections.count() == 6

    def test_jordan_maps_evidence_to_the_criteria_of_a_unit_he_does_not_hold_yet(self) -> None:
        portfolio = _portfolio("learner@riverside.example")
        assert portfolio.enrolment.cohort.study_starts < timezone.localdate()
        mapped = CriterionMapping.objects.filter(item__portfolio=portfolio)
        assert mapped.count() == 4
        units = set(
            AssessmentCriterion.objects.filter(pk__in=mapped.values("criterion")).values_list(
                "outcome__unit__code", flat=True
            )
        )
        assert units == {JORDAN_UNIT}

    def test_the_printed_link_lets_a_newcomer_be_the_attestor_with_no_account(self, client: Client) -> None:
        link = live_attestation_link()
        assert link is not None
        out = StringIO()
        call_command("demo_logins", stdout=out)
        assert link in out.getvalue()
        page = client.get(link.split("127.0.0.1:8000", 1)[1])
        assert page.status_code == 200
        text = page.content.decode()
        assert "Mei Lin Zhao" in text
        assert "community garden" not in text, "the attestor never sees the portfolio"

    def test_the_demo_learners_with_a_portfolio_can_sign_in_and_open_it(self, client: Client) -> None:
        for email in ("learner@inspiring.example", "sina.tuilagi@inspiring.example", "mei.zhao@inspiring.example"):
            portfolio = _portfolio(email)
            client.force_login(User.objects.get(email=email))
            assert client.get(f"/portfolios/my/{portfolio.enrolment_id}/").status_code == 200, email

    def test_loading_again_changes_nothing(self) -> None:
        counts = (Portfolio.objects.count(), AttestationRequest.objects.count(), AuditEvent.objects.count())
        link = live_attestation_link()
        load_demo()
        assert (Portfolio.objects.count(), AttestationRequest.objects.count(), AuditEvent.objects.count()) == counts
        assert live_attestation_link() == link
