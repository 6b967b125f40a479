"""Direct and bulk award: every row checked first, a preview, nothing if any row is wrong, invitations for newcomers.

Applying a checked file in the background, row by row, is in test_bulk_jobs.py.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from credo.accounts.invitations import claim_url
from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.catalogue.tests.builders import SmallCatalogue
from credo.core.models import Job
from credo.credentials import services
from credo.credentials.models import Achievement, Attainment, AwardBatch, AwardBatchState, Credential, Issuer, Route
from credo.credentials.services.awards import AwardsRefusedError, award_directly, plan_awards, upload_awards
from credo.credentials.services.bulk import apply_awards

PAST = datetime.date(2024, 10, 31)


@pytest.fixture
def unit_achievement(issuer: Issuer, catalogue: SmallCatalogue) -> Achievement:
    return services.achievement_for_unit(catalogue.shared_units[0])


@pytest.fixture
def second_unit(issuer: Issuer, catalogue: SmallCatalogue) -> Achievement:
    return services.achievement_for_unit(catalogue.shared_units[1])


def csv_of(*rows: str, header: str = "email,full_name,achievement,attained_on,route,note") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


class TestDirectAward:
    def test_a_newcomer_is_invited_and_their_credential_is_issued_and_emailed(
        self, unit_achievement: Achievement, catalogue_admin: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            attainment = award_directly(
                actor=catalogue_admin,
                achievement=unit_achievement,
                email=" Aroha.Ngata@Example.org ",
                full_name="Aroha Ngata",
                attained_on=PAST,
            )
        learner = attainment.learner
        assert learner.email == "aroha.ngata@example.org"
        assert learner.full_name == "Aroha Ngata"
        assert not learner.has_usable_password()
        assert attainment.route == Route.DIRECT_AWARD
        assert attainment.decided_by == catalogue_admin
        assert Credential.objects.filter(attainment=attainment, superseded_at__isnull=True).count() == 1
        subjects = sorted(message.subject for message in mail.outbox)
        assert subjects == [
            "Test Awarding Body invites you to claim your credo account",
            "Your credential from Test Awarding Body",
            "Your transcript from Test Awarding Body",  # units come with a transcript (CLR)
        ]
        invitation = next(m for m in mail.outbox if "claim" in m.subject)
        assert claim_url(learner).split("/password/reset/key/")[0] in invitation.body
        assert unit_achievement.name in invitation.body

    def test_an_existing_account_is_used_and_not_invited(
        self,
        unit_achievement: Achievement,
        catalogue_admin: User,
        learner: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            attainment = award_directly(
                actor=catalogue_admin,
                achievement=unit_achievement,
                email="LEARNER@credo.example",
                full_name="",
                attained_on=PAST,
                route=Route.CREDIT_TRANSFER,
                note="Transfer record 12",
            )
        assert attainment.learner == learner
        assert sorted(m.subject for m in mail.outbox) == [
            "Your credential from Test Awarding Body",
            "Your transcript from Test Awarding Body",
        ]
        assert "Transfer record 12" in attainment.note

    @pytest.mark.parametrize(
        ("changes", "field", "says"),
        [
            ({"email": "not an email"}, "email", "is not an email address"),
            ({"email": "new@example.org", "full_name": ""}, "full_name", "give their full name"),
            ({"attained_on": datetime.date(2999, 1, 1)}, "attained_on", "in the future"),
            ({"route": "rules_of_combination"}, "route", "is not a way to award"),
            ({"route": "ratified_assessment"}, "route", "is not a way to award"),
        ],
    )
    def test_bad_input_is_refused_with_what_to_fix_and_nothing_is_written(
        self, unit_achievement: Achievement, catalogue_admin: User, changes: dict[str, Any], field: str, says: str
    ) -> None:
        arguments = {"email": "new@example.org", "full_name": "New Person", "attained_on": PAST} | changes
        users_before = User.objects.count()
        with pytest.raises(ValidationError) as refused:
            award_directly(actor=catalogue_admin, achievement=unit_achievement, **arguments)
        assert says in " ".join(refused.value.message_dict[field])
        assert User.objects.count() == users_before
        assert not Attainment.objects.exists()

    def test_the_same_achievement_twice_is_refused(
        self, unit_achievement: Achievement, catalogue_admin: User, learner: User
    ) -> None:
        award_directly(
            actor=catalogue_admin, achievement=unit_achievement, email=learner.email, full_name="", attained_on=PAST
        )
        with pytest.raises(ValidationError, match="already holds"):
            award_directly(
                actor=catalogue_admin, achievement=unit_achievement, email=learner.email, full_name="", attained_on=PAST
            )
        assert Attainment.objects.filter(learner=learner).count() == 1

    @pytest.mark.parametrize("who", ["outsider", "centre_admin", "learner", "external_qa"])
    def test_only_the_issuers_staff_may_award(
        self, unit_achievement: Achievement, who: str, request: pytest.FixtureRequest
    ) -> None:
        actor = request.getfixturevalue(who)
        events_before = AuditEvent.objects.count()
        with pytest.raises(PermissionDenied):
            award_directly(
                actor=actor, achievement=unit_achievement, email="x@example.org", full_name="X", attained_on=PAST
            )
        assert not Attainment.objects.exists()
        assert AuditEvent.objects.count() == events_before


class TestClaimingAnAccount:
    def test_the_invitation_link_sets_a_password_and_verifies_the_address(
        self, unit_achievement: Achievement, catalogue_admin: User, client: Client
    ) -> None:
        attainment = award_directly(
            actor=catalogue_admin,
            achievement=unit_achievement,
            email="new@example.org",
            full_name="New",
            attained_on=PAST,
        )
        learner = attainment.learner
        response = client.get(claim_url(learner), follow=True)
        assert response.status_code == 200
        form_url = response.redirect_chain[-1][0]
        password = "a long and unusual passphrase 7"
        response = client.post(form_url, {"password1": password, "password2": password})
        assert response.status_code == 302
        learner.refresh_from_db()
        assert learner.check_password(password)
        assert EmailAddress.objects.get(user=learner).verified
        signed_in = Client()
        response = signed_in.post("/accounts/login/", {"login": "new@example.org", "password": password})
        assert response.status_code == 302
        assert signed_in.get("/dashboard/").status_code == 200


class TestBulkAward:
    def test_a_good_file_previews_then_awards_everyone_and_issues_their_credentials(
        self,
        unit_achievement: Achievement,
        second_unit: Achievement,
        catalogue_admin: User,
        learner: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        data = csv_of(
            f"aroha@example.org,Aroha Ngata,{unit_achievement.code},2024-10-31,,",
            f"{learner.email},,{second_unit.public_id},31/10/2024,credit_transfer,Transfer 7",
            f"tama@example.org,Tama Rāwiri,{unit_achievement.code.lower()},2024-11-01,prior_learning,",
            "",
        )
        batch, plan = upload_awards(
            actor=catalogue_admin, issuer=unit_achievement.issuer, file_name="past.csv", data=data
        )
        assert plan.ok, plan.problems
        assert [line.line for line in plan.lines] == [2, 3, 4]
        assert plan.invitations == 2
        assert batch.state == AwardBatchState.PREVIEWED
        assert not Attainment.objects.exists(), "a preview changes nothing"

        with django_capture_on_commit_callbacks(execute=True):  # the job runs once the confirmation commits
            job = apply_awards(batch, actor=catalogue_admin)
        made = list(Attainment.objects.filter(note__contains=f"Bulk award {batch.pk}").order_by("pk"))
        assert {a.learner.email for a in made} == {"aroha@example.org", learner.email, "tama@example.org"}
        assert User.objects.get(email="tama@example.org").full_name == "Tama Rāwiri"
        assert Credential.objects.filter(attainment__in=made).count() == 3
        assert "row 2" in made[0].note
        assert list(job.lines.values_list("line", "message")) == [
            (2, "Invited and awarded"),
            (3, "Awarded"),
            (4, "Invited and awarded"),
        ]
        batch.refresh_from_db()
        assert (batch.state, batch.job) == (AwardBatchState.APPLIED, job)
        with pytest.raises(ValidationError, match="already been awarded"):
            apply_awards(batch, actor=catalogue_admin)
        assert Attainment.objects.count() == 3

    def test_every_row_and_field_at_fault_is_reported_and_nothing_is_awarded(
        self, unit_achievement: Achievement, catalogue_admin: User, learner: User
    ) -> None:
        services.record_attainment(
            learner=learner, achievement=unit_achievement, route=Route.DIRECT_AWARD, attained_on=PAST, decided_by=None
        )
        data = csv_of(
            f"ok@example.org,Fine Row,{unit_achievement.code},2024-10-31,,",
            f"bad-email,Someone,{unit_achievement.code},2024-10-31,,",
            "who@example.org,Someone,NO-SUCH-CODE,2024-10-31,,",
            f"when@example.org,Someone,{unit_achievement.code},31 October,,",
            f"route@example.org,Someone,{unit_achievement.code},2024-10-31,by magic,",
            f"{learner.email},,{unit_achievement.code},2024-10-31,,",
            f"ok@example.org,Fine Row,{unit_achievement.code},2024-10-31,,",
            f"nameless@example.org,,{unit_achievement.code},2024-10-31,,",
            f"extra@example.org,Extra,{unit_achievement.code},2024-10-31,,,surplus",
        )
        batch, plan = upload_awards(actor=catalogue_admin, issuer=unit_achievement.issuer, file_name="x.csv", data=data)
        reported = {(p.line, p.field) for p in plan.problems}
        assert reported == {
            (3, "email"),
            (4, "achievement"),
            (5, "attained_on"),
            (6, "route"),
            (7, "achievement"),  # already holds it
            (8, "achievement"),  # repeats row 2
            (9, "full_name"),
            (10, "row"),
        }
        assert batch.state == AwardBatchState.DISCARDED
        with pytest.raises(ValidationError):
            apply_awards(batch, actor=catalogue_admin)
        assert Attainment.objects.count() == 1

    def test_a_row_that_went_wrong_after_the_preview_stops_the_confirmation_and_nothing_is_started(
        self, unit_achievement: Achievement, catalogue_admin: User, learner: User
    ) -> None:
        data = csv_of(
            f"first@example.org,First,{unit_achievement.code},2024-10-31,,",
            f"{learner.email},,{unit_achievement.code},2024-10-31,,",
        )
        batch, plan = upload_awards(actor=catalogue_admin, issuer=unit_achievement.issuer, file_name="x.csv", data=data)
        assert plan.ok
        award_directly(
            actor=catalogue_admin, achievement=unit_achievement, email=learner.email, full_name="", attained_on=PAST
        )
        with pytest.raises(AwardsRefusedError) as refused:
            apply_awards(batch, actor=catalogue_admin)
        assert [(p.line, p.field) for p in refused.value.plan.problems] == [(3, "achievement")]
        assert not Job.objects.exists()
        batch.refresh_from_db()
        assert batch.state == AwardBatchState.PREVIEWED
        assert not User.objects.filter(email="first@example.org").exists()
        assert Attainment.objects.count() == 1

    @pytest.mark.parametrize(
        ("data", "says"),
        [
            (b"", "The file is empty"),
            (b"email,full_name,achievement,attained_on\n", "no awards"),
            (b"email,name,achievement,attained_on\nx@example.org,X,C,2024-01-01\n", "Unknown column"),
            (b"email,achievement\n", "This column is required"),
            (b"email,email,full_name,achievement,attained_on\n", "appears twice"),
        ],
    )
    def test_a_file_that_is_not_a_list_of_awards_says_why(
        self, issuer: Issuer, catalogue_admin: User, data: bytes, says: str
    ) -> None:
        _batch, plan = upload_awards(actor=catalogue_admin, issuer=issuer, file_name="x.csv", data=data)
        assert not plan.ok
        assert says in " ".join(p.message for p in plan.problems)

    def test_a_file_that_is_not_utf8_is_refused(self, issuer: Issuer, catalogue_admin: User) -> None:
        with pytest.raises(ValidationError, match="not UTF-8"):
            upload_awards(actor=catalogue_admin, issuer=issuer, file_name="x.csv", data="é".encode("latin-1"))
        assert not AwardBatch.objects.exists()

    def test_a_spreadsheets_byte_order_mark_and_header_spelling_are_accepted(
        self, unit_achievement: Achievement
    ) -> None:
        row = f"A@example.org,A,{unit_achievement.code},2024-10-31"
        text = f"\ufeffEmail,Full Name,Achievement,Attained On\r\n{row}\r\n"
        plan = plan_awards(unit_achievement.issuer, text.encode().decode("utf-8-sig"))
        assert plan.ok, plan.problems

    def test_only_the_issuers_staff_may_upload(self, issuer: Issuer, outsider: User) -> None:
        with pytest.raises(PermissionDenied):
            upload_awards(actor=outsider, issuer=issuer, file_name="x.csv", data=csv_of())
        assert not AwardBatch.objects.exists()


class TestNames:
    def test_an_account_without_a_name_takes_the_one_the_award_gives(
        self,
        unit_achievement: Achievement,
        catalogue_admin: User,
        learner: User,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        User.objects.filter(pk=learner.pk).update(full_name="")
        with django_capture_on_commit_callbacks(execute=True):
            attainment = award_directly(
                actor=catalogue_admin,
                achievement=unit_achievement,
                email=learner.email,
                full_name="Jordan Ellis",
                attained_on=PAST,
            )
        learner.refresh_from_db()
        assert learner.full_name == "Jordan Ellis"
        assert AuditEvent.objects.filter(action="accounts.name_given").count() == 1
        assert "Jordan Ellis" in Credential.objects.get(attainment=attainment).issued_json

    def test_a_credential_never_prints_the_email_in_place_of_a_missing_name(
        self, unit_achievement: Achievement, catalogue_admin: User, learner: User
    ) -> None:
        User.objects.filter(pk=learner.pk).update(full_name="")
        learner.refresh_from_db()
        attainment = services.record_attainment(
            learner=learner, achievement=unit_achievement, route=Route.DIRECT_AWARD, attained_on=PAST, decided_by=None
        )
        issued = services.issue_credential(attainment).issued_json
        assert learner.email not in issued
        assert '"identityType": "emailAddress"' in issued
