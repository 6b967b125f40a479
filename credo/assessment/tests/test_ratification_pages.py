"""The ratification pages: the provider's "ready for ratification" page and sending (confirmed); the institution's
batch list, a batch with its learners and moderation evidence, a learner's assessment, returning a learner, ratifying
(confirmed) with progress on the job page, the record as CSV and PDF; and the dashboard panels. Each refuses the
wrong role (403) and another organisation (404)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Role, User
from credo.accounts.tests.factories import MembershipFactory
from credo.assessment.models import BatchState, EntryDecision, RatificationBatch
from credo.assessment.services import ratification
from credo.credentials.models import Credential, Issuer
from credo.programmes.models import Cohort

from .builders import submitted
from .ratification_builders import assessed, assessor_of, moderator_of, ready_outcomes, sampled

pytestmark = pytest.mark.django_db

Sign = Callable[[User | None], Client]


@pytest.fixture
def batch(cld_cohort: Cohort, centre_admin: User) -> RatificationBatch:
    ready_outcomes(cld_cohort, 3)
    return ratification.send_for_ratification(cohort=cld_cohort, actor=centre_admin)


def _url(name: str, batch: RatificationBatch, **more: Any) -> str:
    return reverse(f"assessment:{name}", kwargs={"pk": batch.pk, **more})


class TestTheProvidersPage:
    def test_a_programme_admin_sees_what_is_ready_and_sends_it_after_confirming(
        self, client_for: Sign, cld_cohort: Cohort, centre_admin: User
    ) -> None:
        ready_outcomes(cld_cohort, 2)
        client = client_for(centre_admin)
        page = client.get(reverse("assessment:ratification_cohort", args=[cld_cohort.public_id]))
        assert page.status_code == 200
        assert "Outcomes ready for ratification: 2" in page.text
        assert "Learner 1" in page.text

        send_url = reverse("assessment:ratification_send", args=[cld_cohort.public_id])
        confirm = client.get(send_url)
        assert 'class="danger"' in confirm.text
        assert "Send 2 outcomes for ratification?" in confirm.text
        client.post(send_url)  # not confirmed: nothing is sent
        assert not RatificationBatch.objects.exists()
        sent = client.post(send_url, {"confirmed": "yes"}, follow=True)
        batch = RatificationBatch.objects.get()
        assert sent.redirect_chain[-1][0] == _url("ratification_batch", batch)
        assert "2 outcomes sent to Test Polytechnic for ratification." in sent.text

    def test_nothing_to_send_is_said_plainly(self, client_for: Sign, cld_cohort: Cohort, centre_admin: User) -> None:
        sent = client_for(centre_admin).post(
            reverse("assessment:ratification_send", args=[cld_cohort.public_id]), {"confirmed": "yes"}, follow=True
        )
        assert "There is nothing to send" in sent.text

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("assessor", 403), ("institution_ratifier", 404), ("other_centre_admin", 404), (None, 302)],
    )
    def test_others_are_refused(
        self, client_for: Sign, cld_cohort: Cohort, persona: str | None, status: int, request: pytest.FixtureRequest
    ) -> None:
        client = client_for(request.getfixturevalue(persona) if persona else None)
        for name in ("ratification_cohort", "ratification_send"):
            assert client.get(reverse(f"assessment:{name}", args=[cld_cohort.public_id])).status_code == status
        assert (
            client.post(
                reverse("assessment:ratification_send", args=[cld_cohort.public_id]), {"confirmed": "yes"}
            ).status_code
            == status
        )
        assert not RatificationBatch.objects.exists()


class TestTheInstitutionsPages:
    def test_the_batch_list_is_filtered_and_its_queries_do_not_grow(
        self,
        client_for: Sign,
        batch: RatificationBatch,
        cld_cohort: Cohort,
        centre_admin: User,
        institution_ratifier: User,
        django_assert_max_num_queries: Any,
    ) -> None:
        client = client_for(institution_ratifier)
        url = reverse("assessment:ratification_batches", args=["test-poly"])
        with django_assert_max_num_queries(12) as one:
            page = client.get(url)
        assert "Every batch: 1" in page.text
        assert "Waiting for ratification" in page.text
        for n in range(3):
            more = assessed(submitted(cld_cohort, f"more{n}@example.org"), assessor=assessor_of(cld_cohort))
            sampled(cld_cohort, [more], moderator=moderator_of(cld_cohort), seed=f"more-{n}")
            ratification.send_for_ratification(cohort=cld_cohort, actor=centre_admin)
        with django_assert_max_num_queries(len(one.captured_queries)):
            page = client.get(url)
        assert "Every batch: 4" in page.text
        filtered = client.get(url, {"state": BatchState.RATIFIED})
        assert "No batch matches these filters." in filtered.text
        by_provider = client.get(url, {"provider": "test-centre"})
        assert "Batches matching the filters: 4" in by_provider.text

    def test_the_batch_page_shows_each_learner_with_the_moderation_evidence(
        self, client_for: Sign, batch: RatificationBatch, institution_ratifier: User
    ) -> None:
        page = client_for(institution_ratifier).get(_url("ratification_batch", batch))
        assert page.status_code == 200
        for words in (
            "Learner 1",
            "Aroha Assessor",
            "random 25%",
            "Agreed by Mere Moderator",
            "seed <code>seed-1</code>",
            "Ratify this batch…",
        ):
            assert words in page.text, words
        entry = batch.entries.order_by("pk").first()
        assert entry is not None
        read = client_for(institution_ratifier).get(_url("ratification_entry", batch, entry_id=entry.pk))
        assert read.status_code == 200
        assert "Clear evidence of facilitating" in read.text
        assert "Case study" in read.text

    def test_the_provider_reads_its_batch_but_cannot_act_on_it(
        self, client_for: Sign, batch: RatificationBatch, centre_admin: User
    ) -> None:
        client = client_for(centre_admin)
        page = client.get(_url("ratification_batch", batch))
        assert page.status_code == 200
        assert "Ratify this batch" not in page.text
        entry = batch.entries.first()
        assert entry is not None
        assert client.get(_url("ratification_ratify", batch)).status_code == 403
        assert client.post(_url("ratification_ratify", batch), {"confirmed": "yes"}).status_code == 403
        assert client.post(_url("ratification_return", batch, entry_id=entry.pk), {"reason": "x"}).status_code == 403

    @pytest.mark.parametrize(
        ("persona", "status"),
        [("institution_admin", 403), ("assessor", 403), ("other_centre_admin", 404), ("outsider", 404)],
    )
    def test_others_are_refused(
        self, client_for: Sign, batch: RatificationBatch, persona: str, status: int, request: pytest.FixtureRequest
    ) -> None:
        client = client_for(request.getfixturevalue(persona))
        entry = batch.entries.first()
        assert entry is not None
        for url in (
            _url("ratification_batch", batch),
            _url("ratification_entry", batch, entry_id=entry.pk),
            _url("ratification_ratify", batch),
            _url("ratification_return", batch, entry_id=entry.pk),
            _url("ratification_record_csv", batch),
            _url("ratification_record_pdf", batch),
        ):
            assert client.get(url).status_code == status, url
        assert client.post(_url("ratification_ratify", batch), {"confirmed": "yes"}).status_code == status
        batch.refresh_from_db()
        assert batch.state == BatchState.SUBMITTED
        list_status = 403 if persona == "institution_admin" else 404
        assert client.get(reverse("assessment:ratification_batches", args=["test-poly"])).status_code == list_status


class TestActing:
    def test_returning_needs_a_reason_and_then_the_learner_is_left_out(
        self, client_for: Sign, batch: RatificationBatch, institution_ratifier: User
    ) -> None:
        client = client_for(institution_ratifier)
        entry = batch.entries.order_by("pk").first()
        assert entry is not None
        url = _url("ratification_return", batch, entry_id=entry.pk)
        assert 'class="danger"' in client.get(url).text
        refused = client.post(url, {"reason": ""})
        assert refused.status_code == 422
        assert "field-error" in refused.text
        done = client.post(url, {"reason": "The participant's attestation is unsigned."}, follow=True)
        assert "has been told their award needs another look" in done.text
        entry.refresh_from_db()
        assert entry.decision == EntryDecision.RETURNED
        assert "The participant&#x27;s attestation is unsigned." in done.text

    def test_ratifying_is_confirmed_then_followed_on_the_job_page_and_the_results_show(
        self,
        client_for: Sign,
        batch: RatificationBatch,
        institution_ratifier: User,
        institution_issuer: Issuer,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        client = client_for(institution_ratifier)
        confirm = client.get(_url("ratification_ratify", batch))
        assert "This cannot be undone" in confirm.text
        assert "Ratify and issue 3 credentials" in confirm.text
        client.post(_url("ratification_ratify", batch))  # not confirmed
        batch.refresh_from_db()
        assert batch.state == BatchState.SUBMITTED
        with django_capture_on_commit_callbacks(execute=True):
            started = client.post(_url("ratification_ratify", batch), {"confirmed": "yes"})
        batch.refresh_from_db()
        assert batch.job is not None
        assert started.url == f"/jobs/{batch.job.public_id}/"
        assert batch.state == BatchState.RATIFIED
        assert Credential.objects.count() == 3
        page = client.get(_url("ratification_batch", batch))
        assert "Ratified. 3 learners have been issued credentials and emailed." in page.text
        assert f"/jobs/{batch.job.public_id}/" in page.text

    def test_a_ratifier_who_assessed_one_of_them_is_told_the_rule(
        self, client_for: Sign, batch: RatificationBatch, institution: Any
    ) -> None:
        assessor = assessor_of(batch.cohort)
        MembershipFactory(user=assessor, organisation=institution, role=Role.RATIFIER)
        page = client_for(assessor).get(_url("ratification_ratify", batch))
        assert "Conflict of interest" in page.text
        assert 'class="danger"' not in page.text
        refused = client_for(assessor).post(_url("ratification_ratify", batch), {"confirmed": "yes"}, follow=True)
        assert "Conflict of interest" in refused.text
        batch.refresh_from_db()
        assert batch.state == BatchState.SUBMITTED


class TestTheRecord:
    def test_the_record_downloads_as_csv_and_as_a_pdf_to_sign(
        self, client_for: Sign, batch: RatificationBatch, centre_admin: User, institution_ratifier: User
    ) -> None:
        entry = batch.entries.order_by("pk").first()
        assert entry is not None
        ratification.return_entry(entry=entry, actor=institution_ratifier, reason="=HYPERLINK(bad)")
        csv = client_for(institution_ratifier).get(_url("ratification_record_csv", batch))
        assert csv["Content-Type"].startswith("text/csv")
        lines = csv.content.decode().splitlines()
        assert lines[0].startswith("learner,email,attempt,outcome,assessor")
        assert len(lines) == 4
        assert "'=HYPERLINK(bad)" in csv.content.decode()
        assert "Agreed" in csv.content.decode()
        assert "seed-1" in csv.content.decode()
        pdf = client_for(centre_admin).get(_url("ratification_record_pdf", batch))
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        assert f'filename="ratification-batch-{batch.pk}.pdf"' in pdf["Content-Disposition"]


class TestDashboardPanels:
    def test_a_ratifier_sees_the_batches_waiting(
        self, client_for: Sign, batch: RatificationBatch, institution_ratifier: User
    ) -> None:
        page = client_for(institution_ratifier).get(reverse("dashboard"))
        assert "1 batch waiting for ratification" in page.text

    def test_the_provider_sees_what_was_returned(
        self, client_for: Sign, batch: RatificationBatch, centre_admin: User, institution_ratifier: User
    ) -> None:
        entry = batch.entries.first()
        assert entry is not None
        ratification.return_entry(entry=entry, actor=institution_ratifier, reason="Check it.")
        page = client_for(centre_admin).get(reverse("dashboard"))
        assert "Returned from ratification" in page.text
        assert "1 learner" in page.text
