"""The dashboard is drawn from panels the apps contribute: each role finds a card with the way to its work."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import Membership, Organisation, User
from credo.core import panels
from credo.core.panels import Link, Panel, Viewer

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User | None], Client]


@pytest.mark.parametrize(
    ("persona", "link"),
    [
        ("assessor", "/assessment/queue/"),
        ("internal_qa", "/assessment/pipeline/"),
        ("external_qa", "/assessment/awarding/"),
        ("ratifier", "/assessment/awarding/"),
    ],
)
def test_each_assessment_role_has_a_card_with_the_way_to_its_work(
    persona: str, link: str, request: pytest.FixtureRequest, client_for: ClientFor
) -> None:
    user: User = request.getfixturevalue(persona)
    membership = Membership.objects.select_related("organisation").get(user=user)
    role_at = f"{membership.get_role_display()} at {membership.organisation.name}"

    page = client_for(user).get(reverse("dashboard")).text

    assert f"{role_at}</h2>" in page
    assert f'href="{link}' in page


def test_an_outsider_sees_only_their_own_organisation(
    client_for: ClientFor, outsider: User, assessor: User, ratifier: User
) -> None:
    page = client_for(outsider).get(reverse("dashboard")).text
    assert "Programme admin at Another Awarding Body</h2>" in page
    assert "Test Centre" not in page
    assert "Test Awarding Body" not in page


@pytest.fixture
def contributors() -> Iterator[list[panels.Contributor]]:
    """The registry as the apps left it, restored after a test adds to it."""
    saved = list(panels._contributors)
    yield panels._contributors
    panels._contributors[:] = saved


def test_every_app_with_work_contributes_and_registering_twice_counts_once(
    contributors: list[panels.Contributor],
) -> None:
    modules = {contributor.__module__ for contributor in panels.contributors()}
    assert modules == {
        "credo.core.job_panels",
        "credo.catalogue.panels",
        "credo.programmes.panels",
        "credo.credentials.panels",
        "credo.assessment.panels_assessing",
        "credo.assessment.panels_moderation",
        "credo.assessment.panels_ratification",
        "credo.assessment.panels_claims",
        "credo.assessment.panels_pipeline",
    }
    first = panels.contributors()[0]
    panels.register(first)
    assert panels.contributors().count(first) == 1


def test_a_new_apps_panel_joins_the_membership_card(
    contributors: list[panels.Contributor], client_for: ClientFor, assessor: User
) -> None:
    """How a later issue adds the assessor's work: its app registers a contributor; the dashboard changes nothing."""

    def assessment(viewer: Viewer) -> list[Panel]:
        return [panels.for_membership(m, links=[Link("Submissions to assess", "/assess/")]) for m in viewer.memberships]

    panels.register(assessment)
    page = client_for(assessor).get(reverse("dashboard")).text
    assert "Assessor at Test Centre</h2>" in page
    assert 'href="/assess/">Submissions to assess</a>' in page


def test_panels_with_one_key_share_a_card_and_empty_cards_are_left_out(centre: Organisation) -> None:
    key = ("membership", centre.pk, "programme_admin")
    merged = panels.cards(
        [
            Panel(key=key, heading="Programme admin at Test Centre", order=panels.STAFF, links=(Link("A", "/a"),)),
            Panel(key=("learner", "x"), heading="Yours", order=panels.LEARNER_NOW, template="t.html"),
            Panel(key=key, heading="ignored", order=panels.STAFF, links=(Link("B", "/b"),)),
            Panel(key=("nothing",), heading="Nothing that works", order=1),
        ]
    )
    assert [card.heading for card in merged] == ["Yours", "Programme admin at Test Centre"]
    assert [link.label for link in merged[1].links] == ["A", "B"]
