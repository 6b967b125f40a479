"""Editing the catalogue through the pages: only the owner's programme admins, only drafts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Organisation, User
from credo.audit.models import AuditEvent
from credo.catalogue.models import Qualification, Status, Unit
from credo.catalogue.tests.builders import SmallCatalogue, build_small_catalogue, make_qualification, make_unit, rqf

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]


@pytest.fixture
def small(catalogue_admin: User, awarding_body: Organisation) -> SmallCatalogue:
    return build_small_catalogue(catalogue_admin, awarding_body)


@pytest.fixture
def draft(catalogue_admin: User, awarding_body: Organisation, small: SmallCatalogue) -> Qualification:
    return make_qualification(catalogue_admin, awarding_body, "7000008", "Draft award")


def _q(q: Qualification) -> dict[str, Any]:
    return {"slug": q.slug, "version": q.version}


# (url name, kwargs from (small, draft), method) for every page that changes the catalogue.
EDIT_ENDPOINTS: list[tuple[str, Callable[[SmallCatalogue, Qualification], dict[str, Any]], str]] = [
    ("catalogue:qualification_create", lambda s, d: {"owner": "test-awards"}, "get"),
    ("catalogue:unit_create", lambda s, d: {"owner": "test-awards"}, "get"),
    ("catalogue:qualification_edit", lambda s, d: _q(d), "get"),
    ("catalogue:competencies_edit", lambda s, d: _q(d), "get"),
    ("catalogue:rule_group_add", lambda s, d: _q(d), "post"),
    ("catalogue:qualification_publish", lambda s, d: _q(d), "post"),
    ("catalogue:qualification_new_version", lambda s, d: _q(s.award), "post"),
    ("catalogue:qualification_withdraw", lambda s, d: _q(s.award), "get"),
    ("catalogue:rule_group_remove", lambda s, d: {**_q(s.award), "group_id": s.award.rule_groups.get().pk}, "post"),
    ("catalogue:group_unit_add", lambda s, d: {**_q(s.award), "group_id": s.award.rule_groups.get().pk}, "post"),
    (
        "catalogue:group_unit_remove",
        lambda s, d: {**_q(s.award), "group_id": s.award.rule_groups.get().pk, "unit_slug": s.shared_units[0].slug},
        "post",
    ),
    ("catalogue:unit_edit", lambda s, d: {"slug": s.shared_units[0].slug}, "get"),
    ("catalogue:unit_outcomes_edit", lambda s, d: {"slug": s.shared_units[0].slug}, "get"),
]


@pytest.mark.parametrize(("name", "kwargs", "method"), EDIT_ENDPOINTS, ids=[e[0] for e in EDIT_ENDPOINTS])
def test_editing_is_refused_to_everyone_but_the_owners_admins(
    client_for: ClientFor, small: SmallCatalogue, draft: Qualification, name: str,
    kwargs: Callable[[SmallCatalogue, Qualification], dict[str, Any]], method: str,
    outsider: User, learner: User, external_qa: User, centre_admin: User, catalogue_admin: User,
) -> None:  # fmt: skip
    url = reverse(name, kwargs=kwargs(small, draft))
    before = AuditEvent.objects.count()
    anonymous = getattr(client_for(None), method)(url)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    for user in (outsider, learner, external_qa, centre_admin):
        response = getattr(client_for(user), method)(url)
        # A draft they cannot see is "not found"; a published entry they can see is "forbidden".
        assert response.status_code in (403, 404), f"{user.email} got {response.status_code}"
    assert AuditEvent.objects.count() == before
    allowed = getattr(client_for(catalogue_admin), method)(url)
    assert allowed.status_code in (200, 302)


def test_an_admin_creates_a_draft_qualification(
    client_for: ClientFor, catalogue_admin: User, small: SmallCatalogue
) -> None:
    framework = rqf()
    response = client_for(catalogue_admin).post(
        reverse("catalogue:qualification_create", kwargs={"owner": "test-awards"}),
        {"code": "603/1939/2", "title": "Level 2 Award", "kind": "award", "framework": framework.pk,
         "level": framework.levels.get(number=2).pk},
    )  # fmt: skip
    q = Qualification.objects.get(code="603/1939/2")
    assert response.status_code == 302
    assert response["Location"] == q.get_absolute_url()
    assert q.status == Status.DRAFT


def test_a_mistyped_code_is_refused_with_the_reason(
    client_for: ClientFor, catalogue_admin: User, small: SmallCatalogue
) -> None:
    framework = rqf()
    response = client_for(catalogue_admin).post(
        reverse("catalogue:qualification_create", kwargs={"owner": "test-awards"}),
        {"code": "603/1939/3", "title": "Typo", "kind": "award", "framework": framework.pk,
         "level": framework.levels.get(number=2).pk},
    )  # fmt: skip
    assert response.status_code == 200
    assert "fails its check digit (it should end in /2, not /3)" in response.text
    assert not Qualification.objects.filter(code="603/1939/3").exists()


def test_an_admin_builds_and_publishes_a_draft(
    client_for: ClientFor, catalogue_admin: User, draft: Qualification, small: SmallCatalogue
) -> None:
    client = client_for(catalogue_admin)
    client.post(reverse("catalogue:rule_group_add", kwargs=_q(draft)), {"name": "Mandatory units", "kind": "mandatory"})
    group = draft.rule_groups.get()
    for unit in small.shared_units:
        client.post(
            reverse("catalogue:group_unit_add", kwargs={**_q(draft), "group_id": group.pk}), {"unit_code": unit.code}
        )
    assert group.units.count() == 3
    response = client.post(reverse("catalogue:qualification_publish", kwargs=_q(draft)), follow=True)
    assert "is live." in response.text
    draft.refresh_from_db()
    assert draft.status == Status.LIVE


def test_publishing_an_incomplete_draft_says_what_is_missing(
    client_for: ClientFor, catalogue_admin: User, draft: Qualification
) -> None:
    response = client_for(catalogue_admin).post(
        reverse("catalogue:qualification_publish", kwargs=_q(draft)), follow=True
    )
    assert "Add at least one rule group with units before it goes live." in response.text
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_adding_an_unknown_unit_says_so(client_for: ClientFor, catalogue_admin: User, draft: Qualification) -> None:
    client = client_for(catalogue_admin)
    client.post(reverse("catalogue:rule_group_add", kwargs=_q(draft)), {"name": "Mandatory units", "kind": "mandatory"})
    group = draft.rule_groups.get()
    response = client.post(
        reverse("catalogue:group_unit_add", kwargs={**_q(draft), "group_id": group.pk}),
        {"unit_code": "Y/999/9999"},
        follow=True,
    )
    assert "No unit Y/999/9999 in the catalogue that you can use." in response.text


def test_editing_a_live_qualification_sends_the_admin_to_start_a_new_version(
    client_for: ClientFor, catalogue_admin: User, small: SmallCatalogue
) -> None:
    client = client_for(catalogue_admin)
    response = client.get(reverse("catalogue:qualification_edit", kwargs=_q(small.award)), follow=True)
    assert "its structure cannot change. Start a new version to change it." in response.text
    group = small.award.rule_groups.get()
    response = client.post(
        reverse(
            "catalogue:group_unit_remove",
            kwargs={**_q(small.award), "group_id": group.pk, "unit_slug": small.shared_units[0].slug},
        ),
        follow=True,
    )
    assert "Start a new version to change it." in response.text
    assert group.units.count() == 3
    response = client.post(reverse("catalogue:qualification_new_version", kwargs=_q(small.award)), follow=True)
    assert "Draft version 2 started" in response.text


def test_withdrawing_asks_for_a_reason(client_for: ClientFor, catalogue_admin: User, small: SmallCatalogue) -> None:
    client = client_for(catalogue_admin)
    url = reverse("catalogue:qualification_withdraw", kwargs=_q(small.award))
    assert "This field is required." in client.post(url, {"reason": ""}).text
    client.post(url, {"reason": "No longer offered"})
    small.award.refresh_from_db()
    assert small.award.status == Status.WITHDRAWN


def test_an_admin_writes_outcomes_as_a_specification_prints_them(
    client_for: ClientFor, catalogue_admin: User, awarding_body: Organisation
) -> None:
    unit = make_unit(catalogue_admin, awarding_body, "7000400", "Fresh unit")
    text = (
        "1. Understand groups\n   1.1 Explain group stages\n   1.2 Describe roles\n"
        "2. Work with groups\n   2.1 Facilitate a meeting\n"
    )
    response = client_for(catalogue_admin).post(
        reverse("catalogue:unit_outcomes_edit", kwargs={"slug": unit.slug}), {"text": text, "is_sample": "on"}
    )
    assert response.status_code == 302
    outcomes = list(unit.outcomes.prefetch_related("criteria"))
    assert [(o.number, o.text, [c.number for c in o.criteria.all()]) for o in outcomes] == [
        (1, "Understand groups", ["1.1", "1.2"]),
        (2, "Work with groups", ["2.1"]),
    ]
    assert all(o.is_sample for o in outcomes)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("1.1 Orphan criterion", "criterion 1.1 comes before any outcome"),
        ("1. Outcome\n   2.1 Misplaced", "criterion 2.1 is listed under outcome 1"),
        ("Just some words", "is neither an outcome"),
        ("1. One\n1. Again", "Learning outcome 1 is listed twice."),
    ],
)
def test_malformed_outcomes_are_refused_with_the_line(
    client_for: ClientFor, catalogue_admin: User, awarding_body: Organisation, text: str, error: str
) -> None:
    unit = make_unit(catalogue_admin, awarding_body, "7000400", "Fresh unit")
    response = client_for(catalogue_admin).post(
        reverse("catalogue:unit_outcomes_edit", kwargs={"slug": unit.slug}), {"text": text}
    )
    assert response.status_code == 200
    assert error in response.text
    assert not unit.outcomes.exists()


def test_an_admin_creates_a_unit_and_a_bad_check_letter_is_refused(
    client_for: ClientFor, catalogue_admin: User, small: SmallCatalogue
) -> None:
    framework = rqf()
    client = client_for(catalogue_admin)
    url = reverse("catalogue:unit_create", kwargs={"owner": "test-awards"})
    data = {"title": "New unit", "framework": framework.pk, "level": framework.levels.get(number=3).pk}
    bad = client.post(url, {**data, "code": "A/615/8308"})
    assert "it should start with Y/, not A/" in bad.text
    good = client.post(url, {**data, "code": "Y/615/8308"})
    assert good.status_code == 302
    assert Unit.objects.filter(code="Y/615/8308").exists()
