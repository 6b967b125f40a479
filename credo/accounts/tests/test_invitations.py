"""Inviting people by email when two requests want the same new person at once (two awards, an award and a roster
import): one account, one invitation, and no server error for the request that loses the race."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet

from credo.accounts import invitations
from credo.accounts.models import Membership, Organisation, Role, User
from credo.accounts.services import add_membership
from credo.audit.models import AuditEvent

NEW_EMAIL = "new.graduate@example.org"


def _invite(organisation: Organisation, actor: User) -> tuple[User, bool]:
    return invitations.find_or_invite(
        email=NEW_EMAIL, full_name="New Graduate", actor=actor, organisation=organisation, why="awarded you a badge"
    )


@pytest.mark.django_db
def test_an_account_made_by_another_request_after_the_look_up_is_used_not_refused(
    awarding_body: Organisation, catalogue_admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lost race, made to happen: the other request's account appears between the look-up and the insert."""
    looked_up = invitations._account

    def rival_appears_after_the_look_up(email: str) -> User | None:
        found = looked_up(email)
        monkeypatch.setattr(invitations, "_account", looked_up)
        User.objects.create_user(email, password=None, full_name="Made by the other request")
        return found

    monkeypatch.setattr(invitations, "_account", rival_appears_after_the_look_up)

    user, invited = _invite(awarding_body, catalogue_admin)

    assert (user.email, user.full_name, invited) == (NEW_EMAIL, "Made by the other request", False)
    assert User.objects.filter(email=NEW_EMAIL).count() == 1
    assert not AuditEvent.objects.filter(action="accounts.invited").exists()  # ours was undone with its savepoint


def test_two_requests_inviting_the_same_new_email_at_once_make_one_account(
    committed_db: None,
    awarding_body: Organisation,
    catalogue_admin: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two threads, each with its own database connection, both look the email up before either inserts."""
    both_looked = threading.Barrier(2, timeout=20)
    looked_up = invitations._account
    seen = threading.local()

    def look_up_together(email: str) -> User | None:
        found = looked_up(email)
        if not getattr(seen, "once", False):  # the first look-up of each request; the second is after the insert
            seen.once = True
            both_looked.wait()
        return found

    monkeypatch.setattr(invitations, "_account", look_up_together)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def request() -> None:
        try:
            user, invited = _invite(awarding_body, catalogue_admin)
            results.append((user.pk, invited))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    account = User.objects.get(email=NEW_EMAIL)
    assert sorted(results) == [(account.pk, False), (account.pk, True)]
    assert AuditEvent.objects.filter(action="accounts.invited").count() == 1


@pytest.mark.django_db
def test_a_role_given_twice_at_once_is_refused_in_words(
    centre: Organisation, centre_admin: User, learner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other request's membership committed after our check: the constraint's refusal is said, not a 500."""
    assert Membership.objects.filter(organisation=centre, user=learner, role=Role.LEARNER).exists()
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)  # our check ran before theirs committed

    with pytest.raises(ValidationError, match="already a learner"):
        add_membership(actor=centre_admin, organisation=centre, user=learner, role=Role.LEARNER)
