"""The credentials API: achievements, attainments, credentials, direct award, revocation and sharing."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import Organisation, OrganisationKind, Role, User
from credo.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from credo.audit.models import AuditEvent
from credo.catalogue.tests.builders import SmallCatalogue
from credo.credentials import kek, services
from credo.credentials.models import (
    AchievementKind,
    Attainment,
    Credential,
    CredentialState,
    Issuer,
    Route,
    StatusList,
    StatusPurpose,
)
from credo.credentials.ob3.status_list import Bitstring
from credo.credentials.services import issuance

from .conftest import attain

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]
API = "/api/v1/credentials"
JSON = "application/json"


def _member(organisation: Organisation, role: str, email: str) -> User:
    return MembershipFactory(user=UserFactory(email=email), organisation=organisation, role=role).user


@pytest.fixture
def other_learner(centre: Organisation) -> User:
    return _member(centre, Role.LEARNER, "other-learner@credo.example")


@pytest.fixture
def other_issuer_staff(db: None) -> User:
    """A ratifier of another awarding body that issues credentials of its own."""
    organisation = OrganisationFactory(name="Third Awards", slug="third-awards", kind=OrganisationKind.AWARDING_BODY)
    ratifier = _member(organisation, Role.RATIFIER, "third-ratifier@credo.example")
    services.create_issuer(organisation, actor=ratifier, email="certificates@third.example", did_method="web")
    return ratifier


@pytest.fixture
def credentials(award_attainments: list[Attainment], issuer: Issuer) -> list[Credential]:
    """The learner's three unit credentials and the Award's, in the order of their attainments."""
    issuance.issue_pending(issuer)
    return [a.credentials.get() for a in Attainment.objects.filter(learner=award_attainments[0].learner).order_by("pk")]


@pytest.fixture
def others_credential(issuer: Issuer, catalogue: SmallCatalogue, other_learner: User, ratifier: User) -> Credential:
    """Another learner's unit credential from the same issuer, made private."""
    credential = issuance.issue_credential(attain(other_learner, catalogue.optional_units[0], ratifier))
    credential.is_public = False
    credential.save(update_fields=["is_public"])
    return credential


def _get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


# Achievements ---------------------------------------------------------------------------------------


def test_the_openapi_document_describes_the_credentials_endpoints(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/achievements", "/attainments", "/credentials/{public_id}/revoke", "/credentials/{public_id}"):
        assert f"{API}{path}" in paths
    assert set(paths[f"{API}/credentials/{{public_id}}"]) == {"get", "patch"}


def test_anyone_lists_achievements_by_issuer_and_kind(
    client: Client, award_attainments: list[Attainment], other_issuer_staff: User
) -> None:
    everything = _get(client, "/achievements")
    assert {(a["kind"], a["issuer"]["slug"]) for a in everything} == {
        ("qualification", "test-awards"),
        ("unit", "test-awards"),
    }
    units = _get(client, "/achievements", kind="unit", issuer="test-awards")
    assert sorted(a["code"] for a in units) == sorted(a.achievement.code for a in award_attainments)
    assert _get(client, "/achievements", issuer="third-awards") == []
    assert len(_get(client, "/achievements", limit=2, offset=1)) == 2


def test_an_unknown_kind_of_achievement_is_refused_with_the_choices(client: Client, db: None) -> None:
    response = client.get(f"{API}/achievements", {"kind": "badge"})
    assert response.status_code == 422
    assert "query.kind" in response.json()["detail"]
    assert "'micro_credential'" in response.json()["detail"]


def test_an_achievement_carries_the_ob3_achievement_its_credentials_embed(
    client: Client, credentials: list[Credential]
) -> None:
    credential = credentials[-1]
    achievement = credential.attainment.achievement  # type: ignore[union-attr]
    body = _get(client, f"/achievements/{achievement.public_id}")
    assert (body["kind"], body["code"], body["framework_code"]) == ("qualification", achievement.code, "RQF")
    assert body["ob3"] == json.loads(credential.issued_json)["credentialSubject"]["achievement"]
    assert body["issuer"] == {"slug": "test-awards", "name": "Test Awarding Body", "did": credential.issuer.did}


def test_an_unknown_achievement_is_not_found(client: Client, db: None) -> None:
    assert client.get(f"{API}/achievements/8a4d6b1e-1e43-4b7a-9b8a-1d2f3e4a5b6c").status_code == 404
    assert client.get(f"{API}/achievements/not-a-uuid").status_code == 422


# Attainments ----------------------------------------------------------------------------------------


def test_a_learner_sees_their_attainments_and_where_a_qualifications_units_came_from(
    client_for: ClientFor,
    award_attainments: list[Attainment],
    learner: User,
    ratifier: User,
    others_credential: Credential,
) -> None:
    body = _get(client_for(learner), "/attainments")
    assert {a["learner"]["email"] for a in body} == {learner.email}
    assert len(body) == 4
    award = next(a for a in body if a["achievement"]["kind"] == "qualification")
    assert award["route"] == Route.RULES_OF_COMBINATION
    assert award["decided_by"] is None
    assert sorted(c["achievement"]["code"] for c in award["components"]) == sorted(
        a.achievement.code for a in award_attainments
    )
    assert {(c["route"], c["note"]) for c in award["components"]} == {
        (Route.RATIFIED_ASSESSMENT, "Ratification batch 2025-06")
    }
    unit = next(a for a in body if a["id"] == award_attainments[0].pk)
    assert (unit["decided_by"], unit["attained_on"], unit["components"]) == (ratifier.full_name, "2025-06-30", [])


def test_a_credit_transfer_shows_as_the_route_of_that_unit(
    client_for: ClientFor, issuer: Issuer, catalogue: SmallCatalogue, learner: User, ratifier: User
) -> None:
    attain(learner, catalogue.shared_units[0], ratifier, route=Route.CREDIT_TRANSFER)
    for unit in catalogue.shared_units[1:]:
        attain(learner, unit, ratifier)
    award = Attainment.objects.get(learner=learner, achievement__kind=AchievementKind.QUALIFICATION)
    body = _get(client_for(learner), f"/attainments/{award.pk}")
    routes = {c["achievement"]["code"]: c["route"] for c in body["components"]}
    assert routes[catalogue.shared_units[0].code] == Route.CREDIT_TRANSFER
    assert routes[catalogue.shared_units[1].code] == Route.RATIFIED_ASSESSMENT


def test_issuer_staff_see_the_issuers_attainments_and_filter_them(
    client_for: ClientFor,
    credentials: list[Credential],
    others_credential: Credential,
    ratifier: User,
    learner: User,
    other_learner: User,
) -> None:
    client = client_for(ratifier)
    assert {a["learner"]["email"] for a in _get(client, "/attainments")} == {learner.email, other_learner.email}
    mine = _get(client, "/attainments", learner="OTHER-learner@credo.example")
    assert [a["credential"] for a in mine] == [str(others_credential.public_id)]
    achievement = credentials[0].attainment.achievement  # type: ignore[union-attr]
    assert [a["id"] for a in _get(client, "/attainments", achievement=str(achievement.public_id))] == [
        credentials[0].attainment_id
    ]


@pytest.mark.parametrize("persona", ["other_learner", "outsider", "centre_admin", "external_qa", "other_issuer_staff"])
def test_nobody_else_sees_a_learners_attainments(
    client_for: ClientFor, award_attainments: list[Attainment], persona: str, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(persona))
    assert [a for a in _get(client, "/attainments") if a["learner"]["email"] == "learner@credo.example"] == []
    assert client.get(f"{API}/attainments/{award_attainments[0].pk}").status_code == 404


def test_attainments_need_a_signed_in_user(client: Client, award_attainments: list[Attainment]) -> None:
    assert client.get(f"{API}/attainments").status_code == 401
    assert client.get(f"{API}/attainments/{award_attainments[0].pk}").status_code == 401


def test_an_attainment_id_that_cannot_name_a_row_is_refused(client_for: ClientFor, learner: User) -> None:
    response = client_for(learner).get(f"{API}/attainments/{2**64}")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("path.attainment_id: Input should be less than or equal to")


# Direct award ---------------------------------------------------------------------------------------


def _award_body(awarded: Any, **changes: Any) -> dict[str, Any]:
    return {
        "achievement": str(awarded.public_id),
        "email": "graduate@example.org",
        "full_name": "Aroha Ngata",
        "attained_on": "2024-10-31",
        "route": "prior_learning",
        "note": "RPL panel 2024-10",
        **changes,
    }


@pytest.fixture
def unit_achievement(issuer: Issuer, catalogue: SmallCatalogue) -> Any:
    return services.achievement_for_unit(catalogue.optional_units[1])


def test_issuer_staff_award_directly_inviting_someone_new_and_the_credential_follows(
    client_for: ClientFor,
    ratifier: User,
    unit_achievement: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(ratifier).post(f"{API}/attainments", _award_body(unit_achievement), content_type=JSON)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["learner"], body["route"], body["decided_by"]) == (
        {"email": "graduate@example.org", "full_name": "Aroha Ngata"},
        "prior_learning",
        ratifier.full_name,
    )
    assert body["note"] == "Direct award; RPL panel 2024-10"
    graduate = User.objects.get(email="graduate@example.org")
    assert not graduate.has_usable_password()  # invited to claim the account
    credential = Credential.objects.get(learner=graduate, kind="achievement")
    assert credential.attainment_id == body["id"]
    after = _get(client_for(ratifier), f"/attainments/{body['id']}")
    assert after["credential"] == str(credential.public_id)


def test_an_existing_account_is_awarded_without_a_name(
    client_for: ClientFor, catalogue_admin: User, unit_achievement: Any, learner: User
) -> None:
    body = _award_body(unit_achievement, email="Learner@credo.example", full_name="", route="direct_award")
    response = client_for(catalogue_admin).post(f"{API}/attainments", body, content_type=JSON)
    assert response.status_code == 201, response.json()
    assert response.json()["learner"]["email"] == learner.email


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"attained_on": "2999-01-01"}, "attained_on: 2999-01-01 is in the future"),
        ({"email": "not an email"}, "email: 'not an email' is not an email address."),
        ({"full_name": ""}, "full_name: graduate@example.org has no account yet: give their full name."),
        ({"achievement": "8a4d6b1e-1e43-4b7a-9b8a-1d2f3e4a5b6c"}, "achievement: No achievement 8a4d6b1e"),
        ({"route": "ratified_assessment"}, "body.payload.route: Input should be 'direct_award'"),
        ({"attained_on": "31/10/2024"}, "body.payload.attained_on:"),
        ({"email": "a\x00b@example.org"}, "body.payload.email: must not contain NUL characters"),
    ],
)
def test_a_bad_award_is_refused_with_what_to_fix_and_nothing_changes(
    client_for: ClientFor, ratifier: User, unit_achievement: Any, changes: dict[str, Any], problem: str
) -> None:
    before = (AuditEvent.objects.count(), Attainment.objects.count(), User.objects.count())
    response = client_for(ratifier).post(
        f"{API}/attainments", _award_body(unit_achievement, **changes), content_type=JSON
    )
    assert response.status_code == 422
    assert any(p.startswith(problem) for p in response.json()["problems"]), response.json()
    assert (AuditEvent.objects.count(), Attainment.objects.count(), User.objects.count()) == before


def test_an_achievement_already_held_is_not_awarded_twice(
    client_for: ClientFor, ratifier: User, award_attainments: list[Attainment], learner: User
) -> None:
    body = _award_body(award_attainments[0].achievement, email=learner.email)
    response = client_for(ratifier).post(f"{API}/attainments", body, content_type=JSON)
    assert response.status_code == 422
    assert "already holds" in response.json()["detail"]


@pytest.mark.parametrize(
    "persona", ["outsider", "learner", "centre_admin", "external_qa", "other_issuer_staff", "facilitator"]
)
def test_only_the_issuers_staff_award_its_achievements(
    client_for: ClientFor, unit_achievement: Any, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    before = (AuditEvent.objects.count(), Attainment.objects.count(), User.objects.count())
    body = _award_body(unit_achievement)
    assert client_for(None).post(f"{API}/attainments", body, content_type=JSON).status_code == 401
    response = client_for(user).post(f"{API}/attainments", body, content_type=JSON)
    assert response.status_code == 403
    assert "programme admins and ratifiers" in response.json()["detail"]
    assert (AuditEvent.objects.count(), Attainment.objects.count(), User.objects.count()) == before


def test_a_write_without_the_csrf_token_is_refused(ratifier: User, unit_achievement: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(ratifier)
    response = client.post(f"{API}/attainments", _award_body(unit_achievement), content_type=JSON)
    assert response.status_code == 403
    assert not Attainment.objects.exists()


# Credentials ----------------------------------------------------------------------------------------


def test_a_learner_lists_their_own_credentials_only(
    client_for: ClientFor, credentials: list[Credential], others_credential: Credential, learner: User
) -> None:
    body = _get(client_for(learner), "/credentials")
    assert {c["public_id"] for c in body} == {str(c.public_id) for c in credentials}
    assert {c["learner"]["email"] for c in body} == {learner.email}
    other = _get(client_for(others_credential.learner), "/credentials")
    assert [c["public_id"] for c in other] == [str(others_credential.public_id)]


def test_issuer_staff_list_the_issuers_credentials_by_state_kind_and_learner(
    client_for: ClientFor,
    credentials: list[Credential],
    others_credential: Credential,
    ratifier: User,
    learner: User,
    issuer: Issuer,
) -> None:
    services.revoke(credentials[0], actor=ratifier, reason="Issued in error")
    transcript = issuance.issue_transcript(learner, issuer)
    client = client_for(ratifier)
    assert len(_get(client, "/credentials")) == 6
    assert [c["public_id"] for c in _get(client, "/credentials", state="revoked")] == [str(credentials[0].public_id)]
    assert [c["public_id"] for c in _get(client, "/credentials", kind="transcript")] == [str(transcript.public_id)]
    assert [c["public_id"] for c in _get(client, "/credentials", learner=others_credential.learner.email)] == [
        str(others_credential.public_id)
    ]
    assert _get(client, "/credentials", kind="transcript")[0]["achievement"] is None


@pytest.mark.parametrize("persona", ["outsider", "centre_admin", "external_qa", "other_issuer_staff"])
def test_nobody_else_lists_the_credentials(
    client_for: ClientFor, credentials: list[Credential], persona: str, request: pytest.FixtureRequest
) -> None:
    assert _get(client_for(request.getfixturevalue(persona)), "/credentials") == []


def test_listing_credentials_needs_a_signed_in_user(client: Client, credentials: list[Credential]) -> None:
    assert client.get(f"{API}/credentials").status_code == 401


def test_a_public_credential_is_shown_to_anyone_without_saying_whose_email_it_is(
    client: Client, client_for: ClientFor, credentials: list[Credential], ratifier: User
) -> None:
    credential = credentials[0]
    body = _get(client, f"/credentials/{credential.public_id}")
    assert body["credential"] == json.loads(credential.issued_json)
    assert (body["kind"], body["state"], body["is_public"], body["learner"]) == ("achievement", "active", True, None)
    assert body["json_url"].endswith(f"/credentials/{credential.public_id}.json")
    assert body["page_url"].endswith(f"/credentials/{credential.public_id}")
    assert "learner@credo.example" not in json.dumps(body)
    assert _get(client_for(ratifier), f"/credentials/{credential.public_id}")["learner"]["email"] == (
        "learner@credo.example"
    )


@pytest.mark.parametrize("persona", [None, "learner", "outsider", "centre_admin", "external_qa", "other_issuer_staff"])
def test_a_private_credential_is_not_revealed(
    client_for: ClientFor, others_credential: Credential, persona: str | None, request: pytest.FixtureRequest
) -> None:
    client = client_for(request.getfixturevalue(persona) if persona else None)
    response = client.get(f"{API}/credentials/{others_credential.public_id}")
    assert response.status_code == 404
    assert others_credential.learner.email not in response.text


def test_a_private_credential_is_shown_to_its_learner_and_the_issuers_staff(
    client_for: ClientFor, others_credential: Credential, ratifier: User, catalogue_admin: User
) -> None:
    for user in (others_credential.learner, ratifier, catalogue_admin):
        assert _get(client_for(user), f"/credentials/{others_credential.public_id}")["is_public"] is False


def test_no_endpoint_shows_private_key_material(
    client: Client, client_for: ClientFor, credentials: list[Credential], ratifier: User, issuer: Issuer
) -> None:
    key = issuer.keys.get()
    raw = kek.unseal(bytes(key.encrypted_private_key), key.public_key_multibase, key.kek_id)
    sealed = bytes(key.encrypted_private_key)
    secrets = {
        raw.hex(),
        sealed.hex(),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        base64.b64encode(sealed).decode(),
    }
    staff = client_for(ratifier)
    texts = [
        staff.get(f"{API}/credentials").content.decode(),
        staff.get(f"{API}/attainments").content.decode(),
        staff.get(f"{API}/credentials/{credentials[-1].public_id}").content.decode(),
        client.get(f"{API}/achievements").content.decode(),
        client.get(f"{API}/achievements/{credentials[-1].attainment.achievement.public_id}").content.decode(),  # type: ignore[union-attr]
    ]
    for text in texts:
        assert not any(secret in text for secret in secrets)
        assert "encrypted_private_key" not in text
        assert "kek_id" not in text


# Revocation, suspension, reinstatement and re-issue -------------------------------------------------


def _bit(credential: Credential, purpose: str) -> bool:
    status_list = StatusList.objects.get(
        issuer=credential.issuer, purpose=purpose, number=credential.status_list_number
    )
    return Bitstring(bytes(status_list.bits))[credential.status_index]


def test_issuer_staff_suspend_reinstate_and_revoke_with_a_reason(
    client_for: ClientFor, credentials: list[Credential], catalogue_admin: User
) -> None:
    client = client_for(catalogue_admin)
    credential = credentials[0]
    base = f"{API}/credentials/{credential.public_id}"
    suspended = client.post(f"{base}/suspend", {"reason": "Appeal under way"}, content_type=JSON)
    assert suspended.status_code == 200, suspended.json()
    assert (suspended.json()["state"], suspended.json()["reason"]) == ("suspended", "Appeal under way")
    assert _bit(credential, StatusPurpose.SUSPENSION)
    reinstated = client.post(f"{base}/reinstate", {"reason": "Appeal upheld"}, content_type=JSON)
    assert reinstated.json()["state"] == "active"
    assert not _bit(credential, StatusPurpose.SUSPENSION)
    revoked = client.post(f"{base}/revoke", {"reason": "Malpractice found"}, content_type=JSON)
    assert (revoked.json()["state"], revoked.json()["reason"]) == ("revoked", "Malpractice found")
    assert _bit(credential, StatusPurpose.REVOCATION)
    actions = list(AuditEvent.objects.filter(object_id=str(credential.pk)).values_list("action", flat=True))
    assert actions[-3:] == ["credentials.suspended", "credentials.active", "credentials.revoked"]


@pytest.mark.parametrize(
    ("action", "reason", "problem"),
    [
        ("revoke", "  ", "reason: Give a reason"),
        ("suspend", "", "reason: Give a reason"),
        ("reissue", " ", "reason: Give a reason"),
        ("reinstate", "Why not", "This credential is active already: only a suspended credential can be"),
        ("revoke", "x" * 2001, "body.payload.reason: String should have at most 2000 characters"),
    ],
)
def test_a_change_that_cannot_be_made_says_why_and_nothing_changes(
    client_for: ClientFor, credentials: list[Credential], ratifier: User, action: str, reason: str, problem: str
) -> None:
    credential = credentials[0]
    before = AuditEvent.objects.count()
    response = client_for(ratifier).post(
        f"{API}/credentials/{credential.public_id}/{action}", {"reason": reason}, content_type=JSON
    )
    assert response.status_code == 422
    assert any(p.startswith(problem) for p in response.json()["problems"]), response.json()
    assert AuditEvent.objects.count() == before
    assert Credential.objects.get(pk=credential.pk).state == CredentialState.ACTIVE


def test_a_reissue_revokes_the_old_credential_and_issues_a_corrected_one(
    client_for: ClientFor, credentials: list[Credential], ratifier: User, learner: User
) -> None:
    learner.full_name = "Corrected Name"
    learner.save()
    old = credentials[0]
    response = client_for(ratifier).post(
        f"{API}/credentials/{old.public_id}/reissue", {"reason": "Name corrected"}, content_type=JSON
    )
    assert response.status_code == 201, response.json()
    new = response.json()
    assert new["public_id"] != str(old.public_id)
    assert new["replaces"] == str(old.public_id)
    assert new["credential"]["credentialSubject"]["identifier"][0]["identityHash"] == "Corrected Name"
    old_now = _get(client_for(ratifier), f"/credentials/{old.public_id}")
    assert (old_now["state"], old_now["replaced_by"]) == ("revoked", new["public_id"])
    assert old_now["reason"] == "Replaced by a corrected credential: Name corrected"
    assert old_now["superseded_at"] is not None


def test_a_transcript_is_not_reissued_this_way(
    client_for: ClientFor, credentials: list[Credential], ratifier: User, learner: User, issuer: Issuer
) -> None:
    transcript = issuance.issue_transcript(learner, issuer)
    response = client_for(ratifier).post(
        f"{API}/credentials/{transcript.public_id}/reissue", {"reason": "Name corrected"}, content_type=JSON
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "Transcripts are re-issued by issuing a new transcript."


STAFF_WRITES = ["revoke", "suspend", "reinstate", "reissue"]


@pytest.mark.parametrize("action", STAFF_WRITES)
def test_only_the_issuers_staff_change_a_credentials_state(
    client_for: ClientFor,
    credentials: list[Credential],
    others_credential: Credential,
    action: str,
    learner: User,
    other_learner: User,
    outsider: User,
    centre_admin: User,
    external_qa: User,
    other_issuer_staff: User,
    ratifier: User,
) -> None:
    services.suspend(credentials[0], actor=ratifier, reason="So that reinstating is possible")
    before = (AuditEvent.objects.count(), Credential.objects.count())
    targets = {credentials[0]: 403, others_credential: 404}  # a private one's existence is not admitted
    for credential, refused in targets.items():
        url = f"{API}/credentials/{credential.public_id}/{action}"
        assert client_for(None).post(url, {"reason": "r"}, content_type=JSON).status_code == 401
        for user in (learner, other_learner, outsider, centre_admin, external_qa, other_issuer_staff):
            response = client_for(user).post(url, {"reason": "r"}, content_type=JSON)
            # Its own learner may see a private credential, but not change its state.
            expected = 403 if user == credential.learner else refused
            assert response.status_code == expected, f"{user.email} {credential.public_id}: {response.status_code}"
    assert (AuditEvent.objects.count(), Credential.objects.count()) == before
    assert Credential.objects.get(pk=credentials[0].pk).state == CredentialState.SUSPENDED
    assert Credential.objects.get(pk=others_credential.pk).state == CredentialState.ACTIVE
    assert not Credential.objects.filter(superseded_at__isnull=False).exists()


# Sharing --------------------------------------------------------------------------------------------


def test_a_learner_makes_their_credential_private_and_public_again(
    client: Client, client_for: ClientFor, credentials: list[Credential], learner: User
) -> None:
    credential = credentials[0]
    url = f"{API}/credentials/{credential.public_id}"
    hidden = client_for(learner).patch(url, {"is_public": False}, content_type=JSON)
    assert hidden.status_code == 200, hidden.json()
    assert hidden.json()["is_public"] is False
    assert client.get(url).status_code == 404
    assert client.get(f"/credentials/{credential.public_id}.json").status_code == 404
    event = AuditEvent.objects.order_by("seq").last()
    assert (event.action, event.actor, event.object_id) == ("credentials.made_private", learner, str(credential.pk))
    before = AuditEvent.objects.count()
    assert client_for(learner).patch(url, {"is_public": False}, content_type=JSON).status_code == 200
    assert AuditEvent.objects.count() == before  # nothing changed, nothing recorded
    shown = client_for(learner).patch(url, {"is_public": True}, content_type=JSON)
    assert shown.json()["is_public"] is True
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.order_by("seq").last().action == "credentials.made_public"  # type: ignore[union-attr]


def test_sharing_needs_a_true_or_false(client_for: ClientFor, credentials: list[Credential], learner: User) -> None:
    url = f"{API}/credentials/{credentials[0].public_id}"
    response = client_for(learner).patch(url, {"is_public": "perhaps"}, content_type=JSON)
    assert response.status_code == 422
    assert response.json()["detail"].startswith("body.payload.is_public:")
    assert Credential.objects.get(pk=credentials[0].pk).is_public is True


def test_nobody_but_the_learner_decides_whether_a_credential_is_public(
    client_for: ClientFor,
    credentials: list[Credential],
    others_credential: Credential,
    learner: User,
    outsider: User,
    centre_admin: User,
    other_issuer_staff: User,
    ratifier: User,
    catalogue_admin: User,
) -> None:
    before = AuditEvent.objects.count()
    cases = [
        # (credential, the change tried, who tries, refused with): to anyone but its learner and issuer,
        # a credential does not exist here, public or not; its issuer may look but not decide.
        (credentials[0], {"is_public": False}, [outsider, centre_admin, other_issuer_staff], 404),
        (credentials[0], {"is_public": False}, [ratifier, catalogue_admin], 403),  # the issuer cannot either
        (others_credential, {"is_public": True}, [learner, outsider, centre_admin, other_issuer_staff], 404),
        (others_credential, {"is_public": True}, [ratifier, catalogue_admin], 403),
    ]
    for credential, body, users, refused in cases:
        url = f"{API}/credentials/{credential.public_id}"
        assert client_for(None).patch(url, body, content_type=JSON).status_code == 401
        for user in users:
            response = client_for(user).patch(url, body, content_type=JSON)
            assert response.status_code == refused, f"{user.email}: {response.status_code}"
    assert AuditEvent.objects.count() == before
    assert Credential.objects.get(pk=credentials[0].pk).is_public is True
    assert Credential.objects.get(pk=others_credential.pk).is_public is False
