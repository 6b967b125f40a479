"""The catalogue API: the same rules as the pages, answered in JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from credo.accounts.models import Organisation, User
from credo.audit.models import AuditEvent
from credo.catalogue.models import Qualification, Status
from credo.catalogue.tests.builders import SmallCatalogue, build_small_catalogue, make_qualification, make_unit

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]
API = "/api/v1/catalogue"


@pytest.fixture
def small(catalogue_admin: User, awarding_body: Organisation) -> SmallCatalogue:
    return build_small_catalogue(catalogue_admin, awarding_body)


def _new_qualification(code: str = "603/1939/2", **changes: Any) -> dict[str, Any]:
    return {
        "owner": "test-awards",
        "code": code,
        "title": "Level 2 Award",
        "kind": "award",
        "framework": "RQF",
        "level": 2,
        **changes,
    }


def test_the_openapi_document_describes_the_catalogue(client: Client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "credo API"
    assert f"{API}/qualifications" in document["paths"]
    assert f"{API}/progression" in document["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_anyone_can_list_and_search_live_qualifications(client: Client, small: SmallCatalogue) -> None:
    everything = client.get(f"{API}/qualifications").json()
    assert [q["code"] for q in everything] == [small.award.code, small.certificate.code]
    found = client.get(f"{API}/qualifications", {"q": "certificate"}).json()
    assert [q["title"] for q in found] == ["Test Level 3 Certificate"]
    assert client.get(f"{API}/qualifications", {"limit": 1, "offset": 1}).json()[0]["code"] == small.certificate.code


def test_a_qualification_comes_with_its_rules(client: Client, small: SmallCatalogue) -> None:
    body = client.get(f"{API}/qualifications/{small.certificate.slug}/versions/1").json()
    assert [g["name"] for g in body["rules"]] == ["Mandatory units", "Optional units"]
    assert body["rules"][1]["requirement"] == "Achieve at least 2 units."
    assert len(body["rules"][0]["units"]) == 5


def test_a_unit_comes_with_its_outcomes(client: Client, small: SmallCatalogue) -> None:
    unit = small.shared_units[0]
    body = client.get(f"{API}/units/{unit.slug}").json()
    assert body["code"] == unit.code
    assert body["outcomes"] == []
    assert [u["code"] for u in client.get(f"{API}/units", {"q": "Optional"}).json()] == [
        u.code for u in small.optional_units
    ]


def test_progression_says_what_is_missing(client: Client, small: SmallCatalogue) -> None:
    body = client.get(f"{API}/progression", {"unit": [u.code for u in small.shared_units]}).json()
    assert [(p["qualification"]["code"], p["complete"]) for p in body] == [
        (small.award.code, True),
        (small.certificate.code, False),
    ]
    mandatory = body[1]["groups"][0]
    assert mandatory["remaining"] == [u.code for u in small.certificate_only_units]


def test_drafts_are_hidden_from_everyone_but_the_owners_admins(
    client_for: ClientFor,
    small: SmallCatalogue,
    catalogue_admin: User,
    awarding_body: Organisation,
    outsider: User,
    learner: User,
) -> None:
    draft = make_qualification(catalogue_admin, awarding_body, "7000008", "Secret draft")
    url = f"{API}/qualifications/{draft.slug}/versions/1"
    assert client_for(catalogue_admin).get(url).status_code == 200
    for user in (None, outsider, learner):
        assert client_for(user).get(url).status_code == 404
        assert "Secret draft" not in client_for(user).get(f"{API}/qualifications").text


def test_an_admin_creates_builds_and_publishes_through_the_api(
    client_for: ClientFor, catalogue_admin: User, small: SmallCatalogue
) -> None:
    client = client_for(catalogue_admin)
    created = client.post(f"{API}/qualifications", _new_qualification(), content_type="application/json")
    assert created.status_code == 201, created.json()
    base = f"{API}/qualifications/603-1939-2/versions/1"
    group = client.post(
        f"{base}/rules", {"name": "Mandatory units", "kind": "mandatory"}, content_type="application/json"
    )
    group_id = group.json()["rules"][0]["id"]
    for unit in small.shared_units:
        added = client.post(f"{base}/rules/{group_id}/units", {"unit_code": unit.code}, content_type="application/json")
        assert added.status_code == 201
    published = client.post(f"{base}/publish")
    assert published.status_code == 200
    assert published.json()["status"] == "live"
    refused = client.patch(base, {"title": "Renamed"}, content_type="application/json")
    assert refused.status_code == 422
    assert "Start a new version to change it." in refused.json()["detail"]
    draft = client.post(f"{base}/new-version")
    assert draft.status_code == 201
    assert draft.json()["version"] == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "603/1939/3"}, "fails its check digit (it should end in /2, not /3)"),
        ({"framework": "XYZ"}, "No framework 'XYZ'"),
        ({"level": 42}, "RQF has no level 42."),
    ],
)
def test_bad_input_is_refused_with_what_to_fix(
    client_for: ClientFor, catalogue_admin: User, small: SmallCatalogue, changes: dict[str, Any], message: str
) -> None:
    response = client_for(catalogue_admin).post(
        f"{API}/qualifications", _new_qualification(**changes), content_type="application/json"
    )
    assert response.status_code == 422
    assert any(message in problem for problem in response.json()["problems"])
    assert not Qualification.objects.filter(title="Level 2 Award").exists()


def test_a_malformed_body_is_refused(client_for: ClientFor, catalogue_admin: User, small: SmallCatalogue) -> None:
    response = client_for(catalogue_admin).post(f"{API}/qualifications", {"code": 5}, content_type="application/json")
    assert response.status_code == 422


def test_publishing_an_incomplete_draft_lists_the_problems(
    client_for: ClientFor, catalogue_admin: User, awarding_body: Organisation
) -> None:
    draft = make_qualification(catalogue_admin, awarding_body, "7000008", "Empty")
    response = client_for(catalogue_admin).post(f"{API}/qualifications/{draft.slug}/versions/1/publish")
    assert response.status_code == 422
    assert response.json()["problems"] == ["Add at least one rule group with units before it goes live."]


WRITES: list[tuple[str, str, Callable[[SmallCatalogue], dict[str, Any] | list[Any] | None]]] = [
    ("post", "/qualifications", lambda s: _new_qualification()),
    ("patch", "/qualifications/{award}/versions/1", lambda s: {"title": "x"}),
    ("post", "/qualifications/{award}/versions/1/rules", lambda s: {"name": "G", "kind": "mandatory"}),
    (
        "post",
        "/qualifications/{award}/versions/1/rules/{group}/units",
        lambda s: {"unit_code": s.optional_units[0].code},
    ),
    ("delete", "/qualifications/{award}/versions/1/rules/{group}/units/{unit}", lambda s: None),
    ("post", "/qualifications/{award}/versions/1/publish", lambda s: None),
    ("delete", "/qualifications/{award}/versions/1/rules/{group}", lambda s: None),
    ("put", "/qualifications/{award}/versions/1/competencies", lambda s: [{"title": "C"}]),
    ("patch", "/units/{unit}", lambda s: {"title": "Renamed"}),
    ("post", "/qualifications/{award}/versions/1/new-version", lambda s: None),
    ("post", "/qualifications/{award}/versions/1/withdraw", lambda s: {"reason": "because"}),
    (
        "post",
        "/units",
        lambda s: {"owner": "test-awards", "code": "Y/615/8308", "title": "U", "framework": "RQF", "level": 2},
    ),
    ("put", "/units/{unit}/outcomes", lambda s: []),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_writes_are_refused_to_everyone_but_the_owners_admins(
    client_for: ClientFor, small: SmallCatalogue, method: str, path: str,
    body: Callable[[SmallCatalogue], Any], outsider: User, learner: User, external_qa: User,
) -> None:  # fmt: skip
    url = API + path.format(
        award=small.award.slug, group=small.award.rule_groups.get().pk, unit=small.shared_units[0].slug
    )
    payload = body(small)
    before = AuditEvent.objects.count()
    kwargs: dict[str, Any] = {"content_type": "application/json"} if payload is not None else {}
    if payload is not None:
        kwargs["data"] = payload
    assert getattr(client_for(None), method)(url, **kwargs).status_code == 401
    for user in (outsider, learner, external_qa):
        status = getattr(client_for(user), method)(url, **kwargs).status_code
        assert status in (403, 404), f"{user.email}: {status}"
    assert AuditEvent.objects.count() == before
    assert Qualification.objects.get(pk=small.award.pk).status == Status.LIVE


def test_outcomes_can_be_replaced_on_an_unpublished_unit(
    client_for: ClientFor, catalogue_admin: User, awarding_body: Organisation
) -> None:
    unit = make_unit(catalogue_admin, awarding_body, "7000400", "Fresh")
    outcomes = [{"number": 1, "text": "Understand", "criteria": [{"number": "1.1", "text": "Explain"}]}]
    response = client_for(catalogue_admin).put(
        f"{API}/units/{unit.slug}/outcomes", outcomes, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["outcomes"][0]["criteria"][0]["number"] == "1.1"


@pytest.mark.parametrize("path", ["/qualifications", "/units", "/progression"])
def test_search_text_with_a_nul_character_is_refused(client: Client, small: SmallCatalogue, path: str) -> None:
    name = "unit" if path == "/progression" else "q"
    response = client.get(f"{API}{path}", {name: "Y/615\x008308"})
    assert response.status_code == 422
    assert "NUL characters" in response.json()["detail"]


def test_a_draft_micro_credential_gets_competencies_and_a_unit_is_renamed_through_the_api(
    client_for: ClientFor, catalogue_admin: User, awarding_body: Organisation
) -> None:
    client = client_for(catalogue_admin)
    draft = make_qualification(catalogue_admin, awarding_body, "7000008", "Draft")
    body = [{"title": "Facilitate groups", "description": "Runs hui and workshops"}, {"title": "Reflect"}]
    response = client.put(
        f"{API}/qualifications/{draft.slug}/versions/1/competencies", body, content_type="application/json"
    )
    assert response.status_code == 200
    assert [(c["number"], c["title"]) for c in response.json()["competencies"]] == [
        (1, "Facilitate groups"),
        (2, "Reflect"),
    ]
    unit = make_unit(catalogue_admin, awarding_body, "7000400", "Fresh")
    renamed = client.patch(
        f"{API}/units/{unit.slug}", {"title": "Renamed", "level": 2}, content_type="application/json"
    )
    assert renamed.status_code == 200
    assert (renamed.json()["title"], renamed.json()["level"]) == ("Renamed", 2)


def test_a_unit_in_a_published_qualification_cannot_be_renamed(
    client_for: ClientFor, catalogue_admin: User, small: SmallCatalogue
) -> None:
    response = client_for(catalogue_admin).patch(
        f"{API}/units/{small.shared_units[0].slug}", {"title": "Renamed"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "a new unit reference number" in response.json()["detail"]


def test_a_rule_group_is_removed_from_a_draft(
    client_for: ClientFor, catalogue_admin: User, small: SmallCatalogue
) -> None:
    client = client_for(catalogue_admin)
    draft = client.post(f"{API}/qualifications/{small.award.slug}/versions/1/new-version").json()
    group_id = draft["rules"][0]["id"]
    response = client.delete(f"{API}/qualifications/{small.award.slug}/versions/2/rules/{group_id}")
    assert response.status_code == 200
    assert response.json()["rules"] == []
