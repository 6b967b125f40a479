"""Attestation requests: the learner asks, the attestor answers once through a link; expiry, and the reminder before."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from credo.accounts.models import User
from credo.audit.models import AuditEvent
from credo.portfolios.models import Attestation, AttestationRequest, AttestationState, Portfolio
from credo.portfolios.services import attestation_links, attestation_reads, attestations
from credo.portfolios.services.attestation_links import (
    LinkCancelledError,
    LinkClosedError,
    LinkExpiredError,
    LinkUnknownError,
    LinkUsedError,
)
from credo.portfolios.tasks import expire_attestation_requests, send_attestation_reminders
from credo.programmes.models import Cohort
from credo.programmes.services import enrolments

from .attestation_support import answer, ask, emails_at_once, first_section, token_sent_to
from .builders import studying

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("emails_at_once")]
__all__ = ["emails_at_once"]  # the fixture, used by every test here


def actions() -> list[str]:
    """What the audit log recorded about attestations, in order."""
    events = AuditEvent.objects.filter(action__startswith="portfolios.attestation_").order_by("seq")
    return list(events.values_list("action", flat=True))


# Asking -------------------------------------------------------------------------------------------------------------


def test_the_learner_asks_and_the_attestor_is_emailed_a_link_whose_token_is_not_stored(
    cld_portfolio: Portfolio, aroha: User
) -> None:
    request = ask(cld_portfolio, aroha)
    assert request.state == AttestationState.SENT
    assert request.attestor_email == "hemi@example.org"  # lower case: one person, one address
    assert request.expires_at == request.sent_at + datetime.timedelta(days=30)
    [email] = [m for m in mail.outbox if m.to == ["hemi@example.org"]]
    assert email.subject == "Aroha Te Whare asks you for an attestation"
    assert "> Could you write about the hui in May?" in email.body  # the learner's own words, set apart
    assert "An attestation from a participant" in email.body
    token = token_sent_to("hemi@example.org")
    assert request.token_hash == attestation_links.token_hash(token)
    assert token not in repr(list(AttestationRequest.objects.values()))
    event = AuditEvent.objects.get(action="portfolios.attestation_requested")
    assert event.details["relationship"] == "participant"
    assert token not in repr(event.details)


def test_the_link_expires_after_the_configured_number_of_days(
    cld_portfolio: Portfolio, aroha: User, settings: Any
) -> None:
    settings.CREDO_ATTESTATION_DAYS = 10
    request = ask(cld_portfolio, aroha)
    assert request.expires_at - request.sent_at == datetime.timedelta(days=10)


def test_the_database_refuses_two_live_requests_to_one_attestor_for_one_requirement(
    cld_portfolio: Portfolio, aroha: User
) -> None:
    first = ask(cld_portfolio, aroha)
    with pytest.raises(ValidationError, match="already asked Hemi Participant"):
        ask(cld_portfolio, aroha, attestor_email="HEMI@example.org")
    # Underneath the service's check, the database's own rule.
    with pytest.raises(IntegrityError), transaction.atomic():
        AttestationRequest.objects.create(
            portfolio=cld_portfolio,
            section=first.section,
            requirement=0,
            attestor_name="Hemi",
            attestor_email="hemi@example.org",
            relationship="participant",
            token_hash="0" * 64,
            expires_at=first.expires_at,
            sent_at=first.sent_at,
            created_by=aroha,
        )


def test_a_request_that_raced_past_the_check_is_refused_in_words(
    cld_portfolio: Portfolio, aroha: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    ask(cld_portfolio, aroha)
    # As if the other request was made between the check and the insert: the database refuses, the service says why.
    monkeypatch.setattr(AttestationRequest.objects, "filter", _no_live_found(AttestationRequest.objects.filter))
    with pytest.raises(ValidationError, match="already asked Hemi Participant"):
        ask(cld_portfolio, aroha)
    assert AttestationRequest.objects.count() == 1


def _no_live_found(original: Any) -> Any:
    def filtered(*args: Any, **kwargs: Any) -> Any:
        found = original(*args, **kwargs)
        return found.none() if "attestor_email" in kwargs else found

    return filtered


def test_once_cancelled_the_same_person_can_be_asked_again(cld_portfolio: Portfolio, aroha: User) -> None:
    first = ask(cld_portfolio, aroha)
    attestations.cancel_request(request=first, actor=aroha)
    assert ask(cld_portfolio, aroha).state == AttestationState.SENT


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"attestor_name": "  "}, "attestor_name", "Enter the name"),
        ({"attestor_email": "not an address"}, "attestor_email", "Enter an email address"),
        ({"attestor_email": ""}, "attestor_email", "Enter their email address"),
        ({"attestor_email": "aroha@example.org"}, "attestor_email", "your own address"),
        ({"relationship": "cousin"}, "relationship", "Choose how this person knows your work"),
        ({"relationship": "manager"}, "relationship", "must come from a participant"),
        ({"requirement": 1}, "requirement", "Choose which"),
        ({"message": "x" * 5001}, "message", "Shorten the message"),
        ({"message": "nul\x00"}, "message", "NUL"),
    ],
)
def test_bad_requests_are_refused_saying_what_to_fix(
    cld_portfolio: Portfolio, aroha: User, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        ask(cld_portfolio, aroha, **overrides)
    assert message in " ".join(refused.value.message_dict[field])
    assert not AttestationRequest.objects.exists()
    assert not [m for m in mail.outbox if "attestation" in m.subject]


def test_a_section_that_asks_for_no_attestation_is_refused(cld_portfolio: Portfolio, aroha: User) -> None:
    reflection = cld_portfolio.sections.get(position=2)
    with pytest.raises(ValidationError, match="does not ask for an attestation"):
        ask(cld_portfolio, aroha, section=reflection)


def test_a_requirement_naming_several_relationships_accepts_each_of_them(cld_portfolio: Portfolio, aroha: User) -> None:
    section = first_section(cld_portfolio)
    section.requirements = [
        {
            "kind": "attestation",
            "description": "From a peer",
            "attestor_relationship": "a peer, mentor, supervisor or manager",
        }
    ]
    section.save()
    assert ask(cld_portfolio, aroha, relationship="mentor", attestor_email="m@example.org").relationship == "mentor"
    with pytest.raises(ValidationError, match="choose a peer, a mentor, a supervisor, a manager"):
        ask(cld_portfolio, aroha, relationship="participant")


def test_only_the_learner_asks_and_only_while_studying(
    cld_portfolio: Portfolio, aroha: User, provider_admin: User, cld_cohort: Cohort
) -> None:
    other = studying(cld_cohort, provider_admin, "tama@example.org", "Tama").learner
    for person in (provider_admin, other):
        with pytest.raises(PermissionDenied):
            ask(cld_portfolio, person)
    Portfolio.objects.filter(pk=cld_portfolio.pk).update(is_open=False)
    with pytest.raises(ValidationError, match="has been submitted"):
        ask(cld_portfolio, aroha)


# Answering ----------------------------------------------------------------------------------------------------------


def test_the_lifecycle_sent_opened_completed(cld_portfolio: Portfolio, aroha: User) -> None:
    request = ask(cld_portfolio, aroha)
    token = token_sent_to("hemi@example.org")
    opened = attestations.open_request(token)
    assert (opened.pk, opened.state, opened.opened_at) == (request.pk, AttestationState.OPENED, timezone.now())
    attestations.open_request(token)  # opened once: a second visit changes nothing
    attestation = answer(token)
    request.refresh_from_db()
    assert request.state == AttestationState.COMPLETED
    assert request.answered_at == attestation.completed_at
    assert attestation.answers == []  # the template asks no questions: the attestor writes a statement
    assert attestation.content_sha256 == attestations.content_sha256(attestations.attested_content(attestation))
    assert actions() == [
        "portfolios.attestation_requested",
        "portfolios.attestation_opened",
        "portfolios.attestation_completed",
    ]
    completed = AuditEvent.objects.get(action="portfolios.attestation_completed")
    assert completed.details["content_sha256"] == attestation.content_sha256
    assert "hui on track" not in repr(completed.details)  # the words stay with the attestation
    assert completed.actor is None
    assert completed.actor_label == attestations.ATTESTOR_ACTOR
    told = [m for m in mail.outbox if m.to == ["aroha@example.org"]]
    assert told[-1].subject == "Hemi Participant has written your attestation"


def test_the_hash_covers_what_was_attested(cld_portfolio: Portfolio, aroha: User) -> None:
    ask(cld_portfolio, aroha)
    attestation = answer(token_sent_to("hemi@example.org"))
    attestation.statement += " (edited)"
    assert attestations.content_sha256(attestations.attested_content(attestation)) != attestation.content_sha256


def test_a_link_completes_once(cld_portfolio: Portfolio, aroha: User) -> None:
    ask(cld_portfolio, aroha)
    token = token_sent_to("hemi@example.org")
    answer(token)
    with pytest.raises(LinkUsedError):
        answer(token, statement="A second go")
    with pytest.raises(LinkUsedError):
        attestations.decline_attestation(token=token, reason="")
    with pytest.raises(LinkUsedError):
        attestations.open_request(token)
    assert Attestation.objects.count() == 1


def test_the_database_refuses_a_second_attestation_for_one_request(cld_portfolio: Portfolio, aroha: User) -> None:
    ask(cld_portfolio, aroha)
    first = answer(token_sent_to("hemi@example.org"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Attestation.objects.create(
            request=first.request,
            attestor_name="Someone",
            relationship="x",
            statement="x",
            declared_true=True,
            content_sha256="0" * 64,
            completed_at=timezone.now(),
        )


def test_a_completion_that_raced_another_is_told_the_link_is_used(
    cld_portfolio: Portfolio, aroha: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    request = ask(cld_portfolio, aroha)
    token = token_sent_to("hemi@example.org")
    Attestation.objects.create(
        request=request,
        attestor_name="Got there first",
        relationship="x",
        statement="x",
        declared_true=True,
        content_sha256="0" * 64,
        completed_at=timezone.now(),
    )  # the request row still reads "sent": the one-to-one is what refuses
    with pytest.raises(LinkUsedError):
        answer(token)
    assert AttestationRequest.objects.get(pk=request.pk).state == AttestationState.SENT


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"attestor_name": ""}, "attestor_name", "Enter your name"),
        ({"relationship": " "}, "relationship", "Say how you know Aroha Te Whare"),
        ({"statement": ""}, "statement", "Write your attestation"),
        ({"declared_true": False}, "declared_true", "Tick to declare"),
        ({"attestor_role": "r" * 201}, "attestor_role", "Shorten"),
        ({"answers": "not a list"}, "answers", "must be a list"),
        ({"answers": [{"answer": "no question"}]}, "answers", "which question"),
    ],
)
def test_bad_attestations_are_refused_and_the_link_still_works(
    cld_portfolio: Portfolio, aroha: User, overrides: dict[str, Any], field: str, message: str
) -> None:
    ask(cld_portfolio, aroha)
    token = token_sent_to("hemi@example.org")
    with pytest.raises(ValidationError) as refused:
        answer(token, **overrides)
    assert message in " ".join(refused.value.message_dict[field])
    assert not Attestation.objects.exists()
    assert answer(token).pk


def test_answers_to_questions_are_kept_with_their_questions(cld_portfolio: Portfolio, aroha: User) -> None:
    ask(cld_portfolio, aroha)
    attestation = answer(
        token_sent_to("hemi@example.org"), statement="", answers=[{"question": "What did you see?", "answer": "A hui"}]
    )
    assert attestation.answers == [{"question": "What did you see?", "answer": "A hui"}]


def test_the_attestor_can_ask_for_a_copy(cld_portfolio: Portfolio, aroha: User) -> None:
    ask(cld_portfolio, aroha)
    attestation = answer(token_sent_to("hemi@example.org"), copy_requested=True)
    [copy] = [m for m in mail.outbox if m.subject == "Your attestation for Aroha Te Whare"]
    assert copy.to == ["hemi@example.org"]
    assert "> Aroha brought everyone into the room" in copy.body
    assert attestation.content_sha256 in copy.body


def test_the_attestor_declines_once_and_the_learner_hears_why(cld_portfolio: Portfolio, aroha: User) -> None:
    request = ask(cld_portfolio, aroha)
    token = token_sent_to("hemi@example.org")
    attestations.decline_attestation(token=token, reason="I was not at the hui.")
    request.refresh_from_db()
    assert (request.state, request.decline_reason) == (AttestationState.DECLINED, "I was not at the hui.")
    assert request.answered_at == timezone.now()
    with pytest.raises(LinkUsedError):
        answer(token)
    told = [m for m in mail.outbox if m.to == ["aroha@example.org"]][-1]
    assert "> I was not at the hui." in told.body
    event = AuditEvent.objects.get(action="portfolios.attestation_declined")
    assert event.details["gave_reason"] is True
    assert "hui" not in repr(event.details)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "short",
        "A" * 43,  # the right shape, but not one we issued
        "A" * 44,
        "../../etc/passwd" + "A" * 27,
        "\x00" * 43,
    ],
)
def test_a_guessed_or_malformed_link_is_unknown(cld_portfolio: Portfolio, aroha: User, token: str) -> None:
    ask(cld_portfolio, aroha)
    with pytest.raises(LinkUnknownError):
        attestations.open_request(token)
    with pytest.raises(LinkUnknownError):
        answer(token)


def test_a_tampered_link_is_unknown(cld_portfolio: Portfolio, aroha: User) -> None:
    ask(cld_portfolio, aroha)
    token = token_sent_to("hemi@example.org")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(LinkUnknownError):
        attestations.open_request(tampered)


def test_the_stored_hash_is_not_a_working_link(cld_portfolio: Portfolio, aroha: User) -> None:
    request = ask(cld_portfolio, aroha)
    with pytest.raises(LinkUnknownError):
        attestations.open_request(request.token_hash)


def test_a_link_past_its_date_is_expired_even_before_the_task_marks_it(cld_portfolio: Portfolio, aroha: User) -> None:
    request = ask(cld_portfolio, aroha)
    AttestationRequest.objects.filter(pk=request.pk).update(expires_at=timezone.now())
    token = token_sent_to("hemi@example.org")
    with pytest.raises(LinkExpiredError):
        attestations.open_request(token)
    with pytest.raises(LinkExpiredError):
        answer(token)


def test_a_link_stops_working_once_the_learner_has_left_the_programme(
    cld_portfolio: Portfolio, aroha: User, provider_admin: User
) -> None:
    ask(cld_portfolio, aroha)
    token = token_sent_to("hemi@example.org")
    enrolments.withdraw(cld_portfolio.enrolment, actor=aroha, reason="Moving away")
    with pytest.raises(LinkClosedError):
        attestations.open_request(token)
    with pytest.raises(LinkClosedError):
        answer(token)
    assert not Attestation.objects.exists()


# The learner cancels and sends again -------------------------------------------------------------------------------


def test_cancelling_ends_the_link_and_tells_the_attestor(cld_portfolio: Portfolio, aroha: User) -> None:
    request = ask(cld_portfolio, aroha)
    token = token_sent_to("hemi@example.org")
    attestations.open_request(token)
    attestations.cancel_request(request=request, actor=aroha)
    request.refresh_from_db()
    assert (request.state, request.cancelled_at) == (AttestationState.CANCELLED, timezone.now())
    with pytest.raises(LinkCancelledError):
        attestations.open_request(token)
    assert mail.outbox[-1].subject == "Aroha Te Whare no longer needs your attestation"
    with pytest.raises(ValidationError, match="already cancelled"):
        attestations.cancel_request(request=request, actor=aroha)
    assert "portfolios.attestation_cancelled" in actions()


def test_only_the_learner_cancels_or_sends_again(cld_portfolio: Portfolio, aroha: User, provider_admin: User) -> None:
    request = ask(cld_portfolio, aroha)
    with pytest.raises(PermissionDenied):
        attestations.cancel_request(request=request, actor=provider_admin)
    with pytest.raises(PermissionDenied):
        attestations.resend(request=request, actor=provider_admin)
    assert AttestationRequest.objects.get().state == AttestationState.SENT


def test_sending_again_replaces_a_live_link(cld_portfolio: Portfolio, aroha: User) -> None:
    request = ask(cld_portfolio, aroha)
    old = token_sent_to("hemi@example.org")
    fresh = attestations.resend(request=request, actor=aroha)
    new = token_sent_to("hemi@example.org")
    assert new != old
    assert fresh.pk != request.pk
    request.refresh_from_db()
    assert request.state == AttestationState.CANCELLED
    assert (fresh.state, fresh.message, fresh.relationship) == (AttestationState.SENT, request.message, "participant")
    assert actions() == [
        "portfolios.attestation_requested",
        "portfolios.attestation_cancelled",
        "portfolios.attestation_requested",
        "portfolios.attestation_resent",
    ]
    with pytest.raises(LinkCancelledError):
        attestations.open_request(old)
    assert attestations.open_request(new).pk == fresh.pk
    assert "Aroha Te Whare no longer needs" not in " ".join(m.subject for m in mail.outbox)  # no confusing email


def test_sending_again_after_expiry_makes_a_new_request(cld_portfolio: Portfolio, aroha: User) -> None:
    request = ask(cld_portfolio, aroha)
    assert attestations.expire_overdue(now=request.expires_at) == 1
    fresh = attestations.resend(request=AttestationRequest.objects.get(pk=request.pk), actor=aroha)
    assert fresh.state == AttestationState.SENT
    assert AttestationRequest.objects.get(pk=request.pk).state == AttestationState.EXPIRED


def test_a_received_or_declined_request_is_not_sent_again(cld_portfolio: Portfolio, aroha: User) -> None:
    completed = ask(cld_portfolio, aroha)
    answer(token_sent_to("hemi@example.org"))
    with pytest.raises(ValidationError, match="already written"):
        attestations.resend(request=completed, actor=aroha)
    declined = ask(cld_portfolio, aroha, attestor_email="rua@example.org")
    attestations.decline_attestation(token=token_sent_to("rua@example.org"), reason="")
    with pytest.raises(ValidationError, match="declined this request"):
        attestations.resend(request=declined, actor=aroha)


# Expiry and the reminder before it ---------------------------------------------------------------------------------


def test_overdue_requests_expire_once_and_the_learner_hears(cld_portfolio: Portfolio, aroha: User) -> None:
    request = ask(cld_portfolio, aroha)
    ask(cld_portfolio, aroha, attestor_email="later@example.org")
    AttestationRequest.objects.filter(attestor_email="later@example.org").update(
        expires_at=request.expires_at + datetime.timedelta(days=1)
    )
    token = token_sent_to("hemi@example.org")
    mail.outbox.clear()
    when = request.expires_at.isoformat()
    assert expire_attestation_requests.enqueue(now=when).return_value == 1
    assert expire_attestation_requests.enqueue(now=when).return_value == 0
    assert AttestationRequest.objects.get(pk=request.pk).state == AttestationState.EXPIRED
    assert AttestationRequest.objects.get(attestor_email="later@example.org").state == AttestationState.SENT
    assert [m.to for m in mail.outbox] == [["aroha@example.org"]]
    assert mail.outbox[0].subject == "Your request to Hemi Participant for an attestation has expired"
    assert actions().count("portfolios.attestation_expired") == 1
    with pytest.raises(LinkExpiredError):
        attestations.open_request(token)


def test_the_reminder_goes_once_five_days_before_expiry_even_when_the_task_runs_twice(
    cld_portfolio: Portfolio, aroha: User
) -> None:
    request = ask(cld_portfolio, aroha)
    mail.outbox.clear()
    too_early = (request.expires_at - datetime.timedelta(days=6)).isoformat()
    assert send_attestation_reminders.enqueue(now=too_early).return_value == 0
    due = request.expires_at - datetime.timedelta(days=5)
    assert send_attestation_reminders.enqueue(now=due.isoformat()).return_value == 1
    assert send_attestation_reminders.enqueue(now=due.isoformat()).return_value == 0
    later = (due + datetime.timedelta(days=2)).isoformat()
    assert send_attestation_reminders.enqueue(now=later).return_value == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["aroha@example.org", "hemi@example.org"]
    reminder = next(m for m in mail.outbox if m.to == ["hemi@example.org"])
    assert reminder.subject == "Reminder: Aroha Te Whare asked you for an attestation"
    assert "/portfolios/attest/" not in reminder.body  # the link is not kept, so it cannot be re-sent
    assert AttestationRequest.objects.get(pk=request.pk).reminded_at == due


def test_no_reminder_for_a_request_already_answered_or_cancelled(cld_portfolio: Portfolio, aroha: User) -> None:
    answered = ask(cld_portfolio, aroha)
    answer(token_sent_to("hemi@example.org"))
    cancelled = ask(cld_portfolio, aroha, attestor_email="rua@example.org")
    attestations.cancel_request(request=cancelled, actor=aroha)
    assert attestations.send_expiry_reminders(now=answered.expires_at - datetime.timedelta(days=1)) == 0
    assert attestations.expire_overdue(now=answered.expires_at) == 0


def test_the_periodic_command_queues_the_reminders_and_the_expiry(
    cld_portfolio: Portfolio, aroha: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    soon = ask(cld_portfolio, aroha)
    overdue = ask(cld_portfolio, aroha, attestor_email="rua@example.org")
    AttestationRequest.objects.filter(pk=overdue.pk).update(expires_at=timezone.now())
    AttestationRequest.objects.filter(pk=soon.pk).update(expires_at=timezone.now() + datetime.timedelta(days=2))
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "Queued the reminders for attestation links about to expire (task " in out.getvalue()
    assert "Queued the expiry of attestation links past their date (task " in out.getvalue()
    assert AttestationRequest.objects.get(pk=soon.pk).reminded_at == timezone.now()
    assert AttestationRequest.objects.get(pk=overdue.pk).state == AttestationState.EXPIRED


def test_the_demo_gets_the_same_link_as_the_email(cld_portfolio: Portfolio, aroha: User) -> None:
    request, link = attestations.request_attestation_with_link(
        section=first_section(cld_portfolio),
        requirement=0,
        actor=aroha,
        attestor_name="Hemi",
        attestor_email="hemi@example.org",
        relationship="participant",
        message="",
    )
    token = token_sent_to("hemi@example.org")
    assert link.endswith(f"/portfolios/attest/{token}/")
    assert attestations.open_request(token).pk == request.pk


def test_a_worker_that_listed_the_due_requests_before_another_reminded_them_sends_nothing_more(
    cld_portfolio: Portfolio, aroha: User
) -> None:
    """Two workers at once: each claims a reminder by a conditional update, so the slower one finds it claimed."""
    request = ask(cld_portfolio, aroha)
    due = request.expires_at - datetime.timedelta(days=5)
    assert attestations.send_expiry_reminders(now=due) == 1  # the faster worker
    mail.outbox.clear()
    assert attestations._remind(request.pk, due) is False  # the slower one, with the list it read before
    assert attestations._expire(request.pk, due) is False  # not due to expire yet, whatever a stale list said
    assert attestations.expire_overdue(now=request.expires_at) == 1
    assert attestations._expire(request.pk, request.expires_at) is False
    assert not [m for m in mail.outbox if m.to == ["hemi@example.org"]]


def test_other_areas_read_what_was_received_and_its_hashes(
    cld_portfolio: Portfolio, aroha: User, django_assert_max_num_queries: Any
) -> None:
    section = first_section(cld_portfolio)
    ask(cld_portfolio, aroha)
    answer(token_sent_to("hemi@example.org"))
    ask(cld_portfolio, aroha, attestor_email="rua@example.org")  # still waiting: not counted
    with django_assert_max_num_queries(1):
        assert attestation_reads.received_by_requirement(cld_portfolio) == {(section.pk, 0): 1}
    with django_assert_max_num_queries(1):
        [entry] = attestation_reads.completed_attestations(cld_portfolio)
    assert (entry["section"], entry["requirement"]) == (1, 0)
    assert entry["content"]["statement"].startswith("Aroha brought everyone")
    assert attestations.content_sha256(entry["content"]) == entry["content_sha256"]
